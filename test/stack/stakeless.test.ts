/**
 * A worker without stake on a trust-1 deal, on the real Docker engine: the hub's contributeAndFinalize
 * locks no worker stake (the reference's rule), so the worker runs the task and is paid its reward, its
 * escrow untouched otherwise. Above trust 1 the same worker still refuses before running anything.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { computeTaskId } from "../../src/sdk";
import type { WorkerApp } from "../../src/worker/agent";
import {
  buyExecution,
  deployApp,
  stackWorld,
  startScheduler,
  startServices,
  startWorker,
  waitForTask,
  type StackWorld,
  type WorldServices,
} from "./world";

describe("a worker without stake @docker", function () {
  this.timeout(300_000);
  let world: StackWorld;
  let services: WorldServices;
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;
  let worker: WorkerApp | undefined;

  before(async function () {
    // No worker account gets RLC: worker 0 has gas money only.
    world = await stackWorld({ workers: 0 });
    services = await startServices(world);
    scheduler = await startScheduler(world);
  });

  after(async function () {
    await worker?.stop();
    await scheduler?.stop();
    await services?.stop();
    await world?.close();
  });

  it("runs a trust-1 task and is paid, with nothing locked", async function () {
    worker = await startWorker(world, 0, scheduler.url);
    const address = new Wallet(world.workerKey(0)).address;
    expect(await world.requester.account.show(address)).to.deep.include({ stake: 0n, locked: 0n });
    const { app } = await deployApp(world, "stakeless", "echo paid > /iexec_out/result.txt");
    const dealid = await buyExecution(world, { app, trust: 1n });
    const deal = await world.requester.deals.show(dealid);
    expect(deal.workerStake > 0n, "the deal asks for a worker stake").to.equal(true);
    const done = await waitForTask(world.requester, computeTaskId(dealid, 0n));
    expect(done.statusName, worker.store.get(computeTaskId(dealid, 0n))?.detail).to.equal("COMPLETED");
    const after = await world.requester.account.show(address);
    expect(after.locked).to.equal(0n);
    expect(after.stake > 0n, "the worker's reward").to.equal(true);
  });
});
