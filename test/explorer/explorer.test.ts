/**
 * The explorer in a real browser (Debian's chromium driven by playwright-core) against a whole local stack
 * after a demo deal: an app built FROM scratch and run by a worker on the Docker engine, its task COMPLETED
 * with its result in the result store. Screenshots of the main pages go to docs/screenshots/.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  DEV_ENCLAVE_WARNING,
  MarketClient,
  TEE_TDX_TAG,
  TaskStatus,
  computeTaskId,
  formatRlc,
  type TaskInfo,
} from "../../src/sdk";
import { startExplorer, type RunningExplorer } from "../../src/explorer/serve";
import type { WorkerApp } from "../../src/worker/agent";
import {
  buyExecution,
  deployApp,
  signOffers,
  stackWorld,
  startScheduler,
  startServices,
  startWorker,
  waitForTask,
  type PushedImage,
  type StackWorld,
  type WorldServices,
} from "../stack/world";
import {
  closedPort,
  ensureExplorerBuilt,
  horizontalOverflow,
  launchChromium,
  walletContext as injectedWallet,
  screenshot,
  waitForMainText,
} from "./browser";

const WAIT_MS = 20_000;

describe("explorer in a browser @explorer", function () {
  this.timeout(240_000);
  let world: StackWorld;
  let services: WorldServices;
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;
  let schedulerStopped = false;
  let worker: WorkerApp | undefined;
  let market: MarketClient;
  let explorer: RunningExplorer;
  let browser: Browser;
  let context: BrowserContext;
  let app: string;
  let image: PushedImage;
  let dealid: string;
  let taskid: string;
  let task: TaskInfo;
  let appOrderHash: string;
  let workerpoolOrderHash: string;

  before(async function () {
    ensureExplorerBuilt();
    world = await stackWorld({ workers: 1 });
    services = await startServices(world);
    scheduler = await startScheduler(world);
    worker = await startWorker(world, 0, scheduler.url);
    ({ app, image } = await deployApp(
      world,
      "explorer-demo",
      'echo "hello $1" > /iexec_out/result.txt; echo "hello $1" > /iexec_out/determinism.iexec',
    ));
    // The demo deal, run by the worker to its end.
    dealid = await buyExecution(world, { app, params: JSON.stringify({ iexec_args: "explorer" }) });
    taskid = computeTaskId(dealid, 0n);
    task = await waitForTask(world.requester, taskid, 120_000);
    expect(task.statusName, `demo task ${taskid} did not complete`).to.equal("COMPLETED");
    // Orders on the market, for the app page and the orderbook.
    market = new MarketClient(services.market.url, world.chain.id!);
    const offers = await signOffers(world, { app, volume: 5n });
    appOrderHash = await market.publish("app", offers.app, world.appOwner.context.signer!);
    workerpoolOrderHash = await market.publish(
      "workerpool",
      offers.workerpool,
      world.scheduler.context.signer!,
    );
    // The market records deals as its watcher sees them.
    const deadline = Date.now() + WAIT_MS;
    while ((await market.deals({ app })).count === 0) {
      if (Date.now() > deadline)
        throw new Error(`the market at ${services.market.url} never recorded deal ${dealid}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    explorer = await startExplorer({ port: 0, chain: world.chain });
    browser = await launchChromium();
  });

  beforeEach(async function () {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterEach(async function () {
    await context?.close();
  });

  after(async function () {
    await browser?.close();
    await explorer?.stop();
    await worker?.stop();
    if (!schedulerStopped) await scheduler?.stop();
    await services?.stop();
    await world?.close();
  });

  /** A browser context whose injected wallet is `address` (an unlocked account of the node). */
  function walletContext(address: string): Promise<BrowserContext> {
    return injectedWallet(browser, world.chain.host, address);
  }

  async function open(
    route: string,
    ready: string,
    what: string,
    target: BrowserContext = context,
  ): Promise<Page> {
    const page = await target.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${explorer.url}#${route}`);
    try {
      await page.waitForSelector(ready, { timeout: WAIT_MS });
    } catch (error) {
      const text = await page.locator("body").innerText();
      throw new Error(`${what}: ${ready} never appeared at #${route}. The page says:\n${text}`, {
        cause: error,
      });
    }
    return page;
  }

  it("the home page lists the demo deal from the market and the chain's latest block", async function () {
    const page = await open("/", `a[title="${dealid}"]`, "home page");
    await waitForMainText(page, /latest block\s*\d+/);
    const block = await world.requester.context.provider.getBlockNumber();
    const shown = /latest block\s*(\d+)/.exec(await page.locator("main").innerText())![1];
    expect(Number(shown), "latest block on the home page").to.be.within(block - 5, block);
    expect(await page.locator('[role="alert"]').count(), "no error on the home page").to.equal(0);
    await screenshot(page, "home");
  });

  it("the app page shows the app's name, owner, multiaddr and checksum, and its published order", async function () {
    const page = await open(`/app/${app}`, '[data-field="name"]', "app page");
    const fields = await page.locator("dl.fields").innerText();
    const owner = (await world.appOwner.address())!;
    expect(await page.locator('[data-field="name"]').innerText(), "app name").to.equal("explorer-demo");
    expect(fields, "app owner").to.contain(owner);
    expect(fields, "app multiaddr").to.contain(image.reference);
    expect(fields, "app checksum").to.contain(image.checksum);
    await page.waitForSelector(`td[title="${appOrderHash}"]`);
    expect(await page.locator(`a[title="${dealid}"]`).count(), "the app's deal is listed").to.equal(1);
    await screenshot(page, "app");
  });

  it("the deal page shows the task COMPLETED with the link to its result", async function () {
    const page = await open(`/deal/${dealid}`, `tr[data-taskid="${taskid}"]`, "deal page");
    const row = page.locator(`tr[data-taskid="${taskid}"]`);
    expect(await row.locator(".badge").innerText(), "task status on the deal page").to.equal("COMPLETED");
    const location = (JSON.parse(task.resultsText!) as { location: string }).location;
    expect(location, "the demo task's result is in the result store").to.contain(services.results.url);
    // The store serves the requester alone: the link leads to the task page's signed download.
    const link = row.locator("a.result-link");
    expect(await link.getAttribute("href"), "result link").to.equal(`#/task/${taskid}`);
    expect(await link.getAttribute("title"), "the result's location").to.equal(location);
    const fields = await page.locator("dl.fields").first().innerText();
    expect(fields, "price per task").to.contain(formatRlc(2n * 10n ** 9n));
    expect(fields, "requester").to.contain((await world.requester.address())!);
    await screenshot(page, "deal");
  });

  it("a TEE deal's pages name the development enclave; a standard deal's do not", async function () {
    // Never run here (this world's worker is plain): the pages show what the chain says of the deal.
    const teeDeal = await buyExecution(world, { app, tag: TEE_TDX_TAG });
    const page = await open(`/deal/${teeDeal}`, '[data-testid="tee-dev"]', "TEE deal page");
    const fields = await page.locator("dl.fields").first().innerText();
    expect(fields).to.contain("TEE+TDX").and.to.contain(DEV_ENCLAVE_WARNING);
    const taskPage = await open(
      `/task/${computeTaskId(teeDeal, 0n)}`,
      '[data-testid="tee-dev"]',
      "TEE task page",
    );
    expect(await taskPage.locator('[data-testid="tee-dev"]').innerText()).to.contain(DEV_ENCLAVE_WARNING);
    const standard = await open(`/deal/${dealid}`, `tr[data-taskid="${taskid}"]`, "standard deal page");
    expect(await standard.locator("dl.fields").first().innerText()).to.contain("standard");
    expect(await standard.locator('[data-testid="tee-dev"]').count()).to.equal(0);
  });

  it("search finds a task by id and the task page shows its timeline, contribution and consensus", async function () {
    const page = await open("/", 'input[name="q"]', "home page");
    await page.fill('input[name="q"]', taskid);
    await page.press('input[name="q"]', "Enter");
    await page.waitForURL((url) => url.hash === `#/task/${taskid}`, { timeout: WAIT_MS });
    await page.waitForSelector("ol.timeline");
    const fields = await page.locator("dl.fields").innerText();
    expect(await page.locator("dl.fields .badge").innerText(), "task status").to.equal("COMPLETED");
    expect(fields, "consensus value").to.contain(task.consensusValue);
    expect(fields, "deal of the task").to.contain(dealid);
    const contributions = await page.locator(".table-wrap").innerText();
    expect(contributions, "the worker's contribution").to.contain(worker!.address.slice(0, 8));
    expect(contributions, "contribution status").to.contain("PROVED");
    await screenshot(page, "task");
  });

  it("search finds an app by address and a deal by id", async function () {
    const page = await open("/", 'input[name="q"]', "home page");
    await page.fill('input[name="q"]', app);
    await page.press('input[name="q"]', "Enter");
    await page.waitForURL((url) => url.hash === `#/app/${app}`, { timeout: WAIT_MS });
    await page.fill('input[name="q"]', dealid);
    await page.press('input[name="q"]', "Enter");
    await page.waitForURL((url) => url.hash === `#/deal/${dealid}`, { timeout: WAIT_MS });
    const unknown = "0x" + "ab".repeat(32);
    await page.fill('input[name="q"]', unknown);
    await page.press('input[name="q"]', "Enter");
    await page.waitForSelector('main [role="alert"]');
    expect(await page.locator('main [role="alert"]').innerText()).to.contain(
      `No deal and no initialized task has the id ${unknown}`,
    );
  });

  it("the account page shows the requester's stake and locked amounts as the chain has them", async function () {
    const requester = (await world.requester.address())!;
    const balances = await world.requester.account.show(requester);
    const page = await open(`/account/${requester}`, '[data-field="stake"]', "account page");
    expect(await page.locator('[data-field="stake"]').innerText(), "stake").to.equal(
      formatRlc(balances.stake),
    );
    expect(await page.locator('[data-field="locked"]').innerText(), "locked").to.equal(
      formatRlc(balances.locked),
    );
    await page.waitForSelector(`a[title="${dealid}"]`);
    await screenshot(page, "account");
  });

  it("the orderbook page lists the published workerpool order, the categories page the chain's categories", async function () {
    const page = await open("/orderbook/workerpool", `td[title="${workerpoolOrderHash}"]`, "orderbook page");
    await screenshot(page, "orderbook");
    // The app orderbook by the owner's address.
    const owner = (await world.appOwner.address())!;
    await page.goto(`${explorer.url}#/orderbook/app?address=${owner}&owner=1`);
    await page.waitForSelector(`td[title="${appOrderHash}"]`);
    expect(await page.locator('input[name="owner"]').isChecked(), "owner filter shown as set").to.equal(true);
    const count = Number(await world.deployer.categories.count());
    await page.goto(`${explorer.url}#/categories`);
    await page.waitForSelector("table tbody tr");
    expect(await page.locator("table tbody tr").count(), "categories listed").to.equal(count);
    expect(await page.locator("table").innerText(), "the test category").to.contain("E2E");
    await screenshot(page, "categories");
  });

  it("says clearly that the market is unreachable when it does not answer", async function () {
    const deadUrl = `http://127.0.0.1:${await closedPort()}`;
    const broken = await startExplorer({ port: 0, chain: { ...world.chain, iexecGateway: deadUrl } });
    try {
      const page = await context.newPage();
      await page.goto(broken.url);
      await page.waitForSelector('[data-testid="health"]', { timeout: WAIT_MS });
      const message = `The market at ${deadUrl} is unreachable`;
      expect(await page.locator('[data-testid="health"]').innerText(), "banner").to.contain(message);
      await page.waitForSelector('main [role="alert"]');
      expect(await page.locator('main [role="alert"]').innerText(), "deal list error").to.contain(message);
      // The chain still answers: its summary is there.
      await waitForMainText(page, /latest block\s*\d+/);
      await screenshot(page, "error");
    } finally {
      await broken.stop();
    }
  });

  it("says clearly that the chain is unreachable when its node does not answer", async function () {
    const deadUrl = `http://127.0.0.1:${await closedPort()}`;
    const broken = await startExplorer({ port: 0, chain: { ...world.chain, host: deadUrl } });
    try {
      const page = await context.newPage();
      await page.goto(`${broken.url}#/task/${taskid}`);
      await page.waitForSelector('[data-testid="health"]', { timeout: WAIT_MS });
      const message = `The chain node at ${deadUrl} is unreachable`;
      expect(await page.locator('[data-testid="health"]').innerText(), "banner").to.contain(message);
      expect(await page.locator('main [role="alert"]').innerText(), "task page error").to.contain(message);
    } finally {
      await broken.stop();
    }
  });

  it("a connected wallet cancels its own published order, and only its own", async function () {
    const order = await world.appOwner.orders.sign("app", {
      app,
      appprice: 3n * 10n ** 9n,
      volume: 7n,
      tag: "0x" + "0".repeat(64),
      datasetrestrict: "0x" + "0".repeat(40),
      workerpoolrestrict: "0x" + "0".repeat(40),
      requesterrestrict: "0x" + "0".repeat(40),
      salt: Wallet.createRandom().privateKey,
    });
    const orderHash = await market.publish("app", order, world.appOwner.context.signer!);
    const row = `tr:has(td[title="${orderHash}"])`;
    // Someone else's wallet: no cancel button on the app owner's orders.
    const stranger = await walletContext((await world.requester.address())!);
    try {
      const page = await open(`/app/${app}`, row, "app page (requester's wallet)", stranger);
      await page.click("button.wallet");
      await page.waitForSelector('[data-testid="wallet"]');
      await page.waitForSelector("th:text('action')");
      expect(await page.locator(`${row} button`).count(), "cancel button on another's order").to.equal(0);
    } finally {
      await stranger.close();
    }
    const owner = await walletContext((await world.appOwner.address())!);
    try {
      const page = await open(`/app/${app}`, row, "app page (owner's wallet)", owner);
      await page.click("button.wallet");
      const shown = await page.locator('[data-testid="wallet"]').getAttribute("title");
      expect(shown, "connected account").to.equal((await world.appOwner.address())!);
      await page.click(`${row} button:text("Cancel")`);
      await page.waitForSelector(`${row} .action-done, ${row} .action-failed`);
      expect(await page.locator(`${row} .action`).innerText(), "cancel result").to.match(/^Cancel\s*Done/);
      const status = await world.appOwner.orders.status("app", order);
      expect(status.remaining, "remaining volume of the canceled order on chain").to.equal(0n);
      await screenshot(page, "wallet");
    } finally {
      await owner.close();
    }
  });

  it("renders on a phone-sized screen without horizontal overflow", async function () {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const pages: [string, string][] = [
        ["/", `a[title="${dealid}"]`],
        [`/deal/${dealid}`, `tr[data-taskid="${taskid}"]`],
        [`/task/${taskid}`, "ol.timeline"],
        [`/app/${app}`, `td[title="${appOrderHash}"]`],
        ["/orderbook/workerpool", `td[title="${workerpoolOrderHash}"]`],
      ];
      for (const [route, ready] of pages) {
        const page = await open(route, ready, "phone page", phone);
        expect(await horizontalOverflow(page), `horizontal overflow of #${route} on a phone`).to.equal(0);
        if (route === `/deal/${dealid}`) await screenshot(page, "phone");
        await page.close();
      }
    } finally {
      await phone.close();
    }
  });

  it("a connected wallet claims a task past its final deadline from the task page (runs last: moves time)", async function () {
    // A task the scheduler starts but no worker runs: stop the worker, then the scheduler once it started it.
    await worker!.stop();
    worker = undefined;
    const stuckDeal = await buyExecution(world, { app });
    const stuckTask = computeTaskId(stuckDeal, 0n);
    const started = await waitForTask(
      world.requester,
      stuckTask,
      60_000,
      (t) => t.status >= TaskStatus.ACTIVE,
    );
    expect(started.statusName, "the scheduler started the task").to.equal("ACTIVE");
    await scheduler.stop();
    schedulerStopped = true;
    const now = BigInt((await world.requester.context.provider.getBlock("latest"))!.timestamp);
    await network.provider.send("evm_increaseTime", [Number(started.finalDeadline - now) + 5]);
    await network.provider.send("evm_mine", []);
    const requester = await walletContext((await world.requester.address())!);
    try {
      const page = await open(
        `/task/${stuckTask}`,
        ".claim button",
        "task page past its deadline",
        requester,
      );
      await page.click(".claim button");
      await page.waitForSelector("dl.fields .status-failed", { timeout: WAIT_MS });
      const task = await world.requester.tasks.show(stuckTask);
      expect(task.statusName, "task status on chain after the claim").to.equal("FAILED");
      expect(await page.locator("ol.timeline").innerText(), "timeline").to.contain("FAILED");
    } finally {
      await requester.close();
    }
  });
});
