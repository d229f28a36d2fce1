import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { ZeroAddress, toBeHex, zeroPadValue } from "ethers";
import type { ContractTransactionResponse, TypedDataDomain } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RLC_UNIT, fundAndDeposit } from "../fixtures";
import {
  PRICES,
  matchArgs,
  matchSetup,
  signedOrders,
  type MatchSetup,
  type OrderOverrides,
  type OrderSet,
} from "./fixtures";
import {
  OrderOperation,
  createSalt,
  hashOrder,
  signOrder,
  type OrderByKind,
  type OrderKind,
} from "../../src/sdk";

const KINDS = ["app", "dataset", "workerpool", "request"] as const;
type AssetKind = Exclude<OrderKind, "request">;
const GHOST = "0x000000000000000000000000000000000000dEaD";
const MAX_UINT64 = 2n ** 64n - 1n;
const bits = (value: bigint) => toBeHex(value, 32);

/** matchSetup, plus a stranger, an ERC-734 group that gives purpose 4 to the stranger only, and the registries. */
async function badInputSetup() {
  const s = await matchSetup();
  const [stranger, ...others] = s.others;
  const group = await (await ethers.getContractFactory("ERC734GroupMock")).deploy();
  for (const member of [s.app, s.dataset, s.workerpool, s.requester.address])
    await (await group.addKey(zeroPadValue(member, 32), 1n)).wait(); // a purpose, but not 4
  await (await group.addKey(zeroPadValue(stranger.address, 32), 4n)).wait();
  const registries: Record<AssetKind, string> = {
    app: await s.hub.appregistry(),
    dataset: await s.hub.datasetregistry(),
    workerpool: await s.hub.workerpoolregistry(),
  };
  return { ...s, others, stranger: stranger.address, group: await group.getAddress(), registries };
}
type Setup = Awaited<ReturnType<typeof badInputSetup>>;

function ownerOf(s: MatchSetup, kind: OrderKind): HardhatEthersSigner {
  return { app: s.appOwner, dataset: s.datasetOwner, workerpool: s.scheduler, request: s.requester }[kind];
}

const orderName = (kind: OrderKind) => `${kind}order`;
const hashOf = (s: MatchSetup, orders: OrderSet, kind: OrderKind) => hashOrder(s.domain, kind, orders[kind]);

/** What a reverted match must leave as it was: consumed volumes, the requester's and scheduler's accounts, the supply. */
async function observable(s: MatchSetup, orders: OrderSet) {
  const account = async (address: string) => {
    const { stake, locked } = await s.hub.viewAccount(address);
    return [stake, locked];
  };
  return {
    consumed: await Promise.all(KINDS.map((kind) => s.hub.viewConsumed(hashOf(s, orders, kind)))),
    requester: await account(orders.request.requester),
    scheduler: await account(s.scheduler.address),
    totalSupply: await s.hub.totalSupply(),
  };
}

/** Expects the match of `orders` (by `send`, matchOrders by default) to revert with `error(args)`, changing nothing. */
async function expectRejected(
  s: MatchSetup,
  orders: OrderSet,
  error: string,
  args: unknown[],
  send: () => Promise<ContractTransactionResponse> = () => s.hub.matchOrders(...matchArgs(orders)),
) {
  const before = await observable(s, orders);
  await expect(send())
    .to.be.revertedWithCustomError(s.hub, error)
    .withArgs(...args);
  expect(await observable(s, orders)).to.deep.equal(before);
}

/** `orders` with the `kind` order replaced by a fresh one (new salt, `fields`), signed by `signer` in `domain`. */
async function replaceOrder<K extends OrderKind>(
  s: MatchSetup,
  orders: OrderSet,
  kind: K,
  fields: Partial<OrderByKind[K]> = {},
  signer: HardhatEthersSigner = ownerOf(s, kind),
  domain: TypedDataDomain = s.domain,
): Promise<OrderSet> {
  const order = { ...(orders[kind] as OrderByKind[K]), salt: createSalt(), ...fields };
  return { ...orders, [kind]: await signOrder(signer, domain, kind, order) };
}

async function manage(s: MatchSetup, kind: OrderKind, order: OrderSet[OrderKind], operation: OrderOperation) {
  const name = `manage${kind[0].toUpperCase()}${kind.slice(1)}Order`;
  await (await s.hub.connect(ownerOf(s, kind)).getFunction(name)({ order, operation, sign: "0x" })).wait();
}

/** One faulty order set: `overrides` of the valid set of `signedOrders`, and the error it must raise. */
interface Case {
  overrides: (s: Setup) => OrderOverrides;
  error: string;
  /** The error's arguments, given the faulty orders. */
  args: (s: Setup, orders: OrderSet) => unknown[];
}

const price = (kind: AssetKind, field: string, max: bigint): [string, Case] => [
  `${kind} price above the request's maximum`,
  {
    overrides: () => ({ [kind]: { [field]: max + 1n } }),
    error: "PriceAboveMax",
    args: () => [`${kind}order.${field}`, max + 1n, max],
  },
];

const tagNotOffered = (kind: "app" | "dataset" | "request", tag: bigint): [string, Case] => [
  `${kind} tag not offered by the workerpool`,
  {
    overrides: () => ({ [kind]: { tag: bits(tag) } }),
    error: "TagNotOffered",
    args: () => [bits(tag), bits(0n)],
  },
];

const teeMismatch = (kind: "dataset" | "request"): [string, Case] => [
  `${kind} asking for TEE with a non-TEE app`,
  {
    overrides: () => ({ [kind]: { tag: bits(1n) }, workerpool: { tag: bits(1n) } }),
    error: "TeeBitMismatch",
    args: () => [bits(1n), bits(0n)],
  },
];

/** The restriction fields, in check order, with the account each one must admit. */
const RESTRICTIONS: [field: string, account: AssetKind | "requester"][] = [
  ["requestorder.workerpool", "workerpool"],
  ["apporder.datasetrestrict", "dataset"],
  ["apporder.workerpoolrestrict", "workerpool"],
  ["apporder.requesterrestrict", "requester"],
  ["datasetorder.apprestrict", "app"],
  ["datasetorder.workerpoolrestrict", "workerpool"],
  ["datasetorder.requesterrestrict", "requester"],
  ["workerpoolorder.apprestrict", "app"],
  ["workerpoolorder.datasetrestrict", "dataset"],
  ["workerpoolorder.requesterrestrict", "requester"],
];

/** The account a restriction is checked against, as the orders name it. */
const accountIn = (orders: OrderSet, account: AssetKind | "requester") =>
  ({
    app: orders.app.app,
    dataset: orders.dataset.dataset,
    workerpool: orders.workerpool.workerpool,
    requester: orders.request.requester,
  })[account];

const restriction = (
  field: string,
  account: AssetKind | "requester",
  via: "stranger" | "group",
): [string, Case] => {
  const [order, key] = field.split(".");
  return [
    `${field} naming ${via === "stranger" ? "another account" : "an ERC-734 group that does not admit"}`,
    {
      overrides: (s) => ({ [order.replace("order", "")]: { [key]: s[via] } }),
      error: "RestrictionNotMet",
      args: (s, orders) => [field, s[via], accountIn(orders, account)],
    },
  ];
};

const noDatasetRestriction = (kind: "app" | "workerpool"): [string, Case] => [
  `${kind}order.datasetrestrict without a dataset`,
  {
    overrides: (s) => ({ noDataset: true, [kind]: { datasetrestrict: s.stranger } }),
    error: "RestrictionNotMet",
    args: (s) => [`${kind}order.datasetrestrict`, s.stranger, ZeroAddress],
  },
];

const unregistered = (kind: AssetKind): [string, Case] => [
  `an unregistered ${kind}`,
  {
    overrides: () => ({
      [kind]: { [kind]: GHOST },
      ...(kind === "workerpool" ? {} : { request: { [kind]: GHOST } }),
    }),
    error: "AssetNotRegistered",
    args: (s) => [s.registries[kind], GHOST],
  },
];

/** The request names a dataset, the dataset order another one: `names(s)` gives [named, offered]. */
const datasetMismatch = (
  title: string,
  overrides: Case["overrides"],
  names: (s: Setup) => [string, string],
): [string, Case] => [
  title,
  { overrides, error: "AssetMismatch", args: (s) => ["requestorder.dataset", ...names(s)] },
];

const CASES: Record<string, Case> = Object.fromEntries<Case>([
  [
    "a zero requester",
    { overrides: () => ({ request: { requester: ZeroAddress } }), error: "ZeroRequester", args: () => [] },
  ],
  [
    "a request naming another app",
    {
      overrides: () => ({ request: { app: GHOST } }),
      error: "AssetMismatch",
      args: (s) => ["requestorder.app", GHOST, s.app],
    },
  ],
  datasetMismatch(
    "a request naming another dataset",
    () => ({ request: { dataset: GHOST } }),
    (s) => [GHOST, s.dataset],
  ),
  datasetMismatch(
    "a request naming a dataset, matched without one",
    (s) => ({ noDataset: true, request: { dataset: s.dataset } }),
    (s) => [s.dataset, ZeroAddress],
  ),
  datasetMismatch(
    "a request naming no dataset, matched with one",
    () => ({ request: { dataset: ZeroAddress } }),
    (s) => [ZeroAddress, s.dataset],
  ),
  [
    "another category than the workerpool's",
    { overrides: () => ({ request: { category: 1n } }), error: "CategoryMismatch", args: () => [1n, 0n] },
  ],
  [
    "a category out of range",
    {
      overrides: () => ({ request: { category: 5n }, workerpool: { category: 5n } }),
      error: "UnknownCategory",
      args: () => [5n, 5n],
    },
  ],
  [
    "a trust above the offer",
    {
      overrides: () => ({ request: { trust: 3n }, workerpool: { trust: 2n } }),
      error: "TrustAboveOffer",
      args: () => [3n, 2n],
    },
  ],
  [
    "a trust above 2^64-1",
    {
      overrides: () => ({ request: { trust: MAX_UINT64 + 1n }, workerpool: { trust: MAX_UINT64 + 1n } }),
      error: "ValueOutOfRange",
      args: () => ["requestorder.trust", MAX_UINT64 + 1n, MAX_UINT64],
    },
  ],
  [
    "a trust above 2^64-1 and above the offer (the offer is checked first)",
    {
      overrides: () => ({ request: { trust: MAX_UINT64 + 1n }, workerpool: { trust: 1n } }),
      error: "TrustAboveOffer",
      args: () => [MAX_UINT64 + 1n, 1n],
    },
  ],
  price("app", "appprice", PRICES.app),
  price("dataset", "datasetprice", PRICES.dataset),
  price("workerpool", "workerpoolprice", PRICES.workerpool),
  tagNotOffered("app", 0b10n),
  tagNotOffered("dataset", 0b100n),
  tagNotOffered("request", 1n << 255n),
  teeMismatch("dataset"),
  teeMismatch("request"),
  ...RESTRICTIONS.map(([field, account]) => restriction(field, account, "stranger")),
  ...RESTRICTIONS.map(([field, account]) => restriction(field, account, "group")),
  noDatasetRestriction("app"),
  noDatasetRestriction("workerpool"),
  unregistered("app"),
  unregistered("dataset"),
  unregistered("workerpool"),
  [
    "params over 24,000 bytes",
    {
      overrides: () => ({ request: { params: "p".repeat(24_001) } }),
      error: "ValueOutOfRange",
      args: () => ["requestorder.params", 24_001n, 24_000n],
    },
  ],
  [
    "params over 24,000 bytes in UTF-8 (12,001 two-byte characters)",
    {
      overrides: () => ({ request: { params: "é".repeat(12_001) } }),
      error: "ValueOutOfRange",
      args: () => ["requestorder.params", 24_002n, 24_000n],
    },
  ],
]);

/** Merges overrides, the first one winning on a field set twice. */
function merge(all: OrderOverrides[]): OrderOverrides {
  const out: OrderOverrides = {};
  for (const overrides of [...all].reverse())
    for (const kind of KINDS) Object.assign(out, { [kind]: { ...out[kind], ...overrides[kind] } });
  return out;
}

/** `s` whose requester is a fresh account with only `deposit` in the hub. */
async function poorRequester(s: Setup, deposit: bigint): Promise<Setup> {
  const poor = s.others[3];
  await fundAndDeposit(s, poor, deposit);
  return { ...s, requester: poor };
}

describe("matchOrders: bad input reverts with the spec's error and changes nothing", () => {
  for (const [title, { overrides, error, args }] of Object.entries(CASES)) {
    it(`${title} -> ${error}`, async () => {
      const s = await loadFixture(badInputSetup);
      const orders = await signedOrders(s, overrides(s));
      await expectRejected(s, orders, error, args(s, orders));
    });
  }

  it("checks 1 to 10 run in the spec's order: with several faults, the earliest check reports", async () => {
    const s = await loadFixture(badInputSetup);
    const chain = [
      "a zero requester",
      "a request naming another app",
      "a request naming another dataset",
      "another category than the workerpool's",
      "a trust above the offer",
      "app price above the request's maximum",
      "dataset price above the request's maximum",
      "workerpool price above the request's maximum",
      "request tag not offered by the workerpool",
      ...RESTRICTIONS.map(([field]) => `${field} naming another account`),
      "an unregistered workerpool",
      "params over 24,000 bytes",
    ].map((title) => CASES[title]);
    for (let i = 0; i < chain.length; i++) {
      const orders = await signedOrders(s, merge(chain.slice(i).map((step) => step.overrides(s))));
      await expectRejected(s, orders, chain[i].error, chain[i].args(s, orders));
    }
  });

  it("checks 10 to 14 run in the spec's order: registration, signature, volume, params, balance", async () => {
    const s = await poorRequester(await loadFixture(badInputSetup), 10n * RLC_UNIT);
    const valid = await signedOrders(s, { request: { params: "p".repeat(24_001) } });
    await manage(s, "app", valid.app, OrderOperation.CLOSE);
    const unsigned = { ...valid, app: { ...valid.app, sign: "0x" } };
    const freshApp = await replaceOrder(s, valid, "app");
    const steps: [OrderSet, string, unknown[]][] = [
      [
        { ...unsigned, workerpool: { ...valid.workerpool, workerpool: GHOST } },
        "AssetNotRegistered",
        [s.registries.workerpool, GHOST],
      ],
      [unsigned, "InvalidOrderSignature", ["apporder", hashOf(s, valid, "app"), s.appOwner.address]],
      [valid, "OrderExhausted", ["apporder", hashOf(s, valid, "app")]],
      [freshApp, "ValueOutOfRange", ["requestorder.params", 24_001n, 24_000n]],
      [
        await replaceOrder(s, freshApp, "request", { params: "" }),
        "ERC20InsufficientBalance",
        [s.requester.address, 10n * RLC_UNIT, PRICES.app + PRICES.dataset + PRICES.workerpool],
      ],
    ];
    for (const [orders, error, args] of steps) await expectRejected(s, orders, error, args);
  });

  describe("signatures", () => {
    const expectBadSignature = (
      s: Setup,
      orders: OrderSet,
      kind: OrderKind,
      owner = ownerOf(s, kind).address,
    ) =>
      expectRejected(s, orders, "InvalidOrderSignature", [orderName(kind), hashOf(s, orders, kind), owner]);

    const forgeries: {
      title: string;
      signer: (s: Setup, kind: OrderKind) => [HardhatEthersSigner, TypedDataDomain];
    }[] = [
      {
        title: "signed for another chain id",
        signer: (s, kind) => [ownerOf(s, kind), { ...s.domain, chainId: 1n }],
      },
      {
        title: "signed for another hub",
        signer: (s, kind) => [ownerOf(s, kind), { ...s.domain, verifyingContract: s.others[0].address }],
      },
      { title: "signed by a non-owner", signer: (s) => [s.others[0], s.domain] },
    ];
    for (const { title, signer } of forgeries) {
      it(`each order ${title} -> InvalidOrderSignature`, async () => {
        const s = await loadFixture(badInputSetup);
        const valid = await signedOrders(s);
        for (const kind of KINDS)
          await expectBadSignature(s, await replaceOrder(s, valid, kind, {}, ...signer(s, kind)), kind);
      });
    }

    it("each order with neither a signature nor a presignature -> InvalidOrderSignature", async () => {
      const s = await loadFixture(badInputSetup);
      const valid = await signedOrders(s);
      for (const kind of KINDS)
        await expectBadSignature(s, { ...valid, [kind]: { ...valid[kind], sign: "0x" } }, kind);
    });

    it("an order signed by the asset's former owner, after an NFT transfer -> InvalidOrderSignature", async () => {
      const s = await loadFixture(badInputSetup);
      const newOwner = s.others[1];
      const orders = await signedOrders(s);
      for (const kind of ["app", "dataset", "workerpool"] as const) {
        const registry = await ethers.getContractAt("IRegistry", s.registries[kind]);
        const former = ownerOf(s, kind);
        const give = async (from: HardhatEthersSigner, to: HardhatEthersSigner) =>
          (await registry.connect(from).transferFrom(from.address, to.address, BigInt(s[kind]))).wait();
        await give(former, newOwner);
        await expectBadSignature(s, orders, kind, newOwner.address);
        await give(newOwner, former);
      }
      await (await s.hub.matchOrders(...matchArgs(orders))).wait(); // back to the signers: valid again
    });

    it("a reentrant ERC-1271 wallet as requester fails cleanly with InvalidOrderSignature", async () => {
      const s = await loadFixture(badInputSetup);
      const attacker = s.others[2].address;
      const reentrant = await (await ethers.getContractFactory("ERC1271ReentrantMock")).deploy();
      const wallet = await reentrant.getAddress();
      const hubAddress = await s.hub.getAddress();
      const amount = 100n * RLC_UNIT;
      await (await s.rlc.approve(hubAddress, amount)).wait();
      await (await s.hub.depositFor(amount, wallet)).wait();
      const drain = s.hub.interface.encodeFunctionData("transfer", [attacker, amount]);
      await (await reentrant.configure(hubAddress, drain, false)).wait();

      const orders = await signedOrders(s, { request: { requester: wallet } });
      await expectBadSignature(s, orders, "request", wallet);
      expect([await s.hub.balanceOf(wallet), await s.hub.balanceOf(attacker)]).to.deep.equal([amount, 0n]);
    });
  });

  describe("volumes", () => {
    it("a signature replayed after its order was closed (manageXOrder CLOSE) -> OrderExhausted", async () => {
      const s = await loadFixture(badInputSetup);
      for (const kind of KINDS) {
        const orders = await signedOrders(s);
        await manage(s, kind, orders[kind], OrderOperation.CLOSE);
        await expectRejected(s, orders, "OrderExhausted", [orderName(kind), hashOf(s, orders, kind)]);
      }
    });

    it("the same orders matched again once exhausted -> OrderExhausted naming the first exhausted order", async () => {
      const s = await loadFixture(badInputSetup);
      let orders = await signedOrders(s);
      await (await s.hub.matchOrders(...matchArgs(orders))).wait();
      for (const kind of KINDS) {
        await expectRejected(s, orders, "OrderExhausted", [orderName(kind), hashOf(s, orders, kind)]);
        orders = await replaceOrder(s, orders, kind);
      }
      await (await s.hub.matchOrders(...matchArgs(orders))).wait(); // all four replaced: it matches again
    });

    it("an app order consumed over several deals is never over-consumed -> OrderExhausted", async () => {
      const s = await loadFixture(badInputSetup);
      const base = await signedOrders(s, {
        app: { volume: 3n },
        dataset: { volume: 9n },
        workerpool: { volume: 9n },
      });
      const appHash = hashOf(s, base, "app");
      for (const [requested, got] of [
        [2n, 2n],
        [5n, 1n], // partial: only 1 left of the app order
      ]) {
        const orders = await replaceOrder(s, base, "request", { volume: requested });
        await expect(s.hub.matchOrders(...matchArgs(orders)))
          .to.emit(s.hub, "OrdersMatched")
          .withArgs(anyValue, appHash, anyValue, anyValue, hashOf(s, orders, "request"), got);
      }
      const orders = await replaceOrder(s, base, "request", { volume: 5n });
      await expectRejected(s, orders, "OrderExhausted", ["apporder", appHash]);
      expect(await s.hub.viewConsumed(appHash)).to.equal(3n);
    });
  });

  describe("balances", () => {
    const perTask = PRICES.app + PRICES.dataset + PRICES.workerpool;
    const poolPrice = 400n * RLC_UNIT;
    /** Orders at a workerpool price whose 30% stake (120 RLC) is above the scheduler's 100 RLC. */
    const expensivePool = (s: Setup) =>
      signedOrders(s, {
        workerpool: { workerpoolprice: poolPrice },
        request: { workerpoolmaxprice: poolPrice },
      });

    it("a requester without enough free balance for volume x prices -> ERC20InsufficientBalance", async () => {
      const s = await poorRequester(await loadFixture(badInputSetup), 50n * RLC_UNIT);
      const volume = { volume: 2n };
      const orders = await signedOrders(s, {
        app: volume,
        dataset: volume,
        workerpool: volume,
        request: volume,
      });
      const args = [s.requester.address, 50n * RLC_UNIT, 2n * perTask];
      await expectRejected(s, orders, "ERC20InsufficientBalance", args);
    });

    it("a scheduler without enough free balance for its 30% stake -> ERC20InsufficientBalance", async () => {
      const s = await loadFixture(badInputSetup);
      const args = [s.scheduler.address, 100n * RLC_UNIT, (poolPrice * 30n) / 100n];
      await expectRejected(s, await expensivePool(s), "ERC20InsufficientBalance", args);
    });

    it("the sponsor's balance is checked before the scheduler's", async () => {
      const s = await poorRequester(await loadFixture(badInputSetup), 10n * RLC_UNIT);
      const args = [s.requester.address, 10n * RLC_UNIT, PRICES.app + PRICES.dataset + poolPrice];
      await expectRejected(s, await expensivePool(s), "ERC20InsufficientBalance", args);
    });

    it("sponsorMatchOrders by a caller without balance -> ERC20InsufficientBalance for the caller", async () => {
      const s = await loadFixture(badInputSetup);
      const sponsor = s.others[4];
      const orders = await signedOrders(s);
      const send = () => s.hub.connect(sponsor).sponsorMatchOrders(...matchArgs(orders));
      await expectRejected(s, orders, "ERC20InsufficientBalance", [sponsor.address, 0n, perTask], send);
    });
  });
});
