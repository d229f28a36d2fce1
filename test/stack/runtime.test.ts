/**
 * The workerpool runtime end to end, on the real Docker engine: apps built FROM scratch with busybox and
 * pushed to a local registry, a scheduler and workers driving deals on the in-process chain to their end.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { network } from "hardhat";
import {
  ContributionStatus,
  TaskStatus,
  computeTaskId,
  resultLocation,
  unzipTo,
  type OpenPoco,
} from "../../src/sdk";
import type { WorkerApp } from "../../src/worker/agent";
import {
  buyExecution,
  deployApp,
  stackWorld,
  startScheduler,
  startWorker,
  waitForTask,
  type StackWorld,
} from "./world";

/** The files of a finalized task's result zip, by name. */
async function resultFiles(client: OpenPoco, taskid: string): Promise<Record<string, string>> {
  const task = await client.tasks.show(taskid);
  const location = resultLocation(task.results);
  expect(location.location, "results location").to.match(/^file:\/\//);
  const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-result-"));
  const names = await unzipTo(fileURLToPath(location.location!), dir);
  return Object.fromEntries(names.map((name) => [name, readFileSync(path.join(dir, name), "utf8")]));
}

function sha256(text: string): string {
  return "0x" + createHash("sha256").update(text).digest("hex");
}

/** Lines NAME=value of a file, as an object. */
function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

describe("workerpool runtime @docker", function () {
  this.timeout(300_000);
  let world: StackWorld;
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;
  const workers: WorkerApp[] = [];

  before(async function () {
    world = await stackWorld({ workers: 5 });
    scheduler = await startScheduler(world);
  });

  afterEach(async function () {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });

  after(async function () {
    await scheduler?.stop();
    await world?.close();
  });

  it("runs a trust-1 task with one worker: the app's determinism file is the digest, the result is stored", async function () {
    const { app } = await deployApp(
      world,
      "echo-args",
      'echo "$@" > /iexec_out/args.txt; echo "hello $1" > /iexec_out/determinism.iexec',
    );
    workers.push(await startWorker(world, 0, scheduler.url));
    const dealid = await buyExecution(world, {
      app,
      params: JSON.stringify({ iexec_args: "world 'two words'" }),
    });
    const taskid = computeTaskId(dealid, 0n);
    const task = await waitForTask(world.requester, taskid);
    expect(task.statusName).to.equal("COMPLETED");
    expect(task.resultDigest).to.equal(sha256("hello world\n"));
    const files = await resultFiles(world.requester, taskid);
    expect(files["args.txt"]).to.equal("world two words\n");
    expect(files["determinism.iexec"]).to.equal("hello world\n");
    const contribution = await world.requester.work.contribution(taskid, workers[0].address);
    expect(contribution.status).to.equal(ContributionStatus.PROVED);
  });

  it("runs a bag of 5 tasks on two workers, each container seeing its bag-of-tasks variables", async function () {
    const { app } = await deployApp(
      world,
      "bot-env",
      "env | grep ^IEXEC_ > /iexec_out/env.txt; echo task-$IEXEC_TASK_INDEX > /iexec_out/determinism.iexec",
    );
    workers.push(await startWorker(world, 0, scheduler.url), await startWorker(world, 1, scheduler.url));
    const dealid = await buyExecution(world, { app, volume: 5n });
    const seenBy = new Set<string>();
    for (let idx = 0n; idx < 5n; idx++) {
      const taskid = computeTaskId(dealid, idx);
      const task = await waitForTask(world.requester, taskid);
      expect(task.statusName, `task ${idx}`).to.equal("COMPLETED");
      seenBy.add(task.contributors[0]);
      const env = parseEnv((await resultFiles(world.requester, taskid))["env.txt"]);
      expect(env).to.include({
        IEXEC_IN: "/iexec_in",
        IEXEC_OUT: "/iexec_out",
        IEXEC_TASK_ID: taskid,
        IEXEC_DEAL_ID: dealid,
        IEXEC_TASK_INDEX: String(idx),
        IEXEC_BOT_TASK_INDEX: String(idx),
        IEXEC_BOT_FIRST_INDEX: "0",
        IEXEC_BOT_SIZE: "5",
        IEXEC_NB_INPUT_FILES: "0",
        IEXEC_INPUT_FILES_NUMBER: "0",
        IEXEC_INPUT_FILES_FOLDER: "/iexec_in",
        IEXEC_DATASET_ADDRESS: "0x0000000000000000000000000000000000000000",
      });
      expect(task.resultDigest).to.equal(sha256(`task-${idx}\n`));
    }
    expect(seenBy.size, "both workers took tasks").to.equal(2);
  });

  it("reaches trust 5 despite a faulty worker, which is slashed while the agreeing ones are paid", async function () {
    // The app reports its memory limit: deterministic on identical workers, different on the one
    // configured with less memory, which therefore contributes a different result.
    const { app } = await deployApp(
      world,
      "machine-bound",
      "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; " +
        "(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes) > /iexec_out/determinism.iexec",
    );
    const honest = { limits: { memoryBytes: 256 * 1024 * 1024 } };
    const faulty = { limits: { memoryBytes: 128 * 1024 * 1024 } };
    workers.push(
      await startWorker(world, 0, scheduler.url, honest),
      await startWorker(world, 1, scheduler.url, honest),
      await startWorker(world, 2, scheduler.url, faulty),
    );
    const faultyAddress = workers[2].address;
    const before = await world.requester.account.show(faultyAddress);
    const dealid = await buyExecution(world, { app, trust: 5n });
    const taskid = computeTaskId(dealid, 0n);
    // Three new workers are what trust 5 needs when all agree; with one dissenting, there is no consensus.
    const split = await waitForTask(
      world.requester,
      taskid,
      60_000,
      (task) => task.contributors.length === 3,
    );
    expect(split.contributors).to.have.length(3);
    expect(split.statusName).to.equal("ACTIVE");
    // The scheduler hands the task to the workers that join, until the agreeing group wins.
    workers.push(
      await startWorker(world, 3, scheduler.url, honest),
      await startWorker(world, 4, scheduler.url, honest),
    );
    const task = await waitForTask(world.requester, taskid, 90_000);
    expect(task.statusName).to.equal("COMPLETED");
    expect(task.contributors).to.have.length(5);
    expect(task.resultDigest).to.equal(sha256(`${256 * 1024 * 1024}\n`));
    // As in the reference hub, finalize leaves a loser's contribution CONTRIBUTED (never PROVED), seizes its
    // stake and says so with FaultyContribution.
    const dissent = await world.requester.work.contribution(taskid, faultyAddress);
    expect(dissent.status).to.equal(ContributionStatus.CONTRIBUTED);
    const hub = world.requester.context.hub;
    const faults = await hub.queryFilter(hub.filters.FaultyContribution(undefined, taskid));
    expect(faults.map((event) => event.args.worker)).to.deep.equal([faultyAddress]);
    const deal = await world.requester.deals.view(dealid);
    const after = await world.requester.account.show(faultyAddress);
    expect(after.stake + after.locked).to.equal(before.stake + before.locked - deal.workerStake);
    for (const worker of [workers[0], workers[1], workers[3], workers[4]]) {
      const contribution = await world.requester.work.contribution(taskid, worker.address);
      expect(contribution.status, worker.address).to.equal(ContributionStatus.PROVED);
      expect(await world.requester.work.score(worker.address)).to.equal(1n);
    }
    expect(await world.requester.work.score(faultyAddress)).to.equal(0n);
  });

  it("ends an app that runs past its time limit with an APP_TIMEOUT error result that still completes the task", async function () {
    const { app } = await deployApp(world, "sleeper", "sleep 60; echo never > /iexec_out/determinism.iexec");
    workers.push(await startWorker(world, 0, scheduler.url, { maxRunMs: 1500 }));
    const dealid = await buyExecution(world, { app });
    const taskid = computeTaskId(dealid, 0n);
    const task = await waitForTask(world.requester, taskid);
    expect(task.statusName).to.equal("COMPLETED");
    const files = await resultFiles(world.requester, taskid);
    expect(Object.keys(files)).to.deep.equal(["error.json"]);
    expect(JSON.parse(files["error.json"]).error).to.equal("APP_TIMEOUT");
    const stored = workers[0].store.get(taskid)!;
    expect(stored.errorResult).to.equal("APP_TIMEOUT");
  });

  it("refuses to run an image whose digest is not the app's checksum; the requester is refunded at the deadline", async function () {
    const { image: other } = await deployApp(world, "genuine", "echo genuine > /iexec_out/determinism.iexec");
    const { app } = await deployApp(world, "impostor", "echo impostor > /iexec_out/determinism.iexec", {
      checksum: other.checksum,
    });
    workers.push(await startWorker(world, 0, scheduler.url));
    const requester = (await world.requester.address())!;
    const funds = await world.requester.account.show(requester);
    const dealid = await buyExecution(world, { app });
    const taskid = computeTaskId(dealid, 0n);
    await waitUntil(() => workers[0].store.get(taskid)?.state === "FAILED");
    const stored = workers[0].store.get(taskid)!;
    expect(stored.failure).to.equal("APP_CHECKSUM_MISMATCH");
    expect((await world.requester.tasks.show(taskid)).contributors).to.deep.equal([]);
    // Past the final deadline the scheduler claims the task: the requester gets the price back.
    const deal = await world.requester.deals.view(dealid);
    await network.provider.send("evm_setNextBlockTimestamp", [Number(deal.finalDeadline) + 1]);
    await network.provider.send("evm_mine", []);
    const claimed = await waitForTask(
      world.requester,
      taskid,
      30_000,
      (task) => task.status === TaskStatus.FAILED,
    );
    expect(claimed.statusName).to.equal("FAILED");
    const refunded = await world.requester.account.show(requester);
    expect(refunded.stake).to.equal(funds.stake);
    expect(refunded.locked).to.equal(funds.locked);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
