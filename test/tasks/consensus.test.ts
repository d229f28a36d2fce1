import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { ContributionStatus, TaskStatus, computeResultHash, digestOf } from "../../src/sdk";
import {
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

const DIGEST = digestOf("consensus test result");

/**
 * The consensus rule on worked examples (its property test is test/tasks/consensus.property.test.ts): new workers
 * weigh 2, a group weighs the product of its weights, the total is 1 plus every group in play, and a hash wins at
 * trust t when group * t > total * (t - 1).
 */
describe("Consensus (examples)", () => {
  it("trust 3: a lone new worker ties (2 * 3 = 3 * 2) and does not win; a second agreeing one does", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub } = setup;
    const [first, second] = setup.workers;
    const deal = await makeDeal(setup, { trust: 3n });
    const taskid = await initTask(setup, deal);
    await (await contribute(setup, first, taskid, DIGEST)).wait();
    let task = await hub.viewTask(taskid);
    expect(Number(task.status)).to.equal(TaskStatus.ACTIVE);
    expect(task.consensusValue).to.equal(ethers.ZeroHash);
    expect(task.winnerCounter).to.equal(0n);

    // 4 * 3 = 12 > (1 + 4) * 2 = 10.
    await expect(contribute(setup, second, taskid, DIGEST))
      .to.emit(hub, "TaskConsensus")
      .withArgs(taskid, computeResultHash(taskid, DIGEST));
    task = await hub.viewTask(taskid);
    expect(Number(task.status)).to.equal(TaskStatus.REVEALING);
    expect(task.winnerCounter).to.equal(2n);
    await expectMoneyConserved(setup, [deal]);
  });

  it("after a reopen, the rejected winners' group no longer counts: the same hash needs two fresh workers again", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, scheduler } = setup;
    const [first, second, third, fourth] = setup.workers;
    const deal = await makeDeal(setup, { trust: 3n });
    const taskid = await initTask(setup, deal);
    await (await contribute(setup, first, taskid, DIGEST)).wait();
    await (await contribute(setup, second, taskid, DIGEST)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.REVEALING);

    // Nobody reveals: the scheduler reopens, rejecting both winners.
    await timeTravelTo((await hub.viewTask(taskid)).revealDeadline);
    await (await hub.connect(scheduler).reopen(taskid)).wait();
    for (const rejected of [first, second]) {
      expect((await hub.viewContribution(taskid, rejected.address)).status).to.equal(
        ContributionStatus.REJECTED,
      );
    }

    // A fresh worker on the same hash starts a new group of 2: a tie again, no consensus.
    await (await contribute(setup, third, taskid, DIGEST)).wait();
    let task = await hub.viewTask(taskid);
    expect(Number(task.status)).to.equal(TaskStatus.ACTIVE);
    expect(task.winnerCounter).to.equal(0n);
    await (await contribute(setup, fourth, taskid, DIGEST)).wait();
    task = await hub.viewTask(taskid);
    expect(Number(task.status)).to.equal(TaskStatus.REVEALING);
    expect(task.winnerCounter).to.equal(2n);

    for (const winner of [third, fourth]) await (await reveal(setup, winner, taskid, DIGEST)).wait();
    const tx = finalize(setup, taskid);
    for (const rejected of [first, second]) {
      await expect(tx).to.emit(hub, "FaultyContribution").withArgs(rejected.address, taskid);
    }
    for (const winner of [third, fourth]) {
      await expect(tx).to.emit(hub, "AccurateContribution").withArgs(winner.address, taskid);
    }
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
    await expectMoneyConserved(setup, [deal]);
  });
});
