/**
 * The explorer in a real browser (Debian's chromium, playwright-core) on the in-process chain, without Docker:
 * tasks made on chain by hand, their workerpool's word served by a fake Compass and workerpool API (with
 * CORS), a real result store and market. Checks the failure view (a task that will not complete, a task
 * completed with an app error), the unreachable workerpool API, the result download with the requester's
 * wallet and the instructions for anyone else, the timeline of a finished task (a time for each status, no
 * countdown), and the orderbook's tag column at 1280 px.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startExplorer, type RunningExplorer } from "../../src/explorer/serve";
import { MarketApp } from "../../src/market/app";
import { ResultStoreApp } from "../../src/results/app";
import {
  MarketClient,
  ResultsClient,
  SILENT_LOGGER,
  digestOf,
  signAuthorization,
  type ChainConfig,
} from "../../src/sdk";
import { serveInProcessChain } from "../cli/harness";
import { signedOrders } from "../matching/fixtures";
import { contribute, initTask, makeDeal, reveal, taskSetup, type TaskSetup } from "../tasks/fixtures";
import {
  closedPort,
  ensureExplorerBuilt,
  horizontalOverflow,
  launchChromium,
  screenshot,
  walletContext as injectedWallet,
} from "./browser";
import { startFakeWorkerpool, workerpoolTask, type FakeWorkerpool } from "./fake-workerpool";

const WAIT_MS = 20_000;
const TEE_TAG = "0x" + "0".repeat(63) + "1";
const TEE_TDX_TAG = "0x" + "0".repeat(63) + "9";

describe("explorer: the workerpool's diagnosis, results and tags @explorer", function () {
  this.timeout(180_000);
  let setup: TaskSetup;
  let served: { url: string; close(): Promise<void> };
  let chain: ChainConfig;
  let dir: string;
  let zip: Buffer;
  let results: ResultStoreApp;
  let market: MarketApp;
  let fake: FakeWorkerpool;
  let explorer: RunningExplorer;
  let browser: Browser;
  let context: BrowserContext;
  /** ACTIVE on chain; the workerpool says every worker refused it (wrong app checksum). */
  let failing: { dealid: string; taskid: string };
  /** COMPLETED on chain with a result in the store; the workerpool says the app exited 3. */
  let crashed: { dealid: string; taskid: string };
  /** ACTIVE on chain; its workerpool's API does not answer. */
  let silent: { dealid: string; taskid: string };
  let workerpoolOrders: { standard: string; tee: string; teeTdx: string };

  before(async function () {
    ensureExplorerBuilt();
    setup = await taskSetup();
    served = await serveInProcessChain();
    chain = { name: "test", host: served.url, id: 31337n, hub: await setup.hub.getAddress() };
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-explorer-diagnosis-"));
    zip = Buffer.from("PK\u0005\u0006" + "\0".repeat(18), "binary");
    writeFileSync(path.join(dir, "result.zip"), zip);
    results = await ResultStoreApp.start({
      chain,
      dataDir: path.join(dir, "results"),
      port: 0,
      logger: SILENT_LOGGER,
    });
    market = await MarketApp.start({
      chain,
      dataDir: path.join(dir, "market"),
      port: 0,
      syncIntervalMs: 200,
    });
    fake = await startFakeWorkerpool();

    // A task every worker refuses.
    const failingDeal = await makeDeal(setup);
    failing = { dealid: failingDeal.dealid, taskid: await initTask(setup, failingDeal) };
    const finalDeadline = (await setup.hub.viewTask(failing.taskid)).finalDeadline;
    const refused = (worker: string, at: string) => ({
      walletAddress: worker,
      currentStatus: "FAILED" as const,
      appExitCode: null,
      statusUpdateList: [
        { status: "CREATED" as const, date: at, modifier: "POOL_MANAGER" as const },
        {
          status: "FAILED" as const,
          date: at,
          modifier: "WORKER" as const,
          details: {
            cause: "APP_CHECKSUM_MISMATCH" as const,
            detail: "image digest sha256:abc is not 0x11…",
          },
        },
      ],
    });
    fake.tasks.set(
      failing.taskid,
      workerpoolTask(failing.taskid, failing.dealid, {
        currentStatus: "FAILED",
        dateStatusList: [
          { status: "RECEIVED", date: "2026-12-07T10:00:00.000Z" },
          { status: "INITIALIZED", date: "2026-12-07T10:00:05.000Z" },
          { status: "FAILED", date: "2026-12-07T10:00:08.000Z" },
        ],
        replicates: [
          refused(setup.workers[0].address, "2026-12-07T10:00:07.000Z"),
          refused(setup.workers[1].address, "2026-12-07T10:00:08.000Z"),
        ],
        failure: {
          code: "APP_CHECKSUM_MISMATCH",
          party: "app owner",
          summary: "The app's Docker image does not match the checksum registered for the app.",
          fix: "Register the app again with the image's digest (`openpoco app deploy`), or push the image that has it.",
          detail: "image digest sha256:abc is not 0x11…",
          witnesses: 2,
        },
        refund: { claimableAt: Number(finalDeadline), claimTx: null },
      }),
    );

    // A task run to its end: the worker uploads the app's error.json zip, contributes, reveals; finalized.
    const crashedDeal = await makeDeal(setup);
    const crashedTask = await initTask(setup, crashedDeal);
    crashed = { dealid: crashedDeal.dealid, taskid: crashedTask };
    const [worker] = setup.workers;
    const uploaded = await new ResultsClient(results.url, 31337n).upload(
      crashedTask,
      path.join(dir, "result.zip"),
      {
        signer: worker,
        authorization: await signAuthorization(setup.scheduler, worker.address, crashedTask),
      },
    );
    const digest = digestOf("error.json");
    await (await contribute(setup, worker, crashedTask, digest)).wait();
    await (await reveal(setup, worker, crashedTask, digest)).wait();
    await (
      await setup.hub
        .connect(setup.scheduler)
        .finalize(crashedTask, ethers.toUtf8Bytes(uploaded.results), "0x")
    ).wait();
    fake.tasks.set(
      crashedTask,
      workerpoolTask(crashedTask, crashedDeal.dealid, {
        currentStatus: "COMPLETED",
        dateStatusList: [
          { status: "RECEIVED", date: "2026-12-07T11:00:00.000Z" },
          { status: "INITIALIZED", date: "2026-12-07T11:00:02.000Z" },
          { status: "RUNNING", date: "2026-12-07T11:00:04.000Z" },
          { status: "CONSENSUS_REACHED", date: "2026-12-07T11:00:09.000Z" },
          { status: "RESULT_UPLOADED", date: "2026-12-07T11:00:10.000Z" },
          { status: "COMPLETED", date: "2026-12-07T11:00:12.000Z" },
        ],
        replicates: [
          {
            walletAddress: worker.address,
            currentStatus: "COMPLETED",
            appExitCode: 3,
            statusUpdateList: [
              { status: "CREATED", date: "2026-12-07T11:00:03.000Z", modifier: "POOL_MANAGER" },
              {
                status: "COMPUTED",
                date: "2026-12-07T11:00:06.000Z",
                modifier: "WORKER",
                details: { cause: "APP_CRASHED", exitCode: 3 },
              },
              { status: "COMPLETED", date: "2026-12-07T11:00:12.000Z", modifier: "POOL_MANAGER" },
            ],
          },
        ],
        appError: { code: "APP_CRASHED", exitCode: 3 },
      }),
    );

    const silentDeal = await makeDeal(setup);
    silent = { dealid: silentDeal.dealid, taskid: await initTask(setup, silentDeal) };

    // Workerpool orders with three tags, on the market.
    const client = new MarketClient(market.url, 31337n);
    const publish = async (tag: string) =>
      client.publish(
        "workerpool",
        (
          await signedOrders(setup, {
            workerpool: { tag, volume: 5n, salt: ethers.hexlify(ethers.randomBytes(32)) },
          })
        ).workerpool,
        setup.scheduler,
      );
    workerpoolOrders = {
      standard: await publish(ethers.ZeroHash),
      tee: await publish(TEE_TAG),
      teeTdx: await publish(TEE_TDX_TAG),
    };

    explorer = await startExplorer({
      port: 0,
      chain: { ...chain, iexecGateway: market.url, resultProxy: results.url, compass: fake.url },
    });
    browser = await launchChromium();
  });

  beforeEach(async function () {
    fake.apiUrl = fake.url;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  });

  afterEach(async function () {
    await context?.close();
  });

  after(async function () {
    await browser?.close();
    await explorer?.stop();
    await fake?.stop();
    await market?.stop();
    await results?.stop();
    await served?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A browser context whose injected wallet is `address` (an unlocked account of the node). */
  function walletContext(address: string): Promise<BrowserContext> {
    return injectedWallet(browser, served.url, address, { acceptDownloads: true });
  }

  async function open(route: string, ready: string, target: BrowserContext = context): Promise<Page> {
    const page = await target.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${explorer.url}#${route}`);
    try {
      await page.waitForSelector(ready, { timeout: WAIT_MS });
    } catch (error) {
      const text = await page.locator("body").innerText();
      throw new Error(`${ready} never appeared at #${route}. The page says:\n${text}`, { cause: error });
    }
    return page;
  }

  it("a task every worker refused shows what failed, who must fix it, what to do, witnesses and the refund", async function () {
    const page = await open(`/task/${failing.taskid}`, '[data-testid="failure"]');
    const failure = await page.locator('[data-testid="failure"]').innerText();
    expect(failure, "the code").to.contain("This task will not complete: APP_CHECKSUM_MISMATCH");
    expect(failure, "what failed").to.contain("does not match the checksum registered for the app");
    expect(await page.locator('[data-testid="failure"] [data-field="party"]').innerText(), "who").to.equal(
      "app owner",
    );
    expect(failure, "what to do").to.contain("Register the app again with the image's digest");
    expect(failure, "witnesses").to.contain("2 worker(s) reported it");
    const refund = await page.locator('[data-testid="refund"]').innerText();
    expect(refund, "when the refund can be claimed").to.match(/can be claimed back from .+ chain time/);
    // Each worker's replicate, with its cause.
    for (const worker of setup.workers.slice(0, 2)) {
      const row = page.locator(`tr[data-worker="${worker.address}"]`);
      expect(await row.innerText(), `replicate of ${worker.address}`).to.match(
        /FAILED[\s\S]*APP_CHECKSUM_MISMATCH/,
      );
    }
    expect(await page.locator('[data-testid="pool-status"]').innerText()).to.equal("FAILED");
    expect(await page.locator('[role="alert"]').count(), "no error on the page").to.equal(0);
    await screenshot(page, "task-failure");

    // The deal page says it per task.
    const deal = await open(
      `/deal/${failing.dealid}`,
      `tr[data-taskid="${failing.taskid}"] [data-testid="pool-word"]`,
    );
    await deal.waitForFunction(
      (taskid) =>
        !/…/.test(
          (
            globalThis as unknown as { document: { querySelector(s: string): { textContent: string } } }
          ).document.querySelector(`tr[data-taskid="${taskid}"] [data-testid="pool-word"]`).textContent,
        ),
      failing.taskid,
    );
    expect(
      await deal.locator(`tr[data-taskid="${failing.taskid}"] [data-testid="pool-word"]`).innerText(),
      "deal page",
    ).to.equal("will not complete: APP_CHECKSUM_MISMATCH (app owner must act)");
  });

  it("a task completed with an app error says so with its exit code, never 'finalized with a result'", async function () {
    const page = await open(`/task/${crashed.taskid}`, '[data-testid="app-error"]');
    expect(await page.locator('[data-testid="app-error"]').innerText(), "app error").to.contain(
      "Completed with an app error: APP_CRASHED (exit 3)",
    );
    const timeline = await page.locator('[data-testid="timeline"]').innerText();
    expect(timeline, "the COMPLETED step").to.contain("completed with an app error: APP_CRASHED (exit 3)");
    expect(await page.locator("main").innerText(), "no claim of a good result").not.to.contain(
      "finalized with a result",
    );
    const row = page.locator(`tr[data-worker="${setup.workers[0].address}"]`);
    expect(await row.innerText(), "the worker's replicate and exit code").to.match(
      /COMPLETED\s+3\s+APP_CRASHED/,
    );
    await screenshot(page, "task-app-error");

    const deal = await open(
      `/deal/${crashed.dealid}`,
      `tr[data-taskid="${crashed.taskid}"] [data-testid="pool-word"] span:not(.muted)`,
    );
    expect(
      await deal.locator(`tr[data-taskid="${crashed.taskid}"] [data-testid="pool-word"]`).innerText(),
    ).to.equal("completed with an app error: APP_CRASHED (exit 3)");
  });

  it("a finished task's timeline has a time for each status and no countdown", async function () {
    const page = await open(`/task/${crashed.taskid}`, '[data-testid="pool-timeline"]');
    const steps = page.locator('[data-testid="timeline"] li.done');
    expect(await steps.count(), "ACTIVE, REVEALING, COMPLETED reached").to.equal(3);
    for (let i = 0; i < 3; i++)
      expect(await steps.nth(i).innerText(), `step ${i}`).to.match(/· .+\d.* chain time$/);
    const pool = page.locator('[data-testid="pool-timeline"] li');
    expect(await pool.count(), "the workerpool's statuses").to.equal(6);
    for (let i = 0; i < 6; i++)
      expect(await pool.nth(i).innerText(), `workerpool step ${i}`).to.match(/· .+\d.* workerpool time$/);
    const main = await page.locator("main").innerText();
    expect(main, "no countdown on a finished task").not.to.match(/\bin \d+ (s|min|h|days)\b/);
    expect(main, "no 'ago' either").not.to.match(/\d+ (s|min|h|days) ago/);
    expect(await page.locator("dl.fields").first().innerText(), "deadlines say their clock").to.contain(
      "(chain time)",
    );
  });

  it("an unreachable workerpool API is said quietly, and the chain's view stays", async function () {
    fake.apiUrl = `http://127.0.0.1:${await closedPort()}`;
    const page = await open(`/task/${silent.taskid}`, '[data-testid="diagnosis-unavailable"]');
    expect(await page.locator('[data-testid="diagnosis-unavailable"]').innerText()).to.contain(
      `The workerpool's API at ${fake.apiUrl} is unreachable`,
    );
    expect(await page.locator("dl.fields .badge").innerText(), "chain status still shown").to.equal("ACTIVE");
    expect(await page.locator('[role="alert"]').count(), "no error banner").to.equal(0);
    expect(await page.locator('[data-testid="timeline"] li.done').count()).to.equal(1);
  });

  it("the requester's wallet downloads the result with its signature", async function () {
    const requester = await walletContext(setup.requester.address);
    try {
      const page = await open(`/task/${crashed.taskid}`, '[data-testid="result"] button.download', requester);
      expect(await page.locator('[data-testid="result-command"]').innerText()).to.equal(
        `openpoco result download ${crashed.taskid}`,
      );
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click('[data-testid="result"] button.download'),
      ]);
      expect(download.suggestedFilename()).to.equal(`${crashed.taskid}.zip`);
      const saved = await download.path();
      expect(readFileSync(saved!).equals(zip), "the downloaded bytes are the uploaded zip").to.equal(true);
      expect(await page.locator('[data-testid="result-error"]').count()).to.equal(0);
    } finally {
      await requester.close();
    }
  });

  it("another wallet gets the exact CLI command, not the store's refusal", async function () {
    const stranger = await walletContext(setup.spare[0].address);
    try {
      const page = await open(`/task/${crashed.taskid}`, '[data-testid="result"]', stranger);
      await page.click("button.wallet");
      await page.waitForSelector(
        '[data-testid="result"] [data-testid="result-instructions"]:has-text("neither")',
      );
      expect(await page.locator('[data-testid="result"] button').count(), "no download button").to.equal(0);
      expect(await page.locator('[data-testid="result-command"]').innerText()).to.equal(
        `openpoco result download ${crashed.taskid}`,
      );
      expect(await page.locator("main").innerText()).not.to.match(/Authorization header/i);
      await screenshot(page, "task-result-instructions");
    } finally {
      await stranger.close();
    }
    // Without a wallet, the command is there too, and the deal page links to the task page, not the store.
    const page = await open(`/task/${crashed.taskid}`, '[data-testid="result-command"]');
    expect(await page.locator('[data-testid="result-command"]').innerText()).to.equal(
      `openpoco result download ${crashed.taskid}`,
    );
    const deal = await open(`/deal/${crashed.dealid}`, `tr[data-taskid="${crashed.taskid}"] a.result-link`);
    expect(
      await deal.locator(`tr[data-taskid="${crashed.taskid}"] a.result-link`).getAttribute("href"),
    ).to.equal(`#/task/${crashed.taskid}`);
  });

  it("the orderbook has a tag column and its 'published' column fits at 1280 px", async function () {
    const page = await open("/orderbook/workerpool", `td[title="${workerpoolOrders.teeTdx}"]`);
    const tagOf = (hash: string) =>
      page.locator(`tr:has(td[title="${hash}"]) td[data-field="tag"]`).innerText();
    expect(await tagOf(workerpoolOrders.standard)).to.equal("standard");
    expect(await tagOf(workerpoolOrders.tee)).to.equal("TEE");
    expect(await tagOf(workerpoolOrders.teeTdx)).to.equal("TEE+TDX");
    expect(await page.locator("th").allInnerTexts()).to.include("published (market time)");
    // Nothing is cut: the table fits its frame, and the page does not scroll sideways.
    const cut = await page.evaluate<number>(
      "(() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth; })()",
    );
    expect(cut, "pixels of the orderbook table hidden at 1280 px").to.equal(0);
    expect(await horizontalOverflow(page)).to.equal(0);
    await screenshot(page, "orderbook-tags");
  });
});
