import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { ContributionStatus, TaskStatus, digestOf, signAuthorization } from "../../src/sdk";
import { RLC_UNIT, fundAndDeposit } from "../fixtures";
import { PRICES } from "../matching/fixtures";
import {
  KITTY,
  contribute,
  escrowOf,
  expectMoneyConserved,
  finalize,
  initTask,
  makeDeal,
  reveal,
  setScore,
  taskSetup,
  taskStatus,
  timeTravelTo,
} from "./fixtures";

const DIGEST = digestOf("settlement test result");
const LIE = digestOf("settlement test wrong result");
const TASK_PRICE = PRICES.app + PRICES.dataset + PRICES.workerpool;
const WORKER_STAKE = (PRICES.workerpool * 30n) / 100n;
const SCHEDULER_STAKE = (PRICES.workerpool * 30n) / 100n;
/** What the provers of a task share: the workerpool price less the scheduler's 1% (default policy). */
const WORKERS_SHARE = (PRICES.workerpool * 99n) / 100n;
const SPONSOR_DEPOSIT = 100n * RLC_UNIT;

/**
 * `taskSetup` plus a sponsor with 100 RLC deposited, and a deal of the requester's own, so that the requester has a
 * task price frozen too: a settlement that charged or refunded the requester instead of the sponsor would find the
 * money there and succeed, and only the balances tell.
 */
// Built on the shared `taskSetup` snapshot: deploying afresh here would revert the chain to hardhat-deploy's
// snapshot, older than `taskSetup`'s, and invalidate it for the test files that run after this one.
async function sponsoredSetup() {
  const setup = await loadFixture(taskSetup);
  const sponsor = setup.spare[0];
  await fundAndDeposit(setup, sponsor, SPONSOR_DEPOSIT);
  const own = await makeDeal(setup);
  const sponsored = await makeDeal(setup, { sponsor, volume: 2n });
  return { ...setup, sponsor, own, sponsored };
}

describe("Settlement", () => {
  describe("a sponsored deal (sponsorMatchOrders)", () => {
    it("the match locks the sponsor's funds and records the sponsor; the requester's balances do not move", async () => {
      const setup = await loadFixture(sponsoredSetup);
      const { hub, requester, sponsor, sponsored } = setup;
      const deal = await hub.viewDeal(sponsored.dealid);
      expect([deal.requester, deal.sponsor]).to.deep.equal([requester.address, sponsor.address]);
      expect(await escrowOf(setup, sponsor.address)).to.deep.equal({
        stake: SPONSOR_DEPOSIT - 2n * TASK_PRICE,
        locked: 2n * TASK_PRICE,
      });
      // The requester's own deal only.
      expect(await escrowOf(setup, requester.address)).to.deep.equal({
        stake: 1000n * RLC_UNIT - TASK_PRICE,
        locked: TASK_PRICE,
      });
      await expectMoneyConserved(setup, [setup.own, sponsored]);
    });

    it("finalize takes the task price from the sponsor, not the requester", async () => {
      const setup = await loadFixture(sponsoredSetup);
      const { hub, requester, sponsor, sponsored, appOwner, datasetOwner, scheduler } = setup;
      const [worker] = setup.workers;
      const requesterBefore = await escrowOf(setup, requester.address);
      const schedulerBefore = await escrowOf(setup, scheduler.address);
      const taskid = await initTask(setup, sponsored);
      await (await contribute(setup, worker, taskid, DIGEST)).wait();
      await (await reveal(setup, worker, taskid, DIGEST)).wait();

      const tx = finalize(setup, taskid);
      await expect(tx).to.emit(hub, "Seize").withArgs(sponsor.address, TASK_PRICE, taskid);
      await expect(tx).to.emit(hub, "Reward").withArgs(appOwner.address, PRICES.app, taskid);
      await expect(tx).to.emit(hub, "Reward").withArgs(datasetOwner.address, PRICES.dataset, taskid);
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);

      // The sponsor's second task is still frozen; the requester's own deal is untouched.
      expect(await escrowOf(setup, sponsor.address)).to.deep.equal({
        stake: SPONSOR_DEPOSIT - 2n * TASK_PRICE,
        locked: TASK_PRICE,
      });
      expect(await escrowOf(setup, requester.address)).to.deep.equal(requesterBefore);
      expect(await escrowOf(setup, appOwner.address)).to.deep.equal({ stake: PRICES.app, locked: 0n });
      expect(await escrowOf(setup, datasetOwner.address)).to.deep.equal({
        stake: PRICES.dataset,
        locked: 0n,
      });
      expect(await escrowOf(setup, worker.address)).to.deep.equal({
        stake: 10n * RLC_UNIT + WORKERS_SHARE,
        locked: 0n,
      });
      expect(await escrowOf(setup, scheduler.address)).to.deep.equal({
        stake: schedulerBefore.stake + SCHEDULER_STAKE + PRICES.workerpool - WORKERS_SHARE,
        locked: schedulerBefore.locked - SCHEDULER_STAKE,
      });
      await expectMoneyConserved(setup, [setup.own, sponsored]);
    });

    it("contributeAndFinalize by a worker without stake: it is paid, nothing of it is locked, the sponsor pays", async () => {
      const setup = await loadFixture(sponsoredSetup);
      const { hub, requester, sponsor, sponsored, appOwner, datasetOwner, scheduler } = setup;
      // A worker that never deposited: the reference locks no stake for a contribution that settles at once.
      const worker = setup.spare[2];
      const parties = { requester, sponsor, appOwner, datasetOwner, scheduler, worker };
      const taskid = await initTask(setup, sponsored);
      const before: Record<string, { stake: bigint; locked: bigint }> = {};
      for (const [name, signer] of Object.entries(parties))
        before[name] = await escrowOf(setup, signer.address);
      const kittyBefore = await escrowOf(setup, KITTY);
      const supplyBefore = await hub.totalSupply();
      expect(before.worker).to.deep.equal({ stake: 0n, locked: 0n });

      const authorization = await signAuthorization(scheduler, worker.address, taskid);
      const tx = await hub
        .connect(worker)
        .contributeAndFinalize(taskid, DIGEST, "0x", "0x", ethers.ZeroAddress, "0x", authorization);
      await expect(tx).to.emit(hub, "Reward").withArgs(worker.address, WORKERS_SHARE, taskid);
      await expect(tx).to.emit(hub, "Seize").withArgs(sponsor.address, TASK_PRICE, taskid);
      // No stake of the worker moves: neither a Lock nor an Unlock names it.
      const receipt = (await tx.wait())!;
      const escrowEvents = receipt.logs
        .map((log) => hub.interface.parseLog(log))
        .filter((event) => event?.name === "Lock" || event?.name === "Unlock");
      expect(escrowEvents.map((event) => event!.args[0])).not.to.include(worker.address);
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
      expect((await hub.viewContribution(taskid, worker.address)).status).to.equal(ContributionStatus.PROVED);

      expect(await escrowOf(setup, worker.address)).to.deep.equal({ stake: WORKERS_SHARE, locked: 0n });
      expect(await hub.viewScore(worker.address)).to.equal(0n);
      expect(await escrowOf(setup, sponsor.address)).to.deep.equal({
        stake: before.sponsor.stake,
        locked: before.sponsor.locked - TASK_PRICE,
      });
      expect(await escrowOf(setup, requester.address)).to.deep.equal(before.requester);
      expect(await escrowOf(setup, appOwner.address)).to.deep.equal({
        stake: before.appOwner.stake + PRICES.app,
        locked: before.appOwner.locked,
      });
      expect(await escrowOf(setup, datasetOwner.address)).to.deep.equal({
        stake: before.datasetOwner.stake + PRICES.dataset,
        locked: before.datasetOwner.locked,
      });
      expect(await escrowOf(setup, scheduler.address)).to.deep.equal({
        stake: before.scheduler.stake + SCHEDULER_STAKE + PRICES.workerpool - WORKERS_SHARE,
        locked: before.scheduler.locked - SCHEDULER_STAKE,
      });
      expect(await escrowOf(setup, KITTY)).to.deep.equal(kittyBefore);
      expect(await hub.totalSupply()).to.equal(supplyBefore);
      await expectMoneyConserved(setup, [setup.own, sponsored]);
    });

    it("claim after the final deadline refunds the sponsor, not the requester", async () => {
      const setup = await loadFixture(sponsoredSetup);
      const { hub, requester, sponsor, sponsored, scheduler } = setup;
      const [worker] = setup.workers;
      const requesterBefore = await escrowOf(setup, requester.address);
      const schedulerBefore = await escrowOf(setup, scheduler.address);
      const taskid = await initTask(setup, sponsored, sponsored.botFirst + 1n);
      await (await contribute(setup, worker, taskid, DIGEST)).wait();
      await timeTravelTo((await hub.viewTask(taskid)).finalDeadline);

      const tx = hub.connect(setup.spare[1]).claim(taskid);
      await expect(tx).to.emit(hub, "Unlock").withArgs(sponsor.address, TASK_PRICE);
      await expect(tx).to.emit(hub, "Unlock").withArgs(worker.address, WORKER_STAKE);
      await expect(tx).to.emit(hub, "Seize").withArgs(scheduler.address, SCHEDULER_STAKE, taskid);
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.FAILED);

      expect(await escrowOf(setup, sponsor.address)).to.deep.equal({
        stake: SPONSOR_DEPOSIT - TASK_PRICE,
        locked: TASK_PRICE,
      });
      expect(await escrowOf(setup, requester.address)).to.deep.equal(requesterBefore);
      expect(await escrowOf(setup, worker.address)).to.deep.equal({ stake: 10n * RLC_UNIT, locked: 0n });
      expect(await escrowOf(setup, scheduler.address)).to.deep.equal({
        stake: schedulerBefore.stake,
        locked: schedulerBefore.locked - SCHEDULER_STAKE,
      });
      expect(await escrowOf(setup, KITTY)).to.deep.equal({ stake: 0n, locked: SCHEDULER_STAKE });
      await expectMoneyConserved(setup, [setup.own, sponsored]);
    });
  });

  it("a kitty below 1 RLC goes whole to the scheduler of the next completed task", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, scheduler } = setup;
    const [worker] = setup.workers;
    // A 1 RLC workerpool price: the scheduler stakes 0.3 RLC, which a claim sends to the kitty.
    const cheapPool = {
      workerpool: { workerpoolprice: RLC_UNIT },
      request: { workerpoolmaxprice: RLC_UNIT },
    };
    const cheapStake = (RLC_UNIT * 30n) / 100n;
    const expired = await makeDeal(setup, { overrides: cheapPool });
    const expiredTask = await initTask(setup, expired);
    await timeTravelTo((await hub.viewTask(expiredTask)).finalDeadline);
    await (await hub.claim(expiredTask)).wait();
    expect(await escrowOf(setup, KITTY)).to.deep.equal({ stake: 0n, locked: cheapStake });

    const deal = await makeDeal(setup);
    const taskid = await initTask(setup, deal);
    await (await contribute(setup, worker, taskid, DIGEST)).wait();
    await (await reveal(setup, worker, taskid, DIGEST)).wait();
    const schedulerBefore = await escrowOf(setup, scheduler.address);
    // 10% of 0.3 RLC is below the 1 RLC floor, which is above the kitty: the cut is the kitty.
    await expect(finalize(setup, taskid)).to.emit(hub, "Seize").withArgs(KITTY, cheapStake, taskid);
    expect(await escrowOf(setup, KITTY)).to.deep.equal({ stake: 0n, locked: 0n });
    expect(await escrowOf(setup, scheduler.address)).to.deep.equal({
      stake: schedulerBefore.stake + SCHEDULER_STAKE + PRICES.workerpool - WORKERS_SHARE + cheapStake,
      locked: schedulerBefore.locked - SCHEDULER_STAKE,
    });
    await expectMoneyConserved(setup, [expired, deal]);
  });

  it("provers share the pool by weight: a worker of score 15 (weight 4) gets twice a new worker's share", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub } = setup;
    const [veteran, rookie] = setup.workers;
    await setScore(setup, veteran.address, 15n);
    const deal = await makeDeal(setup, { trust: 5n });
    const taskid = await initTask(setup, deal);
    // Weight 4 alone at trust 5: 4 * 5 = 20, not above (1 + 4) * 4 = 20. With the rookie's 2: 8 * 5 > 9 * 4.
    await (await contribute(setup, veteran, taskid, DIGEST)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.ACTIVE);
    await (await contribute(setup, rookie, taskid, DIGEST)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.REVEALING);
    // Contributions record log2 of the weight.
    expect((await hub.viewContribution(taskid, veteran.address)).weight).to.equal(2n);
    expect((await hub.viewContribution(taskid, rookie.address)).weight).to.equal(1n);
    for (const worker of [veteran, rookie]) await (await reveal(setup, worker, taskid, DIGEST)).wait();

    const tx = finalize(setup, taskid);
    await expect(tx).to.emit(hub, "AccurateContribution").withArgs(veteran.address, taskid);
    await expect(tx).to.emit(hub, "AccurateContribution").withArgs(rookie.address, taskid);
    expect(await escrowOf(setup, veteran.address)).to.deep.equal({
      stake: 10n * RLC_UNIT + (WORKERS_SHARE * 2n) / 3n,
      locked: 0n,
    });
    expect(await escrowOf(setup, rookie.address)).to.deep.equal({
      stake: 10n * RLC_UNIT + WORKERS_SHARE / 3n,
      locked: 0n,
    });
    expect(await hub.viewScore(veteran.address)).to.equal(16n);
    expect(await hub.viewScore(rookie.address)).to.equal(1n);
    await expectMoneyConserved(setup, [deal]);
  });

  it("a faulty contributor loses its stake and a third of its score", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub } = setup;
    const [honest1, liar, honest2, honest3] = setup.workers;
    await setScore(setup, liar.address, 9n); // weight max(9 / 3, 3) - 1 = 2, like a new worker
    const deal = await makeDeal(setup, { trust: 3n });
    const taskid = await initTask(setup, deal);
    // Weights 2 at trust 3: the third honest contribution brings the consensus (8 * 3 = 24 > (1 + 8 + 2) * 2 = 22).
    await (await contribute(setup, honest1, taskid, DIGEST)).wait();
    await (await contribute(setup, liar, taskid, LIE)).wait();
    await (await contribute(setup, honest2, taskid, DIGEST)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.ACTIVE);
    await (await contribute(setup, honest3, taskid, DIGEST)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.REVEALING);
    for (const honest of [honest1, honest2, honest3])
      await (await reveal(setup, honest, taskid, DIGEST)).wait();

    const tx = finalize(setup, taskid);
    await expect(tx).to.emit(hub, "FaultyContribution").withArgs(liar.address, taskid);
    await expect(tx).to.emit(hub, "Seize").withArgs(liar.address, WORKER_STAKE, taskid);
    expect((await hub.viewContribution(taskid, liar.address)).status).to.equal(
      ContributionStatus.CONTRIBUTED,
    );
    expect(await hub.viewScore(liar.address)).to.equal(6n);
    expect(await escrowOf(setup, liar.address)).to.deep.equal({
      stake: 10n * RLC_UNIT - WORKER_STAKE,
      locked: 0n,
    });
    // The honest share the pool and the liar's stake.
    const share = ((PRICES.workerpool + WORKER_STAKE) * 99n) / 100n / 3n;
    for (const honest of [honest1, honest2, honest3]) {
      expect(await hub.viewScore(honest.address)).to.equal(1n);
      expect(await escrowOf(setup, honest.address)).to.deep.equal({
        stake: 10n * RLC_UNIT + share,
        locked: 0n,
      });
    }
    await expectMoneyConserved(setup, [deal]);
  });
});
