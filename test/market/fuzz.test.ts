/**
 * The market never crashes on input: thousands of random and mutated requests at every endpoint,
 * authenticated or not, must each get a well-formed answer below 500; afterwards the service still
 * answers and the store holds only orders whose hash and owner signature are valid.
 */
import { expect } from "chai";
import { marketSetup } from "./fixtures";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { hashOrder, orderToJson, signChallenge, type OrderKind } from "../../src/sdk";
import { buildMarketServer } from "../../src/market/server";
import { MarketService, marketChain } from "../../src/market/service";
import { MemoryMarketStore } from "../../src/market/memory-store";
import { signedOrders } from "../matching/fixtures";
import { runs } from "../property-runs";

const RUNS = runs(2000, { override: "MARKET_FUZZ_RUNS", ciMultiplier: 2 });
const KINDS: OrderKind[] = ["app", "dataset", "workerpool", "request"];
const PATHS = [
  "/version",
  "/challenge",
  "/categories",
  "/categories/0",
  "/deals",
  `/deals/0x${"ab".repeat(32)}`,
  ...KINDS.flatMap((kind) => [`/${kind}orders`, `/${kind}orders/0x${"cd".repeat(32)}`]),
  "/nowhere",
];

describe("@market Market API fuzz", function () {
  this.timeout(300_000);

  it(`answers ${RUNS} random and mutated requests without a 5xx, and stores only valid orders`, async function () {
    const setup = await loadFixture(marketSetup);
    const orders = await signedOrders(setup);
    const owners = {
      app: setup.appOwner,
      dataset: setup.datasetOwner,
      workerpool: setup.scheduler,
      request: setup.requester,
    };
    const store = new MemoryMarketStore();
    const service = new MarketService(store, await marketChain(setup.hub, 31337n));
    const server = await buildMarketServer(service, { rateLimit: { max: 1_000_000, timeWindowMs: 60_000 } });
    const url = await server.listen({ host: "127.0.0.1", port: 0 });
    const auth = async (kind: OrderKind) => {
      const signer = owners[kind];
      const challenge = (await (await fetch(`${url}/challenge?address=${signer.address}`)).json()) as {
        data: { message: { challenge: string } };
      };
      return (await signChallenge(signer, 31337n, challenge.data.message.challenge)).authorization;
    };

    const valid = Object.fromEntries(KINDS.map((kind) => [kind, orderToJson(kind, orders[kind] as never)]));
    const scalar = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt({ min: -(2n ** 260n), max: 2n ** 260n }).map(String),
      fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF") }).map((h) => "0x" + h),
    );
    const mutatedOrder = fc.record({
      kind: fc.constantFrom(...KINDS),
      field: fc.string(),
      pick: fc.nat(),
      value: fc.oneof(scalar, fc.jsonValue()),
      drop: fc.boolean(),
    });
    const request = fc.oneof(
      // Random paths, methods, queries and bodies.
      fc.record({
        method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
        path: fc.constantFrom(...PATHS),
        query: fc.dictionary(
          fc.constantFrom("chainId", "app", "pageSize", "pageIndex", "minTag", "category", "address", "x"),
          fc.string(),
        ),
        body: fc.option(
          fc.oneof(
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.string(),
          ),
          { nil: undefined },
        ),
        authKind: fc.option(fc.constantFrom(...KINDS), { nil: undefined }),
        mutation: fc.constant(undefined),
      }),
      // A valid order with one field changed, dropped or added, posted with its owner's authorization.
      mutatedOrder.map((m) => ({
        method: "POST",
        path: `/${m.kind}orders`,
        query: {},
        body: undefined,
        authKind: m.kind,
        mutation: m,
      })),
    );

    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let body = r.body;
        if (r.mutation) {
          const order: Record<string, unknown> = { ...valid[r.mutation.kind] };
          const keys = Object.keys(order);
          const field = r.mutation.pick % 3 === 0 ? r.mutation.field : keys[r.mutation.pick % keys.length];
          if (r.mutation.drop) delete order[field];
          else order[field] = r.mutation.value;
          body = JSON.stringify({ order });
        }
        const query = new URLSearchParams(r.query as Record<string, string>).toString();
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (r.authKind) headers.Authorization = await auth(r.authKind);
        const response = await fetch(`${url}${r.path}${query ? "?" + query : ""}`, {
          method: r.method,
          headers,
          body: r.method === "GET" ? undefined : body,
        });
        expect(response.status, `${r.method} ${r.path} ${body}`).to.be.below(500);
        const json = (await response.json()) as { ok: boolean; error?: string };
        expect(json.ok).to.equal(response.status === 200);
        if (!json.ok) expect(json.error).to.be.a("string").and.not.equal("");
        if (r.method === "POST" && response.status === 200) accepted++;
      }),
      { numRuns: RUNS },
    );

    expect(((await (await fetch(`${url}/version`)).json()) as { ok: boolean }).ok).to.equal(true);
    for (const kind of KINDS) {
      const { items } = store.listOrders(kind, {}, { pageIndex: 0, pageSize: 1000 });
      for (const record of items) {
        expect(record.orderHash).to.equal(hashOrder(setup.domain, kind, record.order as never));
        expect(ethers.recoverAddress(record.orderHash, record.order.sign)).to.equal(record.owner);
      }
    }
    // Mutations that kept the order valid (an extra field, the same value) may be published, once per order.
    expect(accepted).to.be.at.most(KINDS.length);
    await server.close();
  });
});
