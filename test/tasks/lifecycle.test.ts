import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  ContributionStatus,
  TaskStatus,
  computeResultHash,
  computeResultSeal,
  computeTaskId,
  digestOf,
  signAuthorization,
} from "../../src/sdk";
import { PRICES } from "../matching/fixtures";
import {
  KITTY,
  RESULTS,
  TIMEREF,
  contribute,
  expectMoneyConserved,
  finalize,
  initTask,
  makeDeal,
  reveal,
  taskSetup,
  taskStatus,
  timeTravelTo,
} from "./fixtures";

const DIGEST = digestOf("result-digest-of-the-task-output");
const TASK_PRICE = PRICES.app + PRICES.dataset + PRICES.workerpool;
const WORKER_STAKE = (PRICES.workerpool * 30n) / 100n;
const SCHEDULER_STAKE = (PRICES.workerpool * 30n) / 100n;

describe("Task lifecycle", () => {
  it("trust 1: initialize, one contribution reaches consensus, reveal, finalize pays everyone", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers, scheduler, requester, appOwner, datasetOwner } = setup;
    const [worker] = workers;
    const deal = await makeDeal(setup);
    const taskid = computeTaskId(deal.dealid, 0n);

    await expect(hub.initialize(deal.dealid, 0n))
      .to.emit(hub, "TaskInitialize")
      .withArgs(taskid, setup.workerpool);
    let task = await hub.viewTask(taskid);
    expect(task.status).to.equal(TaskStatus.ACTIVE);
    expect(task.dealid).to.equal(deal.dealid);
    expect(task.idx).to.equal(0n);
    expect(task.timeref).to.equal(TIMEREF);
    expect(task.contributionDeadline).to.equal(deal.startTime + 7n * TIMEREF);
    expect(task.finalDeadline).to.equal(deal.startTime + 10n * TIMEREF);

    const before = {
      worker: await hub.viewAccount(worker.address),
      scheduler: await hub.viewAccount(scheduler.address),
      requester: await hub.viewAccount(requester.address),
    };
    const resultHash = computeResultHash(taskid, DIGEST);
    const tx = contribute(setup, worker, taskid, DIGEST);
    await expect(tx).to.emit(hub, "TaskContribute").withArgs(taskid, worker.address, resultHash);
    await expect(tx).to.emit(hub, "TaskConsensus").withArgs(taskid, resultHash);
    await expect(tx).to.emit(hub, "Lock").withArgs(worker.address, WORKER_STAKE);
    const consensusTime = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    task = await hub.viewTask(taskid);
    expect(task.status).to.equal(TaskStatus.REVEALING);
    expect(task.consensusValue).to.equal(resultHash);
    expect(task.revealDeadline).to.equal(consensusTime + 2n * TIMEREF);
    expect(task.winnerCounter).to.equal(1n);
    expect(task.contributors).to.deep.equal([worker.address]);
    const contribution = await hub.viewContribution(taskid, worker.address);
    expect(contribution.status).to.equal(ContributionStatus.CONTRIBUTED);
    expect(contribution.resultHash).to.equal(resultHash);
    expect(contribution.resultSeal).to.equal(computeResultSeal(worker.address, taskid, DIGEST));
    expect(contribution.weight).to.equal(1n); // log2(2)

    await expect(reveal(setup, worker, taskid, DIGEST))
      .to.emit(hub, "TaskReveal")
      .withArgs(taskid, worker.address, DIGEST);
    task = await hub.viewTask(taskid);
    expect(task.revealCounter).to.equal(1n);
    expect(task.resultDigest).to.equal(DIGEST);
    expect(task.consensusValue).to.equal(resultHash);
    expect((await hub.viewContribution(taskid, worker.address)).status).to.equal(ContributionStatus.PROVED);

    const finalizeTx = finalize(setup, taskid);
    await expect(finalizeTx).to.emit(hub, "TaskFinalize").withArgs(taskid, RESULTS);
    await expect(finalizeTx).to.emit(hub, "Seize").withArgs(requester.address, TASK_PRICE, taskid);
    await expect(finalizeTx).to.emit(hub, "Reward").withArgs(appOwner.address, PRICES.app, taskid);
    await expect(finalizeTx).to.emit(hub, "Reward").withArgs(datasetOwner.address, PRICES.dataset, taskid);
    await expect(finalizeTx).to.not.emit(hub, "AccurateContribution"); // one contributor: no score change
    const finalizeTime = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

    task = await hub.viewTask(taskid);
    expect(task.status).to.equal(TaskStatus.COMPLETED);
    expect(task.results).to.equal(RESULTS);
    expect(task.resultsTimestamp).to.equal(finalizeTime);
    expect(task.resultsCallback).to.equal("0x");

    // Workers' pool: the workerpool price less the scheduler's 1%; the scheduler keeps that 1%.
    const workerPay = (PRICES.workerpool * 99n) / 100n;
    const after = {
      worker: await hub.viewAccount(worker.address),
      scheduler: await hub.viewAccount(scheduler.address),
      requester: await hub.viewAccount(requester.address),
    };
    expect(after.worker.stake).to.equal(before.worker.stake + workerPay);
    expect(after.worker.locked).to.equal(0n);
    expect(after.scheduler.stake).to.equal(
      before.scheduler.stake + SCHEDULER_STAKE + PRICES.workerpool - workerPay,
    );
    expect(after.scheduler.locked).to.equal(before.scheduler.locked - SCHEDULER_STAKE);
    expect(after.requester.locked).to.equal(before.requester.locked - TASK_PRICE);
    expect(after.requester.stake).to.equal(before.requester.stake);
    expect(await hub.balanceOf(appOwner.address)).to.equal(PRICES.app);
    expect(await hub.balanceOf(datasetOwner.address)).to.equal(PRICES.dataset);
    expect(await hub.viewScore(worker.address)).to.equal(0n);
    await expectMoneyConserved(setup, [deal]);
  });

  it("trust 5: three agreeing new workers reach consensus on the third, all are paid and gain a point", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers } = setup;
    const deal = await makeDeal(setup, { trust: 5n });
    const taskid = await initTask(setup, deal);
    const trio = workers.slice(0, 3);
    for (const [i, worker] of trio.entries()) {
      await (await contribute(setup, worker, taskid, DIGEST)).wait();
      expect(await taskStatus(setup, taskid)).to.equal(i < 2 ? TaskStatus.ACTIVE : TaskStatus.REVEALING);
    }
    await expectMoneyConserved(setup, [deal]);
    expect((await hub.viewTask(taskid)).winnerCounter).to.equal(3n);
    for (const worker of trio) await (await reveal(setup, worker, taskid, DIGEST)).wait();
    const balances = await Promise.all(trio.map((w) => hub.balanceOf(w.address)));
    const tx = finalize(setup, taskid);
    for (const worker of trio)
      await expect(tx).to.emit(hub, "AccurateContribution").withArgs(worker.address, taskid);
    const workersShare = (PRICES.workerpool * 99n) / 100n;
    for (const [i, worker] of trio.entries()) {
      expect(await hub.viewScore(worker.address)).to.equal(1n);
      // Equal weights: a third each (rounded down), plus the stake back.
      expect(await hub.balanceOf(worker.address)).to.equal(balances[i] + WORKER_STAKE + workersShare / 3n);
    }
    expect((await hub.viewTask(taskid)).contributors).to.deep.equal(trio.map((w) => w.address));
    await expectMoneyConserved(setup, [deal]);
  });

  it("a split vote: the minority's stake is seized and shared by the majority, its score cut", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers } = setup;
    const deal = await makeDeal(setup, { trust: 5n });
    const taskid = await initTask(setup, deal);
    const [honest1, liar, honest2, honest3, honest4] = workers;
    const LIE = digestOf("a wrong result");
    await (await contribute(setup, honest1, taskid, DIGEST)).wait();
    await (await contribute(setup, liar, taskid, LIE)).wait();
    await (await contribute(setup, honest2, taskid, DIGEST)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.ACTIVE);
    // Against one dissenter, 3 agreeing new workers are not enough at trust 5 (group 8, total 1 + 8 + 2 = 11:
    // 8 * 5 = 40 <= 11 * 4 = 44); 4 are (16 * 5 = 80 > 19 * 4 = 76).
    await (await contribute(setup, honest3, taskid, DIGEST)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.ACTIVE);
    await (await contribute(setup, honest4, taskid, DIGEST)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.REVEALING);
    await expect(reveal(setup, liar, taskid, LIE)).to.be.revertedWithCustomError(hub, "NotInConsensus");
    for (const worker of [honest1, honest2, honest3, honest4]) {
      await (await reveal(setup, worker, taskid, DIGEST)).wait();
    }
    const liarBefore = await hub.viewAccount(liar.address);
    const tx = finalize(setup, taskid);
    await expect(tx).to.emit(hub, "FaultyContribution").withArgs(liar.address, taskid);
    await expect(tx).to.emit(hub, "Seize").withArgs(liar.address, WORKER_STAKE, taskid);
    await (await tx).wait();
    const liarAfter = await hub.viewAccount(liar.address);
    expect(liarAfter.locked).to.equal(liarBefore.locked - WORKER_STAKE);
    expect(liarAfter.stake).to.equal(liarBefore.stake);
    expect((await hub.viewContribution(taskid, liar.address)).status).to.equal(
      ContributionStatus.CONTRIBUTED,
    );
    expect(await hub.viewScore(honest1.address)).to.equal(1n);
    // The pool is the workerpool price plus the liar's stake.
    const share = ((PRICES.workerpool + WORKER_STAKE) * 99n) / 100n / 4n;
    expect(await hub.balanceOf(honest1.address)).to.equal(10n * 10n ** 9n + share);
    await expectMoneyConserved(setup, [deal]);
  });

  it("reopen after no reveal: the winners are rejected, a new worker brings the consensus, finalize", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers, scheduler } = setup;
    const deal = await makeDeal(setup);
    const taskid = await initTask(setup, deal);
    const [silent, fresh] = workers;
    await (await contribute(setup, silent, taskid, DIGEST)).wait();
    const { revealDeadline } = await hub.viewTask(taskid);
    await expect(hub.connect(scheduler).reopen(taskid)).to.be.revertedWithCustomError(
      hub,
      "RevealDeadlineNotReached",
    );
    await timeTravelTo(revealDeadline);
    await expect(hub.connect(scheduler).reopen(taskid)).to.emit(hub, "TaskReopen").withArgs(taskid);
    let task = await hub.viewTask(taskid);
    expect(task.status).to.equal(TaskStatus.ACTIVE);
    expect(task.consensusValue).to.equal(ethers.ZeroHash);
    expect(task.revealDeadline).to.equal(0n);
    expect(task.winnerCounter).to.equal(0n);
    const rejected = await hub.viewContribution(taskid, silent.address);
    expect(rejected.status).to.equal(ContributionStatus.REJECTED);
    // The task forgot its consensus; the rejected contribution still shows what it committed to.
    expect(rejected.resultHash).to.equal(computeResultHash(taskid, DIGEST));
    await expect(contribute(setup, silent, taskid, DIGEST)).to.be.revertedWithCustomError(
      hub,
      "AlreadyContributed",
    );

    await (await contribute(setup, fresh, taskid, DIGEST)).wait();
    task = await hub.viewTask(taskid);
    expect(task.status).to.equal(TaskStatus.REVEALING);
    expect(task.winnerCounter).to.equal(1n); // the rejected contribution does not count
    await (await reveal(setup, fresh, taskid, DIGEST)).wait();
    const tx = finalize(setup, taskid);
    await expect(tx).to.emit(hub, "FaultyContribution").withArgs(silent.address, taskid);
    await expect(tx).to.emit(hub, "AccurateContribution").withArgs(fresh.address, taskid);
    await (await tx).wait();
    expect(await hub.viewScore(fresh.address)).to.equal(1n);
    await expectMoneyConserved(setup, [deal]);
  });

  it("claim after the final deadline: the sponsor is refunded, stakes unlocked, the scheduler's stake goes to the kitty", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers, scheduler, requester } = setup;
    const deal = await makeDeal(setup);
    const taskid = await initTask(setup, deal);
    const [worker] = workers;
    await (await contribute(setup, worker, taskid, DIGEST)).wait();
    const { finalDeadline } = await hub.viewTask(taskid);
    const before = {
      requester: await hub.viewAccount(requester.address),
      scheduler: await hub.viewAccount(scheduler.address),
      worker: await hub.viewAccount(worker.address),
    };
    await expect(hub.claim(taskid)).to.be.revertedWithCustomError(hub, "FinalDeadlineNotReached");
    await timeTravelTo(finalDeadline);
    await expect(finalize(setup, taskid)).to.be.revertedWithCustomError(hub, "FinalDeadlinePassed");
    const tx = hub.connect(setup.spare[0]).claim(taskid);
    await expect(tx).to.emit(hub, "TaskClaimed").withArgs(taskid);
    await expect(tx).to.emit(hub, "Seize").withArgs(scheduler.address, SCHEDULER_STAKE, taskid);
    await expect(tx).to.emit(hub, "Reward").withArgs(KITTY, SCHEDULER_STAKE, taskid);
    await (await tx).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.FAILED);
    const requesterAfter = await hub.viewAccount(requester.address);
    expect(requesterAfter.stake).to.equal(before.requester.stake + TASK_PRICE);
    expect(requesterAfter.locked).to.equal(before.requester.locked - TASK_PRICE);
    const schedulerAfter = await hub.viewAccount(scheduler.address);
    expect(schedulerAfter.locked).to.equal(before.scheduler.locked - SCHEDULER_STAKE);
    expect(schedulerAfter.stake).to.equal(before.scheduler.stake);
    const workerAfter = await hub.viewAccount(worker.address);
    expect(workerAfter.stake).to.equal(before.worker.stake + WORKER_STAKE);
    expect(workerAfter.locked).to.equal(0n);
    expect((await hub.viewAccount(KITTY)).locked).to.equal(SCHEDULER_STAKE);
    await expect(hub.claim(taskid)).to.be.revertedWithCustomError(hub, "TaskNotClaimable");
    await expectMoneyConserved(setup, [deal]);

    // The next completed task pays the scheduler a cut of the kitty: 10%, at least 1 RLC, at most all of it.
    const next = await makeDeal(setup);
    const nextTask = await initTask(setup, next);
    await (await contribute(setup, worker, nextTask, DIGEST)).wait();
    await (await reveal(setup, worker, nextTask, DIGEST)).wait();
    const cut = 10n ** 9n; // 10% of 6 RLC is below the 1 RLC floor
    await expect(finalize(setup, nextTask)).to.emit(hub, "Seize").withArgs(KITTY, cut, nextTask);
    expect((await hub.viewAccount(KITTY)).locked).to.equal(SCHEDULER_STAKE - cut);
    await expectMoneyConserved(setup, [deal, next]);
  });

  it("contributeAndFinalize: a trust-1 task completes in one call", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers, scheduler } = setup;
    const deal = await makeDeal(setup);
    const taskid = await initTask(setup, deal);
    const [worker] = workers;
    const authorization = await signAuthorization(scheduler, worker.address, taskid);
    const before = await hub.viewAccount(worker.address);
    const tx = hub
      .connect(worker)
      .contributeAndFinalize(taskid, DIGEST, RESULTS, "0x", ethers.ZeroAddress, "0x", authorization);
    const resultHash = computeResultHash(taskid, DIGEST);
    await expect(tx).to.emit(hub, "TaskContribute").withArgs(taskid, worker.address, resultHash);
    await expect(tx).to.emit(hub, "TaskConsensus").withArgs(taskid, resultHash);
    await expect(tx).to.emit(hub, "TaskReveal").withArgs(taskid, worker.address, DIGEST);
    await expect(tx).to.emit(hub, "TaskFinalize").withArgs(taskid, RESULTS);
    // The contribution settles at once: the worker's stake is neither locked nor unlocked.
    await expect(tx).not.to.emit(hub, "Lock");
    const task = await hub.viewTask(taskid);
    expect(task.status).to.equal(TaskStatus.COMPLETED);
    expect(task.consensusValue).to.equal(resultHash);
    expect(task.resultDigest).to.equal(DIGEST);
    expect(task.revealCounter).to.equal(1n);
    expect(task.winnerCounter).to.equal(1n);
    expect(task.contributors).to.deep.equal([worker.address]);
    const contribution = await hub.viewContribution(taskid, worker.address);
    expect(contribution.status).to.equal(ContributionStatus.PROVED);
    expect(contribution.resultHash).to.equal(resultHash);
    expect(contribution.resultSeal).to.equal(computeResultSeal(worker.address, taskid, DIGEST));
    const after = await hub.viewAccount(worker.address);
    expect(after.stake).to.equal(before.stake + (PRICES.workerpool * 99n) / 100n);
    expect(after.locked).to.equal(before.locked);
    await expectMoneyConserved(setup, [deal]);
  });

  it("a bag of tasks: volume 10, initializeArray, each task settled on its own", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers } = setup;
    const deal = await makeDeal(setup, { volume: 10n });
    expect(deal.volume).to.equal(10n);
    const indexes = [...Array(10).keys()].map((i) => deal.botFirst + BigInt(i));
    await (
      await hub.initializeArray(
        indexes.map(() => deal.dealid),
        indexes,
      )
    ).wait();
    const taskids = indexes.map((i) => computeTaskId(deal.dealid, i));
    for (const taskid of taskids) expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.ACTIVE);
    await expect(hub.initialize(deal.dealid, deal.botFirst + 10n)).to.be.revertedWithCustomError(
      hub,
      "TaskIndexOutOfRange",
    );
    // Complete half of them, with different workers; the other half expires and is claimed in one call.
    for (const [i, taskid] of taskids.slice(0, 5).entries()) {
      const worker = workers[i % workers.length];
      await (await contribute(setup, worker, taskid, DIGEST)).wait();
      await (await reveal(setup, worker, taskid, DIGEST)).wait();
      await (await finalize(setup, taskid)).wait();
      await expectMoneyConserved(setup, [deal]);
    }
    const { finalDeadline } = await hub.viewTask(taskids[5]);
    await timeTravelTo(finalDeadline);
    await (await hub.claimArray(taskids.slice(5))).wait();
    for (const [i, taskid] of taskids.entries()) {
      expect(await taskStatus(setup, taskid)).to.equal(i < 5 ? TaskStatus.COMPLETED : TaskStatus.FAILED);
    }
    expect((await hub.viewAccount(setup.requester.address)).locked).to.equal(0n);
    await expectMoneyConserved(setup, [deal]);
  });

  it("initializeAndClaimArray settles expired tasks that were never initialized", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub } = setup;
    const deal = await makeDeal(setup, { volume: 3n });
    const indexes = [0n, 1n, 2n];
    await timeTravelTo(deal.startTime + 10n * TIMEREF);
    await (
      await hub.initializeAndClaimArray(
        indexes.map(() => deal.dealid),
        indexes,
      )
    ).wait();
    for (const index of indexes) {
      expect(await taskStatus(setup, computeTaskId(deal.dealid, index))).to.equal(TaskStatus.FAILED);
    }
    expect((await hub.viewAccount(setup.requester.address)).locked).to.equal(0n);
    expect((await hub.viewAccount(KITTY)).locked).to.equal(3n * SCHEDULER_STAKE);
    await expectMoneyConserved(setup, [deal]);
  });
});
