/**
 * Failures reach the requester, end to end on the real Docker engine: an app registered with a wrong
 * checksum is refused by both workers (APP_CHECKSUM_MISMATCH), the scheduler's task API names the app
 * owner as the one to fix it, and at the final deadline the scheduler claims the task and the
 * requester's locked price comes back; an app that exits 3 completes with an app error whose exit code
 * and logs (stdout and stderr) are served to the requester and refused to anyone else.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import path from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { ServiceError, TaskStatus, computeTaskId } from "../../src/sdk";
import { WorkerpoolApiClient, type WorkerpoolTask } from "../../src/sdk/core/workerpool-api";
import type { WorkerApp } from "../../src/worker/agent";
import { timeTravelTo } from "../tasks/fixtures";
import {
  ROLES,
  accountKey,
  buyExecution,
  deployApp,
  runCli,
  stackWorld,
  startScheduler,
  startServices,
  startWorker,
  waitForTask,
  writeChainJson,
  type StackWorld,
} from "./world";

/** Polls `check` every 100 ms until it gives a value, or fails after `timeoutMs`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) expect.fail(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * An HTTP proxy to `target` that answers 503 to the first `refusals` requests whose path ends with
 * `suffix`, as an SMS whose chain node restarts does; `refused` counts them.
 */
async function flakyProxy(
  target: string,
  suffix: string,
  refusals: number,
): Promise<{ url: string; refused: () => number; server: Server }> {
  let refused = 0;
  const server = createServer((req, res) => {
    if ((req.url ?? "").split("?")[0].endsWith(suffix) && refused < refusals) {
      refused++;
      res.writeHead(503, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ ok: false, error: "The chain is unavailable: retry later." }));
      return;
    }
    const forward = httpRequest(
      new URL(req.url ?? "/", target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, refused: () => refused, server };
}

/** A Compass that knows one workerpool's API URL, as the stack's market serves it. */
async function compassFor(workerpool: string, apiUrl: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const known = (req.url ?? "").toLowerCase() === `/31337/workerpools/${workerpool.toLowerCase()}`;
    res.writeHead(known ? 200 : 404, { "Content-Type": "application/json" });
    res.end(JSON.stringify(known ? { ok: true, apiUrl } : { ok: false, error: "unknown workerpool" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe("failures reach the requester @docker", function () {
  this.timeout(300_000);
  let world: StackWorld;
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;
  let api: WorkerpoolApiClient;
  const workers: WorkerApp[] = [];

  before(async function () {
    world = await stackWorld({ workers: 2 });
    scheduler = await startScheduler(world);
    api = new WorkerpoolApiClient(scheduler.url);
  });

  afterEach(async function () {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });

  after(async function () {
    await scheduler?.stop();
    await world?.close();
  });

  it("a wrong app checksum: both workers refuse, the app owner is named, the refund is claimed at the deadline", async function () {
    const { app } = await deployApp(world, "wrong-checksum", "echo never > /iexec_out/determinism.iexec", {
      checksum: "0x" + "11".repeat(32),
    });
    workers.push(await startWorker(world, 0, scheduler.url), await startWorker(world, 1, scheduler.url));
    const requester = (await world.requester.address())!;
    const before = await world.requester.account.show(requester);
    const dealid = await buyExecution(world, { app });
    const taskid = computeTaskId(dealid, 0n);
    const locked = await world.requester.account.show(requester);
    const price = locked.locked - before.locked;
    expect(price > 0n, "the deal locks the requester's price").to.equal(true);

    const failed = await until("the task given up", async () => {
      const task = await api.task(taskid);
      return task.currentStatus === "FAILED" ? task : undefined;
    });
    expect(failed.failure).to.deep.include({
      code: "APP_CHECKSUM_MISMATCH",
      party: "app owner",
      witnesses: 2,
    });
    expect(failed.replicates.map((r) => r.currentStatus)).to.deep.equal(["FAILED", "FAILED"]);
    for (const replicate of failed.replicates)
      expect(replicate.statusUpdateList.at(-1)?.details?.cause).to.equal("APP_CHECKSUM_MISMATCH");
    const finalDeadline = (await world.requester.tasks.show(taskid)).finalDeadline;
    expect(failed.refund).to.deep.equal({ claimableAt: Number(finalDeadline), claimTx: null });

    // The requester's own CLI, finding the pool's API through Compass, says what failed and who fixes it.
    const compass = await compassFor(world.workerpool, scheduler.url);
    try {
      const dir = path.join(world.dir, "requester-cli");
      writeChainJson(dir, { ...world.chain, compass: compass.url });
      const shown = (await runCli(world, dir, ["task", "show", taskid], accountKey(ROLES.requester))) as {
        ok: boolean;
        diagnosis?: { available: boolean; task?: WorkerpoolTask };
      };
      expect(shown.ok, JSON.stringify(shown)).to.equal(true);
      expect(shown.diagnosis?.available).to.equal(true);
      expect(shown.diagnosis?.task?.failure).to.deep.include({
        code: "APP_CHECKSUM_MISMATCH",
        party: "app owner",
      });
      expect(shown.diagnosis?.task?.refund?.claimableAt).to.equal(Number(finalDeadline));
    } finally {
      await new Promise((resolve) => compass.server.close(resolve));
    }

    await timeTravelTo(finalDeadline);
    const claimed = await until("the claim", async () => {
      const task = await api.task(taskid);
      return task.refund?.claimTx ? task : undefined;
    });
    expect((await world.requester.tasks.show(taskid)).status).to.equal(TaskStatus.FAILED);
    expect(claimed.currentStatus).to.equal("FAILED");
    const after = await world.requester.account.show(requester);
    expect(after.locked).to.equal(before.locked);
    expect(after.stake - locked.stake).to.equal(price);
  });

  it("an app that exits 3: COMPLETED with appError, its logs for the requester only", async function () {
    const { app } = await deployApp(
      world,
      "exits-three",
      'echo "to stdout from the app"; echo "to stderr from the app" >&2; exit 3',
    );
    workers.push(await startWorker(world, 0, scheduler.url));
    const dealid = await buyExecution(world, { app });
    const taskid = computeTaskId(dealid, 0n);
    expect((await waitForTask(world.requester, taskid, 120_000)).statusName).to.equal("COMPLETED");
    const task: WorkerpoolTask = await until("the completed task", async () => {
      const seen = await api.task(taskid);
      return seen.currentStatus === "COMPLETED" ? seen : undefined;
    });
    expect(task.appError).to.deep.equal({ code: "APP_CRASHED", exitCode: 3 });
    expect(task.replicates[0].appExitCode).to.equal(3);
    expect(task.failure).to.equal(null);
    expect(task.refund).to.equal(null);

    const logs = await api.logs(taskid, world.requester.context.signer!, 31337n, world.workerpool);
    expect(logs).to.have.length(1);
    expect(logs[0].walletAddress).to.equal(workers[0].address);
    expect(logs[0].stdout).to.equal("to stdout from the app\n");
    expect(logs[0].stderr).to.equal("to stderr from the app\n");

    const refused = await api.logs(taskid, new Wallet(world.workerKey(1)), 31337n, world.workerpool).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(ServiceError);
    expect((refused as ServiceError).status).to.equal(403);
  });

  it("an SMS answering 503 for a while delays the task but does not fail it", async function () {
    const chain = world.chain;
    const services = await startServices(world);
    const proxy = await flakyProxy(world.chain.sms!, "/secrets", 3);
    try {
      const { app } = await deployApp(world, "after-503", "echo patient > /iexec_out/determinism.iexec");
      const worker = await startWorker(world, 0, scheduler.url, { smsUrl: proxy.url });
      workers.push(worker);
      const taskid = computeTaskId(await buyExecution(world, { app }), 0n);
      const done = await waitForTask(world.requester, taskid, 120_000);
      expect(done.statusName).to.equal("COMPLETED");
      expect(proxy.refused(), "the worker met the 503 answers and asked again").to.equal(3);
      expect(worker.store.get(taskid)?.state).to.equal("DONE");
      const seen = await api.task(taskid);
      expect(seen.replicates.map((r) => r.currentStatus)).to.not.include("FAILED");
    } finally {
      await new Promise((resolve) => proxy.server.close(resolve));
      await services.stop();
      world.chain = chain;
    }
  });
});
