/**
 * The market API over HTTP, on the in-process chain: the SDK's MarketClient publishes and queries,
 * raw requests probe every refusal (each a 4xx naming the reason, with nothing stored).
 */
import { expect } from "chai";
import { marketSetup } from "./fixtures";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  MarketClient,
  OrderOperation,
  ServiceError,
  hashOrder,
  orderToJson,
  signChallenge,
  signOrder,
  workerpoolOrder,
  type OrderKind,
} from "../../src/sdk";
import { buildMarketServer, type FastifyInstance, type MarketServerOptions } from "../../src/market/server";
import { MarketService, marketChain } from "../../src/market/service";
import { MemoryMarketStore } from "../../src/market/memory-store";
import type { MarketStore } from "../../src/market/store";
import { signedOrders, type MatchSetup, type OrderSet } from "../matching/fixtures";
import type { Json } from "../json";

const CHAIN_ID = 31337n;

interface Running {
  setup: MatchSetup;
  orders: OrderSet;
  store: MarketStore;
  server: FastifyInstance;
  url: string;
  client: MarketClient;
}

async function start(options: MarketServerOptions = {}): Promise<Running> {
  const setup = await loadFixture(marketSetup);
  const orders = await signedOrders(setup);
  const store = new MemoryMarketStore();
  const service = new MarketService(store, await marketChain(setup.hub, CHAIN_ID));
  const server = await buildMarketServer(service, options);
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  return { setup, orders, store, server, url, client: new MarketClient(url, CHAIN_ID) };
}

/** A raw request, for the refusals the SDK client would never send. */
async function send(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(url + path, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as Json,
    headers: response.headers,
  };
}

async function authorization(
  url: string,
  signer: { getAddress(): Promise<string> } & Parameters<typeof signChallenge>[0],
) {
  const address = await signer.getAddress();
  const { json } = await send(url, "GET", `/challenge?chainId=31337&address=${address}`);
  return (await signChallenge(signer, CHAIN_ID, json.data.message.challenge)).authorization;
}

describe("@market Market API", function () {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.server.close();
    running = undefined;
  });

  it("answers version and one-use EIP-712 challenges for the hub's chain", async function () {
    running = await start();
    const { url } = running;
    expect((await send(url, "GET", "/version")).json).to.include({ ok: true });
    const { json } = await send(
      url,
      "GET",
      `/challenge?chainId=31337&address=${running.setup.requester.address}`,
    );
    expect(json.data.domain).to.deep.equal({ name: "iExec Gateway", version: "1", chainId: 31337 });
    expect(json.data.message.challenge).to.match(
      /^Sign this message to log into iExec Gateway: [0-9a-f]{32}$/,
    );
    const wrongChain = await send(
      url,
      "GET",
      `/challenge?chainId=1&address=${running.setup.requester.address}`,
    );
    expect(wrongChain.status).to.equal(400);
    expect(wrongChain.json).to.deep.equal({
      ok: false,
      error: "This market serves chain 31337, not chain 1.",
    });
  });

  it("publishes each kind of order through the SDK client and serves it back", async function () {
    running = await start();
    const { client, setup, orders } = running;
    const owners = {
      app: setup.appOwner,
      dataset: setup.datasetOwner,
      workerpool: setup.scheduler,
      request: setup.requester,
    };
    for (const kind of ["app", "dataset", "workerpool", "request"] as OrderKind[]) {
      const hash = await client.publish(kind, orders[kind] as never, owners[kind]);
      expect(hash).to.equal(hashOrder(setup.domain, kind, orders[kind] as never));
      const published = await client.order(kind, hash);
      expect(orderToJson(kind, published.order as never)).to.deep.equal(
        orderToJson(kind, orders[kind] as never),
      );
      expect(published.status).to.equal("open");
      expect(published.remaining).to.equal(orders[kind].volume);
      expect(published.signer).to.equal(await owners[kind].getAddress());
    }
    const book = await client.orderbook("workerpool", { category: orders.workerpool.category });
    expect(book.count).to.equal(1);
    expect(book.orders[0].orderHash).to.equal(hashOrder(setup.domain, "workerpool", orders.workerpool));
    expect((await client.orderbook("app", { app: setup.app })).count).to.equal(1);
    expect((await client.orderbook("request", { requester: setup.requester.address })).count).to.equal(1);
  });

  it("refuses each bad publication with a 4xx naming the reason, and stores nothing", async function () {
    running = await start();
    const { url, setup, orders, store } = running;
    const post = async (
      kind: string,
      order: unknown,
      signer = setup.appOwner,
      extra: Record<string, string> = {},
    ) =>
      send(
        url,
        "POST",
        `/${kind}orders?chainId=31337`,
        { order },
        { Authorization: await authorization(url, signer), ...extra },
      );
    const app = orderToJson("app", orders.app);

    expect((await send(url, "POST", "/apporders", { order: app })).status).to.equal(401);
    const header = await authorization(url, setup.appOwner);
    expect(
      (await send(url, "POST", "/apporders", { order: app }, { Authorization: header })).status,
    ).to.equal(200);
    store.deleteOrders([hashOrder(setup.domain, "app", orders.app)]);
    const replay = await send(url, "POST", "/apporders", { order: app }, { Authorization: header });
    expect(replay.status).to.equal(401);
    expect(replay.json.error).to.include("already used challenge");

    const another = await post("app", app, setup.requester);
    expect(another.status).to.equal(403);
    expect(another.json.error).to.include(`belongs to ${setup.appOwner.address}`);

    const badSign = await post("app", { ...app, appprice: "1" });
    expect(badSign.status).to.equal(400);
    expect(badSign.json.error).to.include("is not signed by its owner");

    const unknown = await post("app", { ...app, app: setup.requester.address });
    expect(unknown.status).to.equal(400);
    expect(unknown.json.error).to.include("which is not a registered app");

    const malformed = await post("app", { ...app, volume: "-1" });
    expect(malformed.status).to.equal(400);
    expect(malformed.json.error).to.equal(
      'apporder.volume must be an integer from 0 to 2^256 - 1, got "-1".',
    );

    // A workerpool order whose owner cannot stake for one task.
    const rich = workerpoolOrder({
      ...orders.workerpool,
      workerpoolprice: 10n ** 18n,
      salt: ethers.hexlify(ethers.randomBytes(32)),
    });
    const signed = await signOrder(setup.scheduler, setup.domain, "workerpool", rich);
    const poor = await post("workerpool", orderToJson("workerpool", signed), setup.scheduler);
    expect(poor.status).to.equal(400);
    expect(poor.json.error).to.match(
      /The workerpool owner 0x[0-9a-fA-F]{40} has .* of free stake and one task needs/,
    );

    // A cancelled order has no volume left.
    await setup.hub
      .connect(setup.appOwner)
      .manageAppOrder({ order: orders.app, operation: OrderOperation.CLOSE, sign: "0x" });
    const closed = await post("app", app);
    expect(closed.status).to.equal(400);
    expect(closed.json.error).to.include("has no volume left on chain");

    const notJson = await send(url, "POST", "/apporders", "{not json", { Authorization: "x" });
    expect(notJson.status).to.equal(400);
    const huge = await send(url, "POST", "/apporders", { order: { ...app, pad: "x".repeat(70_000) } });
    expect(huge.status).to.equal(413);
    const extra = await send(url, "GET", "/apporders?chainId=31337&bogus=1");
    expect(extra.status).to.equal(400);
    expect(store.listOrders("app", {}, { pageIndex: 0, pageSize: 100 }).count).to.equal(0);
  });

  it("refuses an order already published with 409", async function () {
    running = await start();
    const { client, setup, orders } = running;
    await client.publish("app", orders.app, setup.appOwner);
    const error = await client.publish("app", orders.app, setup.appOwner).catch((e) => e);
    expect(error).to.be.instanceOf(ServiceError);
    expect(error.status).to.equal(409);
  });

  it("unpublishes by hash, the last one or all, for their owner only", async function () {
    running = await start();
    const { client, setup, orders } = running;
    const more = [orders.app];
    for (let i = 0; i < 2; i++)
      more.push((await signedOrders(setup, { app: { salt: ethers.hexlify(ethers.randomBytes(32)) } })).app);
    const hashes: string[] = [];
    for (const order of more) hashes.push(await client.publish("app", order, setup.appOwner));
    const stranger = await client.unpublish("app", hashes[0], setup.requester).catch((e) => e);
    expect(stranger.status).to.equal(403);
    expect(await client.unpublish("app", hashes[0], setup.appOwner)).to.equal(hashes[0]);
    expect(await client.unpublishLast("app", setup.appOwner, setup.app)).to.equal(hashes[2]);
    expect(await client.unpublishAll("app", setup.appOwner, setup.app)).to.deep.equal([hashes[1]]);
    expect((await client.orderbook("app", { app: setup.app })).count).to.equal(0);
    const none = await client.unpublishAll("app", setup.appOwner, setup.app).catch((e) => e);
    expect(none.status).to.equal(404);
  });

  it("limits requests per caller and sends CORS headers", async function () {
    running = await start({
      rateLimit: { max: 3, timeWindowMs: 60_000 },
      corsOrigin: "https://explorer.example",
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(running.url, "GET", "/version")).status);
    expect(statuses).to.deep.equal([200, 200, 200, 429]);
    const limited = await send(running.url, "GET", "/version");
    expect(limited.json.ok).to.equal(false);
    expect(limited.json.error).to.match(/^Too many requests/);
    const preflight = await fetch(running.url + "/apporders", {
      method: "OPTIONS",
      headers: { Origin: "https://explorer.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).to.equal("https://explorer.example");
  });
});
