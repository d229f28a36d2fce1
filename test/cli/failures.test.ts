/**
 * What a requester sees when things go wrong, with the real binary against a fake Compass and a fake
 * workerpool API: `task show`, `deal show` and `task debug` show what failed, who must fix it and the
 * refund; `app run --watch` prints task ids, an explorer link, only changes, failures as soon as they are
 * reported, and ends with the app's error; and the messages that misled are now right. (@cli)
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { IHub } from "../../typechain-types";
import { computeTaskId, hashOrder, hubDomain, parseOrder, signAuthorization } from "../../src/sdk";
import { closedPortUrl } from "../sdk/stub-server";
import { CliHarness, type CliRun } from "./harness";
import { failedReplicas, poolTask, startWorkerpoolFakes, type WorkerpoolFakes } from "./workerpool-fakes";

const MNEMONIC = "test test test test test test test test test test test junk";
const EXPLORER = "http://explorer.test";

function keyOf(index: number): string {
  return ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

function dealOf(run: CliRun): string {
  const found = /purchased in deal (0x[0-9a-f]{64})/.exec(run.stdout);
  expect(found, `no deal in ${run.stdout} ${run.stderr}`).to.not.equal(null);
  return found![1];
}

describe("@cli openpoco: failures reach the requester", function () {
  this.timeout(120_000);
  let cli: CliHarness;
  let hub: IHub;
  let fakes: WorkerpoolFakes;
  let wallet: string;
  let app: string;
  let workerpool: string;
  let waitingDeal: string;
  const keys = () => ["--keystoredir", path.join(cli.dir, "keys"), "--password", "pw"];
  const json = (file: string) => JSON.parse(readFileSync(path.join(cli.dir, file), "utf8"));

  /** chain.json with Compass (or not) and the explorer. */
  const writeChain = (compass: string | undefined) => {
    cli.writeChainJson();
    const file = json("chain.json");
    Object.assign(file.chains.test, { compass, explorer: EXPLORER });
    writeFileSync(path.join(cli.dir, "chain.json"), JSON.stringify(file));
  };
  /** Signs a fresh workerpool order (volume 1) and returns the app and workerpool order hashes. */
  const freshOrders = async () => {
    await cli.raw(["order", "sign", "--workerpool", ...keys()]);
    const orders = json("orders.json")["31337"];
    const hash = (kind: "app" | "workerpool") =>
      hashOrder(hubDomain(31337n, cli.hub), kind, parseOrder(kind, orders[`${kind}order`], kind));
    return ["--app-order", hash("app"), "--workerpool-order", hash("workerpool")];
  };

  before(async function () {
    cli = await CliHarness.start();
    hub = (await ethers.getContractAt("IHub", cli.hub)) as unknown as IHub;
    await cli.raw(["init", "--skip-wallet"]);
    cli.writeChainJson();
    wallet = (await cli.raw(["wallet", "import", keyOf(5), ...keys()])).address;
    await cli.raw(["app", "init", ...keys()]);
    const iexec = json("iexec.json");
    iexec.app.checksum = "0x" + "ab".repeat(32);
    writeFileSync(path.join(cli.dir, "iexec.json"), JSON.stringify(iexec));
    app = (await cli.raw(["app", "deploy", ...keys()])).address;
    await cli.raw(["workerpool", "init", ...keys()]);
    workerpool = (await cli.raw(["workerpool", "deploy", ...keys()])).address;
    await cli.raw(["order", "init", "--app", "--workerpool", ...keys()]);
    await cli.raw(["order", "sign", "--app", ...keys()]);
    fakes = await startWorkerpoolFakes(workerpool);
  });
  after(async () => {
    await fakes?.close();
    await cli?.stop();
  });

  it("order fill without a workerpool order gives a fix the app developer can apply", async function () {
    const error = await cli.rawError(["order", "fill", "--args", "hello", ...keys()]);
    expect(error.message).to.include("take one from the market, `openpoco orderbook workerpool`");
    expect(error.message).to.include("`openpoco order fill --workerpool <orderHash>`");
    expect(error.message).to.include("`openpoco app run`");
  });

  it("app run --volume 50 says how many were not bought and which order limited it", async function () {
    writeChain(undefined);
    const orders = await freshOrders();
    const poolHash = orders[3];
    const run = await cli.run(["app", "run", app, ...orders, "--volume", "50", ...keys()]);
    expect(run.code, run.stderr).to.equal(0);
    waitingDeal = dealOf(run);
    expect(run.stdout).to.include("✔ 1 task(s) purchased in deal");
    expect(run.stderr).to.include(
      `⚠ 49 of the 50 task(s) requested were not purchased: the workerpool order ${poolHash} had only 1 task(s) left;`,
    );
    expect((await hub.viewDeal(waitingDeal)).botSize).to.equal(1n);
    // Without --watch the run still prints its task ids and the deal's explorer page.
    expect(run.stdout).to.include(`task #0: ${computeTaskId(waitingDeal, 0n)}`);
    expect(run.stdout).to.include(`explorer: ${EXPLORER}/#/deal/${waitingDeal}`);
  });

  it("tells a task id no deal contains from a task not initialized yet", async function () {
    const typo = "0x" + "42".repeat(32);
    const unknown = `No task ${typo} in any deal on this chain: check the id`;
    expect((await cli.rawError(["task", "show", typo])).message).to.include(unknown);
    expect((await cli.rawError(["result", "download", typo, ...keys()])).message).to.include(unknown);
    const waiting = computeTaskId(waitingDeal, 0n);
    const notStarted = `Task ${waiting} (#0 of deal ${waitingDeal}) is not initialized: its workerpool has not started it yet`;
    expect((await cli.rawError(["task", "show", waiting])).message).to.include(notStarted);
    expect((await cli.rawError(["result", "download", waiting, ...keys()])).message).to.include(notStarted);
  });

  it("says an address's EIP-55 checksum fails rather than asking for 20 bytes", async function () {
    const good = ethers.getAddress(workerpool);
    // Flip the case of one letter: still 20 bytes, but the checksum no longer holds.
    const at = good.slice(2).search(/[a-fA-F]/) + 2;
    const flipped = good[at] === good[at].toLowerCase() ? good[at].toUpperCase() : good[at].toLowerCase();
    const typo = good.slice(0, at) + flipped + good.slice(at + 1);
    const error = await cli.rawError(["account", "show", typo]);
    expect(error.message).to.equal(
      `Invalid address ${typo}: its EIP-55 checksum (the mixed case) fails, so a character is probably mistyped: check it, or give it all in lower case to skip the check.`,
    );
    const short = await cli.rawError(["account", "show", "0x1234"]);
    expect(short.message).to.equal('Invalid address "0x1234": give a 0x-prefixed 20-byte address.');
  });

  it("app run on an address with no app says no app is registered there, sending nothing", async function () {
    const nowhere = ethers.getAddress("0x" + "5e".repeat(20));
    const nonce = await ethers.provider.getTransactionCount(wallet);
    const error = await cli.rawError(["app", "run", nowhere, ...keys()]);
    expect(error.message).to.equal(
      `No app is registered at ${nowhere} on chain 31337: check the address (\`openpoco app show <address>\`) and --chain, or deploy the app first (\`openpoco app deploy\`).`,
    );
    expect(await ethers.provider.getTransactionCount(wallet)).to.equal(nonce);
  });

  it("task show, deal show and task debug show what failed, who fixes it and the refund", async function () {
    writeChain(fakes.compass.url);
    await hub.initialize(waitingDeal, 0);
    const taskid = computeTaskId(waitingDeal, 0n);
    const finalDeadline = Number((await hub.viewTask(taskid)).finalDeadline);
    const workers = [ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address];
    const detail = `image digest sha256:${"cd".repeat(32)} is not the registered 0x${"ab".repeat(32)}`;
    fakes.tasks.set(
      taskid,
      poolTask(taskid, waitingDeal, {
        currentStatus: "FAILED",
        ...failedReplicas("APP_CHECKSUM_MISMATCH", detail, workers),
        refund: { claimableAt: finalDeadline, claimTx: null },
      }),
    );
    const shown = await cli.run(["task", "show", taskid]);
    expect(shown.code, shown.stderr).to.equal(0);
    const deadline = `${new Date(finalDeadline * 1000).toISOString()} (chain time)`;
    expect(shown.stdout).to.match(/status: +ACTIVE, failing: APP_CHECKSUM_MISMATCH\n/);
    expect(shown.stdout).to.match(
      /failure: +APP_CHECKSUM_MISMATCH: The app's Docker image does not match the checksum registered for the app\.\n/,
    );
    expect(shown.stdout).to.include(detail);
    expect(shown.stdout).to.match(/toFix: +app owner: Register the app again with the image's digest/);
    expect(shown.stdout).to.match(
      new RegExp(`refund: +claimable from ${deadline.replace(/[().]/g, "\\$&")}\n`),
    );
    const raw = await cli.raw(["task", "show", taskid]);
    expect(raw.diagnosis.available).to.equal(true);
    expect(raw.diagnosis.task.failure).to.include({
      code: "APP_CHECKSUM_MISMATCH",
      party: "app owner",
      detail,
    });

    const deal = await cli.run(["deal", "show", waitingDeal]);
    expect(deal.stdout).to.include(`#0 ${taskid} ACTIVE, failing: APP_CHECKSUM_MISMATCH`);
    expect(deal.stdout).to.include(`— app owner must act: Register the app again`);
    expect(deal.stdout).to.include(`Refund claimable from ${deadline}.`);
    const rawDeal = await cli.raw(["deal", "show", waitingDeal]);
    expect(rawDeal.tasks["0"].diagnosis.task.failure.code).to.equal("APP_CHECKSUM_MISMATCH");

    const debug = await cli.run(["task", "debug", taskid]);
    expect(debug.code, debug.stderr).to.equal(0);
    expect(debug.stdout).to.include("2026-12-07T10:00:02.000Z INITIALIZED");
    expect(debug.stdout).to.include(`worker ${workers[0]}: FAILED`);
    expect(debug.stdout).to.include(
      `2026-12-07T10:00:05.000Z FAILED APP_CHECKSUM_MISMATCH: ${detail} [WORKER]`,
    );

    // Once the scheduler claimed the refund, its transaction is shown.
    const claimTx = "0x" + "77".repeat(32);
    fakes.tasks.get(taskid)!.refund = { claimableAt: finalDeadline, claimTx };
    expect((await cli.run(["task", "show", taskid])).stdout).to.match(
      new RegExp(`refund: +claimed in tx ${claimTx}\n`),
    );
  });

  it("task debug --logs prints each worker's app logs, signed as the requester", async function () {
    const taskid = computeTaskId(waitingDeal, 0n);
    fakes.logs.set(taskid, {
      requester: wallet,
      logs: [
        { walletAddress: "0x" + "11".repeat(20), stdout: "loading model\n", stderr: "Segmentation fault\n" },
      ],
    });
    const debug = await cli.run(["task", "debug", taskid, "--logs", ...keys()]);
    expect(debug.code, debug.stderr).to.equal(0);
    expect(debug.stdout).to.include(`--- worker 0x${"11".repeat(20)} stdout ---\nloading model\n`);
    expect(debug.stdout).to.include("Segmentation fault");
    // Another wallet is refused before asking the workerpool, with the wallet to use.
    const stranger = (
      await cli.raw([
        "wallet",
        "import",
        keyOf(6),
        "--keystoredir",
        path.join(cli.dir, "other"),
        "--password",
        "pw",
      ])
    ).address;
    const logRequests = () => fakes.api.requests.filter((request) => request.path.includes("/logs")).length;
    const asked = logRequests();
    const other = await cli.rawError([
      "task",
      "debug",
      taskid,
      "--logs",
      "--keystoredir",
      path.join(cli.dir, "other"),
      "--password",
      "pw",
    ]);
    expect(other.message).to.equal(
      `Only the task's requester ${wallet} may read its logs, not your wallet ${stranger}: use the requester's wallet (--wallet-address).`,
    );
    expect(logRequests()).to.equal(asked);
  });

  it("task show still answers when the workerpool's view is unavailable, and says why", async function () {
    const taskid = computeTaskId(waitingDeal, 0n);
    writeChain(undefined);
    const noCompass = await cli.run(["task", "show", taskid]);
    expect(noCompass.code).to.equal(0);
    expect(noCompass.stdout).to.match(/status: +ACTIVE\n/);
    expect(noCompass.stdout).to.match(
      /workerpool: +unavailable: chain "test" has no "compass" in chain.json to find the workerpool's API\n/,
    );
    const debug = await cli.rawError(["task", "debug", taskid]);
    expect(debug.code).to.equal("TASK_DEBUG_UNAVAILABLE");

    const elsewhere = await closedPortUrl();
    writeChain(elsewhere);
    const down = await cli.raw(["task", "show", taskid]);
    expect(down.diagnosis).to.deep.equal({
      available: false,
      reason: `The Compass is unavailable at ${elsewhere}: start it or set its URL in chain.json`,
    });

    // Compass that knows another pool only.
    const other = await startWorkerpoolFakes(ethers.Wallet.createRandom().address);
    writeChain(other.compass.url);
    const unknown = await cli.raw(["task", "show", taskid]);
    expect(unknown.diagnosis.reason).to.equal(
      `Compass at ${other.compass.url} does not know workerpool ${workerpool}`,
    );
    await other.close();
    writeChain(fakes.compass.url);
  });

  it("app run --watch prints task ids, a link, only changes, and ends on the pool's failure", async function () {
    // The pool says INITIALIZED three times, then that every worker failed the task.
    fakes.fallback = (taskid, asked) =>
      poolTask(
        taskid,
        ethers.ZeroHash,
        asked <= 3
          ? {}
          : {
              currentStatus: "FAILED",
              ...failedReplicas("SECRET_MISSING", "requester secret 1 is not in the SMS", [wallet]),
              refund: { claimableAt: 2_000_000_000, claimTx: null },
            },
      );
    const run = await cli.run(["app", "run", app, ...(await freshOrders()), "--watch", ...keys()]);
    fakes.fallback = undefined;
    const dealid = dealOf(run);
    const taskid = computeTaskId(dealid, 0n);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.include(`task #0: ${taskid}`);
    expect(run.stdout).to.include(`explorer: ${EXPLORER}/#/deal/${dealid}`);
    const asked = fakes.api.requests.filter((request) => request.path === `/tasks/${taskid}`).length;
    expect(asked).to.be.greaterThan(3);
    // The same status over several polls is printed once.
    expect(run.stderr.split(`ℹ Deal ${dealid}: 1 UNSET\n`)).to.have.length(2);
    expect(run.stderr).to.include(
      `⚠ Task #0 ${taskid}: SECRET_MISSING: A secret the task needs is not in the SMS`,
    );
    expect(run.stderr).to.include("— requester must act: Push the secret named in the detail");
    expect(run.stderr).to.include(`✖ Deal ${dealid} ended with 0/1 task(s) completed cleanly`);
    expect(run.stdout).to.not.include("✔ Deal");
  });

  it("a crashed app's run ends with the app error, and task show says so", async function () {
    const orders = await freshOrders();
    const [, , , , , , , worker] = await ethers.getSigners();
    const owner = new ethers.Wallet(keyOf(5));
    let started: string | undefined;
    fakes.fallback = (taskid) => {
      started ??= taskid;
      return poolTask(taskid, ethers.ZeroHash, { currentStatus: "RUNNING" });
    };
    const running = cli.run(["app", "run", app, ...orders, "--watch", ...keys()]);
    // The run asks the pool about its task once the deal exists: run the task to its end on chain then.
    while (!started) await new Promise((resolve) => setTimeout(resolve, 100));
    const taskid = started;
    const notices = await hub.queryFilter(hub.filters.SchedulerNotice());
    const { dealid } = notices[notices.length - 1].args;
    expect(computeTaskId(dealid, 0n)).to.equal(taskid);
    fakes.tasks.set(
      taskid,
      poolTask(taskid, dealid, {
        currentStatus: "COMPLETED",
        appError: { code: "APP_CRASHED", exitCode: 3 },
      }),
    );
    await hub.initialize(dealid, 0);
    const digest = ethers.keccak256(ethers.toUtf8Bytes("error.json"));
    const results = ethers.hexlify(ethers.toUtf8Bytes('{"storage":"none"}'));
    await hub
      .connect(worker)
      .contributeAndFinalize(
        taskid,
        digest,
        results,
        "0x",
        ethers.ZeroAddress,
        "0x",
        await signAuthorization(owner, worker.address, taskid),
      );
    const run = await running;
    fakes.fallback = undefined;
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include(
      `✖ Deal ${dealid} ended with 0/1 task(s) completed cleanly: task #0 ${taskid} completed with an app error: APP_CRASHED (exit 3)`,
    );
    expect(run.stdout).to.not.include("completed\n");
    const shown = await cli.run(["task", "show", taskid]);
    expect(shown.stdout).to.match(/status: +completed with an app error: APP_CRASHED \(exit 3\)\n/);
    expect(shown.stdout).to.include("openpoco task debug <taskid> --logs");
  });
});
