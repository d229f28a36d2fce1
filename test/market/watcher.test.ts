import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ChainWatcher } from "../../src/market/watcher";
import type { ServiceLogger } from "../../src/sdk/core/logger";
import { MemoryMarketStore } from "../../src/market/memory-store";
import {
  DuplicateOrderError,
  type DealRecord,
  type OrderQuery,
  type OrderRecord,
} from "../../src/market/store";
import { OrderOperation, appOrder, requestOrder, workerpoolOrder } from "../../src/sdk";
import type { AppRegistry } from "../../typechain-types";
import { RLC_UNIT } from "../fixtures";
import {
  PRICES,
  matchArgs,
  signedOrders,
  type MatchSetup,
  type OrderOverrides,
  type OrderSet,
} from "../matching/fixtures";
import { dealIdOf, publish, marketSetup } from "./fixtures";

const TEE = "0x0000000000000000000000000000000000000000000000000000000000000001";
const QUIET: ServiceLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Counts the deals written, to prove that nothing is applied twice. */
class CountingStore extends MemoryMarketStore {
  dealWrites = 0;
  override upsertDeal(deal: DealRecord): void {
    this.dealWrites++;
    super.upsertDeal(deal);
  }
}

function watcherOf(setup: MatchSetup, store: MemoryMarketStore, options: { maxReorgDepth?: number } = {}) {
  return new ChainWatcher({
    provider: ethers.provider,
    hub: setup.domain.verifyingContract!,
    store,
    logger: QUIET,
    ...options,
  });
}

interface Published {
  app: string;
  dataset: string;
  workerpool: string;
  request: string;
}

/** Signs an order set and publishes its four orders. */
async function publishSet(
  setup: MatchSetup,
  store: MemoryMarketStore,
  overrides: OrderOverrides = {},
): Promise<{ orders: OrderSet; hashes: Published }> {
  const orders = await signedOrders(setup, overrides);
  const hashes = {
    app: publish(store, setup, "app", orders.app, setup.appOwner.address),
    dataset: publish(store, setup, "dataset", orders.dataset, setup.datasetOwner.address),
    workerpool: publish(store, setup, "workerpool", orders.workerpool, setup.scheduler.address),
    request: publish(store, setup, "request", orders.request, setup.requester.address),
  };
  return { orders, hashes };
}

async function match(setup: MatchSetup, orders: OrderSet): Promise<{ dealid: string; txHash: string }> {
  const tx = await setup.hub.connect(setup.requester).matchOrders(...matchArgs(orders));
  await tx.wait();
  return { dealid: await dealIdOf(setup, tx.hash), txHash: tx.hash };
}

/** A second request for the same app, dataset and workerpool orders (another salt). */
async function signedRequest(setup: MatchSetup, volume: bigint) {
  const { request } = await signedOrders(setup, {
    request: { volume, salt: ethers.hexlify(ethers.randomBytes(32)) },
  });
  return request;
}

const allDeals = (store: MemoryMarketStore) => store.listDeals({}, { pageIndex: 0, pageSize: 100 });

describe("@market market: ChainWatcher", () => {
  let setup: MatchSetup;
  let store: CountingStore;

  beforeEach(async () => {
    setup = await loadFixture(marketSetup);
    store = new CountingStore();
  });

  it("fills the matched orders and records the deal with the hub's fields", async () => {
    const { orders, hashes } = await publishSet(setup, store);
    const { dealid, txHash } = await match(setup, orders);
    const receipt = await ethers.provider.getTransactionReceipt(txHash);
    const block = await ethers.provider.getBlock(receipt!.blockNumber);

    const result = await watcherOf(setup, store).syncOnce();
    expect(result.toBlock).to.equal(await ethers.provider.getBlockNumber());
    expect(result.applied).to.be.greaterThan(0);

    for (const kind of ["app", "dataset", "workerpool", "request"] as const) {
      const record = store.getOrder(kind, hashes[kind])!;
      expect(record.remaining, kind).to.equal(0n);
      expect(record.status, kind).to.equal("filled");
    }
    const deal = store.getDeal(dealid)!;
    const onChain = await setup.hub.viewDeal(dealid);
    expect(deal.dealid).to.equal(dealid.toLowerCase());
    expect(deal.chainId).to.equal(31337n);
    expect(deal.app).to.deep.equal({ pointer: setup.app, owner: setup.appOwner.address, price: PRICES.app });
    expect(deal.dataset).to.deep.equal({
      pointer: setup.dataset,
      owner: setup.datasetOwner.address,
      price: PRICES.dataset,
    });
    expect(deal.workerpool).to.deep.equal({
      pointer: setup.workerpool,
      owner: setup.scheduler.address,
      price: PRICES.workerpool,
    });
    expect([deal.appHash, deal.datasetHash, deal.workerpoolHash, deal.requestHash]).to.deep.equal([
      hashes.app,
      hashes.dataset,
      hashes.workerpool,
      hashes.request,
    ]);
    expect(deal.requester).to.equal(setup.requester.address);
    expect(deal.beneficiary).to.equal(setup.requester.address);
    expect(deal.callback).to.equal(ethers.ZeroAddress);
    expect(deal.category).to.equal(0n);
    expect(deal.trust).to.equal(onChain.trust);
    expect(deal.tag).to.equal(orders.request.tag);
    expect(deal.params).to.equal(orders.request.params);
    expect(deal.botFirst).to.equal(0n);
    expect(deal.botSize).to.equal(1n);
    expect(deal.volume).to.equal(1n);
    expect(deal.workerStake).to.equal(onChain.workerStake);
    expect(deal.schedulerRewardRatio).to.equal(onChain.schedulerRewardRatio);
    expect(deal.startTime).to.equal(onChain.startTime);
    expect(deal.startTime).to.be.greaterThan(0n);
    expect(deal.blockNumber).to.equal(receipt!.blockNumber);
    expect(deal.blockTimestamp).to.equal(new Date(block!.timestamp * 1000).toISOString());
    expect(deal.transactionHash).to.equal(txHash);
    expect(store.getCursor()).to.deep.equal({
      blockNumber: result.toBlock,
      blockHash: (await ethers.provider.getBlock(result.toBlock))!.hash,
    });
  });

  it("records the deployment's categories from the hub's deployment block on", async () => {
    await watcherOf(setup, store).syncOnce();
    const count = await setup.hub.countCategory();
    expect(count).to.be.greaterThan(0n);
    const { items } = store.listCategories({}, { pageIndex: 0, pageSize: 100 });
    expect(items.map((c) => c.catid)).to.deep.equal([...Array(Number(count)).keys()].map(BigInt));
    const first = await setup.hub.viewCategory(0);
    expect(items[0].name).to.equal(first.name);
    expect(items[0].workClockTimeRef).to.equal(first.workClockTimeRef);
  });

  it("follows partial fills across two deals", async () => {
    const { orders, hashes } = await publishSet(setup, store, {
      app: { volume: 5n },
      dataset: { volume: 5n },
      workerpool: { volume: 5n },
      request: { volume: 2n },
    });
    const watcher = watcherOf(setup, store);
    const first = await match(setup, orders);
    await watcher.syncOnce();
    expect(store.getOrder("app", hashes.app)).to.include({ remaining: 3n, status: "open" });
    expect(store.getOrder("workerpool", hashes.workerpool)).to.include({ remaining: 3n, status: "open" });
    expect(store.getOrder("request", hashes.request)).to.include({ remaining: 0n, status: "filled" });
    expect(store.getDeal(first.dealid)!.volume).to.equal(2n);

    const request = await signedRequest(setup, 3n);
    const requestHash = publish(store, setup, "request", request, setup.requester.address);
    const second = await match(setup, { ...orders, request });
    await watcher.syncOnce();
    for (const kind of ["app", "dataset", "workerpool"] as const)
      expect(store.getOrder(kind, hashes[kind]), kind).to.include({ remaining: 0n, status: "filled" });
    expect(store.getOrder("request", requestHash)).to.include({ remaining: 0n, status: "filled" });
    const deal = store.getDeal(second.dealid)!;
    expect(deal.volume).to.equal(3n);
    expect(deal.botFirst).to.equal(0n);
    expect(deal.requestHash).to.equal(requestHash);
    expect(allDeals(store).count).to.equal(2);
    expect(store.listDeals({ apporderHash: hashes.app }, { pageIndex: 0, pageSize: 10 }).count).to.equal(2);
  });

  it("marks canceled orders canceled and leaves the others open", async () => {
    const { orders, hashes } = await publishSet(setup, store);
    const { hub } = setup;
    const close = { operation: OrderOperation.CLOSE, sign: "0x" };
    await (await hub.connect(setup.appOwner).manageAppOrder({ order: orders.app, ...close })).wait();
    await (await hub.connect(setup.requester).manageRequestOrder({ order: orders.request, ...close })).wait();
    await watcherOf(setup, store).syncOnce();
    expect(store.getOrder("app", hashes.app)).to.include({ remaining: 0n, status: "canceled" });
    expect(store.getOrder("request", hashes.request)).to.include({ remaining: 0n, status: "canceled" });
    expect(store.getOrder("dataset", hashes.dataset)).to.include({ remaining: 1n, status: "open" });
    expect(store.getOrder("workerpool", hashes.workerpool)).to.include({ remaining: 1n, status: "open" });
    expect(store.listOrders("app", {}, { pageIndex: 0, pageSize: 10 }).count).to.equal(0);
  });

  it("records a new category", async () => {
    const watcher = watcherOf(setup, store);
    await watcher.syncOnce();
    const before = await setup.hub.countCategory();
    const tx = await setup.hub.connect(setup.deployer).createCategory("XXL", '{"size":"huge"}', 7200);
    const receipt = await tx.wait();
    expect(store.getCategory(before)).to.equal(undefined);
    await watcher.syncOnce();
    expect(store.getCategory(before)).to.deep.equal({
      catid: before,
      chainId: 31337n,
      name: "XXL",
      description: '{"size":"huge"}',
      workClockTimeRef: 7200n,
      blockNumber: receipt!.blockNumber,
      transactionHash: tx.hash,
    });
  });

  it("gives a transferred asset's orders the new owner and marks them dead", async () => {
    const { hashes } = await publishSet(setup, store);
    const watcher = watcherOf(setup, store);
    await watcher.syncOnce();
    const [newOwner] = setup.others;
    const apps = (await ethers.getContractAt(
      "AppRegistry",
      await setup.hub.appregistry(),
    )) as unknown as AppRegistry;
    await (
      await apps
        .connect(setup.appOwner)
        .transferFrom(setup.appOwner.address, newOwner.address, BigInt(setup.app))
    ).wait();
    await watcher.syncOnce();
    expect(store.getOrder("app", hashes.app)).to.include({ owner: newOwner.address, status: "dead" });
    expect(store.getOrder("dataset", hashes.dataset)).to.include({
      owner: setup.datasetOwner.address,
      status: "open",
    });
    expect(store.getOrder("workerpool", hashes.workerpool)!.status).to.equal("open");
  });

  it("marks dead the workerpool and request orders whose owners' free balance no longer covers one task", async () => {
    const { hashes } = await publishSet(setup, store);
    // A cheaper workerpool order: 10 RLC a task needs a 3 RLC stake, the first (20 RLC) needs 6.
    const { workerpool: cheap } = await signedOrders(setup, {
      workerpool: { workerpoolprice: 10n * RLC_UNIT },
    });
    const cheapHash = publish(store, setup, "workerpool", cheap, setup.scheduler.address);
    const watcher = watcherOf(setup, store);
    await watcher.syncOnce();
    expect(store.getOrder("workerpool", hashes.workerpool)!.status).to.equal("open");

    // The scheduler keeps 5 RLC of its 100.
    await (await setup.hub.connect(setup.scheduler).withdraw(95n * RLC_UNIT)).wait();
    await watcher.syncOnce();
    expect(store.getOrder("workerpool", hashes.workerpool)!.status).to.equal("dead");
    expect(store.getOrder("workerpool", cheapHash)!.status).to.equal("open");
    expect(store.getOrder("request", hashes.request)!.status).to.equal("open");

    // One task of the request costs 28 RLC; the requester keeps 27 of its 1000.
    await (await setup.hub.connect(setup.requester).withdraw(973n * RLC_UNIT)).wait();
    await watcher.syncOnce();
    expect(store.getOrder("request", hashes.request)!.status).to.equal("dead");
    expect(store.getOrder("app", hashes.app)!.status).to.equal("open");
  });

  it("keeps an order open when a match locks part of a balance that still covers it", async () => {
    const { orders, hashes } = await publishSet(setup, store, {
      app: { volume: 5n },
      dataset: { volume: 5n },
      workerpool: { volume: 5n },
      request: { volume: 2n },
    });
    await match(setup, orders);
    await watcherOf(setup, store).syncOnce();
    // 100 RLC - 2 × 6 RLC locked: still enough for a task.
    expect(store.getOrder("workerpool", hashes.workerpool)).to.include({ remaining: 3n, status: "open" });
  });

  it("resumes from the cursor after a restart and applies nothing twice", async () => {
    const { orders, hashes } = await publishSet(setup, store, {
      app: { volume: 5n },
      dataset: { volume: 5n },
      workerpool: { volume: 5n },
      request: { volume: 2n },
    });
    await match(setup, orders);
    const first = await watcherOf(setup, store).syncOnce();
    expect(store.dealWrites).to.equal(1);
    const cursor = store.getCursor()!;

    const restarted = watcherOf(setup, store);
    const again = await restarted.syncOnce();
    expect(again.applied).to.equal(0);
    expect(again.fromBlock).to.equal(first.toBlock + 1);
    expect(store.dealWrites).to.equal(1);
    expect(store.getCursor()).to.deep.equal(cursor);
    expect(store.getOrder("app", hashes.app)!.remaining).to.equal(3n);

    const request = await signedRequest(setup, 1n);
    const second = await match(setup, { ...orders, request });
    const after = await restarted.syncOnce();
    expect(after.fromBlock).to.equal(cursor.blockNumber + 1);
    expect(store.dealWrites).to.equal(2);
    expect(store.getDeal(second.dealid)!.volume).to.equal(1n);
    expect(store.getOrder("app", hashes.app)!.remaining).to.equal(2n);
    expect((await restarted.syncOnce()).applied).to.equal(0);
    expect(store.dealWrites).to.equal(2);
  });

  it("applies nothing of a block whose writes fail, and the whole block on the next sync", async () => {
    const { orders, hashes } = await publishSet(setup, store);
    const watcher = watcherOf(setup, store);
    await watcher.syncOnce();
    const cursor = store.getCursor()!;
    const { dealid } = await match(setup, orders);
    const update = store.updateOrder.bind(store);
    let fail = true;
    store.updateOrder = (hash, change) => {
      const done = update(hash, change);
      if (fail) throw new Error("disk full");
      return done;
    };
    const failure = await watcher.syncOnce().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).to.equal("disk full");
    expect(store.getCursor()).to.deep.equal(cursor);
    expect(store.getOrder("app", hashes.app)).to.include({ remaining: 1n, status: "open" });
    expect(store.getDeal(dealid)).to.equal(undefined);

    fail = false;
    await watcher.syncOnce();
    expect(store.getOrder("app", hashes.app)).to.include({ remaining: 0n, status: "filled" });
    expect(store.getDeal(dealid)).to.not.equal(undefined);
    expect(store.dealWrites).to.equal(1);
  });

  it("reads in batches and waits for confirmations", async () => {
    const { orders, hashes } = await publishSet(setup, store);
    const { dealid } = await match(setup, orders);
    const head = await ethers.provider.getBlockNumber();
    const watcher = new ChainWatcher({
      provider: ethers.provider,
      hub: setup.domain.verifyingContract!,
      store,
      logger: QUIET,
      batchBlocks: 3,
      confirmations: 2,
    });
    const result = await watcher.syncOnce();
    expect(result.toBlock).to.equal(head - 2);
    expect(store.getCursor()!.blockNumber).to.equal(head - 2);
    expect(store.getDeal(dealid)).to.equal(undefined);
    await ethers.provider.send("hardhat_mine", ["0x2"]);
    await watcher.syncOnce();
    expect(store.getDeal(dealid)!.blockNumber).to.equal(head);
    expect(store.getOrder("app", hashes.app)!.status).to.equal("filled");
    expect(store.listCategories({}, { pageIndex: 0, pageSize: 100 }).count).to.equal(
      Number(await setup.hub.countCategory()),
    );
  });

  for (const restart of [false, true])
    it(`rolls back a reorganisation${restart ? " found by a restarted watcher" : ""}`, async () => {
      const { orders, hashes } = await publishSet(setup, store, {
        app: { volume: 5n },
        dataset: { volume: 5n },
        workerpool: { volume: 5n },
        request: { volume: 2n },
      });
      let watcher = watcherOf(setup, store);
      await watcher.syncOnce();
      const snapshot = await ethers.provider.send("evm_snapshot", []);
      const snapshotBlock = await ethers.provider.getBlockNumber();
      const orphan = await match(setup, orders);
      await ethers.provider.send("hardhat_mine", ["0x3"]);
      await watcher.syncOnce();
      expect(store.getDeal(orphan.dealid)).to.not.equal(undefined);
      expect(store.getOrder("request", hashes.request)).to.include({ remaining: 0n, status: "filled" });
      expect(store.getOrder("app", hashes.app)!.remaining).to.equal(3n);
      const orphanCursor = store.getCursor()!;

      await ethers.provider.send("evm_revert", [snapshot]);
      const request = await signedRequest(setup, 1n);
      const requestHash = publish(store, setup, "request", request, setup.requester.address);
      const kept = await match(setup, { ...orders, request });
      await ethers.provider.send("hardhat_mine", ["0x5"]);
      const head = await ethers.provider.getBlockNumber();
      expect(head).to.be.greaterThan(orphanCursor.blockNumber);

      if (restart) watcher = watcherOf(setup, store);
      const result = await watcher.syncOnce();
      expect(result.forkBlock).to.be.a("number");
      expect(result.forkBlock).to.be.at.most(snapshotBlock);
      expect(store.getDeal(orphan.dealid)).to.equal(undefined);
      expect(store.getDeal(kept.dealid)!.volume).to.equal(1n);
      expect(allDeals(store).count).to.equal(1);
      expect(store.getOrder("request", hashes.request)).to.include({ remaining: 2n, status: "open" });
      expect(store.getOrder("request", requestHash)).to.include({ remaining: 0n, status: "filled" });
      for (const kind of ["app", "dataset", "workerpool"] as const)
        expect(store.getOrder(kind, hashes[kind]), kind).to.include({ remaining: 4n, status: "open" });
      const cursor = store.getCursor()!;
      expect(cursor.blockNumber).to.equal(head);
      expect(cursor.blockHash).to.equal((await ethers.provider.getBlock(head))!.hash);
      expect((await watcher.syncOnce()).applied).to.equal(0);
    });

  it("polls until stopped, logging errors instead of throwing", async () => {
    const { orders, hashes } = await publishSet(setup, store);
    const errors: unknown[] = [];
    const logger: ServiceLogger = { ...QUIET, error: (_message, error) => errors.push(error) };
    const watcher = new ChainWatcher({
      provider: ethers.provider,
      hub: setup.domain.verifyingContract!,
      store,
      logger,
    });
    const update = store.updateOrder.bind(store);
    let failures = 1;
    store.updateOrder = (hash, change) => {
      if (failures-- > 0) throw new Error("transient");
      return update(hash, change);
    };
    await match(setup, orders);
    watcher.start(10);
    expect(watcher.running).to.equal(true);
    const deadline = Date.now() + 5000;
    while (store.getOrder("app", hashes.app)!.status !== "filled" && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await watcher.stop();
    expect(watcher.running).to.equal(false);
    expect(errors.map((error) => (error as Error).message)).to.deep.equal(["transient"]);
    expect(store.getOrder("app", hashes.app)!.status).to.equal("filled");
    const cursor = store.getCursor();
    await ethers.provider.send("hardhat_mine", ["0x2"]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.getCursor()).to.deep.equal(cursor);
  });
});

describe("@market MemoryMarketStore (the watcher's test double)", () => {
  const A = "0x00000000000000000000000000000000000000A1";
  const B = "0x00000000000000000000000000000000000000B2";
  const C = "0x00000000000000000000000000000000000000C3";
  const page = { pageIndex: 0, pageSize: 10 };
  let n = 0;
  function record<K extends "app" | "workerpool" | "request" | "dataset">(
    kind: K,
    order: OrderRecord<K>["order"],
    owner = A,
  ): OrderRecord {
    n++;
    return {
      kind,
      orderHash: ethers.zeroPadValue(ethers.toBeHex(n), 32),
      chainId: 31337n,
      order,
      signer: owner,
      owner,
      remaining: order.volume,
      status: "open",
      publicationTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
    } as OrderRecord;
  }

  it("lists open orders with the restriction, tag, volume and owner filters, best first", () => {
    const store = new MemoryMarketStore();
    const cheapAny = record("app", appOrder({ app: A, appprice: 1n, volume: 3n }));
    const dearRestricted = record(
      "app",
      appOrder({ app: A, appprice: 5n, volume: 3n, workerpoolrestrict: B }),
    );
    const otherPool = record(
      "app",
      appOrder({ app: A, appprice: 2n, volume: 1n, workerpoolrestrict: C, tag: TEE }),
    );
    for (const r of [dearRestricted, otherPool, cheapAny]) store.insertOrder(r);
    const hashes = (query: OrderQuery) => store.listOrders("app", query, page).items.map((r) => r.orderHash);
    expect(hashes({})).to.deep.equal([cheapAny.orderHash, otherPool.orderHash, dearRestricted.orderHash]);
    expect(hashes({ workerpool: B })).to.deep.equal([cheapAny.orderHash, dearRestricted.orderHash]);
    expect(hashes({ workerpool: B, isWorkerpoolStrict: true })).to.deep.equal([dearRestricted.orderHash]);
    expect(hashes({ minTag: TEE })).to.deep.equal([otherPool.orderHash]);
    expect(hashes({ maxTag: ethers.ZeroHash })).to.deep.equal([cheapAny.orderHash, dearRestricted.orderHash]);
    expect(hashes({ minVolume: 2n })).to.deep.equal([cheapAny.orderHash, dearRestricted.orderHash]);
    expect(hashes({ appOwner: B })).to.deep.equal([]);
    expect(hashes({ app: B })).to.deep.equal([]);
    expect(store.listOrders("app", {}, { pageIndex: 1, pageSize: 2 })).to.deep.include({ count: 3 });
    expect(
      store.listOrders("app", {}, { pageIndex: 1, pageSize: 2 }).items.map((r) => r.orderHash),
    ).to.deep.equal([dearRestricted.orderHash]);
    store.updateOrder(cheapAny.orderHash, { status: "filled", remaining: 0n });
    expect(hashes({})).to.deep.equal([otherPool.orderHash, dearRestricted.orderHash]);
    expect(() => store.insertOrder(cheapAny)).to.throw(DuplicateOrderError);
  });

  it("ranks request orders by highest workerpool price and filters trust and category", () => {
    const store = new MemoryMarketStore();
    const low = record(
      "request",
      requestOrder({ app: A, workerpoolmaxprice: 1n, requester: B, trust: 5n }),
      B,
    );
    const high = record(
      "request",
      requestOrder({ app: A, workerpoolmaxprice: 9n, requester: B, category: 1n }),
      B,
    );
    const pools = [
      record("workerpool", workerpoolOrder({ workerpool: C, workerpoolprice: 4n, trust: 10n }), C),
      record("workerpool", workerpoolOrder({ workerpool: C, workerpoolprice: 3n, trust: 1n }), C),
    ];
    for (const r of [low, high, ...pools]) store.insertOrder(r);
    const requests = (query: OrderQuery) =>
      store.listOrders("request", query, page).items.map((r) => r.orderHash);
    expect(requests({})).to.deep.equal([high.orderHash, low.orderHash]);
    expect(requests({ maxTrust: 1n })).to.deep.equal([high.orderHash]);
    expect(requests({ category: 1n })).to.deep.equal([high.orderHash]);
    expect(requests({ requester: A })).to.deep.equal([]);
    const workerpools = store.listOrders("workerpool", { minTrust: 5n }, page).items;
    expect(workerpools.map((r) => r.orderHash)).to.deep.equal([pools[0].orderHash]);
    expect(store.openOrdersOfSigner(C).map((r) => r.orderHash)).to.have.members(
      pools.map((r) => r.orderHash),
    );
    expect(store.openOrderHashes("request", B)).to.deep.equal([low.orderHash, high.orderHash]);
  });

  it("rolls a failed transaction back and never hands out its own records", () => {
    const store = new MemoryMarketStore();
    const app = record("app", appOrder({ app: A, volume: 2n }));
    store.insertOrder(app);
    expect(() =>
      store.transaction(() => {
        store.updateOrder(app.orderHash, { remaining: 0n, status: "filled" });
        store.setCursor({ blockNumber: 7, blockHash: ethers.ZeroHash });
        store.transaction(() => store.setOwner("app", A, B));
        throw new Error("abort");
      }),
    ).to.throw("abort");
    expect(store.getOrder("app", app.orderHash)).to.include({ remaining: 2n, status: "open", owner: A });
    expect(store.getCursor()).to.equal(undefined);
    store.getOrder("app", app.orderHash)!.remaining = 0n;
    expect(store.getOrder("app", app.orderHash)!.remaining).to.equal(2n);
    expect(store.getOrder("workerpool", app.orderHash)).to.equal(undefined);
    expect(store.setOwner("app", A, B)).to.equal(1);
    expect(store.deleteOrders([app.orderHash, ethers.ZeroHash])).to.deep.equal([app.orderHash]);
    store.saveChallenge("0xAB", "hello", A, 1000);
    expect(store.takeChallenge("0xab", 999)).to.deep.equal({ text: "hello", address: A });
    expect(store.takeChallenge("0xab", 999)).to.equal(undefined);
  });
});
