import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { getAddress, hexlify, toBeHex } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { RLC_UNIT } from "../fixtures";
import { matchArgs, matchSetup, signedOrders, type MatchSetup, type OrderSet } from "./fixtures";
import { hashOrder, matchIssues, signOrder, type OrderKind } from "../../src/sdk";
import { runs } from "../property-runs";

/**
 * The TypeScript twin of the hub's stateless matching rules (`matchIssues`) against the hub itself: on random
 * perturbations of a compatible, signed order set (category, trust, prices against maximum prices, tags and the
 * TEE bit, the assets the request names, each restriction), `matchIssues` finds no issue exactly when
 * `matchOrders` (called by the requester) goes through, and when the hub reverts, its custom error is the code
 * of one of the issues found.
 *
 * Everything that needs chain state stays valid here: registered assets, fresh signatures of the owners (each
 * changed order is signed again), unconsumed orders, funded accounts, existing categories, and no ERC-734
 * groups as restrictions (the hub asks the group; `matchIssues` cannot, and leaves that to `preflight`).
 */
describe("matchIssues vs matchOrders (property)", () => {
  const RUNS = runs(60, { override: "PREFLIGHT_PROPERTY_RUNS" });
  const RLC = RLC_UNIT;
  const ZERO = ethers.ZeroAddress;
  const KINDS: OrderKind[] = ["app", "dataset", "workerpool", "request"];
  const bytes32 = (value: bigint) => toBeHex(value, 32);
  const HIGH_BIT = 1n << 255n;

  /** The ten restriction fields (the request's workerpool first), with the account each one is checked against. */
  const RESTRICTIONS: [OrderKind, string, "app" | "dataset" | "workerpool" | "requester"][] = [
    ["request", "workerpool", "workerpool"],
    ["app", "datasetrestrict", "dataset"],
    ["app", "workerpoolrestrict", "workerpool"],
    ["app", "requesterrestrict", "requester"],
    ["dataset", "apprestrict", "app"],
    ["dataset", "workerpoolrestrict", "workerpool"],
    ["dataset", "requesterrestrict", "requester"],
    ["workerpool", "apprestrict", "app"],
    ["workerpool", "datasetrestrict", "dataset"],
    ["workerpool", "requesterrestrict", "requester"],
  ];

  type Other =
    { pick: "stranger" } | { pick: "token" } | { pick: "otherAsset" } | { pick: "random"; address: string };
  type AddressChoice = { pick: "zero" } | { pick: "right" } | Other;

  interface Base {
    withDataset: boolean;
    prices: { app: bigint; dataset: bigint; workerpool: bigint };
    slack: { app: bigint; dataset: bigint; workerpool: bigint };
    tags: { app: bigint; dataset: bigint; request: bigint; workerpoolExtra: bigint };
    category: number;
    trust: { request: bigint; extra: bigint };
    /** Zero or the right account, for each of RESTRICTIONS. */
    restrictions: ("zero" | "right")[];
  }

  type Mutation =
    | { m: "category"; request: number; workerpool: number }
    | { m: "trust"; request: bigint; workerpool: bigint }
    | { m: "price"; which: "app" | "dataset" | "workerpool"; price: bigint; max: bigint }
    | { m: "tag"; which: "app" | "dataset" | "request" | "workerpool"; bits: bigint }
    | { m: "tee"; which: "dataset" | "request" }
    | { m: "requestAsset"; which: "app" | "dataset"; value: Other | { pick: "zero" } }
    | { m: "restriction"; field: number; value: AddressChoice };

  interface Scenario {
    base: Base;
    mutations: Mutation[];
  }

  // ------------------------------------------------------------------ generators

  const price = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 30n * RLC }));
  const slack = fc.oneof(fc.constant(0n), fc.constant(1n), fc.bigInt({ min: 0n, max: 5n * RLC }));
  const lowTag = fc.oneof(
    { weight: 3, arbitrary: fc.constant(0n) },
    { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 15n }) },
  );
  const randomAddress = fc
    .uint8Array({ minLength: 20, maxLength: 20 })
    .map((bytes) => getAddress(hexlify(bytes)));
  const other: fc.Arbitrary<Other> = fc.oneof(
    fc.constant({ pick: "stranger" as const }),
    fc.constant({ pick: "token" as const }),
    fc.constant({ pick: "otherAsset" as const }),
    randomAddress.map((address) => ({ pick: "random" as const, address })),
  );
  const addressChoice: fc.Arbitrary<AddressChoice> = fc.oneof(
    fc.constant({ pick: "zero" as const }),
    fc.constant({ pick: "right" as const }),
    other,
  );

  function scenarios(categories: number): fc.Arbitrary<Scenario> {
    const category = fc.nat({ max: categories - 1 });
    const base: fc.Arbitrary<Base> = fc.record({
      withDataset: fc.boolean(),
      prices: fc.record({ app: price, dataset: price, workerpool: price }),
      slack: fc.record({ app: slack, dataset: slack, workerpool: slack }),
      tags: fc.record({ app: lowTag, dataset: lowTag, request: lowTag, workerpoolExtra: lowTag }),
      category,
      trust: fc.record({ request: fc.bigInt({ min: 0n, max: 3n }), extra: fc.bigInt({ min: 0n, max: 3n }) }),
      restrictions: fc.array(fc.constantFrom("zero" as const, "right" as const), {
        minLength: RESTRICTIONS.length,
        maxLength: RESTRICTIONS.length,
      }),
    });
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({ m: fc.constant("category" as const), request: category, workerpool: category }),
      fc.record({
        m: fc.constant("trust" as const),
        request: fc.bigInt({ min: 0n, max: 5n }),
        workerpool: fc.bigInt({ min: 0n, max: 5n }),
      }),
      fc.record({
        m: fc.constant("price" as const),
        which: fc.constantFrom("app" as const, "dataset" as const, "workerpool" as const),
        price: fc.bigInt({ min: 0n, max: 30n * RLC }),
        max: fc.bigInt({ min: 0n, max: 30n * RLC }),
      }),
      fc.record({
        m: fc.constant("tag" as const),
        which: fc.constantFrom("app" as const, "dataset" as const, "request" as const, "workerpool" as const),
        bits: fc.oneof(fc.constant(1n), fc.bigInt({ min: 1n, max: 15n }), fc.constant(HIGH_BIT)),
      }),
      fc.record({
        m: fc.constant("tee" as const),
        which: fc.constantFrom("dataset" as const, "request" as const),
      }),
      fc.record({
        m: fc.constant("requestAsset" as const),
        which: fc.constantFrom("app" as const, "dataset" as const),
        value: fc.oneof(fc.constant({ pick: "zero" as const }), other),
      }),
      {
        weight: 4,
        arbitrary: fc.record({
          m: fc.constant("restriction" as const),
          field: fc.nat({ max: RESTRICTIONS.length - 1 }),
          value: addressChoice,
        }),
      },
    );
    return fc.record({
      base,
      mutations: fc.oneof(
        { weight: 2, arbitrary: fc.constant<Mutation[]>([]) },
        { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
      ),
    });
  }

  // ------------------------------------------------------------------ building the orders

  function accountOf(orders: OrderSet, role: "app" | "dataset" | "workerpool" | "requester") {
    if (role === "app") return orders.app.app;
    if (role === "dataset") return orders.dataset.dataset;
    if (role === "workerpool") return orders.workerpool.workerpool;
    return orders.request.requester;
  }

  /** An address that is not `right`: an EOA, the token (a contract, not a group), another asset, or random. */
  function otherAddress(s: MatchSetup, value: Other, right: string): string {
    switch (value.pick) {
      case "stranger":
        return s.others[5].address;
      case "token":
        return getAddress(s.rlc.target as string);
      case "otherAsset":
        return [s.app, s.dataset, s.workerpool].find((x) => x !== right && x !== ZERO) ?? s.app;
      case "random":
        return value.address;
    }
  }

  function choose(s: MatchSetup, value: AddressChoice, right: string): string {
    if (value.pick === "zero") return ZERO;
    if (value.pick === "right") return right;
    return otherAddress(s, value, right);
  }

  /** A copy whose orders can be changed without touching `orders`. */
  function clone(orders: OrderSet): OrderSet {
    return {
      app: { ...orders.app },
      dataset: { ...orders.dataset },
      workerpool: { ...orders.workerpool },
      request: { ...orders.request },
    };
  }

  function set(orders: OrderSet, kind: OrderKind, name: string, value: unknown) {
    (orders[kind] as unknown as Record<string, unknown>)[name] = value;
  }

  /** The compatible base: the fixture's signed orders with the base's fields (see `signedOrders`). */
  async function baseOrders(s: MatchSetup, b: Base): Promise<OrderSet> {
    const datasetTag = b.withDataset ? b.tags.dataset : 0n;
    // The app runs in an enclave whenever the dataset or the request asks for one; the workerpool offers all.
    const appTag = b.tags.app | ((b.tags.request | datasetTag) & 1n);
    const tag = appTag | b.tags.request | datasetTag;
    const orders = await signedOrders(s, {
      noDataset: !b.withDataset,
      app: { appprice: b.prices.app, tag: bytes32(appTag) },
      dataset: b.withDataset ? { datasetprice: b.prices.dataset, tag: bytes32(datasetTag) } : {},
      workerpool: {
        workerpoolprice: b.prices.workerpool,
        tag: bytes32(tag | (b.tags.workerpoolExtra << 1n)),
        category: BigInt(b.category),
        trust: b.trust.request + b.trust.extra,
      },
      request: {
        appmaxprice: b.prices.app + b.slack.app,
        datasetmaxprice: b.withDataset ? b.prices.dataset + b.slack.dataset : 0n,
        workerpoolmaxprice: b.prices.workerpool + b.slack.workerpool,
        tag: bytes32(b.tags.request),
        category: BigInt(b.category),
        trust: b.trust.request,
      },
    });
    const copy = clone(orders);
    RESTRICTIONS.forEach(([kind, name, role], field) => {
      if (kind === "dataset" && !b.withDataset) return;
      set(copy, kind, name, b.restrictions[field] === "zero" ? ZERO : accountOf(copy, role));
    });
    return resign(s, orders, copy);
  }

  function mutate(s: MatchSetup, o: OrderSet, mu: Mutation) {
    switch (mu.m) {
      case "category":
        o.request.category = BigInt(mu.request);
        o.workerpool.category = BigInt(mu.workerpool);
        break;
      case "trust":
        o.request.trust = mu.request;
        o.workerpool.trust = mu.workerpool;
        break;
      case "price":
        if (mu.which === "app") {
          o.app.appprice = mu.price;
          o.request.appmaxprice = mu.max;
        }
        if (mu.which === "dataset") {
          o.dataset.datasetprice = mu.price;
          o.request.datasetmaxprice = mu.max;
        }
        if (mu.which === "workerpool") {
          o.workerpool.workerpoolprice = mu.price;
          o.request.workerpoolmaxprice = mu.max;
        }
        break;
      case "tag": {
        const current = BigInt(o[mu.which].tag);
        o[mu.which].tag = bytes32(mu.which === "workerpool" ? current & ~mu.bits : current | mu.bits);
        break;
      }
      case "tee":
        // The dataset or the request asks for an enclave the workerpool offers; the app does not declare one.
        o[mu.which].tag = bytes32(BigInt(o[mu.which].tag) | 1n);
        o.workerpool.tag = bytes32(BigInt(o.workerpool.tag) | 1n);
        o.app.tag = bytes32(BigInt(o.app.tag) & ~1n);
        break;
      case "requestAsset": {
        const right = mu.which === "app" ? o.app.app : o.dataset.dataset;
        // Without a dataset, "zero" is right: name the fixture's dataset instead.
        const value =
          mu.value.pick === "zero" ? (right === ZERO ? s.dataset : ZERO) : otherAddress(s, mu.value, right);
        o.request[mu.which] = value;
        break;
      }
      case "restriction": {
        const [kind, name, role] = RESTRICTIONS[mu.field];
        // The dataset order of a dataset-less match is not signed nor checked: leave it empty.
        if (kind === "dataset" && o.dataset.dataset === ZERO) break;
        set(o, kind, name, choose(s, mu.value, accountOf(o, role)));
        break;
      }
    }
  }

  /** Signs again, by its owner, each order whose fields changed since `signed`. */
  async function resign(s: MatchSetup, signed: OrderSet, orders: OrderSet): Promise<OrderSet> {
    const owners = {
      app: s.appOwner,
      dataset: s.datasetOwner,
      workerpool: s.scheduler,
      request: s.requester,
    };
    const out = { ...orders };
    for (const kind of KINDS) {
      if (kind === "dataset" && orders.dataset.dataset === ZERO) continue;
      if (hashOrder(s.domain, kind, orders[kind]) === hashOrder(s.domain, kind, signed[kind])) continue;
      (out as Record<OrderKind, unknown>)[kind] = await signOrder(owners[kind], s.domain, kind, {
        ...orders[kind],
        sign: undefined,
      } as never);
    }
    return out;
  }

  /** The custom error `matchOrders` reverts with, or undefined when it goes through. */
  async function hubError(s: MatchSetup, orders: OrderSet): Promise<string | undefined> {
    try {
      await s.hub.connect(s.requester).matchOrders.staticCall(...matchArgs(orders));
      return undefined;
    } catch (error) {
      const data = (error as { data?: string }).data;
      const decoded = data ? s.hub.interface.parseError(data) : null;
      if (!decoded) throw error;
      return decoded.name;
    }
  }

  // ------------------------------------------------------------------ the property

  it("finds no issue exactly when the hub matches, and names the hub's error when it does not", async () => {
    const s = await loadFixture(matchSetup);
    const categories = Number(await s.hub.countCategory());
    expect(categories).to.be.greaterThan(1);
    const outcomes: string[] = [];

    await fc.assert(
      fc.asyncProperty(scenarios(categories), async ({ base, mutations }) => {
        const signed = await baseOrders(s, base);
        const draft = clone(signed);
        for (const mu of mutations) mutate(s, draft, mu);
        const orders = await resign(s, signed, draft);

        const issues = matchIssues({
          app: orders.app,
          dataset: orders.dataset.dataset === ZERO ? undefined : orders.dataset,
          workerpool: orders.workerpool,
          request: orders.request,
        });
        const codes = issues.map((issue) => issue.code);
        const error = await hubError(s, orders);
        outcomes.push(error ?? "match");

        if (error === undefined) {
          expect(codes, "matchIssues finds issues in orders the hub matches").to.deep.equal([]);
        } else {
          expect(codes, `the hub reverts with ${error}`).to.include(error);
        }
        // Every issue is a restriction of a non-group address or a rule of the hub's stateless checks.
        for (const issue of issues) {
          expect(issue.message).to.be.a("string").and.not.equal("");
          expect(issue.group !== undefined).to.equal(issue.code === "RestrictionNotMet", issue.code);
        }
      }),
      { numRuns: RUNS },
    );

    const counts = new Map<string, number>();
    for (const x of outcomes) counts.set(x, (counts.get(x) ?? 0) + 1);
    console.log(`      outcomes: ${[...counts].map(([k, v]) => `${k} ${v}`).join(", ")}`);
    const matches = counts.get("match") ?? 0;
    expect(matches).to.be.greaterThan(RUNS / 5, "successful matches");
    expect(outcomes.length - matches).to.be.greaterThan(RUNS / 5, "reverts");
  });

  it("agrees with the hub on each rule alone", async () => {
    const s = await loadFixture(matchSetup);
    const base: Base = {
      withDataset: true,
      prices: { app: 5n * RLC, dataset: 3n * RLC, workerpool: 20n * RLC },
      slack: { app: 0n, dataset: 0n, workerpool: 0n },
      tags: { app: 0n, dataset: 0n, request: 0n, workerpoolExtra: 0n },
      category: 0,
      trust: { request: 0n, extra: 0n },
      restrictions: RESTRICTIONS.map(() => "zero" as const),
    };
    const cases: [string, Mutation][] = [
      ["CategoryMismatch", { m: "category", request: 0, workerpool: 1 }],
      ["TrustAboveOffer", { m: "trust", request: 2n, workerpool: 1n }],
      ["PriceAboveMax", { m: "price", which: "dataset", price: 2n, max: 1n }],
      ["TagNotOffered", { m: "tag", which: "request", bits: HIGH_BIT }],
      ["TeeBitMismatch", { m: "tee", which: "dataset" }],
      ["AssetMismatch", { m: "requestAsset", which: "app", value: { pick: "stranger" } }],
      ["RestrictionNotMet", { m: "restriction", field: 6, value: { pick: "token" } }],
    ];
    for (const [expected, mutation] of cases) {
      const signed = await baseOrders(s, base);
      const draft = clone(signed);
      mutate(s, draft, mutation);
      const orders = await resign(s, signed, draft);
      expect(await hubError(s, orders)).to.equal(expected);
      expect(matchIssues(orders).map((issue) => issue.code)).to.deep.equal([expected]);
    }
    const signed = await baseOrders(s, base);
    expect(await hubError(s, signed)).to.equal(undefined);
    expect(matchIssues(signed)).to.deep.equal([]);
  });
});
