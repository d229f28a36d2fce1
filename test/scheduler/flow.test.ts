/**
 * The scheduler against the in-process chain over JSON-RPC, with simulated workers: trust 1, a bag of
 * tasks in one `initializeArray`, trust 5 with a dissenter, reveal → upload → finalize, reopen, failures
 * and claims, preference for high scores. (@scheduler)
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { IHub__factory } from "../../typechain-types";
import { ContributionStatus, TaskStatus, computeTaskId, digestOf } from "../../src/sdk/core/tasks";
import { makeDeal, timeTravelTo } from "../tasks/fixtures";
import { SchedulerHarness, stateOf, until, type SimWorker } from "./harness";

const RESULTS = '{"storage":"ipfs","location":"/ipfs/QmRwwTz9Chq4Y7F7ReKKcx1GV6s3H7egmNGrku9XrwiDa8"}';

describe("@scheduler scheduler flows", function () {
  this.timeout(120_000);
  let h: SchedulerHarness;

  before(async () => {
    h = await SchedulerHarness.start();
  });
  after(async () => h?.stop());

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

  it("reopens a task nobody revealed after the reveal deadline, then hands it to new workers", async () => {
    const app = await h.scheduler();
    const deal = await makeDeal(h.setup, { trust: 3n });
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await stateOf(app, taskid, "active");
    // Worker 2 lost its stake as the trust-5 dissenter: workers 0, 1, 4, 5 play here.
    const w: SimWorker[] = [];
    for (const n of [0, 1, 4, 5]) w.push(await h.worker(app, n));
    const digest = digestOf("silent");
    for (const worker of w.slice(0, 2)) await worker.contribute((await worker.poll(1)).assign[0], digest);
    await stateOf(app, taskid, "revealing");
    expect((await w[0].poll(0)).reveal).to.deep.equal([taskid]);
    // Nobody reveals; one second before the deadline the scheduler still waits.
    const revealDeadline = (await h.setup.hub.viewTask(taskid)).revealDeadline;
    await timeTravelTo(revealDeadline - 1n);
    await app.tickNow();
    expect(app.store.journalEntries("reopen")).to.deep.equal([]);
    await timeTravelTo(revealDeadline);
    await stateOf(app, taskid, "active");
    expect(app.store.journalEntries("reopen").map((e) => e.taskids)).to.deep.equal([[taskid]]);
    expect(await chainStatus(taskid)).to.equal(TaskStatus.ACTIVE);
    // The rejected workers are not asked again; two new ones are.
    expect((await w[0].poll(1)).assign).to.deep.equal([]);
    const again = [(await w[2].poll(1)).assign, (await w[3].poll(1)).assign];
    expect(again.map((a) => a.length)).to.deep.equal([1, 1]);
    await w[2].contribute(again[0][0], digest);
    await w[3].contribute(again[1][0], digest);
    expect(await chainStatus(taskid)).to.equal(TaskStatus.REVEALING);
    await h.stopScheduler(app);
  });

  it("claims, with initializeAndClaimArray, tasks of a deal it learns of only after their final deadline", async () => {
    const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
    const deal = await makeDeal(h.setup, { trust: 1n, volume: 2n });
    const taskids = [0n, 1n].map((i) => computeTaskId(deal.dealid, deal.botFirst + i));
    const { finalDeadline } = await h.setup.hub.viewDeal(deal.dealid).then(async (view) => ({
      finalDeadline: view.startTime + 10n * (await h.setup.hub.viewCategory(view.category)).workClockTimeRef,
    }));
    await timeTravelTo(finalDeadline + 1n);
    const before = (await h.setup.hub.viewAccount(h.setup.requester.address)).stake;
    const app = await h.scheduler({ fromBlock });
    for (const taskid of taskids) await stateOf(app, taskid, "failed");
    for (const taskid of taskids) expect(await chainStatus(taskid)).to.equal(TaskStatus.FAILED);
    expect(app.store.journalEntries("initialize")).to.deep.equal([]);
    const claims = app.store.journalEntries("claim");
    expect(claims.flatMap((claim) => claim.taskids)).to.have.members(taskids);
    expect((await h.setup.hub.viewAccount(h.setup.requester.address)).stake).to.be.greaterThan(before);
    await h.stopScheduler(app);
  });

  it("records failures: a bad checksum confirmed by a second worker stops the task, a local failure hands it on; both claimed at the final deadline", async () => {
    const app = await h.scheduler();
    const deal = await makeDeal(h.setup, { trust: 1n, volume: 2n });
    const [fatal, local] = [0n, 1n].map((i) => computeTaskId(deal.dealid, deal.botFirst + i));
    await stateOf(app, local, "active");
    const w: SimWorker[] = [];
    for (let n = 0; n < 3; n++) w.push(await h.worker(app, n));
    expect((await w[0].poll(1)).assign.map((a) => a.taskid)).to.deep.equal([fatal]);
    await w[0].client.report(fatal, {
      event: "failed",
      code: "APP_CHECKSUM_MISMATCH",
      detail: "digest differs",
    });
    // One worker's word does not stop the task for everyone: the next worker gets it too.
    expect(app.store.task(fatal)?.failure).to.equal(null);
    expect((await w[1].poll(1)).assign.map((a) => a.taskid)).to.deep.equal([fatal]);
    await w[1].client.report(fatal, {
      event: "failed",
      code: "APP_CHECKSUM_MISMATCH",
      detail: "digest differs",
    });
    // Confirmed: the task is not handed to anyone else, w2 gets only the other one.
    expect(app.store.task(fatal)?.failure).to.equal("APP_CHECKSUM_MISMATCH");
    expect((await w[2].poll(2)).assign.map((a) => a.taskid)).to.deep.equal([local]);
    await w[2].client.report(local, {
      event: "failed",
      code: "APP_IMAGE_PULL_FAILED",
      detail: "registry down",
    });
    expect(app.store.assignment(local, w[2].address)?.failure).to.equal("APP_IMAGE_PULL_FAILED");
    // A local failure hands the task on, to a worker that has not tried it.
    expect((await w[0].poll(2)).assign.map((a) => a.taskid)).to.deep.equal([local]);
    // Nobody finishes: at the final deadline both are claimed in one transaction, refunding the requester.
    const finalDeadline = (await h.setup.hub.viewTask(fatal)).finalDeadline;
    const before = (await h.setup.hub.viewAccount(h.setup.requester.address)).stake;
    await timeTravelTo(finalDeadline - 1n);
    await app.tickNow();
    expect(app.store.journalEntries("claim")).to.deep.equal([]);
    await timeTravelTo(finalDeadline);
    await stateOf(app, fatal, "failed");
    await stateOf(app, local, "failed");
    const claims = app.store.journalEntries("claim");
    expect(claims).to.have.length(1);
    expect(claims[0].taskids).to.have.members([fatal, local]);
    expect(await chainStatus(fatal)).to.equal(TaskStatus.FAILED);
    expect((await h.setup.hub.viewAccount(h.setup.requester.address)).stake).to.be.greaterThan(before);
    expect((await w[0].poll(0)).forget).to.have.members([fatal, local]);
    await h.stopScheduler(app);
  });

  it("prefers a higher-score worker that polled recently over a lower-score one", async () => {
    // After the trust-5 test, workers 0, 1, 3, 4 won (score 1) and worker 2 lost (score 0).
    const app = await h.scheduler({ timings: { preferWindowMs: 5_000 } });
    const [high, low] = [await h.worker(app, 0), await h.worker(app, 2)];
    expect(await high.poco.work.score(high.address)).to.be.greaterThan(
      await low.poco.work.score(low.address),
    );
    expect((await high.poll(1)).assign).to.deep.equal([]);
    expect((await low.poll(1)).assign).to.deep.equal([]);
    const deal = await makeDeal(h.setup, { trust: 1n });
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await stateOf(app, taskid, "active");
    // The idle better worker polled within the window: the task waits for it.
    expect((await low.poll(1)).assign).to.deep.equal([]);
    expect((await high.poll(1)).assign.map((a) => a.taskid)).to.deep.equal([taskid]);
    await h.stopScheduler(app);
  });
});
