/**
 * The scheduler against the in-process chain over JSON-RPC, with simulated workers: trust 1, a bag of
 * tasks in one `initializeArray`, trust 5 with a dissenter, reveal → upload → finalize, reopen, failures
 * and claims, preference for high scores. (@scheduler)
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { IHub__factory } from "../../typechain-types";
import { ContributionStatus, TaskStatus, computeTaskId, digestOf } from "../../src/sdk/tasks";
import type { SchedulerApp } from "../../src/scheduler";
import { makeDeal, timeTravelTo } from "../tasks/fixtures";
import { SchedulerHarness, until, type SimWorker } from "./harness";

const RESULTS = '{"storage":"ipfs","location":"/ipfs/QmRwwTz9Chq4Y7F7ReKKcx1GV6s3H7egmNGrku9XrwiDa8"}';

describe("@scheduler scheduler flows", function () {
  this.timeout(120_000);
  let h: SchedulerHarness;

  before(async () => {
    h = await SchedulerHarness.start();
  });
  after(async () => h?.stop());

  /** Waits until the scheduler has the task in `state`. */
  const stateOf = (app: SchedulerApp, taskid: string, state: string) =>
    until(`task ${taskid} ${state}`, async () => {
      await app.tickNow();
      return app.store.task(taskid)?.state === state;
    });

  const chainStatus = async (taskid: string) =>
    Number((await h.setup.hub.viewTask(taskid)).status) as TaskStatus;

  it("trust 1: the worker contributes and finalizes itself, the scheduler sees it completed and says forget", async () => {
    const app = await h.scheduler();
    const deal = await makeDeal(h.setup, { trust: 1n });
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await stateOf(app, taskid, "active");
    const worker = await h.worker(app, 0);
    const answer = await worker.poll(1);
    expect(answer.assign.map((a) => a.taskid)).to.deep.equal([taskid]);
    expect(answer.assign[0].enclaveChallenge).to.equal(ethers.ZeroAddress);
    // Nobody else is needed: a second worker gets nothing.
    expect((await (await h.worker(app, 1)).poll(1)).assign).to.deep.equal([]);
    const sent = await worker.poco.work.contributeAndFinalize({
      taskid,
      resultDigest: digestOf("trust one"),
      authorization: answer.assign[0].authorization,
      results: RESULTS,
    });
    await worker.client.report(taskid, { event: "finalized", txHash: sent.txHash });
    await stateOf(app, taskid, "completed");
    expect((await worker.poll(1)).forget).to.deep.equal([taskid]);
    expect((await worker.poll(1)).forget).to.deep.equal([]);
    expect(app.store.journalEntries("finalize")).to.deep.equal([]);
    await h.stopScheduler(app);
  });

  it("initializes a bag of tasks in one initializeArray, skipping a task already initialized", async () => {
    const deal = await makeDeal(h.setup, { trust: 1n, volume: 5n });
    // Initialized by someone else before the scheduler looks: initializing it again would revert.
    await (await h.setup.hub.initialize(deal.dealid, deal.botFirst)).wait();
    const app = await h.scheduler({ fromBlock: (await ethers.provider.getBlockNumber()) - 3 });
    const taskids = [0n, 1n, 2n, 3n, 4n].map((i) => computeTaskId(deal.dealid, deal.botFirst + i));
    for (const taskid of taskids) await stateOf(app, taskid, "active");
    const inits = app.store.journalEntries("initialize");
    expect(inits).to.have.length(1);
    expect(inits[0].taskids).to.deep.equal(taskids.slice(1));
    const tx = await ethers.provider.getTransaction(inits[0].txHash!);
    const call = IHub__factory.createInterface().parseTransaction({ data: tx!.data });
    expect(call?.name).to.equal("initializeArray");
    for (const taskid of taskids) expect(await chainStatus(taskid)).to.equal(TaskStatus.ACTIVE);
    // One worker with three slots gets three distinct tasks.
    const worker = await h.worker(app, 0);
    const got = (await worker.poll(3)).assign.map((a) => a.taskid);
    expect(got).to.deep.equal(taskids.slice(0, 3));
    await h.stopScheduler(app);
  });

  it("trust 5: three workers, one dissents; two more are asked, only winners reveal, one uploads, finalized", async () => {
    const app = await h.scheduler();
    const deal = await makeDeal(h.setup, { trust: 5n });
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await stateOf(app, taskid, "active");
    const w: SimWorker[] = [];
    for (let n = 0; n < 6; n++) w.push(await h.worker(app, n));
    const good = digestOf("good");
    const bad = digestOf("bad");
    const first = [];
    for (let n = 0; n < 3; n++) {
      const answer = await w[n].poll(1);
      expect(answer.assign, `worker ${n}`).to.have.length(1);
      first.push(answer.assign[0]);
    }
    // Three new workers are enough if they agree: a fourth waits.
    expect((await w[3].poll(1)).assign).to.deep.equal([]);
    // The same worker is never given the task twice.
    expect((await w[0].poll(1)).assign).to.deep.equal([]);
    await w[0].contribute(first[0], good);
    await w[1].contribute(first[1], good);
    await w[2].contribute(first[2], bad);
    await until("contributions read", async () => {
      await app.tickNow();
      return app.store
        .assignmentsOfTask(taskid)
        .every((a) => a.chainStatus === ContributionStatus.CONTRIBUTED);
    });
    expect(await chainStatus(taskid)).to.equal(TaskStatus.ACTIVE);
    // Group 4 of total 7 for trust 5: two more agreeing workers are needed, not three.
    const more = [(await w[3].poll(1)).assign, (await w[4].poll(1)).assign, (await w[5].poll(1)).assign];
    expect(more.map((a) => a.length)).to.deep.equal([1, 1, 0]);
    await w[3].contribute(more[0][0], good);
    await w[4].contribute(more[1][0], good);
    expect(await chainStatus(taskid)).to.equal(TaskStatus.REVEALING);
    await stateOf(app, taskid, "revealing");
    const winners = [w[0], w[1], w[3], w[4]];
    for (const winner of winners) expect((await winner.poll(0)).reveal).to.deep.equal([taskid]);
    expect((await w[2].poll(0)).reveal).to.deep.equal([]);
    // Asked once: not again at the next poll.
    expect((await w[0].poll(0)).reveal).to.deep.equal([]);
    for (const winner of winners) await winner.reveal(taskid, good);
    await until("an uploader", async () => {
      await app.tickNow();
      return app.store.task(taskid)?.uploader ?? undefined;
    });
    const uploads: string[][] = [];
    for (const worker of w) uploads.push((await worker.poll(0)).upload);
    const uploaders = w.filter((_, n) => uploads[n].length > 0);
    expect(uploaders).to.have.length(1);
    expect(uploaders[0]).to.not.equal(w[2]);
    // Only the chosen worker may report the result.
    const other = winners.find((x) => x !== uploaders[0])!;
    const refused = await other.client
      .report(taskid, { event: "uploaded", results: "elsewhere", resultsCallback: "0x" })
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(refused?.message).to.match(/HTTP 403/);
    await uploaders[0].client.report(taskid, { event: "uploaded", results: RESULTS, resultsCallback: "0x" });
    await stateOf(app, taskid, "completed");
    const info = await w[0].poco.tasks.show(taskid);
    expect(info.status).to.equal(TaskStatus.COMPLETED);
    expect(info.resultsText).to.equal(RESULTS);
    expect(app.store.journalEntries("finalize")).to.have.length(1);
    expect((await w[2].poll(0)).forget).to.deep.equal([taskid]);
    await h.stopScheduler(app);
  });
});
