import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { TaskStatus, computeResultHash, computeResultSeal, digestOf, signAuthorization } from "../../src/sdk";
import { KITTY, RESULTS, expectMoneyConserved, taskSetup, taskStatus } from "./fixtures";
import { WORKER_STAKE, crowdedTask, fundedWorkers } from "./crowd";

/** `Tasks.MAX_CONTRIBUTORS`. */
const MAX_CONTRIBUTORS = 256;
/** What settling any task may cost at most, whoever filled it. */
const SETTLE_GAS_BOUND = 10_000_000n;

describe("Contributors per task: bounded, so that settling a task always fits a block @gas", function () {
  // Each case fills a task with 256 contributions: a few seconds each.
  this.timeout(600_000);

  it("takes 256 contributions, then refuses the next one with TooManyContributors and changes nothing", async () => {
    const setup = await loadFixture(taskSetup);
    const crowd = await crowdedTask(setup, MAX_CONTRIBUTORS, { consensus: false });
    expect((await setup.hub.viewTask(crowd.taskid)).contributors.length).to.equal(MAX_CONTRIBUTORS);
    const [late] = await fundedWorkers(setup, 1);
    const digest = digestOf("one too many");
    const authorization = await signAuthorization(setup.scheduler, late.address, crowd.taskid);
    await expect(
      setup.hub
        .connect(late)
        .contribute(
          crowd.taskid,
          computeResultHash(crowd.taskid, digest),
          computeResultSeal(late.address, crowd.taskid, digest),
          ethers.ZeroAddress,
          "0x",
          authorization,
        ),
    )
      .to.be.revertedWithCustomError(setup.hub, "TooManyContributors")
      .withArgs(crowd.taskid);
    expect((await setup.hub.viewTask(crowd.taskid)).contributors.length).to.equal(MAX_CONTRIBUTORS);
    expect(await setup.hub.viewAccount(late.address)).to.deep.equal([WORKER_STAKE, 0n]);
    expect(await taskStatus(setup, crowd.taskid)).to.equal(TaskStatus.ACTIVE);
  });

  it("claim of a full task costs under 10M gas and refunds everyone", async () => {
    const setup = await loadFixture(taskSetup);
    const crowd = await crowdedTask(setup, MAX_CONTRIBUTORS, { consensus: false });
    await time.increaseTo((await setup.hub.viewTask(crowd.taskid)).finalDeadline);
    const receipt = await (await setup.hub.claim(crowd.taskid)).wait();
    expect(receipt!.gasUsed).to.be.lessThan(SETTLE_GAS_BOUND);
    expect(await taskStatus(setup, crowd.taskid)).to.equal(TaskStatus.FAILED);
    for (const worker of crowd.workers) {
      expect(await setup.hub.viewAccount(worker.address)).to.deep.equal([WORKER_STAKE, 0n]);
    }
    await expectMoneyConserved(
      setup,
      [crowd.deal],
      crowd.workers.map((w) => w.address),
    );
  });

  it("finalize of a full task (the most winners a max-trust consensus needs) costs under 10M gas", async () => {
    const setup = await loadFixture(taskSetup);
    const crowd = await crowdedTask(setup, MAX_CONTRIBUTORS, { consensus: true });
    expect(crowd.workers.length).to.be.greaterThanOrEqual(MAX_CONTRIBUTORS - 1);
    for (const winner of crowd.winners) {
      await (await setup.hub.connect(winner).reveal(crowd.taskid, crowd.digest)).wait();
    }
    const receipt = await (
      await setup.hub.connect(setup.scheduler).finalize(crowd.taskid, RESULTS, "0x")
    ).wait();
    expect(receipt!.gasUsed).to.be.lessThan(SETTLE_GAS_BOUND);
    expect(await taskStatus(setup, crowd.taskid)).to.equal(TaskStatus.COMPLETED);
    // Winners are paid beyond their stake, losers lose theirs.
    for (const winner of crowd.winners) {
      const { stake, locked } = await setup.hub.viewAccount(winner.address);
      expect(locked).to.equal(0n);
      expect(stake > WORKER_STAKE).to.equal(true);
    }
    const loser = crowd.workers[0];
    expect(await setup.hub.viewAccount(loser.address)).to.deep.equal([0n, 0n]);
    await expectMoneyConserved(
      setup,
      [crowd.deal],
      crowd.workers.map((w) => w.address),
    );
  });

  it("reopen of a full task costs under 10M gas", async () => {
    const setup = await loadFixture(taskSetup);
    const crowd = await crowdedTask(setup, MAX_CONTRIBUTORS, { consensus: true });
    await time.increaseTo((await setup.hub.viewTask(crowd.taskid)).revealDeadline);
    const receipt = await (await setup.hub.connect(setup.scheduler).reopen(crowd.taskid)).wait();
    expect(receipt!.gasUsed).to.be.lessThan(SETTLE_GAS_BOUND);
    expect(await taskStatus(setup, crowd.taskid)).to.equal(TaskStatus.ACTIVE);
    expect(await setup.hub.viewAccount(KITTY)).to.deep.equal([0n, 0n]);
  });
});
