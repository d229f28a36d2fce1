/**
 * The official iExec SDK (npm `iexec`) against our stack: contracts on the in-process chain, our market,
 * SMS and result store. Each step is done with the official SDK and checked against the chain, the
 * market or our SDK. docs/official-sdk.md lists what works and what does not, and why.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Wallet, ZeroHash } from "ethers";
import { network } from "hardhat";
import {
  OpenPoco,
  appOrder,
  buildParams,
  orderToJson,
  workerpoolOrder,
  computeResultHash,
  computeResultSeal,
  decryptFile,
  openpocoResultsText,
  parseOrder,
  ServiceError,
  SmsClient,
  signAuthorization,
  signEnclaveResult,
  type OrderKind,
} from "../../src/sdk";
import type * as IExecLib from "iexec";
import { rejectionOf } from "../rejection";
import { accountKey } from "../stack/world";
import { compatWorld, type CompatWorld } from "./world";

const RLC = 10n ** 9n;
const CHECKSUM = "0x" + "ab".repeat(32);
// A URL: both SDKs store it as UTF-8 (the official SDK stores /ipfs/... multiaddrs in binary form).
const DATASET_URL = "https://datasets.local/compat.bin";

/** An official order (strings, bigints, BNs) as plain JSON, for our parser. */
function plain(order: object): Record<string, string> {
  return Object.fromEntries(Object.entries(order).map(([key, value]) => [key, String(value)]));
}

describe("official iexec SDK against our stack @compat", function () {
  this.timeout(120_000);
  let world: CompatWorld;
  let app: string;
  let dataset: string;
  let workerpool: string;
  const signed: SignedOrders = {} as never;
  const hashes: Record<OrderKind, string> = {} as never;
  let dealid: string;
  /** The dataset key pushed with the official SDK. */
  let datasetKey: string;

  before(async () => {
    world = await compatWorld();
  });
  after(async () => {
    await world?.close();
  });

  it("deploys an app, a dataset and a workerpool, shown alike by both SDKs and the registries", async () => {
    const { iexec, poco, address } = world;
    ({ address: app } = await iexec.appOwner.app.deployApp({
      owner: address.appOwner,
      name: "compat-app",
      type: "DOCKER",
      multiaddr: "registry.local/compat-app:1.0",
      checksum: CHECKSUM,
    }));
    ({ address: dataset } = await iexec.datasetOwner.dataset.deployDataset({
      owner: address.datasetOwner,
      name: "compat-dataset",
      multiaddr: DATASET_URL,
      checksum: CHECKSUM,
    }));
    ({ address: workerpool } = await iexec.scheduler.workerpool.deployWorkerpool({
      owner: address.scheduler,
      description: "compat pool",
    }));

    const shownApp = await iexec.requester.app.showApp(app);
    expect(shownApp.objAddress).to.equal(app);
    expect(shownApp.app.owner).to.equal(address.appOwner);
    expect(shownApp.app.appName).to.equal("compat-app");
    expect(shownApp.app.appMultiaddr).to.equal("registry.local/compat-app:1.0");
    expect(shownApp.app.appChecksum).to.equal(CHECKSUM);
    const ourApp = await poco.requester.assets.showApp(app);
    expect(ourApp).to.include({
      address: app,
      owner: address.appOwner,
      name: "compat-app",
      type: "DOCKER",
      multiaddr: "registry.local/compat-app:1.0",
      checksum: CHECKSUM,
    });

    const shownDataset = await iexec.requester.dataset.showDataset(dataset);
    expect(shownDataset.dataset.owner).to.equal(address.datasetOwner);
    expect(shownDataset.dataset.datasetName).to.equal("compat-dataset");
    const ourDataset = await poco.requester.assets.showDataset(dataset);
    expect(ourDataset).to.include({
      owner: address.datasetOwner,
      name: "compat-dataset",
      checksum: CHECKSUM,
    });
    expect(ourDataset.multiaddr).to.equal(DATASET_URL);

    const shownPool = await iexec.requester.workerpool.showWorkerpool(workerpool);
    expect(shownPool.workerpool.owner).to.equal(address.scheduler);
    expect(shownPool.workerpool.workerpoolDescription).to.equal("compat pool");
    const ourPool = await poco.requester.assets.showWorkerpool(workerpool);
    expect(ourPool).to.include({ owner: address.scheduler, description: "compat pool" });

    // Counting and indexing by owner, through the registries.
    expect(Number(await iexec.appOwner.app.countUserApps(address.appOwner))).to.equal(
      Number(await poco.requester.assets.count("app", address.appOwner)),
    );
    const first = await iexec.requester.app.showUserApp(0, address.appOwner);
    expect(first.objAddress).to.equal(app);
    expect(await iexec.appOwner.app.checkDeployedApp(app)).to.equal(true);
  });

  it("funds accounts, deposits RLC and shows balances", async () => {
    const { iexec, poco, address } = world;
    await world.fund(address.requester, 100n * RLC);
    await world.fund(address.scheduler, 100n * RLC);

    const wallet = await iexec.requester.wallet.checkBalances(address.requester);
    expect(BigInt(wallet.nRLC.toString())).to.equal(100n * RLC);
    expect(BigInt(wallet.wei.toString())).to.be.greaterThan(0n);

    const deposited = await iexec.requester.account.deposit(String(40n * RLC));
    expect(BigInt(deposited.amount.toString())).to.equal(40n * RLC);
    await iexec.scheduler.account.deposit(String(10n * RLC));

    const balance = await iexec.requester.account.checkBalance(address.requester);
    const ours = await poco.requester.account.show(address.requester);
    expect(BigInt(balance.stake.toString()))
      .to.equal(40n * RLC)
      .and.equal(ours.stake);
    expect(BigInt(balance.locked.toString())).to.equal(0n).and.equal(ours.locked);
    expect(ours.wallet).to.equal(60n * RLC);
  });

  it("signs orders whose hashes are ours", async () => {
    const { iexec, poco } = world;
    const order = iexec.appOwner.order;
    signed.app = await order.signApporder(await order.createApporder({ app, appprice: "1", volume: "10" }));
    // The official SDK only signs dataset orders of TEE datasets (v9 tags every order TDX), which need the
    // dataset's key in the SMS: push it to ours first.
    datasetKey = iexec.datasetOwner.dataset.generateEncryptionKey();
    await iexec.datasetOwner.dataset.pushDatasetSecret(dataset, datasetKey);
    expect(await iexec.requester.dataset.checkDatasetSecretExists(dataset)).to.equal(true);
    signed.dataset = await iexec.datasetOwner.order.signDatasetorder(
      await iexec.datasetOwner.order.createDatasetorder({ dataset, datasetprice: "2", volume: "10" }),
    );
    signed.workerpool = await iexec.scheduler.order.signWorkerpoolorder(
      await iexec.scheduler.order.createWorkerpoolorder({
        workerpool,
        workerpoolprice: "3",
        volume: "5",
        category: 0,
      }),
    );
    signed.request = await iexec.requester.order.signRequestorder(
      await iexec.requester.order.createRequestorder({
        app,
        appmaxprice: "1",
        dataset,
        datasetmaxprice: "2",
        workerpool,
        workerpoolmaxprice: "3",
        category: 0,
        volume: "2",
        params: { iexec_args: "hello world" },
      }),
    );

    hashes.app = await iexec.requester.order.hashApporder(signed.app);
    hashes.dataset = await iexec.requester.order.hashDatasetorder(signed.dataset);
    hashes.workerpool = await iexec.requester.order.hashWorkerpoolorder(signed.workerpool);
    hashes.request = await iexec.requester.order.hashRequestorder(signed.request);
    for (const kind of ["app", "dataset", "workerpool", "request"] as const) {
      const ours = parseOrder(kind, plain(signed[kind]), `official ${kind} order`);
      expect(poco.requester.orders.hash(kind, ours), kind).to.equal(hashes[kind]);
    }
  });

  it("publishes the orders to our market, fetches the orderbooks and unpublishes", async () => {
    const { iexec, address } = world;
    expect(await iexec.appOwner.order.publishApporder(signed.app)).to.equal(hashes.app);
    expect(await iexec.datasetOwner.order.publishDatasetorder(signed.dataset)).to.equal(hashes.dataset);
    expect(await iexec.scheduler.order.publishWorkerpoolorder(signed.workerpool)).to.equal(hashes.workerpool);
    expect(await iexec.requester.order.publishRequestorder(signed.request)).to.equal(hashes.request);

    // Read from another account: the orderbook is public.
    const reader = iexec.deployer.orderbook;
    const apps = await reader.fetchAppOrderbook({ app });
    expect(apps.count).to.equal(1);
    expect(apps.orders[0].orderHash).to.equal(hashes.app);
    expect(apps.orders[0].order.sign).to.equal(signed.app.sign);
    expect(Number(apps.orders[0].remaining)).to.equal(10);
    const datasets = await reader.fetchDatasetOrderbook({ dataset, app, requester: address.requester });
    expect(datasets.orders.map((o) => o.orderHash)).to.deep.equal([hashes.dataset]);
    const pools = await reader.fetchWorkerpoolOrderbook({ workerpool, category: 0 });
    expect(pools.orders.map((o) => o.orderHash)).to.deep.equal([hashes.workerpool]);
    expect(Number(pools.orders[0].order.workerpoolprice)).to.equal(3);
    const requests = await reader.fetchRequestOrderbook({ requester: address.requester, app, workerpool });
    expect(requests.orders.map((o) => o.orderHash)).to.deep.equal([hashes.request]);
    // (iexec 9.0.1 types request orderbook entries as workerpool orders)
    expect((requests.orders[0].order as unknown as { params: string }).params).to.equal(
      signed.request.params,
    );
    // Owner filters, tag bounds and strict restrictions.
    expect((await reader.fetchAppOrderbook({ appOwner: address.appOwner })).count).to.equal(1);
    expect((await reader.fetchDatasetOrderbook({ datasetOwner: address.datasetOwner })).count).to.equal(1);
    expect((await reader.fetchWorkerpoolOrderbook({ workerpoolOwner: address.scheduler })).count).to.equal(1);
    expect((await reader.fetchAppOrderbook({ app, minTag: ["tee", "tdx"] })).count).to.equal(1);
    expect((await reader.fetchAppOrderbook({ app, maxTag: "0x" + "0".repeat(64) })).count).to.equal(0);
    expect((await reader.fetchAppOrderbook({ app, minVolume: 11 })).count).to.equal(0);
    // The app order allows any dataset: "strict" leaves out such orders.
    expect((await reader.fetchAppOrderbook({ app, dataset })).count).to.equal(1);
    expect((await reader.fetchAppOrderbook({ app, dataset, isDatasetStrict: true })).count).to.equal(0);
    expect((await reader.fetchWorkerpoolOrderbook({ category: 1 })).count).to.equal(0);
    expect(
      (await reader.fetchRequestOrderbook({ requester: address.requester, category: 0 })).count,
    ).to.equal(1);
    expect(
      (await reader.fetchRequestOrderbook({ requester: address.requester, maxTrust: 0 })).count,
    ).to.equal(1);
    const fetched = await reader.fetchApporder(hashes.app);
    expect(fetched.orderHash).to.equal(hashes.app);
    expect(fetched.signer).to.equal(address.appOwner);
    expect(fetched.order.app).to.equal(app);

    // A second app order, published then unpublished: the orderbook is back to the first one.
    const order = iexec.appOwner.order;
    const second = await order.signApporder(await order.createApporder({ app, appprice: "5", volume: "1" }));
    const secondHash = await order.publishApporder(second);
    expect((await reader.fetchAppOrderbook({ app })).count).to.equal(2);
    expect(await order.unpublishApporder(secondHash)).to.equal(secondHash);
    const after = await reader.fetchAppOrderbook({ app });
    expect(after.orders.map((o) => o.orderHash)).to.deep.equal([hashes.app]);
    // Unpublishing someone else's order is refused.
    await expectRejection(iexec.requester.order.unpublishApporder(hashes.app));
    expect((await reader.fetchAppOrderbook({ app })).count).to.equal(1);
  });

  it("matches the orders, then shows the deal and its task like our SDK", async () => {
    const { iexec, poco, address } = world;
    const matched = await iexec.requester.order.matchOrders({
      apporder: signed.app,
      datasetorder: signed.dataset,
      workerpoolorder: signed.workerpool,
      requestorder: signed.request,
    });
    dealid = matched.dealid;
    expect(Number(matched.volume)).to.equal(2);

    const deal = await iexec.requester.deal.show(dealid);
    const ours = await poco.requester.deals.show(dealid);
    expect(deal.app.pointer).to.equal(app).and.equal(ours.app.pointer);
    expect(deal.dataset.pointer).to.equal(dataset).and.equal(ours.dataset.pointer);
    expect(deal.workerpool.pointer).to.equal(workerpool).and.equal(ours.workerpool.pointer);
    expect(deal.workerpool.owner).to.equal(address.scheduler);
    expect(Number(deal.workerpool.price)).to.equal(3).and.equal(Number(ours.workerpool.price));
    expect(deal.requester).to.equal(address.requester).and.equal(ours.requester);
    expect(deal.params).to.equal(signed.request.params).and.equal(ours.params);
    expect(deal.tag).to.equal(ours.tag);
    expect(Number(deal.botSize)).to.equal(2).and.equal(Number(ours.botSize));
    expect(Number(deal.startTime)).to.equal(Number(ours.startTime));
    expect(Number(deal.finalTime)).to.equal(Number(ours.finalDeadline));
    expect(Object.keys(deal.tasks)).to.have.length(2);
    expect(deal.tasks["0"]).to.equal(ours.tasks[0].taskid);
    expect(await iexec.requester.deal.computeTaskId(dealid, 1)).to.equal(ours.tasks[1].taskid);

    // The escrow locked the price of two tasks.
    const balance = await iexec.requester.account.checkBalance(address.requester);
    expect(BigInt(balance.locked.toString())).to.equal(2n * 6n);

    // The scheduler initializes the first task; both SDKs show it.
    const taskid = ours.tasks[0].taskid;
    await poco.scheduler.work.initialize([{ dealid, idx: 0n }]);
    const task = await iexec.requester.task.show(taskid);
    const ourTask = await poco.requester.tasks.show(taskid);
    expect(task.taskid).to.equal(taskid);
    expect(task.dealid).to.equal(dealid).and.equal(ourTask.dealid);
    expect(Number(task.status)).to.equal(1).and.equal(Number(ourTask.status));
    expect(task.statusName).to.equal("ACTIVE").and.equal(ourTask.statusName);
    expect(Number(task.finalDeadline)).to.equal(Number(ourTask.finalDeadline));
    expect(Number(task.contributionDeadline)).to.equal(Number(ourTask.contributionDeadline));
  });

  it("lists the requester's deals and the orders' deals from our market", async () => {
    const { iexec, address } = world;
    const deals = await eventually(async () => {
      const page = await iexec.deployer.deal.fetchRequesterDeals(address.requester);
      expect(page.count).to.equal(1);
      return page;
    });
    expect(deals.deals[0].dealid).to.equal(dealid);
    expect(deals.deals[0].app.pointer).to.equal(app);
    const byApporder = await iexec.deployer.deal.fetchDealsByApporder(hashes.app);
    expect(byApporder.deals.map((d) => d.dealid)).to.deep.equal([dealid]);
    // The market follows the chain: the app order has 8 runs left.
    await eventually(async () => {
      const fetched = await iexec.deployer.orderbook.fetchApporder(hashes.app);
      expect(Number(fetched.remaining)).to.equal(8);
    });
  });

  it("shows a task completed the way our workers complete it (TEE, enclave-signed, key to the enclave only)", async () => {
    const { iexec, poco } = world;
    // The official SDK tags every order TDX (TEE), so the deal is a TEE deal: the contribution must be
    // signed by an enclave the scheduler names. A key stands in for the enclave here.
    const worker = await OpenPoco.connect({
      chain: world.chain,
      signer: accountKey(10),
      pollingIntervalMs: 50,
    });
    try {
      await world.fund(await worker.address().then((a) => a!), 1n * RLC);
      await worker.account.deposit(1n * RLC);
      const { tasks } = await poco.requester.deals.show(dealid);
      const taskid = tasks[0].taskid;
      const enclave = Wallet.createRandom();
      const authorization = await signAuthorization(
        poco.scheduler.context.signer!,
        (await worker.address())!,
        taskid,
        enclave.address,
      );
      const resultDigest = "0x" + "5e".repeat(32);
      const results = openpocoResultsText(world.chain.resultProxy!, 31337n, taskid);
      const workerAddress = (await worker.address())!;
      // Our SMS gives the TEE deal's dataset key to the enclave the scheduler named, never to a plain worker.
      const sms = new SmsClient(world.chain.sms!);
      const plainAuthorization = await signAuthorization(
        poco.scheduler.context.signer!,
        workerAddress,
        taskid,
      );
      const refused = await rejectionOf(
        sms.taskSecrets(worker.context.signer!, taskid, plainAuthorization),
        ServiceError,
      );
      expect(refused.status).to.equal(403);
      expect(refused.message).to.contain("names no enclave");
      const released = await sms.taskSecrets(worker.context.signer!, taskid, authorization, { enclave });
      expect(released.datasetKey).to.equal(datasetKey);
      const resultHash = computeResultHash(taskid, resultDigest);
      const resultSeal = computeResultSeal(workerAddress, taskid, resultDigest);
      await worker.work.contributeAndFinalize({
        taskid,
        resultDigest,
        results,
        authorization,
        enclaveChallenge: enclave.address,
        enclaveSign: await signEnclaveResult(enclave, resultHash, resultSeal),
      });

      const task = await iexec.requester.task.show(taskid);
      const ours = await poco.requester.tasks.show(taskid);
      expect(task.statusName).to.equal("COMPLETED").and.equal(ours.statusName);
      expect(task.resultDigest).to.equal(resultDigest).and.equal(ours.resultDigest);
      expect(task.results).to.deep.equal(JSON.parse(results));
      expect(task.results).to.deep.equal(JSON.parse(ours.resultsText!));
      expect(task.taskTimedOut).to.equal(false);
      const deal = await iexec.requester.deal.show(dealid);
      expect(Number(deal.finalTime)).to.be.greaterThan(0);
      const observed = await firstEvent(iexec.requester.task.obsTask(taskid, { dealid }));
      expect(observed.message).to.equal("TASK_COMPLETED");
    } finally {
      worker.close();
    }
  });

  it("fetches each published order by hash, deals by order, pages, and observes the deal", async () => {
    const { iexec, address } = world;
    const reader = iexec.deployer.orderbook;
    expect((await reader.fetchDatasetorder(hashes.dataset)).order.dataset).to.equal(dataset);
    const pool = await reader.fetchWorkerpoolorder(hashes.workerpool);
    expect(pool.signer).to.equal(address.scheduler);
    expect(Number(pool.remaining)).to.equal(3);
    const request = await reader.fetchRequestorder(hashes.request);
    expect(request.status).to.equal("filled");
    expect(Number(request.remaining)).to.equal(0);
    await expectRejection(reader.fetchApporder("0x" + "12".repeat(32)));

    for (const [kind, fetch] of [
      ["dataset", (h: string) => iexec.deployer.deal.fetchDealsByDatasetorder(h)],
      ["workerpool", (h: string) => iexec.deployer.deal.fetchDealsByWorkerpoolorder(h)],
      ["request", (h: string) => iexec.deployer.deal.fetchDealsByRequestorder(h)],
    ] as const) {
      const page = await fetch(hashes[kind]);
      expect(
        page.deals.map((d) => d.dealid),
        kind,
      ).to.deep.equal([dealid]);
    }
    const filtered = await iexec.deployer.deal.fetchRequesterDeals(address.requester, {
      appAddress: app,
      datasetAddress: dataset,
      workerpoolAddress: workerpool,
    });
    expect(filtered.count).to.equal(1);
    const none = await iexec.deployer.deal.fetchRequesterDeals(address.requester, { workerpoolAddress: app });
    expect(none.count).to.equal(0);

    // Twelve more workerpool orders: pages of ten, the next one through `more()`.
    const order = iexec.scheduler.order;
    const published: string[] = [hashes.workerpool];
    for (let i = 0; i < 12; i++)
      published.push(
        await order.publishWorkerpoolorder(
          await order.signWorkerpoolorder(
            await order.createWorkerpoolorder({ workerpool, category: 1, workerpoolprice: 10 + i }),
          ),
        ),
      );
    const first = await reader.fetchWorkerpoolOrderbook({ workerpool, category: 1, pageSize: 10 });
    expect(first.count).to.equal(12);
    expect(first.orders).to.have.length(10);
    expect(first.more).to.be.a("function");
    const second = await first.more!();
    expect(second.orders).to.have.length(2);
    expect(second.more).to.equal(undefined);
    const seen = [...first.orders, ...second.orders].map((o) => Number(o.order.workerpoolprice));
    expect(seen).to.deep.equal([...Array(12).keys()].map((i) => 10 + i));
    const removed = await order.unpublishAllWorkerpoolorders(workerpool);
    expect([...removed].sort()).to.deep.equal([...published].sort());
    expect((await reader.fetchWorkerpoolOrderbook({ workerpool })).count).to.equal(0);

    const observed = await firstEvent(iexec.requester.deal.obsDeal(dealid));
    expect(observed.message).to.equal("DEAL_UPDATED");
    expect(observed.tasksCount).to.equal(2);
    expect(observed.completedTasksCount).to.equal(1);

    // Asset helpers over the registries.
    expect(await iexec.deployer.dataset.checkDeployedDataset(dataset)).to.equal(true);
    expect(Number(await iexec.deployer.workerpool.countUserWorkerpools(address.scheduler))).to.equal(1);
    expect((await iexec.deployer.workerpool.showUserWorkerpool(0, address.scheduler)).objAddress).to.equal(
      workerpool,
    );
    expect((await iexec.deployer.dataset.showUserDataset(0, address.datasetOwner)).objAddress).to.equal(
      dataset,
    );
    const next = {
      owner: address.appOwner,
      name: "compat-app-2",
      type: "DOCKER",
      multiaddr: "a/b:1",
      checksum: CHECKSUM,
    };
    const predicted = await iexec.appOwner.app.predictAppAddress(next);
    expect((await iexec.appOwner.app.deployApp(next)).address).to.equal(predicted);
  });

  it("creates and shows categories, and settles a late deal with claim", async () => {
    const { iexec, poco, address } = world;
    // The hub's owner (the deployer) creates a category whose tasks time out after 10 s.
    const { catid } = await iexec.deployer.hub.createCategory({
      name: "compat-short",
      description: "1 s reference",
      workClockTimeRef: 1,
    });
    const category = await iexec.requester.hub.showCategory(catid);
    const ours = await poco.requester.categories.show(BigInt(catid.toString()));
    expect(category.name).to.equal("compat-short").and.equal(ours.name);
    expect(category.description).to.equal(ours.description);
    expect(Number(category.workClockTimeRef)).to.equal(1).and.equal(Number(ours.workClockTimeRef));
    expect(Number(await iexec.requester.hub.countCategory())).to.equal(
      Number(await poco.requester.categories.count()),
    );
    const ratio = await iexec.requester.hub.getTimeoutRatio();
    expect(Number(ratio)).to.equal(10);

    // A deal of two tasks in that category; the first is initialized, the second is not.
    const late = await signFreeOrders(world, { app, workerpool, category: Number(catid), volume: 2 });
    const estimate = await iexec.requester.order.estimateMatchOrders(late);
    expect(Number(estimate.volume)).to.equal(2);
    expect(Number(estimate.total)).to.equal(0);
    const { dealid: lateDeal } = await iexec.requester.order.matchOrders(late);
    const shown = await poco.requester.deals.show(lateDeal);
    await poco.scheduler.work.initialize([{ dealid: lateDeal, idx: 0n }]);

    // The official task observer reports the task as it is.
    const observed = await firstEvent(
      iexec.requester.task.obsTask(shown.tasks[0].taskid, { dealid: lateDeal }),
    );
    expect(observed.message).to.equal("TASK_UPDATED");
    expect(observed.task.statusName).to.equal("ACTIVE");

    // Too early: the official SDK refuses to claim.
    const early = await expectRejection(iexec.requester.deal.claim(lateDeal));
    expect(early).to.match(/before reaching the final time/);

    // Past the final deadline (10 s of chain time); the official SDK decides with the local clock, so it is
    // moved to the chain's time for the claim.
    await network.provider.send("evm_increaseTime", [15]);
    await network.provider.send("evm_mine", []);
    const restore = alignClockWithChain(await poco.requester.work.chainTime());
    try {
      const claimedTask = await iexec.requester.task.claim(shown.tasks[0].taskid);
      expect(claimedTask).to.match(/^0x[0-9a-f]{64}$/);
      const claimedDeal = await iexec.requester.deal.claim(lateDeal);
      expect(Object.values(claimedDeal.claimed)).to.deep.equal([shown.tasks[1].taskid]);
      expect(claimedDeal.transactions.map((t) => t.type)).to.deep.equal(["initializeAndClaimArray"]);
    } finally {
      restore();
    }
    for (const task of shown.tasks)
      expect((await poco.requester.tasks.show(task.taskid)).statusName).to.equal("FAILED");
    // Only the first deal's unfinished task (6 nRLC) stays locked: its completed one was paid out.
    expect((await poco.requester.account.show(address.requester)).locked).to.equal(6n);
  });

  it("pushes secrets, keys and tokens to our SMS", async () => {
    const { iexec, address } = world;
    expect(
      await iexec.requester.secrets.checkRequesterSecretExists(address.requester, "compat-secret"),
    ).to.equal(false);
    const pushed = await iexec.requester.secrets.pushRequesterSecret("compat-secret", "s3cr3t");
    expect(pushed.isPushed).to.equal(true);
    expect(
      await iexec.deployer.secrets.checkRequesterSecretExists(address.requester, "compat-secret"),
    ).to.equal(true);

    expect(await iexec.deployer.app.checkAppSecretExists(app)).to.equal(false);
    expect(await iexec.appOwner.app.pushAppSecret(app, "app secret")).to.equal(true);
    expect(await iexec.deployer.app.checkAppSecretExists(app)).to.equal(true);
    // Only the app's owner may set its secret.
    await expectRejection(iexec.requester.app.pushAppSecret(app, "not mine"));

    const { publicKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    expect(await iexec.requester.result.checkResultEncryptionKeyExists(address.requester)).to.equal(false);
    const key = await iexec.requester.result.pushResultEncryptionKey(publicKey);
    expect(key.isPushed).to.equal(true);
    expect(await iexec.deployer.result.checkResultEncryptionKeyExists(address.requester)).to.equal(true);
    const updated = await iexec.requester.result.pushResultEncryptionKey(publicKey, { forceUpdate: true });
    expect(updated).to.deep.equal({ isPushed: true, isUpdated: true });

    // The SMS's refusals carry the status codes the official SDK turns into its messages (409, 401).
    const again = await expectRejection(
      iexec.requester.secrets.pushRequesterSecret("compat-secret", "other"),
    );
    expect(again).to.match(/already exists/);
    const notOwner = await expectRejection(
      iexec.requester.dataset.pushDatasetSecret(dataset, iexec.requester.dataset.generateEncryptionKey()),
    );
    expect(notOwner).to.match(/is not allowed to set secret/);
    const twice = await expectRejection(
      iexec.datasetOwner.dataset.pushDatasetSecret(dataset, iexec.requester.dataset.generateEncryptionKey()),
    );
    expect(twice).to.match(/already exists .* can't be updated/);
    // Deliberate: our SMS only takes a dataset key that is one (base64 of 32 bytes), the official one any text.
    const { address: other } = await iexec.datasetOwner.dataset.deployDataset({
      owner: address.datasetOwner,
      name: "compat-dataset-2",
      multiaddr: DATASET_URL,
      checksum: CHECKSUM,
    });
    const notKey = await expectRejection(iexec.datasetOwner.dataset.pushDatasetSecret(other, "not a key"));
    expect(notKey).to.match(/400/);
    expect(await iexec.deployer.dataset.checkDatasetSecretExists(other)).to.equal(false);

    const token = await iexec.requester.storage.pushStorageToken("dropbox-token", "dropbox");
    expect(token.isPushed).to.equal(true);
    expect(await iexec.deployer.storage.checkStorageTokenExists(address.requester, "dropbox")).to.equal(true);
  });

  it("encrypts a dataset that our SDK decrypts", async () => {
    const { iexec } = world;
    const key = iexec.datasetOwner.dataset.generateEncryptionKey();
    const clear = Buffer.from("compat dataset content\n".repeat(100));
    const encrypted = await iexec.datasetOwner.dataset.encrypt(clear, key);
    const checksum = await iexec.datasetOwner.dataset.computeEncryptedFileChecksum(encrypted);
    expect(checksum).to.equal("0x" + createHash("sha256").update(encrypted).digest("hex"));
    const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-compat-enc-"));
    try {
      writeFileSync(path.join(dir, "data.enc"), encrypted);
      await decryptFile(path.join(dir, "data.enc"), path.join(dir, "data"), Buffer.from(key, "base64"));
      expect(readFileSync(path.join(dir, "data")).equals(clear)).to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("cancels and unpublishes orders, which our market then drops", async () => {
    const { iexec, poco } = world;
    const order = iexec.appOwner.order;
    const make = async (price: string) =>
      order.signApporder(await order.createApporder({ app, appprice: price }));
    const [a, b, c] = [await make("7"), await make("8"), await make("9")];
    const [ha, hb, hc] = [
      await order.publishApporder(a),
      await order.publishApporder(b),
      await order.publishApporder(c),
    ];
    const count = async () => (await iexec.deployer.orderbook.fetchAppOrderbook({ app })).count;
    expect(await count()).to.equal(4);

    // Canceled on chain: the market's watcher removes it from the orderbook.
    await order.cancelApporder(a);
    const status = await poco.appOwner.orders.status("app", parseOrder("app", plain(a), "order a"));
    expect(status.orderHash).to.equal(ha);
    expect(status.remaining).to.equal(0n);
    await eventually(async () => expect(await count()).to.equal(3));

    // The last one published, then all the rest.
    expect(await order.unpublishLastApporder(app)).to.equal(hc);
    expect(await count()).to.equal(2);
    const all = await order.unpublishAllApporders(app);
    expect([...all].sort()).to.deep.equal([hashes.app, hb].sort());
    expect(await count()).to.equal(0);
  });

  it("moves RLC and ether, withdraws, and reads the network", async () => {
    const { iexec, poco, address } = world;
    const stranger = Wallet.createRandom().address;
    await iexec.deployer.wallet.sendRLC(String(5n * RLC), stranger);
    await iexec.deployer.wallet.sendETH("1000000000000000", stranger);
    const balances = await iexec.requester.wallet.checkBalances(stranger);
    expect(BigInt(balances.nRLC.toString())).to.equal(5n * RLC);
    expect(BigInt(balances.wei.toString())).to.equal(10n ** 15n);
    expect((await poco.requester.account.show(stranger)).wallet).to.equal(5n * RLC);

    const before = await poco.requester.account.show(address.requester);
    const withdrawn = await iexec.requester.account.withdraw(String(1n * RLC));
    expect(BigInt(withdrawn.amount.toString())).to.equal(1n * RLC);
    const after = await poco.requester.account.show(address.requester);
    expect(after.stake).to.equal(before.stake - 1n * RLC);
    expect(after.wallet).to.equal(before.wallet + 1n * RLC);

    // Escrow allowances (the hub's ERC-20 side).
    await iexec.requester.account.approve(String(2n * RLC), address.scheduler);
    expect(
      BigInt((await iexec.deployer.account.checkAllowance(address.requester, address.scheduler)).toString()),
    ).to.equal(2n * RLC);
    await iexec.requester.account.revokeApproval(address.scheduler);
    expect(
      BigInt((await iexec.deployer.account.checkAllowance(address.requester, address.scheduler)).toString()),
    ).to.equal(0n);

    // A throwaway wallet sweeps its RLC to the deployer.
    const throwaway = Wallet.createRandom();
    await iexec.deployer.wallet.sendRLC(String(3n * RLC), throwaway.address);
    await iexec.deployer.wallet.sendETH("10000000000000000", throwaway.address);
    const deployerRlc = (await poco.deployer.account.show(address.deployer)).wallet;
    const swept = await world.connectIExec(throwaway.privateKey).wallet.sweep(address.deployer);
    // (Its ether part depends on Hardhat's fee estimates, not on our stack: not checked.)
    expect(swept.sendERC20TxHash).to.match(/^0x[0-9a-f]{64}$/);
    expect((await poco.deployer.account.show(address.deployer)).wallet).to.equal(deployerRlc + 3n * RLC);
    expect((await poco.deployer.account.show(throwaway.address)).wallet).to.equal(0n);

    expect(await iexec.requester.wallet.getAddress()).to.equal(address.requester);
    expect((await iexec.requester.network.getNetwork()).chainId).to.equal("31337");
  });

  it("publishes orders signed by our SDK (untagged, not TEE) and shows their deal", async () => {
    const { iexec, poco } = world;
    const ourApp = await poco.appOwner.orders.sign("app", appOrder({ app, volume: 1n }));
    const ourPool = await poco.scheduler.orders.sign(
      "workerpool",
      workerpoolOrder({ workerpool, category: 0n }),
    );
    const ourRequest = await poco.requester.orders.sign(
      "request",
      await poco.requester.orders.createRequest(
        { app: ourApp, workerpool: ourPool },
        // The official SDK only takes JSON params naming "ipfs" as result storage for non-TEE requests.
        { params: buildParams({ args: "from openpoco", storageProvider: "ipfs" }) },
      ),
    );
    const [apporder, workerpoolorder, requestorder] = [
      orderToJson("app", ourApp),
      orderToJson("workerpool", ourPool),
      orderToJson("request", ourRequest),
    ];
    const hash = await iexec.appOwner.order.publishApporder(apporder as never);
    expect(hash).to.equal(poco.deployer.orders.hash("app", ourApp));
    expect((await iexec.deployer.orderbook.fetchApporder(hash)).order.tag).to.equal(ZeroHash);
    // iexec 9 matches TDX deals only (its own rule, checked before sending): our SDK matches these.
    const refused = await expectRejection(
      iexec.requester.order.matchOrders({ apporder, workerpoolorder, requestorder } as never),
    );
    expect(refused).to.match(/must have both \[tee\] and \[tdx\] tags/);
    const matched = await poco.requester.orders.match({
      app: ourApp,
      workerpool: ourPool,
      request: ourRequest,
    });
    const deal = await iexec.requester.deal.show(matched.dealid);
    // An untagged deal: our non-TEE workers can run it.
    expect(deal.tag).to.equal(ZeroHash);
    expect((await poco.requester.deals.show(matched.dealid)).botSize).to.equal(1n);
    await eventually(async () => {
      expect((await iexec.deployer.orderbook.fetchApporder(hash)).status).to.equal("filled");
    });
  });

  it("transfers an app; our market then drops its owner's orders", async () => {
    const { iexec, poco, address } = world;
    const order = iexec.appOwner.order;
    const hash = await order.publishApporder(await order.signApporder(await order.createApporder({ app })));
    expect((await iexec.deployer.orderbook.fetchApporder(hash)).status).to.equal("open");
    const moved = await iexec.appOwner.app.transferApp(app, address.requester);
    expect(moved.to).to.equal(address.requester);
    expect((await poco.deployer.assets.showApp(app)).owner).to.equal(address.requester);
    await eventually(async () => {
      expect((await iexec.deployer.orderbook.fetchAppOrderbook({ app })).count).to.equal(0);
    });
  });
});

/** Official app, workerpool and request orders at price 0, signed by their owners. */
async function signFreeOrders(
  world: CompatWorld,
  terms: { app: string; workerpool: string; category: number; volume: number },
) {
  const { iexec } = world;
  const apporder = await iexec.appOwner.order.signApporder(
    await iexec.appOwner.order.createApporder({ app: terms.app, volume: terms.volume }),
  );
  const workerpoolorder = await iexec.scheduler.order.signWorkerpoolorder(
    await iexec.scheduler.order.createWorkerpoolorder({
      workerpool: terms.workerpool,
      category: terms.category,
      volume: terms.volume,
    }),
  );
  const requestorder = await iexec.requester.order.signRequestorder(
    await iexec.requester.order.createRequestorder({
      app: terms.app,
      workerpool: terms.workerpool,
      category: terms.category,
      volume: terms.volume,
    }),
  );
  return { apporder, workerpoolorder, requestorder };
}

/** Makes `Date.now` answer the chain's time (when it is ahead); returns the function that restores it. */
function alignClockWithChain(chainTime: bigint): () => void {
  const realNow = Date.now;
  const offset = Number(chainTime) * 1000 - realNow();
  if (offset > 0) Date.now = () => realNow() + offset;
  return () => {
    Date.now = realNow;
  };
}

/** The official SDK's signed orders, by kind. */
type SignedOrders = {
  app: Awaited<ReturnType<IExecLib.IExecOrderModule["signApporder"]>>;
  dataset: Awaited<ReturnType<IExecLib.IExecOrderModule["signDatasetorder"]>>;
  workerpool: Awaited<ReturnType<IExecLib.IExecOrderModule["signWorkerpoolorder"]>>;
  request: Awaited<ReturnType<IExecLib.IExecOrderModule["signRequestorder"]>>;
};

/** The fields of an official SDK observer's event (task or deal) that these tests read. */
type ObservedEvent = {
  message: string;
  tasksCount: number;
  completedTasksCount: number;
  task: { statusName: string };
};

/** The first event of an official SDK observable (task or deal), then unsubscribes. */
function firstEvent(
  observable: Promise<{ subscribe(observer: object): () => void }>,
): Promise<ObservedEvent> {
  return new Promise((resolve, reject) => {
    observable.then((o) => {
      const unsubscribe = o.subscribe({
        next: (event: unknown) => {
          unsubscribe();
          resolve(event as ObservedEvent);
        },
        error: reject,
      });
    }, reject);
  });
}

/** Retries `check` until it passes (the market follows the chain every 200 ms), for at most 10 s. */
async function eventually<T>(check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Asserts that `promise` rejects; returns the error's message. */
async function expectRejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a rejection");
}
