import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { fundAndDeposit } from "../fixtures";
import { matchArgs, signedOrders, type OrderSet } from "../matching/fixtures";
import {
  ContributionStatus,
  TaskStatus,
  callbackDigest,
  computeDealId,
  computeResultHash,
  computeResultSeal,
  computeTaskId,
  digestOf,
  hashOrder,
  signAuthorization,
  signOrder,
} from "../../src/sdk";
import {
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
  type MadeDeal,
  type TaskSetup,
} from "./fixtures";

const DIGEST = digestOf("the true result");
const OTHER = digestOf("another result");
const GARBAGE_SIGNATURES = ["0x", "0x" + "ab".repeat(65), "0x" + "cd".repeat(64), "0x" + "00".repeat(65)];
const UNKNOWN_ID = ethers.id("no such deal or task");

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

/** What a rejected call must leave as it was: the tasks (and every watched account's contribution to them), the
 * watched accounts' escrow and score, and the SRLC supply. */
async function observe(setup: TaskSetup, taskids: string[], accounts: string[]) {
  const { hub } = setup;
  const tasks = [];
  for (const taskid of taskids) {
    const task = await hub.viewTask(taskid);
    const contributions = [];
    for (const account of accounts) {
      const c = await hub.viewContribution(taskid, account);
      contributions.push([c.status, c.resultHash, c.resultSeal, c.enclaveChallenge, c.weight]);
    }
    tasks.push({
      status: task.status,
      consensus: task.consensusValue,
      digest: task.resultDigest,
      revealDeadline: task.revealDeadline,
      reveals: task.revealCounter,
      winners: task.winnerCounter,
      contributors: [...task.contributors],
      results: task.results,
      contributions,
    });
  }
  const escrow = [];
  for (const account of accounts) {
    const { stake, locked } = await hub.viewAccount(account);
    escrow.push({ account, stake, locked, score: await hub.viewScore(account) });
  }
  return { tasks, escrow, supply: await hub.totalSupply() };
}

/**
 * A guard over `deals`, `taskids` and `accounts` (plus the requester and the scheduler): the returned function
 * asserts that `call` reverts with the custom error `error(...args)`, that nothing it watches changed, and that
 * money is conserved over `deals`.
 */
function guard(setup: TaskSetup, deals: MadeDeal[], taskids: string[], accounts: HardhatEthersSigner[]) {
  const watched = [setup.requester, setup.scheduler, ...accounts].map((a) => a.address);
  return async (call: () => Promise<unknown>, error: string, ...args: unknown[]): Promise<void> => {
    const before = await observe(setup, taskids, watched);
    await expect(call())
      .to.be.revertedWithCustomError(setup.hub, error)
      .withArgs(...args);
    expect(await observe(setup, taskids, watched)).to.deep.equal(
      before,
      `state changed by a rejected ${error}`,
    );
    await expectMoneyConserved(setup, deals);
  };
}

/** Parts of a contribution to replace (by default: the honest commitment to `digest`, the scheduler's
 * authorization, no enclave). */
interface Commitment {
  hash?: string;
  seal?: string;
  authorization?: string;
}

/** `worker` contributes to `taskid`, its commitment to `digest` overridden by `c`. */
async function contributeWith(
  setup: TaskSetup,
  worker: HardhatEthersSigner,
  taskid: string,
  digest: string,
  c: Commitment = {},
) {
  return setup.hub
    .connect(worker)
    .contribute(
      taskid,
      c.hash ?? computeResultHash(taskid, digest),
      c.seal ?? computeResultSeal(worker.address, taskid, digest),
      ethers.ZeroAddress,
      "0x",
      c.authorization ?? (await signAuthorization(setup.scheduler, worker.address, taskid)),
    );
}

/** `worker` calls contributeAndFinalize with `digest`, the scheduler's authorization unless given. */
async function contributeAndFinalize(
  setup: TaskSetup,
  worker: HardhatEthersSigner,
  taskid: string,
  digest: string,
  options: { resultsCallback?: string; authorization?: string } = {},
) {
  return setup.hub
    .connect(worker)
    .contributeAndFinalize(
      taskid,
      digest,
      RESULTS,
      options.resultsCallback ?? "0x",
      ethers.ZeroAddress,
      "0x",
      options.authorization ?? (await signAuthorization(setup.scheduler, worker.address, taskid)),
    );
}

async function mined(tx: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  await (await tx).wait();
}

/** A deal at `trust` whose first task is initialized and received `digest` from each of `contributors`. */
async function taskWith(
  setup: TaskSetup,
  trust: bigint,
  contributors: HardhatEthersSigner[],
  digest = DIGEST,
) {
  const deal = await makeDeal(setup, { trust });
  const taskid = await initTask(setup, deal);
  for (const worker of contributors) await mined(contribute(setup, worker, taskid, digest));
  return { deal, taskid, task: await setup.hub.viewTask(taskid) };
}

async function workerStake(setup: TaskSetup, deal: MadeDeal): Promise<bigint> {
  return (await setup.hub.viewDeal(deal.dealid)).workerStake;
}

/** Matches `orders` as they are; returns the deal. */
async function matchDeal(setup: TaskSetup, orders: OrderSet): Promise<MadeDeal> {
  const requestHash = hashOrder(setup.domain, "request", orders.request);
  const botFirst = await setup.hub.viewConsumed(requestHash);
  await mined(setup.hub.connect(setup.requester).matchOrders(...matchArgs(orders)));
  const dealid = computeDealId(requestHash, botFirst);
  const deal = await setup.hub.viewDeal(dealid);
  return { dealid, botFirst, volume: deal.botSize, startTime: deal.startTime };
}

/** Two deals of one request of volume 2, each with one task, matched with two workerpool orders of volume 1. */
async function twoDealsOfOneRequest(setup: TaskSetup): Promise<[MadeDeal, MadeDeal]> {
  const orders = await signedOrders(setup, {
    app: { volume: 2n },
    dataset: { volume: 2n },
    workerpool: { volume: 1n },
    request: { volume: 2n },
  });
  const first = await matchDeal(setup, orders);
  const secondOrder = await signOrder(setup.scheduler, setup.domain, "workerpool", {
    ...orders.workerpool,
    salt: ethers.id("second workerpool order"),
  });
  const second = await matchDeal(setup, { ...orders, workerpool: secondOrder });
  return [first, second];
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

describe("Tasks: bad input and attacks", () => {
  describe("contribute", () => {
    it("rejects a garbage authorization, or one not signed by the scheduler", async () => {
      const setup = await loadFixture(taskSetup);
      const { scheduler, requester, workers, spare } = setup;
      const [worker] = workers;
      const deal = await makeDeal(setup);
      const taskid = await initTask(setup, deal);
      const rejects = guard(setup, [deal], [taskid], [worker]);
      for (const authorization of GARBAGE_SIGNATURES) {
        await rejects(
          () => contributeWith(setup, worker, taskid, DIGEST, { authorization }),
          "InvalidAuthorization",
          taskid,
          worker.address,
          scheduler.address,
        );
      }
      for (const signer of [requester, worker, spare[0]]) {
        const authorization = await signAuthorization(signer, worker.address, taskid);
        await rejects(
          () => contributeWith(setup, worker, taskid, DIGEST, { authorization }),
          "InvalidAuthorization",
          taskid,
          worker.address,
          scheduler.address,
        );
      }
      await expect(contributeWith(setup, worker, taskid, DIGEST)).to.emit(setup.hub, "TaskContribute");
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects another worker's authorization", async () => {
      const setup = await loadFixture(taskSetup);
      const { scheduler, workers } = setup;
      const [a, b] = workers;
      const deal = await makeDeal(setup, { trust: 5n });
      const taskid = await initTask(setup, deal);
      const rejects = guard(setup, [deal], [taskid], [a, b]);
      const authorizationOfA = await signAuthorization(scheduler, a.address, taskid);
      await rejects(
        () => contributeWith(setup, b, taskid, DIGEST, { authorization: authorizationOfA }),
        "InvalidAuthorization",
        taskid,
        b.address,
        scheduler.address,
      );
      await mined(contributeWith(setup, a, taskid, DIGEST, { authorization: authorizationOfA }));
      await rejects(
        () => contributeWith(setup, b, taskid, DIGEST, { authorization: authorizationOfA }),
        "InvalidAuthorization",
        taskid,
        b.address,
        scheduler.address,
      );
      await mined(contributeWith(setup, b, taskid, DIGEST));
      expect((await setup.hub.viewTask(taskid)).contributors).to.deep.equal([a.address, b.address]);
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects an authorization for another task", async () => {
      const setup = await loadFixture(taskSetup);
      const { scheduler, workers } = setup;
      const [worker] = workers;
      const deal = await makeDeal(setup, { volume: 2n });
      const first = await initTask(setup, deal, 0n);
      const second = await initTask(setup, deal, 1n);
      const rejects = guard(setup, [deal], [first, second], [worker]);
      const authorizationForSecond = await signAuthorization(scheduler, worker.address, second);
      await rejects(
        () => contributeWith(setup, worker, first, DIGEST, { authorization: authorizationForSecond }),
        "InvalidAuthorization",
        first,
        worker.address,
        scheduler.address,
      );
      await mined(contributeWith(setup, worker, second, DIGEST, { authorization: authorizationForSecond }));
      expect(await taskStatus(setup, second)).to.equal(TaskStatus.REVEALING);
      expect(await taskStatus(setup, first)).to.equal(TaskStatus.ACTIVE);
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a contribution at or after the contribution deadline", async () => {
      const setup = await loadFixture(taskSetup);
      const [a, b] = setup.workers;
      const deal = await makeDeal(setup, { trust: 5n });
      const taskid = await initTask(setup, deal);
      const { contributionDeadline } = await setup.hub.viewTask(taskid);
      await timeTravelTo(contributionDeadline - 10n);
      await mined(contribute(setup, a, taskid, DIGEST)); // just before: accepted
      await timeTravelTo(contributionDeadline);
      const rejects = guard(setup, [deal], [taskid], [a, b]);
      await rejects(
        () => contribute(setup, b, taskid, DIGEST),
        "ContributionDeadlinePassed",
        taskid,
        contributionDeadline,
      );
      expect((await setup.hub.viewTask(taskid)).contributors).to.deep.equal([a.address]);
    });

    it("rejects a second contribution by the same worker, whatever it commits to", async () => {
      const setup = await loadFixture(taskSetup);
      const [a, b] = setup.workers;
      const { deal, taskid } = await taskWith(setup, 5n, [a]);
      const rejects = guard(setup, [deal], [taskid], [a, b]);
      await rejects(() => contribute(setup, a, taskid, DIGEST), "AlreadyContributed", taskid, a.address);
      await rejects(() => contribute(setup, a, taskid, OTHER), "AlreadyContributed", taskid, a.address);
      await mined(contribute(setup, b, taskid, DIGEST));
      const task = await setup.hub.viewTask(taskid);
      expect(task.status).to.equal(TaskStatus.ACTIVE);
      expect(task.contributors).to.deep.equal([a.address, b.address]);
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a worker whose free balance is below the stake", async () => {
      const setup = await loadFixture(taskSetup);
      const [broke, poor, busy] = setup.spare;
      const deal = await makeDeal(setup, { trust: 5n, volume: 2n });
      const first = await initTask(setup, deal, 0n);
      const second = await initTask(setup, deal, 1n);
      const stake = await workerStake(setup, deal);
      expect(stake).to.be.greaterThan(0n);
      const rejects = guard(setup, [deal], [first, second], [broke, poor, busy]);

      await rejects(
        () => contribute(setup, broke, first, DIGEST),
        "ERC20InsufficientBalance",
        broke.address,
        0n,
        stake,
      );
      await fundAndDeposit(setup, poor, stake - 1n);
      await rejects(
        () => contribute(setup, poor, first, DIGEST),
        "ERC20InsufficientBalance",
        poor.address,
        stake - 1n,
        stake,
      );
      await fundAndDeposit(setup, poor, 1n);
      await mined(contribute(setup, poor, first, DIGEST));
      expect(await setup.hub.viewAccount(poor.address)).to.deep.equal([0n, stake]);

      // A balance already staked on one task cannot back a second one.
      await fundAndDeposit(setup, busy, stake);
      await mined(contribute(setup, busy, first, DIGEST));
      await rejects(
        () => contribute(setup, busy, second, DIGEST),
        "ERC20InsufficientBalance",
        busy.address,
        0n,
        stake,
      );
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a contribution to a task that is not ACTIVE", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, workers } = setup;
      const [a, b] = workers;
      const deal = await makeDeal(setup, { volume: 3n });
      const uninitialized = computeTaskId(deal.dealid, 0n);
      const revealing = await initTask(setup, deal, 1n);
      const failed = await initTask(setup, deal, 2n);
      await mined(contribute(setup, a, revealing, DIGEST));
      const rejects = guard(setup, [deal], [uninitialized, revealing, failed], [a, b]);

      for (const taskid of [uninitialized, UNKNOWN_ID]) {
        await rejects(
          () => contribute(setup, b, taskid, DIGEST),
          "TaskStatusMismatch",
          taskid,
          TaskStatus.UNSET,
          TaskStatus.ACTIVE,
        );
      }
      await rejects(
        () => contribute(setup, b, revealing, DIGEST),
        "TaskStatusMismatch",
        revealing,
        TaskStatus.REVEALING,
        TaskStatus.ACTIVE,
      );
      await timeTravelTo((await hub.viewTask(failed)).finalDeadline);
      await mined(hub.claim(failed));
      await rejects(
        () => contribute(setup, b, failed, DIGEST),
        "TaskStatusMismatch",
        failed,
        TaskStatus.FAILED,
        TaskStatus.ACTIVE,
      );
    });
  });

  describe("a copied result hash", () => {
    it("wins no reveal: the copiers cannot reveal even knowing the digest, and lose their stakes", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, workers } = setup;
      const [honest, copier, forger] = workers;
      const deal = await makeDeal(setup, { trust: 5n });
      const taskid = await initTask(setup, deal);
      const stake = await workerStake(setup, deal);
      const hash = computeResultHash(taskid, DIGEST);
      const honestSeal = computeResultSeal(honest.address, taskid, DIGEST);

      await mined(contribute(setup, honest, taskid, DIGEST));
      // The copier takes the honest worker's hash and seal; the forger the hash with a seal of its own.
      await mined(contributeWith(setup, copier, taskid, DIGEST, { hash, seal: honestSeal }));
      await mined(contributeWith(setup, forger, taskid, DIGEST, { hash, seal: ethers.id("a forged seal") }));
      let task = await hub.viewTask(taskid);
      expect(task.status).to.equal(TaskStatus.REVEALING);
      expect(task.consensusValue).to.equal(hash);
      expect(task.winnerCounter).to.equal(3n);

      const rejects = guard(setup, [deal], [taskid], [honest, copier, forger]);
      // Without the digest they can only guess.
      await rejects(() => reveal(setup, copier, taskid, OTHER), "ResultHashMismatch", taskid, OTHER, hash);
      // With it (say front-running the honest reveal, or after it), the seal still binds the result to its worker.
      for (const cheat of [copier, forger]) {
        await rejects(
          () => reveal(setup, cheat, taskid, DIGEST),
          "ResultSealMismatch",
          taskid,
          cheat.address,
          DIGEST,
        );
      }
      await mined(reveal(setup, honest, taskid, DIGEST));
      for (const cheat of [copier, forger]) {
        await rejects(
          () => reveal(setup, cheat, taskid, DIGEST),
          "ResultSealMismatch",
          taskid,
          cheat.address,
          DIGEST,
        );
      }
      task = await hub.viewTask(taskid);
      await rejects(() => finalize(setup, taskid), "RevealsPending", taskid, 1n, 3n, task.revealDeadline);

      await timeTravelTo(task.revealDeadline);
      const before = await Promise.all([copier, forger].map((w) => hub.viewAccount(w.address)));
      const tx = finalize(setup, taskid);
      for (const cheat of [copier, forger]) {
        await expect(tx).to.emit(hub, "FaultyContribution").withArgs(cheat.address, taskid);
        await expect(tx).to.emit(hub, "Seize").withArgs(cheat.address, stake, taskid);
      }
      await expect(tx).to.emit(hub, "AccurateContribution").withArgs(honest.address, taskid);
      for (const [i, cheat] of [copier, forger].entries()) {
        const after = await hub.viewAccount(cheat.address);
        expect(after.stake).to.equal(before[i].stake);
        expect(after.locked).to.equal(before[i].locked - stake);
        expect((await hub.viewContribution(taskid, cheat.address)).status).to.equal(
          ContributionStatus.CONTRIBUTED,
        );
      }
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
      await expectMoneyConserved(setup, [deal]);
    });
  });

  describe("reveal", () => {
    it("rejects a digest that does not match the committed hash", async () => {
      const setup = await loadFixture(taskSetup);
      const [worker] = setup.workers;
      const { deal, taskid } = await taskWith(setup, 1n, [worker]);
      const rejects = guard(setup, [deal], [taskid], [worker]);
      const hash = computeResultHash(taskid, DIGEST);
      for (const digest of [OTHER, ethers.ZeroHash, hash]) {
        await rejects(
          () => reveal(setup, worker, taskid, digest),
          "ResultHashMismatch",
          taskid,
          digest,
          hash,
        );
      }
      await expect(reveal(setup, worker, taskid, DIGEST))
        .to.emit(setup.hub, "TaskReveal")
        .withArgs(taskid, worker.address, DIGEST);
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a reveal at or after the reveal deadline", async () => {
      const setup = await loadFixture(taskSetup);
      const [a, b, c] = setup.workers;
      const { deal, taskid, task } = await taskWith(setup, 5n, [a, b, c]);
      await timeTravelTo(task.revealDeadline - 10n);
      await mined(reveal(setup, a, taskid, DIGEST)); // just before: accepted
      await timeTravelTo(task.revealDeadline);
      const rejects = guard(setup, [deal], [taskid], [a, b, c]);
      await rejects(
        () => reveal(setup, b, taskid, DIGEST),
        "RevealDeadlinePassed",
        taskid,
        task.revealDeadline,
      );
      expect((await setup.hub.viewTask(taskid)).revealCounter).to.equal(1n);
    });

    it("rejects a reveal by a worker outside the consensus, before and after the first reveal", async () => {
      const setup = await loadFixture(taskSetup);
      const { workers } = setup;
      const [h1, loser, h2, h3, h4] = workers;
      const deal = await makeDeal(setup, { trust: 5n });
      const taskid = await initTask(setup, deal);
      await mined(contribute(setup, h1, taskid, DIGEST));
      await mined(contribute(setup, loser, taskid, OTHER));
      for (const worker of [h2, h3, h4]) await mined(contribute(setup, worker, taskid, DIGEST));
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.REVEALING);
      const consensus = computeResultHash(taskid, DIGEST);
      const committed = computeResultHash(taskid, OTHER);
      const rejects = guard(setup, [deal], [taskid], [h1, loser, h2, h3, h4]);
      for (const digest of [OTHER, DIGEST]) {
        await rejects(
          () => reveal(setup, loser, taskid, digest),
          "NotInConsensus",
          taskid,
          loser.address,
          committed,
          consensus,
        );
      }
      await mined(reveal(setup, h1, taskid, DIGEST));
      for (const digest of [OTHER, DIGEST]) {
        await rejects(
          () => reveal(setup, loser, taskid, digest),
          "NotInConsensus",
          taskid,
          loser.address,
          committed,
          consensus,
        );
      }
      await mined(reveal(setup, h2, taskid, DIGEST));
      expect((await setup.hub.viewTask(taskid)).revealCounter).to.equal(2n);
    });

    it("rejects a reveal by a non-contributor, even of the revealed digest", async () => {
      const setup = await loadFixture(taskSetup);
      const [worker, stranger] = setup.workers;
      const { deal, taskid } = await taskWith(setup, 1n, [worker]);
      const rejects = guard(setup, [deal], [taskid], [worker, stranger]);
      const notRevealable = [taskid, stranger.address, ContributionStatus.UNSET] as const;
      await rejects(
        () => reveal(setup, stranger, taskid, DIGEST),
        "ContributionNotRevealable",
        ...notRevealable,
      );
      await rejects(
        () => reveal(setup, setup.scheduler, taskid, DIGEST),
        "ContributionNotRevealable",
        taskid,
        setup.scheduler.address,
        ContributionStatus.UNSET,
      );
      await mined(reveal(setup, worker, taskid, DIGEST));
      await rejects(
        () => reveal(setup, stranger, taskid, DIGEST),
        "ContributionNotRevealable",
        ...notRevealable,
      );
    });

    it("rejects a second reveal, and a reveal of a contribution rejected on reopen", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, scheduler, workers } = setup;
      const [revealer, silent, fresh] = workers;
      const deal = await makeDeal(setup, { volume: 2n });
      const revealed = await initTask(setup, deal, 0n);
      const reopened = await initTask(setup, deal, 1n);
      await mined(contribute(setup, revealer, revealed, DIGEST));
      await mined(contribute(setup, silent, reopened, DIGEST));
      const rejects = guard(setup, [deal], [revealed, reopened], [revealer, silent, fresh]);

      await mined(reveal(setup, revealer, revealed, DIGEST));
      await rejects(
        () => reveal(setup, revealer, revealed, DIGEST),
        "ContributionNotRevealable",
        revealed,
        revealer.address,
        ContributionStatus.PROVED,
      );

      // The silent winner is rejected on reopen, and a fresh worker brings a new consensus.
      await timeTravelTo((await hub.viewTask(reopened)).revealDeadline);
      await mined(hub.connect(scheduler).reopen(reopened));
      await mined(contribute(setup, fresh, reopened, DIGEST));
      await rejects(
        () => reveal(setup, silent, reopened, DIGEST),
        "ContributionNotRevealable",
        reopened,
        silent.address,
        ContributionStatus.REJECTED,
      );
      await mined(reveal(setup, fresh, reopened, DIGEST));
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a reveal on a task that is not REVEALING", async () => {
      const setup = await loadFixture(taskSetup);
      const [a] = setup.workers;
      const { deal, taskid } = await taskWith(setup, 5n, [a]);
      const rejects = guard(setup, [deal], [taskid], [a]);
      await rejects(
        () => reveal(setup, a, taskid, DIGEST),
        "TaskStatusMismatch",
        taskid,
        TaskStatus.ACTIVE,
        TaskStatus.REVEALING,
      );
      await rejects(
        () => reveal(setup, a, UNKNOWN_ID, DIGEST),
        "TaskStatusMismatch",
        UNKNOWN_ID,
        TaskStatus.UNSET,
        TaskStatus.REVEALING,
      );
    });
  });

  describe("finalize", () => {
    it("rejects a caller other than the scheduler", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, scheduler, requester, workers, appOwner } = setup;
      const [worker] = workers;
      const { deal, taskid } = await taskWith(setup, 1n, [worker]);
      await mined(reveal(setup, worker, taskid, DIGEST));
      const rejects = guard(setup, [deal], [taskid], [worker]);
      for (const caller of [worker, requester, appOwner]) {
        await rejects(
          () => hub.connect(caller).finalize(taskid, RESULTS, "0x"),
          "NotTheScheduler",
          taskid,
          caller.address,
          scheduler.address,
        );
      }
      await expect(finalize(setup, taskid)).to.emit(hub, "TaskFinalize").withArgs(taskid, RESULTS);
      await expectMoneyConserved(setup, [deal]);
    });

    it("waits for every winner's reveal until the reveal deadline, then seizes the silent winners' stakes", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, workers } = setup;
      const [a, b, c] = workers;
      const { deal, taskid, task } = await taskWith(setup, 5n, [a, b, c]);
      expect(task.winnerCounter).to.equal(3n);
      const stake = await workerStake(setup, deal);
      const rejects = guard(setup, [deal], [taskid], [a, b, c]);
      await mined(reveal(setup, a, taskid, DIGEST));
      await rejects(() => finalize(setup, taskid), "RevealsPending", taskid, 1n, 3n, task.revealDeadline);
      await timeTravelTo(task.revealDeadline - 10n);
      await rejects(() => finalize(setup, taskid), "RevealsPending", taskid, 1n, 3n, task.revealDeadline);

      await timeTravelTo(task.revealDeadline);
      const silentBefore = await Promise.all([b, c].map((w) => hub.viewAccount(w.address)));
      const tx = finalize(setup, taskid);
      await expect(tx).to.emit(hub, "AccurateContribution").withArgs(a.address, taskid);
      for (const silent of [b, c]) {
        await expect(tx).to.emit(hub, "FaultyContribution").withArgs(silent.address, taskid);
        await expect(tx).to.emit(hub, "Seize").withArgs(silent.address, stake, taskid);
      }
      for (const [i, silent] of [b, c].entries()) {
        const after = await hub.viewAccount(silent.address);
        expect(after.locked).to.equal(silentBefore[i].locked - stake);
        expect(after.stake).to.equal(silentBefore[i].stake);
      }
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a finalize without any reveal, even after the reveal deadline", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, scheduler, workers } = setup;
      const [worker] = workers;
      const { deal, taskid, task } = await taskWith(setup, 1n, [worker]);
      const rejects = guard(setup, [deal], [taskid], [worker]);
      const pending = [taskid, 0n, 1n, task.revealDeadline] as const;
      await rejects(() => finalize(setup, taskid), "RevealsPending", ...pending);
      await timeTravelTo(task.revealDeadline);
      await rejects(() => finalize(setup, taskid), "RevealsPending", ...pending);
      // What the scheduler can do instead: reopen.
      await expect(hub.connect(scheduler).reopen(taskid)).to.emit(hub, "TaskReopen").withArgs(taskid);
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a finalize at or after the final deadline", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, workers } = setup;
      const [worker] = workers;
      const { deal, taskid, task } = await taskWith(setup, 1n, [worker]);
      await mined(reveal(setup, worker, taskid, DIGEST));
      await timeTravelTo(task.finalDeadline);
      const rejects = guard(setup, [deal], [taskid], [worker]);
      await rejects(() => finalize(setup, taskid), "FinalDeadlinePassed", taskid, task.finalDeadline);
      await expect(hub.claim(taskid)).to.emit(hub, "TaskClaimed").withArgs(taskid);
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a finalize of a task that is not REVEALING, and a second finalize", async () => {
      const setup = await loadFixture(taskSetup);
      const { workers } = setup;
      const [a, b] = workers;
      const deal = await makeDeal(setup, { trust: 5n, volume: 2n });
      const active = await initTask(setup, deal, 0n);
      const uninitialized = computeTaskId(deal.dealid, 1n);
      await mined(contribute(setup, a, active, DIGEST));
      const rejects = guard(setup, [deal], [active, uninitialized], [a, b]);
      await rejects(
        () => finalize(setup, active),
        "TaskStatusMismatch",
        active,
        TaskStatus.ACTIVE,
        TaskStatus.REVEALING,
      );
      await rejects(
        () => finalize(setup, uninitialized),
        "TaskStatusMismatch",
        uninitialized,
        TaskStatus.UNSET,
        TaskStatus.REVEALING,
      );

      const trustOne = await makeDeal(setup);
      const done = await initTask(setup, trustOne);
      await mined(contribute(setup, b, done, DIGEST));
      await mined(reveal(setup, b, done, DIGEST));
      await mined(finalize(setup, done));
      const rejectsDone = guard(setup, [deal, trustOne], [done], [a, b]);
      await rejectsDone(
        () => finalize(setup, done),
        "TaskStatusMismatch",
        done,
        TaskStatus.COMPLETED,
        TaskStatus.REVEALING,
      );
    });

    it("rejects callback data that does not hash to the result digest", async () => {
      const setup = await loadFixture(taskSetup);
      const [worker] = setup.workers;
      const callbackData = ethers.AbiCoder.defaultAbiCoder().encode(["string"], ["the callback's data"]);
      const digest = callbackDigest(callbackData);
      const { deal, taskid } = await taskWith(setup, 1n, [worker], digest);
      await mined(reveal(setup, worker, taskid, digest));
      const rejects = guard(setup, [deal], [taskid], [worker]);
      const wrong = callbackData + "00";
      await rejects(
        () => finalize(setup, taskid, wrong),
        "ResultsCallbackMismatch",
        taskid,
        digest,
        callbackDigest(wrong),
      );
      await mined(finalize(setup, taskid, callbackData));
      expect(await setup.hub.resultFor(taskid)).to.equal(callbackData);
      await expectMoneyConserved(setup, [deal]);
    });
  });

  describe("claim", () => {
    it("rejects a claim before the final deadline, and a second claim", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, workers, spare } = setup;
      const [worker] = workers;
      const { deal, taskid, task } = await taskWith(setup, 1n, [worker]);
      const rejects = guard(setup, [deal], [taskid], [worker]);
      await rejects(() => hub.claim(taskid), "FinalDeadlineNotReached", taskid, task.finalDeadline);
      await timeTravelTo(task.finalDeadline - 10n);
      await rejects(() => hub.claim(taskid), "FinalDeadlineNotReached", taskid, task.finalDeadline);
      await timeTravelTo(task.finalDeadline);
      await expect(hub.connect(spare[0]).claim(taskid)).to.emit(hub, "TaskClaimed").withArgs(taskid);
      await rejects(() => hub.claim(taskid), "TaskNotClaimable", taskid, TaskStatus.FAILED);
      await rejects(() => hub.claimArray([taskid]), "TaskNotClaimable", taskid, TaskStatus.FAILED);
    });

    it("rejects a claim of a completed task, even after the final deadline", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, workers } = setup;
      const [worker] = workers;
      const { deal, taskid, task } = await taskWith(setup, 1n, [worker]);
      await mined(reveal(setup, worker, taskid, DIGEST));
      await mined(finalize(setup, taskid));
      const rejects = guard(setup, [deal], [taskid], [worker]);
      await rejects(() => hub.claim(taskid), "TaskNotClaimable", taskid, TaskStatus.COMPLETED);
      await timeTravelTo(task.finalDeadline);
      await rejects(() => hub.claim(taskid), "TaskNotClaimable", taskid, TaskStatus.COMPLETED);
    });

    it("rejects a claim of an unknown or uninitialized task", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub } = setup;
      const deal = await makeDeal(setup);
      const uninitialized = computeTaskId(deal.dealid, 0n);
      await timeTravelTo(deal.startTime + 10n * TIMEREF);
      const rejects = guard(setup, [deal], [uninitialized], []);
      for (const taskid of [uninitialized, UNKNOWN_ID]) {
        await rejects(() => hub.claim(taskid), "TaskNotClaimable", taskid, TaskStatus.UNSET);
      }
      // The way to settle a task that was never initialized:
      await mined(hub.initializeAndClaimArray([deal.dealid], [0n]));
      expect(await taskStatus(setup, uninitialized)).to.equal(TaskStatus.FAILED);
      await expectMoneyConserved(setup, [deal]);
    });

    it("claimArray is all or nothing", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub } = setup;
      const deal = await makeDeal(setup, { volume: 2n });
      const first = await initTask(setup, deal, 0n);
      const second = computeTaskId(deal.dealid, 1n);
      await timeTravelTo((await hub.viewTask(first)).finalDeadline);
      const rejects = guard(setup, [deal], [first, second], []);
      await rejects(() => hub.claimArray([first, second]), "TaskNotClaimable", second, TaskStatus.UNSET);
      await rejects(() => hub.claimArray([first, first]), "TaskNotClaimable", first, TaskStatus.FAILED);
      await mined(hub.claimArray([first]));
      expect(await taskStatus(setup, first)).to.equal(TaskStatus.FAILED);
      await expectMoneyConserved(setup, [deal]);
    });
  });

  describe("reopen", () => {
    it("rejects a reopen once a winner revealed", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, scheduler, workers } = setup;
      const [a, b, c] = workers;
      const { deal, taskid, task } = await taskWith(setup, 5n, [a, b, c]);
      await mined(reveal(setup, b, taskid, DIGEST));
      await timeTravelTo(task.revealDeadline);
      const rejects = guard(setup, [deal], [taskid], [a, b, c]);
      await rejects(() => hub.connect(scheduler).reopen(taskid), "AlreadyRevealed", taskid, 1n);
      await mined(finalize(setup, taskid)); // what the scheduler must do instead
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a reopen by anyone but the scheduler", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, scheduler, requester, workers } = setup;
      const [worker, other] = workers;
      const { deal, taskid, task } = await taskWith(setup, 1n, [worker]);
      await timeTravelTo(task.revealDeadline);
      const rejects = guard(setup, [deal], [taskid], [worker, other]);
      for (const caller of [worker, other, requester]) {
        await rejects(
          () => hub.connect(caller).reopen(taskid),
          "NotTheScheduler",
          taskid,
          caller.address,
          scheduler.address,
        );
      }
      await expect(hub.connect(scheduler).reopen(taskid)).to.emit(hub, "TaskReopen").withArgs(taskid);
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a reopen before the reveal deadline", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, scheduler, workers } = setup;
      const [worker] = workers;
      const { deal, taskid, task } = await taskWith(setup, 1n, [worker]);
      const rejects = guard(setup, [deal], [taskid], [worker]);
      await rejects(
        () => hub.connect(scheduler).reopen(taskid),
        "RevealDeadlineNotReached",
        taskid,
        task.revealDeadline,
      );
      await timeTravelTo(task.revealDeadline - 10n);
      await rejects(
        () => hub.connect(scheduler).reopen(taskid),
        "RevealDeadlineNotReached",
        taskid,
        task.revealDeadline,
      );
      await timeTravelTo(task.revealDeadline);
      await mined(hub.connect(scheduler).reopen(taskid));
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.ACTIVE);
    });

    it("rejects a reopen of a task that is not REVEALING, or after the final deadline", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, scheduler, workers } = setup;
      const [a, b] = workers;
      const deal = await makeDeal(setup, { trust: 5n });
      const active = await initTask(setup, deal);
      await mined(contribute(setup, a, active, DIGEST));
      const late = await taskWith(setup, 1n, [b]);
      const rejects = guard(setup, [deal, late.deal], [active, late.taskid], [a, b]);
      for (const taskid of [active, UNKNOWN_ID]) {
        await rejects(
          () => hub.connect(scheduler).reopen(taskid),
          "TaskStatusMismatch",
          taskid,
          taskid === active ? TaskStatus.ACTIVE : TaskStatus.UNSET,
          TaskStatus.REVEALING,
        );
      }
      await timeTravelTo(late.task.finalDeadline);
      await rejects(
        () => hub.connect(scheduler).reopen(late.taskid),
        "FinalDeadlinePassed",
        late.taskid,
        late.task.finalDeadline,
      );
    });
  });

  describe("initialize", () => {
    it("rejects an index below botFirst or at botFirst + botSize, and an unknown deal", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub } = setup;
      const [first, second] = await twoDealsOfOneRequest(setup);
      expect([first.botFirst, first.volume, second.botFirst, second.volume]).to.deep.equal([0n, 1n, 1n, 1n]);
      const bag = await makeDeal(setup, { volume: 3n });
      const deals = [first, second, bag];
      const candidates = [
        computeTaskId(second.dealid, 0n),
        computeTaskId(second.dealid, 2n),
        computeTaskId(bag.dealid, 3n),
        computeTaskId(UNKNOWN_ID, 0n),
      ];
      const rejects = guard(setup, deals, candidates, []);
      const outOfRange = async (deal: { dealid: string; botFirst: bigint; volume: bigint }, index: bigint) =>
        rejects(
          () => hub.initialize(deal.dealid, index),
          "TaskIndexOutOfRange",
          deal.dealid,
          index,
          deal.botFirst,
          deal.volume,
        );
      await outOfRange(second, 0n); // the first deal's task
      await outOfRange(second, 2n);
      await outOfRange(bag, 3n);
      await outOfRange(bag, 2n ** 256n - 1n);
      // An id no match recorded is no deal at all, whatever the index.
      await rejects(() => hub.initialize(UNKNOWN_ID, 0n), "DealNotFound", UNKNOWN_ID);

      // Their neighbours are tasks.
      await mined(hub.initialize(first.dealid, 0n));
      await mined(hub.initialize(second.dealid, 1n));
      await mined(hub.initialize(bag.dealid, 2n));
      expect(await taskStatus(setup, computeTaskId(second.dealid, 1n))).to.equal(TaskStatus.ACTIVE);
      expect(await taskStatus(setup, computeTaskId(second.dealid, 0n))).to.equal(TaskStatus.UNSET);
      await expectMoneyConserved(setup, deals);
    });

    it("rejects a second initialize", async () => {
      const setup = await loadFixture(taskSetup);
      const [worker] = setup.workers;
      const { deal, taskid } = await taskWith(setup, 5n, [worker]);
      const rejects = guard(setup, [deal], [taskid], [worker]);
      await rejects(() => setup.hub.initialize(deal.dealid, 0n), "TaskAlreadyInitialized", taskid);
      await rejects(() => setup.hub.initializeArray([deal.dealid], [0n]), "TaskAlreadyInitialized", taskid);
      expect((await setup.hub.viewTask(taskid)).contributors).to.deep.equal([worker.address]);
    });

    it("rejects arrays of different lengths", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub } = setup;
      const deal = await makeDeal(setup, { volume: 2n });
      const taskids = [0n, 1n].map((i) => computeTaskId(deal.dealid, i));
      const rejects = guard(setup, [deal], taskids, []);
      const { dealid } = deal;
      await rejects(() => hub.initializeArray([dealid, dealid], [0n]), "IndexesLengthMismatch", 2n, 1n);
      await rejects(() => hub.initializeArray([dealid], [0n, 1n]), "IndexesLengthMismatch", 1n, 2n);
      await timeTravelTo(deal.startTime + 10n * TIMEREF);
      await rejects(() => hub.initializeAndClaimArray([dealid], [0n, 1n]), "IndexesLengthMismatch", 1n, 2n);
      await rejects(() => hub.initializeAndClaimArray([dealid, dealid], []), "IndexesLengthMismatch", 2n, 0n);
      await mined(hub.initializeAndClaimArray([dealid, dealid], [0n, 1n]));
      for (const taskid of taskids) expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.FAILED);
      await expectMoneyConserved(setup, [deal]);
    });

    it("initializeArray with one bad entry initializes nothing", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub } = setup;
      const deal = await makeDeal(setup, { volume: 3n });
      const { dealid } = deal;
      const taskids = [0n, 1n, 2n].map((i) => computeTaskId(dealid, i));
      const rejects = guard(setup, [deal], taskids, []);
      await rejects(
        () => hub.initializeArray([dealid, dealid, dealid], [0n, 1n, 3n]),
        "TaskIndexOutOfRange",
        dealid,
        3n,
        0n,
        3n,
      );
      await rejects(() => hub.initializeArray([dealid, UNKNOWN_ID], [0n, 0n]), "DealNotFound", UNKNOWN_ID);
      await rejects(
        () => hub.initializeArray([dealid, dealid, dealid], [0n, 1n, 0n]),
        "TaskAlreadyInitialized",
        taskids[0],
      );
      for (const taskid of taskids) expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.UNSET);
      await mined(hub.initializeArray([dealid, dealid, dealid], [0n, 1n, 2n]));
      for (const taskid of taskids) expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.ACTIVE);
      await expectMoneyConserved(setup, [deal]);
    });
  });

  describe("contributeAndFinalize", () => {
    it("rejects a deal of trust above 1", async () => {
      const setup = await loadFixture(taskSetup);
      const [worker] = setup.workers;
      const deal = await makeDeal(setup, { trust: 3n });
      const taskid = await initTask(setup, deal);
      const rejects = guard(setup, [deal], [taskid], [worker]);
      await rejects(() => contributeAndFinalize(setup, worker, taskid, DIGEST), "TrustAboveOne", taskid, 3n);
      await mined(contribute(setup, worker, taskid, DIGEST)); // the regular path stays open
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a task that already has a contribution (reopened)", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, scheduler, workers } = setup;
      const [silent, fresh] = workers;
      const { deal, taskid, task } = await taskWith(setup, 1n, [silent]);
      await timeTravelTo(task.revealDeadline);
      await mined(hub.connect(scheduler).reopen(taskid));
      const rejects = guard(setup, [deal], [taskid], [silent, fresh]);
      await rejects(
        () => contributeAndFinalize(setup, fresh, taskid, DIGEST),
        "TaskHasContributions",
        taskid,
        1n,
      );
      await mined(contribute(setup, fresh, taskid, DIGEST));
      await mined(reveal(setup, fresh, taskid, DIGEST));
      await mined(finalize(setup, taskid));
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects callback data that does not hash to the digest", async () => {
      const setup = await loadFixture(taskSetup);
      const [worker] = setup.workers;
      const deal = await makeDeal(setup);
      const taskid = await initTask(setup, deal);
      const callbackData = ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [42n]);
      const digest = callbackDigest(callbackData);
      const rejects = guard(setup, [deal], [taskid], [worker]);
      await rejects(
        () => contributeAndFinalize(setup, worker, taskid, DIGEST, { resultsCallback: callbackData }),
        "ResultsCallbackMismatch",
        taskid,
        DIGEST,
        digest,
      );
      await mined(contributeAndFinalize(setup, worker, taskid, digest, { resultsCallback: callbackData }));
      expect(await setup.hub.resultFor(taskid)).to.equal(callbackData);
      await expectMoneyConserved(setup, [deal]);
    });

    it("rejects a bad authorization", async () => {
      const setup = await loadFixture(taskSetup);
      const { scheduler, requester, workers } = setup;
      const [worker, other] = workers;
      const deal = await makeDeal(setup, { volume: 2n });
      const taskid = await initTask(setup, deal, 0n);
      const otherTask = await initTask(setup, deal, 1n);
      const rejects = guard(setup, [deal], [taskid, otherTask], [worker, other]);
      const bad = [
        ...GARBAGE_SIGNATURES,
        await signAuthorization(requester, worker.address, taskid),
        await signAuthorization(scheduler, other.address, taskid),
        await signAuthorization(scheduler, worker.address, otherTask),
      ];
      for (const authorization of bad) {
        await rejects(
          () => contributeAndFinalize(setup, worker, taskid, DIGEST, { authorization }),
          "InvalidAuthorization",
          taskid,
          worker.address,
          scheduler.address,
        );
      }
      await mined(contributeAndFinalize(setup, worker, taskid, DIGEST));
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
      await expectMoneyConserved(setup, [deal]);
    });

    // A worker without stake may call it (no stake is locked): see the settlement tests.
    it("rejects a task that is not ACTIVE and a late call", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, workers } = setup;
      const [a, b] = workers;
      const deal = await makeDeal(setup, { volume: 2n });
      const revealing = await initTask(setup, deal, 0n);
      const late = await initTask(setup, deal, 1n);
      await mined(contribute(setup, a, revealing, DIGEST));
      const rejects = guard(setup, [deal], [revealing, late], [a, b]);
      await rejects(
        () => contributeAndFinalize(setup, b, revealing, DIGEST),
        "TaskStatusMismatch",
        revealing,
        TaskStatus.REVEALING,
        TaskStatus.ACTIVE,
      );
      const { contributionDeadline } = await hub.viewTask(late);
      await timeTravelTo(contributionDeadline);
      await rejects(
        () => contributeAndFinalize(setup, b, late, DIGEST),
        "ContributionDeadlinePassed",
        late,
        contributionDeadline,
      );
    });
  });

  describe("importScore and resultFor", () => {
    it("importScore always reverts: this hub has no predecessor", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, workers } = setup;
      const [worker] = workers;
      await expect(hub.importScore(worker.address))
        .to.be.revertedWithCustomError(hub, "ScoreImportUnsupported")
        .withArgs(worker.address);
      const rejects = guard(setup, [], [], [worker]);
      await rejects(
        () => hub.connect(worker).importScore.send(worker.address),
        "ScoreImportUnsupported",
        worker.address,
      );
    });

    it("resultFor rejects a task that is not COMPLETED", async () => {
      const setup = await loadFixture(taskSetup);
      const { hub, workers } = setup;
      const [a, b] = workers;
      const deal = await makeDeal(setup, { volume: 4n });
      const [unset, active, revealing, failed] = [0n, 1n, 2n, 3n].map((i) => computeTaskId(deal.dealid, i));
      await mined(hub.initializeArray([deal.dealid, deal.dealid, deal.dealid], [1n, 2n, 3n]));
      await mined(contribute(setup, a, revealing, DIGEST));
      await mined(reveal(setup, a, revealing, DIGEST));
      const expected: [string, TaskStatus][] = [
        [unset, TaskStatus.UNSET],
        [UNKNOWN_ID, TaskStatus.UNSET],
        [active, TaskStatus.ACTIVE],
        [revealing, TaskStatus.REVEALING],
      ];
      for (const [taskid, status] of expected) {
        await expect(hub.resultFor(taskid))
          .to.be.revertedWithCustomError(hub, "TaskNotCompleted")
          .withArgs(taskid, status);
      }
      await timeTravelTo((await hub.viewTask(failed)).finalDeadline);
      await mined(hub.claim(failed));
      await expect(hub.resultFor(failed))
        .to.be.revertedWithCustomError(hub, "TaskNotCompleted")
        .withArgs(failed, TaskStatus.FAILED);

      const trustOne = await makeDeal(setup);
      const done = await initTask(setup, trustOne);
      await mined(contributeAndFinalize(setup, b, done, DIGEST));
      expect(await hub.resultFor(done)).to.equal("0x");
      await expectMoneyConserved(setup, [deal, trustOne]);
    });
  });
});
