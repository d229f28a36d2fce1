/**
 * The workerpool's standing offer, on the in-process chain served over JSON-RPC and a real market
 * (its chain watcher synced by hand, so each step sees exactly the chain's state): one order per
 * category, refilled after consumption or cancellation, never duplicated (restarts included), a
 * newcomer's request matched against it with no action of the pool owner, and a publisher that does
 * not own the workerpool refused with nothing published.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MarketApp } from "../../src/market/app";
import { MemoryMarketStore } from "../../src/market/memory-store";
import { OfferPublisher, type OfferTerms, type PublisherState } from "../../src/publisher/offer-publisher";
import { OpenPoco } from "../../src/sdk/core/client";
import type { ChainConfig } from "../../src/sdk/core/chains";
import { MarketClient, type PublishedOrder } from "../../src/sdk/core/market";
import { requestOrder, signOrder } from "../../src/sdk/core/orders";
import { serveInProcessChain } from "../cli/harness";
import { PRICES, signedOrders, type MatchSetup } from "../matching/fixtures";
import { keyOf } from "../scheduler/harness";
import { marketSetup } from "./fixtures";

const CHAIN_ID = 31337n;

interface World {
  setup: MatchSetup;
  chain: ChainConfig;
  market: MarketApp;
  marketClient: MarketClient;
  clients: OpenPoco[];
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const setup = await loadFixture(marketSetup);
  const rpc = await serveInProcessChain();
  const chain: ChainConfig = { name: "test", host: rpc.url, id: CHAIN_ID, hub: await setup.hub.getAddress() };
  const market = await MarketApp.start({ chain, store: new MemoryMarketStore(), port: 0 });
  // Synced by the test only: each step sees the chain as it is after the step before.
  await market.watcher.stop();
  const clients: OpenPoco[] = [];
  return {
    setup,
    chain,
    market,
    marketClient: new MarketClient(market.url, CHAIN_ID),
    clients,
    close: async () => {
      for (const client of clients) client.close();
      await market.stop();
      await rpc.close();
    },
  };
}

async function publisher(w: World, terms: Partial<OfferTerms>, owner = w.setup.scheduler.address) {
  const client = await OpenPoco.connect({ chain: w.chain, signer: keyOf(owner) });
  w.clients.push(client);
  const states: PublisherState[] = [];
  const made = new OfferPublisher({
    client,
    market: w.marketClient,
    workerpool: w.setup.workerpool,
    terms,
    onState: (state) => states.push(state),
  });
  return { publisher: made, states };
}

/** The workerpool's open orders on the market, in `category` (any terms). */
async function openPoolOrders(w: World, category?: bigint): Promise<PublishedOrder<"workerpool">[]> {
  const book = await w.marketClient.orderbook(
    "workerpool",
    { workerpool: w.setup.workerpool, category },
    { pageSize: 100 },
  );
  return book.orders;
}

describe("@market Standing workerpool offer", function () {
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it("keeps one order per category of the chain, and publishes no duplicate on later passes", async function () {
    w = await world();
    const categories = Number(await w.setup.hub.countCategory());
    expect(categories).to.be.greaterThan(1);
    const { publisher: p, states } = await publisher(w, { trust: 3n, volume: 5n });
    const first = await p.refill();
    expect(first.published).to.equal(categories);
    expect(first.categories.map((c) => [c.category, c.openOrders, c.remaining])).to.deep.equal(
      Array.from({ length: categories }, (_, i) => [String(i), 1, "5"]),
    );
    const orders = await openPoolOrders(w);
    expect(orders).to.have.length(categories);
    for (const { order, signer } of orders) {
      expect(signer).to.equal(w.setup.scheduler.address);
      expect(order).to.include({ workerpoolprice: 0n, volume: 5n, trust: 3n });
    }
    await w.market.watcher.syncOnce();
    const again = await p.refill();
    expect(again.published).to.equal(categories);
    expect(await openPoolOrders(w)).to.have.length(categories);
    expect(states.at(-1)?.lastCheck).to.be.a("string");
    expect(states.at(-1)?.lastError).to.equal(undefined);
    // A restarted publisher reads the market, not a memory of its own: nothing new.
    const { publisher: restarted } = await publisher(w, { trust: 3n, volume: 5n });
    const afterRestart = await restarted.refill();
    expect(afterRestart.published).to.equal(0);
    expect(afterRestart.categories.every((c) => c.openOrders === 1)).to.equal(true);
    expect(await openPoolOrders(w)).to.have.length(categories);
  });

  it("serves a newcomer's request, then refills the consumed order; refills a cancelled one", async function () {
    w = await world();
    const { setup } = w;
    const { publisher: p } = await publisher(w, { categories: [0n], volume: 1n, trust: 1n });
    await p.refill();
    const [standing] = await openPoolOrders(w, 0n);
    // A requester who never met the pool owner: the app's order and the standing workerpool order.
    const { app } = await signedOrders(setup);
    const request = await signOrder(
      setup.requester,
      setup.domain,
      "request",
      requestOrder({
        app: setup.app,
        appmaxprice: PRICES.app,
        workerpoolmaxprice: 0n,
        requester: setup.requester.address,
        beneficiary: setup.requester.address,
        category: 0n,
        trust: 1n,
        volume: 1n,
      }),
    );
    const empty = (await signedOrders(setup, { noDataset: true })).dataset;
    await (await setup.hub.connect(setup.requester).matchOrders(app, empty, standing.order, request)).wait();
    await w.market.watcher.syncOnce();
    expect(await openPoolOrders(w, 0n)).to.have.length(0);
    const refilled = await p.refill();
    expect(refilled.published).to.equal(2);
    const [fresh] = await openPoolOrders(w, 0n);
    expect(fresh.orderHash).to.not.equal(standing.orderHash);
    expect(refilled.categories[0]).to.include({ openOrders: 1, lastOrderHash: fresh.orderHash });

    // The owner cancels it on chain: the next pass puts a new one up.
    const owner = await OpenPoco.connect({ chain: w.chain, signer: keyOf(setup.scheduler.address) });
    w.clients.push(owner);
    await owner.orders.cancel("workerpool", fresh.order);
    await w.market.watcher.syncOnce();
    expect(await openPoolOrders(w, 0n)).to.have.length(0);
    const afterCancel = await p.refill();
    expect(afterCancel.published).to.equal(3);
    const [third] = await openPoolOrders(w, 0n);
    expect([standing.orderHash, fresh.orderHash]).to.not.include(third.orderHash);
  });

  it("counts only orders on its own terms: another order of the pool does not stop it", async function () {
    w = await world();
    const { setup } = w;
    // The owner's own order, at another price.
    const { workerpool } = await signedOrders(setup, { workerpool: { category: 0n, volume: 10n } });
    await w.marketClient.publish("workerpool", workerpool, setup.scheduler);
    const { publisher: p } = await publisher(w, { categories: [0n] });
    const state = await p.refill();
    expect(state.published).to.equal(1);
    expect(await openPoolOrders(w, 0n)).to.have.length(2);
  });

  it("refuses to publish for a workerpool its wallet does not own, publishing nothing", async function () {
    w = await world();
    const stranger = w.setup.others[0].address;
    const { publisher: p, states } = await publisher(w, { categories: [0n] }, stranger);
    const refusal = await p.refill().catch((error: unknown) => error);
    expect((refusal as Error).message).to.match(/only its owner may publish it/);
    expect(states.at(-1)?.lastError?.message).to.match(/only its owner may publish it/);
    expect(states.at(-1)?.published).to.equal(0);
    expect(await openPoolOrders(w)).to.have.length(0);
    expect(ethers.isAddress(stranger)).to.equal(true);
  });
});
