/**
 * The main job end to end, with the real binary and the real Docker engine: `openpoco stack up` brings
 * the whole marketplace up on a fresh folder, `stack demo` plays the walkthrough on it, the stack is
 * killed (SIGKILL) mid-demo and started again, the deal still completes and the demo prints the
 * verified result; the stack's explorer shows the demo's app, deal and task in Chromium; then `stack
 * down` leaves nothing running. (@stack @docker: no contract coverage.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { OpenPoco, TEE_TDX_TAG, TaskStatus, lookupWorkerpoolApi, parseRlc } from "../../src/sdk";
import { DEV_ENCLAVE_WARNING } from "../../src/sdk/core/tee-dev";
import type { PublisherState } from "../../src/publisher/offer-publisher";
import { manifestChain, stackPorts, type StackManifest } from "../../src/stack/layout";
import { portFree, runCli, startCli, type Running } from "../cli/child";
import { launchChromium } from "../explorer/browser";

/** An offset whose ports are all free, so this test's stack never meets a developer's. */
async function freeOffset(): Promise<number> {
  // Every port stays below the system's ephemeral range (32768 and up), which the stack refuses.
  for (let offset = 2_100; offset <= 19_000; offset += 1_100) {
    const free = await Promise.all(Object.values(stackPorts(offset)).map(portFree));
    if (free.every(Boolean)) return offset;
  }
  throw new Error("no free port offset for the stack");
}

/** Starts `stack up --raw`; resolves with its manifest once it printed it. */
async function stackUp(
  dataDir: string,
  offset: number,
  cwd: string,
): Promise<{ stack: Running; manifest: StackManifest & { elapsedMs: number } }> {
  const stack = startCli(
    ["stack", "up", "--raw", "--data-dir", dataDir, "--port-offset", String(offset)],
    cwd,
  );
  await until(
    `stack up (${stack.output()})`,
    () => stack.output().includes('{"ok":') || stack.child.exitCode !== null,
    300_000,
  );
  const line = stack
    .output()
    .split("\n")
    .find((l) => l.startsWith('{"ok":'))!;
  const answer = JSON.parse(line);
  expect(answer.ok, line).to.equal(true);
  return { stack, manifest: answer };
}

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("the main job: stack up, demo, restart, down @stack @docker", function () {
  this.timeout(900_000);
  let cwd: string;
  let dataDir: string;
  let offset: number;
  let stack: Running | undefined;
  const demoResult = { app: "", dealid: "", taskid: "" };

  before(async function () {
    cwd = mkdtempSync(path.join(os.tmpdir(), "openpoco-stack-"));
    dataDir = path.join(cwd, "data");
    offset = await freeOffset();
  });

  after(async function () {
    if (stack && stack.child.exitCode === null) {
      stack.child.kill("SIGTERM");
      await stack.exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  it("brings the marketplace up on a fresh folder: contracts, workerpool, stakes, every service answering", async function () {
    const up = await stackUp(dataDir, offset, cwd);
    stack = up.stack;
    const { manifest } = up;
    expect((manifest as unknown as { chainStart: { deployed: boolean } }).chainStart.deployed).to.equal(true);
    expect(manifest.chain.host).to.equal(`http://127.0.0.1:${8545 + offset}`);
    expect(manifest.workers).to.have.length(2);
    const chainJson = JSON.parse(readFileSync(path.join(dataDir, "chain.json"), "utf8"));
    expect(chainJson.chains.local.hub).to.equal(manifest.chain.hub);
    expect(chainJson.chains.local.iexecGateway).to.equal(`http://127.0.0.1:${3000 + offset}`);
    expect(chainJson.chains.local.compass).to.equal(`http://127.0.0.1:${3000 + offset}`);
    // Our extra URLs sit in the companion, which keeps chain.json acceptable to the official CLI.
    expect(chainJson.chains.local).not.to.have.any.keys("name", "resultProxy", "ipfsNode", "explorer");
    const extras = JSON.parse(readFileSync(path.join(dataDir, "chain.openpoco.json"), "utf8"));
    expect(extras.chains.local.explorer).to.equal(`http://127.0.0.1:${13000 + offset}`);
    expect(extras.chains.local.resultProxy).to.equal(`http://127.0.0.1:${13200 + offset}`);
    // Compass sends requesters (and the official SDK's task debug) to the stack's scheduler.
    expect(await lookupWorkerpoolApi(chainJson.chains.local.compass, 31337n, manifest.workerpool)).to.equal(
      manifest.scheduler.url,
    );

    const poco = await OpenPoco.connect({ chain: manifestChain(manifest) });
    try {
      const pool = await poco.assets.showWorkerpool(manifest.workerpool);
      expect(pool.owner).to.equal(manifest.scheduler.owner);
      expect((await poco.account.show(manifest.scheduler.owner)).stake).to.be.gte(parseRlc("1000", "RLC"));
      for (const worker of manifest.workers)
        expect((await poco.account.show(worker.address)).stake).to.be.gte(parseRlc("100", "RLC"));
      expect(await poco.categories.count()).to.equal(5n);
    } finally {
      poco.close();
    }

    const status = await runCli(["stack", "status", "--raw", "--data-dir", dataDir], cwd);
    const parts = JSON.parse(status.stdout).parts as { name: string; answers: boolean }[];
    expect(parts.map((p) => p.name)).to.include.members([
      "chain",
      "market",
      "sms",
      "results",
      "scheduler",
      "registry",
      "files",
    ]);
    expect(
      parts.filter((p) => !p.answers),
      status.stdout,
    ).to.deep.equal([]);

    // The workers as the scheduler sees them, and the standing offer: one open order per category.
    let shown:
      | {
          workers: { address: string; state: string }[];
          offer: PublisherState | null;
          teeOffer: PublisherState | null;
        }
      | undefined;
    for (let attempt = 0; attempt < 60; attempt++) {
      const again = await runCli(["stack", "status", "--raw", "--data-dir", dataDir], cwd);
      shown = JSON.parse(again.stdout);
      if (shown!.offer && shown!.teeOffer && shown!.workers.every((w) => w.state === "connected")) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(shown!.workers.map((w) => [w.address, w.state])).to.deep.equal(
      manifest.workers.map((w) => [w.address, "connected"]),
    );
    const offer = shown!.offer!;
    expect(offer.workerpool).to.equal(manifest.workerpool);
    expect(offer.terms).to.include({ price: "0", trust: "3", volume: "100" });
    expect(offer.categories.map((c) => [c.category, c.openOrders])).to.deep.equal(
      ["0", "1", "2", "3", "4"].map((c) => [c, 1]),
    );
    expect(offer.lastError).to.equal(undefined);
    // Beside it, the TEE+TDX offer the official SDK's orders need, served by the dev enclaves.
    const teeOffer = shown!.teeOffer!;
    expect(teeOffer.terms).to.include({ price: "0", trust: "3", volume: "100", tag: TEE_TDX_TAG });
    expect(teeOffer.categories.map((c) => [c.category, c.openOrders])).to.deep.equal(
      ["0", "1", "2", "3", "4"].map((c) => [c, 1]),
    );
    const human = await runCli(["stack", "status", "--data-dir", dataDir], cwd);
    expect(human.stdout).to.match(/Standing offer of 0x[0-9a-fA-F]{40}: 0 RLC a task, trust 3, volume 100/);
    expect(human.stdout).to.contain(manifest.workers[0].address);
    expect(human.stdout).to.contain(`TEE+TDX standing offer (${DEV_ENCLAVE_WARNING}) of`);
  });

  it("refuses a port offset that would put a port where outgoing connections take theirs", async function () {
    const refused = await runCli(
      ["stack", "up", "--raw", "--data-dir", path.join(cwd, "other"), "--port-offset", "30000"],
      cwd,
    );
    expect(refused.code).to.equal(1);
    expect(JSON.parse(refused.stdout).error.message).to.match(
      /--port-offset 30000 puts port 43600 in the range the system gives outgoing connections \(32768 and up\): pick an offset of at most 19167/,
    );
    expect(existsSync(path.join(cwd, "other")), "nothing written").to.equal(false);
  });

  it("refuses a second stack on the same folder, naming the running one", async function () {
    const second = await runCli(
      ["stack", "up", "--raw", "--data-dir", dataDir, "--port-offset", String(offset)],
      cwd,
    );
    expect(second.code).to.equal(1);
    expect(JSON.parse(second.stdout).error.message).to.match(
      new RegExp(
        `A stack already runs from .*data \\(pid ${stack!.child.pid}\\): stop it with \`openpoco stack down\``,
      ),
    );
  });

  it("plays the walkthrough; killed mid-demo and started again, the stack finishes the deal", async function () {
    const demo = startCli(["stack", "demo", "--data-dir", dataDir], cwd);
    await until(
      `the deal (${demo.output()})`,
      () => /7\. Workers/.test(demo.output()) || demo.child.exitCode !== null,
      300_000,
    );
    expect(demo.output()).to.match(/deal 0x[0-9a-f]{64} matched in tx 0x[0-9a-f]{64}/);
    const dealid = /deal (0x[0-9a-f]{64}) matched/.exec(demo.output())![1];
    demoResult.dealid = dealid;
    demoResult.app = /app (0x[0-9a-fA-F]{40}) registered/.exec(demo.output())![1];

    const rpc = async (method: string, params: unknown[]) => {
      const response = await fetch(`http://127.0.0.1:${8545 + offset}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      });
      return ((await response.json()) as { result: { number: string; hash: string } }).result;
    };
    const head = await rpc("eth_getBlockByNumber", ["latest", false]);

    // A crash of the whole stack: no clean stop.
    stack!.child.kill("SIGKILL");
    await stack!.exited;
    const again = await stackUp(dataDir, offset, cwd);
    stack = again.stack;
    const { chainStart } = again.manifest as unknown as {
      chainStart: { replayed: number; deployed: boolean };
    };
    expect(chainStart.deployed).to.equal(false);
    expect(chainStart.replayed).to.be.greaterThan(40);
    const replayedHead = await rpc("eth_getBlockByNumber", [head.number, false]);
    expect(replayedHead.hash, "the replayed chain is the same chain").to.equal(head.hash);

    const code = await demo.exited;
    expect(code, demo.output()).to.equal(0);
    expect(demo.output()).to.contain("result.txt: Hello, world! Your dataset has 9 words.");
    // The stack has its IPFS part: the demo's encrypted dataset was pushed there.
    expect(demo.output()).to.match(/on IPFS at \/ipfs\/Qm[1-9A-HJ-NP-Za-km-z]{44}/);
    expect(demo.output()).to.match(/verified: true, files: determinism\.iexec, result\.txt/);
    // Served by the standing offer: the pool owner did nothing; the demo tells how to go on by hand.
    expect(demo.output()).to.contain(
      "Workerpool owner: nothing to do, the pool's standing offer sells its compute",
    );
    expect(demo.output()).to.match(/password "openpoco-local"/);
    expect(demo.output()).to.contain(`/#/deal/${dealid}`);
    expect(demo.output()).to.match(/task http:\/\/127\.0\.0\.1:\d+\/#\/task\/0x[0-9a-f]{64}/);

    const poco = await OpenPoco.connect({ chain: manifestChain(again.manifest) });
    try {
      const deal = await poco.deals.show(dealid);
      expect(deal.trust).to.equal(3n);
      expect(deal.workerpool.price, "the standing offer's price").to.equal(0n);
      expect(deal.tasks[0].status).to.equal(TaskStatus.COMPLETED);
      const task = await poco.tasks.show(deal.tasks[0].taskid);
      demoResult.taskid = task.taskid;
      expect(task.contributors).to.have.length(2);
    } finally {
      poco.close();
    }
  });

  it("serves the explorer, which shows the demo's app, its deal with the task COMPLETED, and finds the task", async function () {
    const manifest = JSON.parse(readFileSync(path.join(dataDir, "stack.json"), "utf8")) as StackManifest;
    expect(manifest.explorer, "explorer URL in stack.json").to.be.a("string");
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`${manifest.explorer}#/app/${demoResult.app}`);
      await page.waitForSelector('[data-field="name"]');
      expect(await page.locator('[data-field="name"]').innerText()).to.match(/^hello-dataset-\d{14}$/);
      await page.goto(`${manifest.explorer}#/deal/${demoResult.dealid}`);
      const row = page.locator(`tr[data-taskid="${demoResult.taskid}"]`);
      await row.waitFor();
      expect(await row.locator(".badge").innerText()).to.equal("COMPLETED");
      // The result is downloaded from the task's page (signed by the wallet, or by the command shown there).
      expect(await row.locator("a.result-link").getAttribute("href")).to.equal(`#/task/${demoResult.taskid}`);
      await page.goto(`${manifest.explorer}#/`);
      await page.fill('input[name="q"]', demoResult.taskid);
      await page.press('input[name="q"]', "Enter");
      await page.waitForURL((url) => url.hash === `#/task/${demoResult.taskid}`);
      await page.waitForSelector("dl.fields .badge");
      expect(await page.locator("dl.fields .badge").innerText()).to.equal("COMPLETED");
    } finally {
      await browser.close();
    }
  });

  it("stack down stops every part and keeps the state", async function () {
    const down = await runCli(["stack", "down", "--data-dir", dataDir], cwd);
    expect(down.code, down.stderr).to.equal(0);
    expect(await stack!.exited).to.equal(0);
    for (const [part, port] of Object.entries(stackPorts(offset)))
      expect(await portFree(port), part).to.equal(true);
    expect(existsSync(path.join(dataDir, "stack.json"))).to.equal(false);
    expect(existsSync(path.join(dataDir, "stack.lock"))).to.equal(false);
    expect(existsSync(path.join(dataDir, "chain", "blocks.jsonl"))).to.equal(true);
  });
});
