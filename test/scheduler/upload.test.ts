/**
 * The end of a task with several winners: the upload goes to another revealed worker when the chosen
 * one fails, and a task where only some winners revealed is finalized once the reveal deadline
 * passed, not before. (@scheduler)
 */
import { expect } from "chai";
import { TaskStatus, computeTaskId, digestOf } from "../../src/sdk/core/tasks";
import type { SchedulerApp } from "../../src/scheduler";
import { makeDeal, timeTravelTo } from "../tasks/fixtures";
import { SchedulerHarness, stateOf, until, type SimWorker } from "./harness";

describe("@scheduler scheduler uploads", function () {
  this.timeout(120_000);
  let h: SchedulerHarness;

  before(async () => {
    h = await SchedulerHarness.start();
  });
  after(async () => h?.stop());

  /** A trust-3 task both workers contributed `digest` to, as the scheduler sees it (revealing). */
  async function revealingTask(app: SchedulerApp, w: SimWorker[], digest: string): Promise<string> {
    const deal = await makeDeal(h.setup, { trust: 3n });
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await stateOf(app, taskid, "active");
    for (const worker of w) await worker.contribute((await worker.poll(1)).assign[0], digest);
    await stateOf(app, taskid, "revealing");
    return taskid;
  }

  it("asks another revealed worker when the chosen uploader fails", async () => {
    const app = await h.scheduler();
    const w = [await h.worker(app, 0), await h.worker(app, 1)];
    const digest = digestOf("failover");
    const taskid = await revealingTask(app, w, digest);
    for (const worker of w) await worker.reveal(taskid, digest);
    const first = await until("an uploader", async () => {
      await app.tickNow();
      return app.store.task(taskid)?.uploader ?? undefined;
    });
    const [chosen, other] = first === w[0].address ? [w[0], w[1]] : [w[1], w[0]];
    expect((await other.poll(0)).upload).to.deep.equal([]);
    expect((await chosen.poll(0)).upload).to.deep.equal([taskid]);
    await chosen.client.report(taskid, { event: "failed", code: "UPLOAD_FAILED", detail: "store down" });
    const second = await until("another uploader", async () => {
      await app.tickNow();
      return app.store.task(taskid)?.uploader ?? undefined;
    });
    expect(second).to.equal(other.address);
    expect((await other.poll(0)).upload).to.deep.equal([taskid]);
    await other.client.report(taskid, {
      event: "uploaded",
      results: "ipfs://failover",
      resultsCallback: "0x",
    });
    await stateOf(app, taskid, "completed");
    expect((await h.setup.hub.viewTask(taskid)).results).to.equal(
      "0x" + Buffer.from("ipfs://failover").toString("hex"),
    );
    await h.stopScheduler(app);
  });

  it("finalizes with some winners revealed only once the reveal deadline passed", async () => {
    const app = await h.scheduler();
    const w = [await h.worker(app, 2), await h.worker(app, 3)];
    const digest = digestOf("partial");
    const taskid = await revealingTask(app, w, digest);
    await w[0].reveal(taskid, digest);
    await app.tickNow();
    await app.tickNow();
    expect(app.store.task(taskid)?.uploader).to.equal(null);
    const revealDeadline = (await h.setup.hub.viewTask(taskid)).revealDeadline;
    await timeTravelTo(revealDeadline);
    const uploader = await until("an uploader", async () => {
      await app.tickNow();
      return app.store.task(taskid)?.uploader ?? undefined;
    });
    // Only the revealed worker may upload.
    expect(uploader).to.equal(w[0].address);
    expect((await w[0].poll(0)).upload).to.deep.equal([taskid]);
    await w[0].client.report(taskid, { event: "uploaded", results: "ipfs://partial", resultsCallback: "0x" });
    await stateOf(app, taskid, "completed");
    expect(Number((await h.setup.hub.viewTask(taskid)).status)).to.equal(TaskStatus.COMPLETED);
    expect(app.store.journalEntries("reopen")).to.deep.equal([]);
    await h.stopScheduler(app);
  });
});
