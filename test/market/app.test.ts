/**
 * The market as it runs (`MarketApp`: SQLite file, chain watcher, HTTP API) against the chain served
 * over JSON-RPC: orders published through the SDK, matched on chain, the orderbook and the deals
 * following; a restart mid-stream loses and doubles nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { marketSetup } from "./fixtures";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MarketClient, NotFoundError, computeDealId, type ChainConfig } from "../../src/sdk";
import { rejection } from "../rejection";
import { MarketApp } from "../../src/market/app";
import { serveInProcessChain } from "../cli/harness";
import { matchArgs, orderHashes, signedOrders, type MatchSetup } from "../matching/fixtures";

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("@market Market service (store, watcher, API) on a served chain", function () {
  this.timeout(60_000);
  let setup: MatchSetup;
  let rpc: Awaited<ReturnType<typeof serveInProcessChain>>;
  let dir: string;
  let chain: ChainConfig;
  let market: MarketApp | undefined;

  beforeEach(async function () {
    setup = await loadFixture(marketSetup);
    rpc = await serveInProcessChain();
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-market-"));
    chain = { name: "test", host: rpc.url, id: 31337n, hub: await setup.hub.getAddress() };
  });
  afterEach(async function () {
    await market?.stop();
    market = undefined;
    await rpc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async () =>
    (market = await MarketApp.start({ chain, port: 0, dataDir: dir, syncIntervalMs: 50 }));

  it("follows matches: remaining volumes, filled orders and the deal appear in the API", async function () {
    await run();
    const client = new MarketClient(market!.url, 31337n);
    const orders = await signedOrders(setup, { app: { volume: 3n }, workerpool: { volume: 1n } });
    await client.publish("app", orders.app, setup.appOwner);
    await client.publish("workerpool", orders.workerpool, setup.scheduler);
    const hashes = orderHashes(setup, orders);

    await setup.hub.connect(setup.requester).matchOrders(...matchArgs(orders));
    const dealid = computeDealId(hashes.request, 0n);
    await until(async () => (await client.deals()).count === 1, "the deal");
    const [deal] = (await client.deals()).deals;
    expect(deal.dealid).to.equal(dealid);
    expect(deal.app.pointer).to.equal(setup.app);
    expect(await client.deal(dealid), "one deal by id, as in the list").to.deep.equal(deal);
    const missing = "0x" + "ab".repeat(32);
    const error = await rejection(client.deal(missing));
    expect(error).to.be.instanceOf(NotFoundError);
    expect(error.message).to.contain(`has no deal ${missing}`);
    expect((await client.order("app", hashes.app)).remaining).to.equal(2n);
    const pool = await client.order("workerpool", hashes.workerpool);
    expect(pool.status).to.equal("filled");
    expect(pool.remaining).to.equal(0n);
    expect((await client.orderbook("workerpool", {})).count).to.equal(0);
    expect((await client.orderbook("app", { app: setup.app })).orders[0].remaining).to.equal(2n);
  });

  it("resumes after a restart without losing or doubling anything", async function () {
    await run();
    let client = new MarketClient(market!.url, 31337n);
    const orders = await signedOrders(setup, {
      app: { volume: 5n },
      dataset: { volume: 5n },
      workerpool: { volume: 5n },
    });
    await client.publish("app", orders.app, setup.appOwner);
    await client.publish("workerpool", orders.workerpool, setup.scheduler);
    const hashes = orderHashes(setup, orders);
    await setup.hub.connect(setup.requester).matchOrders(...matchArgs(orders));
    await until(async () => (await client.deals()).count === 1, "the first deal");
    await market!.stop();
    market = undefined;

    // While the market is down, two more deals happen on chain.
    for (let i = 0; i < 2; i++) {
      const request = (
        await signedOrders(setup, { request: { salt: `0x${String(i + 1).padStart(64, "0")}` } })
      ).request;
      await setup.hub
        .connect(setup.requester)
        .matchOrders(orders.app, orders.dataset, orders.workerpool, request);
    }
    await run();
    client = new MarketClient(market!.url, 31337n);
    // The restart catches up before serving: everything is there at once, once.
    expect((await client.deals()).count).to.equal(3);
    expect((await client.order("app", hashes.app)).remaining).to.equal(2n);
    expect((await client.order("workerpool", hashes.workerpool)).remaining).to.equal(2n);
    await market!.watcher.syncOnce();
    expect((await client.deals()).count).to.equal(3);
  });
});
