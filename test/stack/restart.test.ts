/**
 * Crashes, on the real Docker engine: a worker killed while its container runs, and a scheduler killed in the
 * middle of a deal, both run as `openpoco` processes and restarted on their own data folders.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { computeAddress } from "ethers";
import { computeTaskId } from "../../src/sdk";
import { WorkerStore } from "../../src/worker/store";
import type { WorkerApp } from "../../src/worker/agent";
import { closedPort } from "../cli/harness";
import {
  accountKey,
  buyExecution,
  deployApp,
  spawnCli,
  stackWorld,
  startScheduler,
  startWorker,
  waitForTask,
  type CliProcess,
  type StackWorld,
} from "./world";

/** Names of the containers (running or not) whose name starts with `prefix`. */
function containers(prefix: string): string[] {
  return execFileSync("docker", ["ps", "-a", "--filter", `name=${prefix}`, "--format", "{{.Names}}"], {
    encoding: "utf8",
  })
    .split("\n")
    .filter((name) => name.startsWith(prefix));
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("workerpool runtime: crashes and restarts @docker", function () {
  this.timeout(300_000);
  let world: StackWorld;
  const processes: CliProcess[] = [];
  const workers: WorkerApp[] = [];

  before(async function () {
    world = await stackWorld({ workers: 2 });
  });

  afterEach(async function () {
    await Promise.all(processes.splice(0).map((process) => process.kill("SIGKILL")));
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });

  after(async function () {
    await world?.close();
  });

  it("a worker killed while its app runs starts over after a restart and contributes once", async function () {
    const scheduler = await startScheduler(world, path.join(world.dir, "scheduler-a.sqlite"));
    try {
      const { app } = await deployApp(world, "slow", "sleep 3; echo slow > /iexec_out/determinism.iexec");
      const dataDir = path.join(world.dir, "killed-worker");
      const args = [
        "worker",
        "start",
        "--scheduler",
        scheduler.url,
        "--data-dir",
        dataDir,
        "--poll-ms",
        "100",
      ];
      const first = await spawnCli(world, args, world.workerKey(0), /polling/);
      processes.push(first);
      const dealid = await buyExecution(world, { app });
      const taskid = computeTaskId(dealid, 0n);
      const prefix = "openpoco-" + computeAddress(world.workerKey(0)).slice(2, 10).toLowerCase();
      await until(() => containers(prefix).length > 0);
      await first.kill("SIGKILL");
      expect(containers(prefix), "the killed worker's container outlives it").to.have.length(1);

      const second = await spawnCli(world, args, world.workerKey(0), /polling/);
      processes.push(second);
      const task = await waitForTask(world.requester, taskid);
      expect(task.statusName).to.equal("COMPLETED");
      expect(task.contributors).to.deep.equal([computeAddress(world.workerKey(0))]);
      await second.kill("SIGTERM");
      expect(containers(prefix), "no container left behind").to.deep.equal([]);
      const store = WorkerStore.open(path.join(dataDir, "worker.sqlite"));
      try {
        const stored = store.get(taskid)!;
        expect(stored.runs, "the app ran again after the restart").to.equal(2);
        expect(stored.state).to.equal("DONE");
      } finally {
        store.close();
      }
    } finally {
      await scheduler.stop();
    }
  });

  it("a scheduler killed mid-deal resumes from its database and the chain, initializing each task once", async function () {
    const { app } = await deployApp(
      world,
      "steady",
      "sleep 1; echo steady-$IEXEC_TASK_INDEX > /iexec_out/determinism.iexec",
    );
    const port = await closedPort();
    const dataDir = path.join(world.dir, "killed-scheduler");
    const args = [
      "scheduler",
      "start",
      "--workerpool",
      world.workerpool,
      "--port",
      String(port),
      "--data-dir",
      dataDir,
      "--tick-ms",
      "100",
    ];
    const schedulerKey = accountKey(3);
    const first = await spawnCli(world, args, schedulerKey, /listening at/);
    processes.push(first);
    const url = `http://127.0.0.1:${port}`;
    workers.push(await startWorker(world, 1, url));
    const dealid = await buyExecution(world, { app, volume: 3n });
    const taskids = [0n, 1n, 2n].map((idx) => computeTaskId(dealid, idx));
    await waitForTask(world.requester, taskids[0]);
    await first.kill("SIGKILL");

    const second = await spawnCli(world, args, schedulerKey, /listening at/);
    processes.push(second);
    for (const taskid of taskids) {
      const task = await waitForTask(world.requester, taskid);
      expect(task.statusName, taskid).to.equal("COMPLETED");
    }
    const hub = world.requester.context.hub;
    const initialized = await hub.queryFilter(hub.filters.TaskInitialize());
    const ours = initialized.filter((event) => taskids.includes(event.args.taskid));
    expect(ours.map((event) => event.args.taskid).sort()).to.deep.equal([...taskids].sort());
  });
});
