import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { Signature, Wallet, ZeroAddress, ZeroHash, toBeHex, zeroPadValue } from "ethers";
import type { ContractTransactionReceipt, ContractTransactionResponse, Result } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RLC_UNIT, fundAndDeposit } from "../fixtures";
import {
  PRICES,
  matchArgs,
  matchSetup,
  orderHashes,
  signedOrders,
  type MatchSetup,
  type OrderOverrides,
  type OrderSet,
} from "./fixtures";
import {
  OrderOperation,
  appOrder,
  computeDealId,
  computeDealLocks,
  createSalt,
  datasetOrder,
  hashOrder,
  requestOrder,
  signOrder,
  workerpoolOrder,
  type OrderByKind,
  type OrderKind,
} from "../../src/sdk";
import type { IHub } from "../../typechain-types";

const KINDS = ["app", "dataset", "workerpool", "request"] as const;
const MAX_UINT64 = 2n ** 64n - 1n;
/** Default workerpool policy (Workerpool.sol). */
const DEFAULT_POLICY = { workerStakeRatio: 30n, schedulerRewardRatio: 1n };

/** The hub events a match emits. */
const MATCH_EVENTS = new Set(["Lock", "SchedulerNotice", "OrdersMatched", "DealSponsored"]);

const tag = (bits: bigint) => toBeHex(bits, 32);

function ownerOf(s: MatchSetup, kind: OrderKind): HardhatEthersSigner {
  return { app: s.appOwner, dataset: s.datasetOwner, workerpool: s.scheduler, request: s.requester }[kind];
}

/** `orders` with the `kind` order replaced by a fresh one (new salt, `fields`), signed by its owner. */
async function renew<K extends OrderKind>(
  s: MatchSetup,
  orders: OrderSet,
  kind: K,
  fields: Partial<OrderByKind[K]>,
): Promise<OrderSet> {
  const order = { ...(orders[kind] as OrderByKind[K]), ...fields, salt: createSalt() };
  return { ...orders, [kind]: await signOrder(ownerOf(s, kind), s.domain, kind, order) };
}

/** `orders` with each signature replaced by `sign(order, kind)`. */
async function resignAll(
  orders: OrderSet,
  sign: (order: OrderSet[OrderKind], kind: OrderKind) => Promise<string> | string,
): Promise<OrderSet> {
  const out = { ...orders };
  for (const kind of KINDS)
    Object.assign(out, { [kind]: { ...orders[kind], sign: await sign(orders[kind], kind) } });
  return out;
}

/** A struct returned by the hub as a plain (deep) object, for deep equality. */
function plain(value: unknown): Record<string, unknown> {
  return (value as Result).toObject(true);
}

/** Free and frozen balance, as viewAccount returns them, checked against balanceOf and frozenOf. */
async function escrowOf(hub: IHub, account: string) {
  const { stake, locked } = await hub.viewAccount(account);
  expect([await hub.balanceOf(account), await hub.frozenOf(account)]).to.deep.equal([stake, locked]);
  return { free: stake, frozen: locked };
}

/** The hub's match events in `receipt`, each as [name, ...args]. */
function matchEvents(hub: IHub, hubAddress: string, receipt: ContractTransactionReceipt): unknown[][] {
  return receipt.logs.flatMap((log) => {
    const event = log.address === hubAddress ? hub.interface.parseLog(log) : null;
    return event && MATCH_EVENTS.has(event.name) ? [[event.name, ...event.args.toArray()]] : [];
  });
}

interface Expectation {
  volume: bigint;
  /** Pays through sponsorMatchOrders when given (DealSponsored expected); otherwise matchOrders, paid by the requester. */
  sponsor?: HardhatEthersSigner;
  /** Asset owners at match time, when not the setup's. */
  owners?: Partial<Record<"app" | "dataset" | "workerpool", string>>;
  policy?: typeof DEFAULT_POLICY;
}

/** The deal the spec says `orders` make (see `expectMatch`). */
function expectedDeal(
  s: MatchSetup,
  orders: OrderSet,
  expected: Expectation,
  facts: { botFirst: bigint; startTime: bigint; sponsor: string },
) {
  const { app, dataset, workerpool, request } = orders;
  const withDataset = dataset.dataset !== ZeroAddress;
  const owners = { app: s.appOwner.address, dataset: s.datasetOwner.address, ...expected.owners };
  const policy = expected.policy ?? DEFAULT_POLICY;
  const none = { pointer: ZeroAddress, owner: ZeroAddress, price: 0n };
  return {
    app: { pointer: app.app, owner: owners.app, price: app.appprice },
    dataset: withDataset
      ? { pointer: dataset.dataset, owner: owners.dataset, price: dataset.datasetprice }
      : none,
    workerpool: {
      pointer: workerpool.workerpool,
      owner: s.scheduler.address,
      price: workerpool.workerpoolprice,
    },
    trust: request.trust > 1n ? request.trust : 1n,
    category: request.category,
    tag: tag(BigInt(app.tag) | BigInt(request.tag) | (withDataset ? BigInt(dataset.tag) : 0n)),
    requester: request.requester,
    beneficiary: request.beneficiary,
    callback: request.callback,
    params: request.params,
    startTime: facts.startTime,
    botFirst: facts.botFirst,
    botSize: expected.volume,
    workerStake: (workerpool.workerpoolprice * policy.workerStakeRatio) / 100n,
    schedulerRewardRatio: policy.schedulerRewardRatio,
    sponsor: facts.sponsor,
  };
}

/**
 * Matches `orders` and checks every effect of the spec: computeDealVolume beforehand, the deal id, the events
 * (exact arguments), viewDeal, viewConsumed of the four orders, the sponsor's and scheduler's locks and the
 * unchanged supply.
 */
async function expectMatch(s: MatchSetup, orders: OrderSet, expected: Expectation) {
  const { hub } = s;
  const hubAddress = await hub.getAddress();
  const hashes = orderHashes(s, orders);
  const allHashes = KINDS.map((kind) => hashOrder(s.domain, kind, orders[kind]));
  const withDataset = orders.dataset.dataset !== ZeroAddress;
  const sponsor = expected.sponsor?.address ?? orders.request.requester;
  const consumed = () => Promise.all(allHashes.map((hash) => hub.viewConsumed(hash)));
  const escrows = async () => [await escrowOf(hub, sponsor), await escrowOf(hub, s.scheduler.address)];

  const botFirst = await hub.viewConsumed(hashes.request);
  const [consumedBefore, escrowsBefore, supply] = [
    await consumed(),
    await escrows(),
    await hub.totalSupply(),
  ];
  expect(await hub.computeDealVolume(...matchArgs(orders))).to.equal(expected.volume);

  const sent: Promise<ContractTransactionResponse> = expected.sponsor
    ? hub.connect(expected.sponsor).sponsorMatchOrders(...matchArgs(orders))
    : hub.matchOrders(...matchArgs(orders));
  const receipt = (await (await sent).wait())!;
  const startTime = BigInt((await receipt.getBlock()).timestamp);
  const dealid = computeDealId(hashes.request, botFirst);
  const locks = computeDealLocks(
    {
      appprice: orders.app.appprice,
      datasetprice: withDataset ? orders.dataset.datasetprice : 0n,
      workerpoolprice: orders.workerpool.workerpoolprice,
    },
    expected.volume,
  );

  expect(matchEvents(hub, hubAddress, receipt)).to.have.deep.members([
    ["Lock", sponsor, locks.sponsor],
    ["Lock", s.scheduler.address, locks.scheduler],
    ["SchedulerNotice", orders.workerpool.workerpool, dealid],
    ["OrdersMatched", dealid, hashes.app, hashes.dataset, hashes.workerpool, hashes.request, expected.volume],
    ...(expected.sponsor ? [["DealSponsored", dealid, sponsor]] : []),
  ]);
  const deal = await hub.viewDeal(dealid);
  expect(plain(deal)).to.deep.equal(expectedDeal(s, orders, expected, { botFirst, startTime, sponsor }));
  expect(await consumed()).to.deep.equal(
    consumedBefore.map((value, i) =>
      KINDS[i] === "dataset" && !withDataset ? value : value + expected.volume,
    ),
  );
  const [sponsorLock, schedulerLock] = [locks.sponsor, locks.scheduler];
  expect(await escrows()).to.deep.equal([
    { free: escrowsBefore[0].free - sponsorLock, frozen: escrowsBefore[0].frozen + sponsorLock },
    { free: escrowsBefore[1].free - schedulerLock, frozen: escrowsBefore[1].frozen + schedulerLock },
  ]);
  expect(await hub.totalSupply()).to.equal(supply);
  return { dealid, deal };
}

/** The app owner transfers the app's NFT to `to`. */
async function giveApp(s: MatchSetup, to: string) {
  const apps = await ethers.getContractAt("IRegistry", await s.hub.appregistry());
  await (await apps.connect(s.appOwner).transferFrom(s.appOwner.address, to, BigInt(s.app))).wait();
}

describe("matchOrders: successful matches", () => {
  it("matches four signed orders with a dataset: deal id, events, deal, consumption, locks", async () => {
    const s = await loadFixture(matchSetup);
    const [beneficiary, callback] = s.others;
    const orders = await signedOrders(s, {
      app: { tag: tag(0b001n) },
      dataset: { tag: tag(0b100n) },
      workerpool: { tag: tag(0b1111n), category: 2n, trust: 5n },
      request: {
        tag: tag(0b010n),
        category: 2n,
        trust: 3n,
        beneficiary: beneficiary.address,
        callback: callback.address,
        params: '{"iexec_args":"--verbose"}',
      },
    });
    const requestHash = orderHashes(s, orders).request;
    expect(await s.hub.matchOrders.staticCall(...matchArgs(orders))).to.equal(computeDealId(requestHash, 0n));
    const { deal } = await expectMatch(s, orders, { volume: 1n });
    expect(deal.tag).to.equal(tag(0b111n));
    expect(deal.trust).to.equal(3n);
    expect(deal.sponsor).to.equal(s.requester.address);
  });

  it("matches without a dataset: the empty dataset order is ignored (no price, tag, restriction or volume)", async () => {
    const s = await loadFixture(matchSetup);
    const stranger = s.others[0].address;
    const orders = await signedOrders(s, {
      noDataset: true,
      dataset: {
        datasetprice: 10n ** 30n,
        tag: tag(0b10n),
        apprestrict: stranger,
        requesterrestrict: stranger,
      },
    });
    const { deal } = await expectMatch(s, orders, { volume: 1n });
    expect(deal.dataset.pointer).to.equal(ZeroAddress);
    expect(deal.trust).to.equal(1n);
    expect((await s.hub.viewAccount(s.requester.address)).locked).to.equal(PRICES.app + PRICES.workerpool);
  });

  it("accepts 64-byte compact (EIP-2098) EOA signatures", async () => {
    const s = await loadFixture(matchSetup);
    const orders = await resignAll(
      await signedOrders(s),
      (order) => Signature.from(order.sign).compactSerialized,
    );
    for (const kind of KINDS) expect(ethers.dataLength(orders[kind].sign), kind).to.equal(64);
    await expectMatch(s, orders, { volume: 1n });
  });

  it("accepts presigned orders (manageXOrder SIGN by each owner) with an empty sign", async () => {
    const s = await loadFixture(matchSetup);
    const orders = await resignAll(await signedOrders(s), () => "0x");
    for (const kind of KINDS) {
      const manage = s.hub
        .connect(ownerOf(s, kind))
        .getFunction(`manage${kind[0].toUpperCase()}${kind.slice(1)}Order`);
      await (await manage({ order: orders[kind], operation: OrderOperation.SIGN, sign: "0x" })).wait();
    }
    await expectMatch(s, orders, { volume: 1n });
  });

  it("accepts ERC-1271 signatures of a wallet owning the app and requesting the deal", async () => {
    const s = await loadFixture(matchSetup);
    const key = new Wallet(ethers.id("openpoco.test.matching.wallet-owner"));
    const wallet = await (await ethers.getContractFactory("ERC1271WalletMock")).deploy(key.address);
    const walletAddress = await wallet.getAddress();
    await giveApp(s, walletAddress);
    const amount = 50n * RLC_UNIT;
    await (await s.rlc.approve(await s.hub.getAddress(), amount)).wait();
    await (await s.hub.depositFor(amount, walletAddress)).wait();

    const unsigned = await signedOrders(s, {
      request: { requester: walletAddress, beneficiary: walletAddress },
    });
    const walletSigned = new Set<OrderKind>(["app", "request"]);
    const orders = await resignAll(unsigned, (order, kind) =>
      walletSigned.has(kind) ? key.signingKey.sign(hashOrder(s.domain, kind, order)).serialized : order.sign,
    );
    const { deal } = await expectMatch(s, orders, { volume: 1n, owners: { app: walletAddress } });
    expect([deal.app.owner, deal.requester, deal.sponsor]).to.deep.equal([
      walletAddress,
      walletAddress,
      walletAddress,
    ]);
  });

  it("admits the exact accounts, and ERC-734 groups holding them, in all ten restrictions", async () => {
    const s = await loadFixture(matchSetup);
    const group = await (await ethers.getContractFactory("ERC734GroupMock")).deploy();
    const members = [s.app, s.dataset, s.workerpool, s.requester.address];
    for (const member of members) await (await group.addKey(zeroPadValue(member, 32), 4n)).wait();
    const groupAddress = await group.getAddress();
    const restrictAll = (pick: (account: string) => string): OrderOverrides => {
      const [app, dataset, workerpool, requester] = members.map(pick);
      return {
        app: { datasetrestrict: dataset, workerpoolrestrict: workerpool, requesterrestrict: requester },
        dataset: { apprestrict: app, workerpoolrestrict: workerpool, requesterrestrict: requester },
        workerpool: { apprestrict: app, datasetrestrict: dataset, requesterrestrict: requester },
        request: { workerpool },
      };
    };
    for (const pick of [(account: string) => account, () => groupAddress]) {
      const orders = await signedOrders(s, restrictAll(pick));
      const { deal } = await expectMatch(s, orders, { volume: 1n });
      expect(deal.workerpool.pointer).to.equal(s.workerpool);
    }
  });

  it("sponsorMatchOrders: the caller pays and is recorded; the requester's balance is untouched", async () => {
    const s = await loadFixture(matchSetup);
    const sponsor = s.others[0];
    await fundAndDeposit(s, sponsor, 100n * RLC_UNIT);
    const requesterBefore = plain(await s.hub.viewAccount(s.requester.address));
    const { deal } = await expectMatch(s, await signedOrders(s), { volume: 1n, sponsor });
    expect([deal.requester, deal.sponsor]).to.deep.equal([s.requester.address, sponsor.address]);
    expect(plain(await s.hub.viewAccount(s.requester.address))).to.deep.equal(requesterBefore);
  });

  it("sponsorMatchOrders by a sponsor holding exactly the task price locks all of it", async () => {
    const s = await loadFixture(matchSetup);
    const sponsor = s.others[0];
    const price = PRICES.app + PRICES.dataset + PRICES.workerpool;
    await fundAndDeposit(s, sponsor, price);
    await expectMatch(s, await signedOrders(s), { volume: 1n, sponsor });
    expect(await escrowOf(s.hub, sponsor.address)).to.deep.equal({ free: 0n, frozen: price });
  });

  it("records the owners at match time: a later NFT transfer leaves the deal as it was", async () => {
    const s = await loadFixture(matchSetup);
    const { dealid, deal } = await expectMatch(s, await signedOrders(s), { volume: 1n });
    await giveApp(s, s.others[0].address);
    expect(plain(await s.hub.viewDeal(dealid))).to.deep.equal(plain(deal));
    expect(deal.app.owner).to.equal(s.appOwner.address);
  });

  it("sponsorMatchOrders by the requester itself still emits DealSponsored", async () => {
    const s = await loadFixture(matchSetup);
    await expectMatch(s, await signedOrders(s), { volume: 1n, sponsor: s.requester });
  });

  it("fills orders of volume > 1 over several deals, each taking the smallest remaining volume", async () => {
    const s = await loadFixture(matchSetup);
    const first = await signedOrders(s, {
      app: { volume: 5n },
      dataset: { volume: 4n },
      workerpool: { volume: 3n },
      request: { volume: 10n },
    });
    const requestHash = orderHashes(s, first).request;
    const second = await renew(s, first, "workerpool", { volume: 10n });
    const third = await renew(s, second, "dataset", { volume: 10n });
    const steps = [
      { orders: first, volume: 3n, botFirst: 0n }, // the workerpool order's 3
      { orders: second, volume: 1n, botFirst: 3n }, // what is left of the dataset order's 4
      { orders: third, volume: 1n, botFirst: 4n }, // what is left of the app order's 5
    ];
    for (const { orders, volume, botFirst } of steps) {
      const { dealid, deal } = await expectMatch(s, orders, { volume });
      expect([dealid, deal.botFirst, deal.botSize]).to.deep.equal([
        computeDealId(requestHash, botFirst),
        botFirst,
        volume,
      ]);
    }
    expect(await s.hub.viewConsumed(requestHash)).to.equal(5n);
    expect(await s.hub.computeDealVolume(...matchArgs(third))).to.equal(0n);
  });

  it("takes the request's volume when it is the smallest, and matches the request no more", async () => {
    const s = await loadFixture(matchSetup);
    const orders = await signedOrders(s, {
      app: { volume: 5n },
      dataset: { volume: 5n },
      workerpool: { volume: 5n },
      request: { volume: 2n },
    });
    const { deal } = await expectMatch(s, orders, { volume: 2n });
    expect([deal.botFirst, deal.botSize]).to.deep.equal([0n, 2n]);
    expect(await s.hub.computeDealVolume(...matchArgs(orders))).to.equal(0n);
    const state = async () => ({
      consumed: await Promise.all(
        KINDS.map((kind) => s.hub.viewConsumed(hashOrder(s.domain, kind, orders[kind]))),
      ),
      requester: await escrowOf(s.hub, s.requester.address),
      scheduler: await escrowOf(s.hub, s.scheduler.address),
    });
    const before = await state();
    expect(before.consumed).to.deep.equal([2n, 2n, 2n, 2n]);
    await expect(s.hub.matchOrders(...matchArgs(orders)))
      .to.be.revertedWithCustomError(s.hub, "OrderExhausted")
      .withArgs("requestorder", orderHashes(s, orders).request);
    expect(await state()).to.deep.equal(before);
  });

  it("records a custom workerpool policy in workerStake and schedulerRewardRatio (the scheduler still locks 30%)", async () => {
    const s = await loadFixture(matchSetup);
    const pool = await ethers.getContractAt("Workerpool", s.workerpool);
    await (await pool.connect(s.scheduler).changePolicy(50n, 7n)).wait();
    const policy = { workerStakeRatio: 50n, schedulerRewardRatio: 7n };
    const { deal } = await expectMatch(s, await signedOrders(s), { volume: 1n, policy });
    expect([deal.workerStake, deal.schedulerRewardRatio]).to.deep.equal([PRICES.workerpool / 2n, 7n]);
    expect(await s.hub.frozenOf(s.scheduler.address)).to.equal((PRICES.workerpool * 30n) / 100n);
  });

  it("accepts params of exactly 24,000 bytes", async () => {
    const s = await loadFixture(matchSetup);
    const { deal } = await expectMatch(
      s,
      await signedOrders(s, { request: { params: "p".repeat(24_000) } }),
      {
        volume: 1n,
      },
    );
    expect(deal.params.length).to.equal(24_000);
  });

  it("viewDeal of an unknown id (the next deal of a request) returns all zeros", async () => {
    const s = await loadFixture(matchSetup);
    const orders = await signedOrders(s, { request: { volume: 2n } });
    await expectMatch(s, orders, { volume: 1n });
    const none = { pointer: ZeroAddress, owner: ZeroAddress, price: 0n };
    for (const id of [computeDealId(orderHashes(s, orders).request, 1n), ethers.id("no such deal")]) {
      expect(plain(await s.hub.viewDeal(id))).to.deep.equal({
        app: none,
        dataset: none,
        workerpool: none,
        trust: 0n,
        category: 0n,
        tag: ZeroHash,
        requester: ZeroAddress,
        beneficiary: ZeroAddress,
        callback: ZeroAddress,
        params: "",
        startTime: 0n,
        botFirst: 0n,
        botSize: 0n,
        workerStake: 0n,
        schedulerRewardRatio: 0n,
        sponsor: ZeroAddress,
      });
    }
  });

  it("computeDealVolume: smallest remaining volume, the dataset only when present, at most 2^64-1", async () => {
    const s = await loadFixture(matchSetup);
    const volumeOf = (volumes: bigint[], dataset = s.dataset) =>
      s.hub.computeDealVolume(
        appOrder({ app: s.app, volume: volumes[0] }),
        datasetOrder({ dataset, volume: volumes[1] }),
        workerpoolOrder({ workerpool: s.workerpool, volume: volumes[2] }),
        requestOrder({ app: s.app, dataset, volume: volumes[3] }),
      );
    expect(await volumeOf([7n, 5n, 9n, 8n])).to.equal(5n);
    expect(await volumeOf([7n, 5n, 9n, 4n])).to.equal(4n);
    expect(await volumeOf([7n, 0n, 9n, 8n], ZeroAddress)).to.equal(7n);
    expect(await volumeOf([7n, 0n, 9n, 8n])).to.equal(0n);
    expect(await volumeOf([2n ** 80n, 2n ** 80n, 2n ** 80n, 2n ** 80n])).to.equal(MAX_UINT64);

    // Consumption counts: a closed order has no volume left.
    const orders = await signedOrders(s, {
      app: { volume: 4n },
      workerpool: { volume: 6n },
      request: { volume: 6n },
    });
    expect(await s.hub.computeDealVolume(...matchArgs(orders))).to.equal(1n);
    const open = await renew(s, orders, "dataset", { volume: 6n });
    expect(await s.hub.computeDealVolume(...matchArgs(open))).to.equal(4n);
    const close = { order: open.workerpool, operation: OrderOperation.CLOSE, sign: "0x" };
    await (await s.hub.connect(s.scheduler).manageWorkerpoolOrder(close)).wait();
    expect(await s.hub.computeDealVolume(...matchArgs(open))).to.equal(0n);
  });
});
