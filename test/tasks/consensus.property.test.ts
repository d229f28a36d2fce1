import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { RLC_UNIT, fundAndDeposit } from "../fixtures";
import {
  ConsensusModel,
  ContributionStatus,
  TaskStatus,
  completedPayouts,
  computeResultHash,
  digestOf,
  kittyCut,
  log2,
  workerWeight,
  type DealTerms,
} from "../../src/sdk";
import type { Workerpool } from "../../typechain-types";
import {
  KITTY,
  TIMEREF,
  contribute,
  expectMoneyConserved,
  finalize,
  initTask,
  makeDeal,
  reveal,
  setScore,
  taskSetup,
  timeTravelTo,
  type MadeDeal,
  type TaskSetup,
} from "./fixtures";
import { runs } from "../property-runs";

/**
 * The consensus rule, against its TypeScript model (`src/sdk/core/consensus.ts`).
 *
 * First the model alone, on facts computed by hand. Then the hub: random interleavings of contributions by
 * distinct workers to two or three candidate results, at random trust, and after each consensus a random move of
 * the scheduler (reveals then finalize, reopen after a silent reveal period, or claim after the final deadline).
 * After every step the task (status, consensus hash, winners, reveals, contributors, each contribution's status
 * and weight), every account involved (a ledger model of balances and frozen balances), the workers' scores and
 * the conservation of money (`expectMoneyConserved`) are checked. A run plays one or two tasks in a row, so that
 * the second sees the scores and the kitty the first left. A second property raises the workers' scores first
 * (written straight into the hub's storage), so that weights above 2 and wider trusts are exercised.
 *
 * Runs: CONSENSUS_PROPERTY_RUNS (default 25) for the main property, half as many for raised scores.
 */
describe("Consensus (property)", () => {
  const RUNS = runs(25, { override: "CONSENSUS_PROPERTY_RUNS", ciMultiplier: 2 });
  const SCORE_RUNS = Math.max(1, Math.ceil(RUNS / 2));
  const WORKERS = 6;
  /** Each worker's escrow at the start of a run: enough to stake (up to 100% of 20 RLC) and lose twice. */
  const WORKER_FUNDS = 50n * RLC_UNIT;
  const CANDIDATES = [0, 1, 2].map((i) => digestOf(`consensus property candidate ${i}`));
  const ZERO_HASH = ethers.ZeroHash;

  // ------------------------------------------------------------------ the model alone

  describe("the model", () => {
    /** How many agreeing contributions (no dissent) of workers of `score` a task of `trust` needs. */
    function agreeingNeeded(trust: bigint, score: bigint, max = 200): number {
      const model = new ConsensusModel(trust);
      for (let n = 1; n <= max; n++) if (model.contribute(`w${n}`, "h", score)) return n;
      return Infinity;
    }

    it("weights: workerWeight(0) = 2, workerWeight(12) = 3, max(s / 3, 3) - 1 in general", () => {
      expect(workerWeight(0n)).to.equal(2n);
      expect(workerWeight(11n)).to.equal(2n);
      expect(workerWeight(12n)).to.equal(3n);
      expect(workerWeight(15n)).to.equal(4n);
      expect(workerWeight(300n)).to.equal(99n);
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 96n }), (s) => {
          const w = workerWeight(s);
          expect(w).to.equal(s < 12n ? 2n : s / 3n - 1n);
          expect(workerWeight(s + 1n) >= w).to.equal(true);
        }),
      );
    });

    it("log2 is floor(log2(x)): log2(1) = 0, log2(2) = log2(3) = 1, log2(4) = 2, log2(2^255) = 255", () => {
      expect([1n, 2n, 3n, 4n, 7n, 8n, 2n ** 255n].map(log2)).to.deep.equal([0n, 1n, 1n, 2n, 2n, 3n, 255n]);
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: 2n ** 256n - 1n }), (x) => {
          const l = log2(x);
          expect(2n ** l <= x && x < 2n ** (l + 1n)).to.equal(true);
        }),
      );
    });

    it("new workers at trust 1 / 3 / 5 need 1 / 2 / 3 agreeing contributions; at trust t, the least n with 2^n >= t", () => {
      expect([1n, 2n, 3n, 4n, 5n, 8n, 9n].map((t) => agreeingNeeded(t, 0n))).to.deep.equal([
        1, 1, 2, 2, 3, 3, 4,
      ]);
      // Group 2^n, total 2^n + 1: 2^n * t > (2^n + 1)(t - 1) <=> 2^n > t - 1.
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: 2n ** 40n }), (t) => {
          let n = 1;
          while (2n ** BigInt(n) < t) n++;
          expect(agreeingNeeded(t, 0n, 64)).to.equal(n);
        }),
      );
      // A worker of score 12 weighs 3: two agree at trust 9 (9 * 9 = 81 > 10 * 8 = 80), not at trust 10.
      expect(agreeingNeeded(9n, 12n)).to.equal(2);
      expect(agreeingNeeded(10n, 12n)).to.equal(3);
    });

    it("against one new dissenter, trust 5 needs 4 agreeing new workers (group 16, total 19: 80 > 76)", () => {
      const model = new ConsensusModel(5n);
      expect(model.contribute("liar", "lie", 0n)).to.equal(false);
      for (const w of ["a", "b", "c"]) expect(model.contribute(w, "h", 0n)).to.equal(false);
      expect(model.total).to.equal(11n);
      expect(model.contribute("d", "h", 0n)).to.equal(true);
      expect(model.consensus).to.equal("h");
      expect(model.winners().map((c) => c.worker)).to.deep.equal(["a", "b", "c", "d"]);
      model.reopen();
      expect(model.total).to.equal(3n); // 1 + the liar's group
      expect(model.contributions.map((c) => c.status)).to.deep.equal([
        "CONTRIBUTED",
        "REJECTED",
        "REJECTED",
        "REJECTED",
        "REJECTED",
      ]);
    });

    it("invariants: total = 1 + sum of groups; only the hash just contributed can win; reopen starts it afresh", () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 1n, max: 64n }),
          fc.array(
            fc.record({ hash: fc.constantFrom("a", "b", "c"), score: fc.bigInt({ min: 0n, max: 60n }) }),
            {
              maxLength: 20,
            },
          ),
          (trust, steps) => {
            const model = new ConsensusModel(trust);
            for (const [i, step] of steps.entries()) {
              if (model.consensus !== undefined) {
                expect(() => model.contribute(`w${i}`, step.hash, step.score)).to.throw();
                const won = model.consensus;
                const others = model.total - model.groups.get(won)!;
                model.reopen();
                expect(model.groups.has(won)).to.equal(false);
                expect(model.total).to.equal(others);
                expect(model.winners()).to.deep.equal([]);
              }
              const won = model.contribute(`w${i}`, step.hash, step.score);
              expect(won).to.equal(model.consensus === step.hash);
              expect(model.total).to.equal([...model.groups.values()].reduce((a, b) => a + b, 1n));
              if (won) expect(model.winners().length).to.be.greaterThan(0);
            }
          },
        ),
      );
    });

    it("payouts: the provers' shares and the scheduler's rest add up to the pool; kittyCut is 10%, at least 1 RLC, at most all", () => {
      expect(kittyCut(0n)).to.equal(0n);
      expect(kittyCut(RLC_UNIT / 2n)).to.equal(RLC_UNIT / 2n);
      expect(kittyCut(6n * RLC_UNIT)).to.equal(RLC_UNIT);
      expect(kittyCut(100n * RLC_UNIT)).to.equal(10n * RLC_UNIT);
      fc.assert(
        fc.property(
          fc.record({
            workerpoolPrice: fc.bigInt({ min: 0n, max: 10n ** 12n }),
            workerStake: fc.bigInt({ min: 0n, max: 10n ** 12n }),
            schedulerRewardRatio: fc.bigInt({ min: 0n, max: 100n }),
          }),
          fc.array(
            fc.record({
              weight: fc.bigInt({ min: 1n, max: 8n }),
              status: fc.constantFrom("CONTRIBUTED" as const, "PROVED" as const, "REJECTED" as const),
            }),
            { minLength: 1, maxLength: 8 },
          ),
          (terms, statuses) => {
            const contributions = statuses.map((c, i) => ({ ...c, worker: `w${i}`, resultHash: "h" }));
            const payouts = completedPayouts({ appPrice: 0n, datasetPrice: 0n, ...terms }, contributions);
            const losers = contributions.filter((c) => c.status !== "PROVED");
            const pool = terms.workerpoolPrice + BigInt(losers.length) * terms.workerStake;
            const paid = [...payouts.provers.values()].reduce((a, b) => a + b, 0n);
            expect(paid + payouts.scheduler).to.equal(pool);
            expect(paid <= (pool * (100n - terms.schedulerRewardRatio)) / 100n).to.equal(true);
            expect(payouts.losers).to.deep.equal(losers.map((c) => c.worker));
          },
        ),
      );
    });
  });

  // ------------------------------------------------------------------ the hub against the model

  type Decision =
    /** Winners reveal (all, or those of the mask; at least one), then the scheduler finalizes. */
    | { kind: "finalize"; all: boolean; mask: boolean[] }
    /** Nobody reveals: after the reveal deadline, the scheduler reopens. */
    | { kind: "reopen" }
    /** Winners of the mask reveal (maybe none), then the task is claimed after the final deadline. */
    | { kind: "claim"; mask: boolean[] };

  interface TaskPlan {
    trust: bigint;
    /** Distinct workers, in contribution order, each with its candidate result. */
    contributions: { worker: number; candidate: number }[];
    /** The scheduler's move after each consensus, in turn. */
    decisions: Decision[];
  }

  interface RunPlan {
    policy: { workerStakeRatio: bigint; schedulerRewardRatio: bigint } | null;
    /** Scores written before the first task (0 in the main property). */
    scores: bigint[];
    tasks: TaskPlan[];
  }

  const mask = fc.array(fc.boolean(), { minLength: WORKERS, maxLength: WORKERS });
  /** The scheduler's moves; `reopens` weighs reopening against finalizing (4) and claiming (1). */
  const decisions = (reopens: number): fc.Arbitrary<Decision[]> =>
    fc.array(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({ kind: fc.constant("finalize" as const), all: fc.boolean(), mask }),
        },
        { weight: reopens, arbitrary: fc.record({ kind: fc.constant("reopen" as const) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant("claim" as const), mask }) },
      ),
      { minLength: WORKERS, maxLength: WORKERS },
    );

  /**
   * Up to six distinct workers (all six half of the time), each voting for one of two or three candidates; the
   * first candidate is favoured (weight 4 against `dissent`, 1 to 4), so that consensus is sometimes reached early,
   * sometimes late and sometimes not at all.
   */
  function taskPlan(trust: fc.Arbitrary<bigint>): fc.Arbitrary<TaskPlan> {
    const candidates = fc
      .record({ count: fc.integer({ min: 2, max: 3 }), dissent: fc.integer({ min: 1, max: 4 }) })
      .chain(({ count, dissent }) =>
        fc.array(
          fc.oneof(
            { weight: 4, arbitrary: fc.constant(0) },
            { weight: dissent, arbitrary: fc.integer({ min: 1, max: count - 1 }) },
          ),
          { minLength: WORKERS, maxLength: WORKERS },
        ),
      );
    const length = fc.oneof(fc.integer({ min: 1, max: WORKERS - 1 }), fc.constant(WORKERS));
    return fc.record({
      trust,
      contributions: fc
        .tuple(fc.shuffledSubarray([...Array(WORKERS).keys()], { minLength: WORKERS }), length, candidates)
        .map(([workers, n, votes]) =>
          workers.slice(0, n).map((worker, i) => ({ worker, candidate: votes[i] })),
        ),
      decisions: fc.integer({ min: 1, max: 6 }).chain(decisions),
    });
  }

  const policy = fc.option(
    fc.record({
      workerStakeRatio: fc.oneof(fc.constantFrom(0n, 30n, 100n), fc.bigInt({ min: 0n, max: 100n })),
      schedulerRewardRatio: fc.oneof(fc.constantFrom(0n, 1n, 100n), fc.bigInt({ min: 0n, max: 100n })),
    }),
    { freq: 2 },
  );

  const mainPlan: fc.Arbitrary<RunPlan> = fc.record({
    policy,
    scores: fc.constant(Array<bigint>(WORKERS).fill(0n)),
    tasks: fc.array(taskPlan(fc.bigInt({ min: 0n, max: 8n })), { minLength: 1, maxLength: 2 }),
  });

  const score = fc.oneof(
    fc.constantFrom(0n, 11n, 12n, 14n, 15n, 30n, 300n),
    fc.bigInt({ min: 0n, max: 600n }),
    fc.bigInt({ min: 0n, max: 2n ** 24n }),
  );
  const scoredPlan: fc.Arbitrary<RunPlan> = fc.record({
    policy,
    scores: fc.array(score, { minLength: WORKERS, maxLength: WORKERS }),
    tasks: fc.array(
      taskPlan(
        fc.oneof(
          { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 8n }) },
          { weight: 3, arbitrary: fc.bigInt({ min: 9n, max: 2000n }) },
          { weight: 1, arbitrary: fc.constantFrom(2n ** 20n, 2n ** 64n - 1n) },
        ),
      ),
      { minLength: 1, maxLength: 2 },
    ),
  });

  /** `taskSetup`, the workers' escrow topped up to `WORKER_FUNDS`. */
  // Built on the shared `taskSetup` snapshot: deploying afresh here would revert the chain to hardhat-deploy's
  // snapshot, older than `taskSetup`'s, and invalidate it for the test files that run after this one.
  async function consensusSetup(): Promise<TaskSetup> {
    const setup = await loadFixture(taskSetup);
    for (const worker of setup.workers) await fundAndDeposit(setup, worker, WORKER_FUNDS - 10n * RLC_UNIT);
    return setup;
  }

  /** What the runs of the current property reached, to check that the generator covers every path. */
  let seen = new Map<string, number>();
  const see = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

  type Ledger = Map<string, { stake: bigint; locked: bigint }>;

  async function readLedger(setup: TaskSetup, accounts: string[]): Promise<Ledger> {
    const ledger: Ledger = new Map();
    for (const account of accounts) {
      const { stake, locked } = await setup.hub.viewAccount(account);
      ledger.set(account, { stake, locked });
    }
    return ledger;
  }

  async function latestTimestamp(): Promise<bigint> {
    return BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  }

  /** Plays `plan` on a fresh chain, checking every step against the models. */
  async function run(plan: RunPlan): Promise<void> {
    const setup = await loadFixture(consensusSetup);
    const { hub, workers, scheduler, requester, appOwner, datasetOwner } = setup;
    if (plan.policy !== null) {
      const pool = (await ethers.getContractAt(
        "Workerpool",
        setup.workerpool,
        scheduler,
      )) as unknown as Workerpool;
      await (await pool.changePolicy(plan.policy.workerStakeRatio, plan.policy.schedulerRewardRatio)).wait();
    }
    const scores = new Map<string, bigint>();
    for (const [i, worker] of workers.entries()) {
      if (plan.scores[i] !== 0n) await setScore(setup, worker.address, plan.scores[i]);
      scores.set(worker.address, plan.scores[i]);
    }

    const tracked = [
      ...workers.map((w) => w.address),
      scheduler.address,
      requester.address,
      appOwner.address,
      datasetOwner.address,
      KITTY,
    ];
    const ledger = await readLedger(setup, tracked);
    const move = (account: string, stake: bigint, locked: bigint) => {
      const entry = ledger.get(account)!;
      ledger.set(account, { stake: entry.stake + stake, locked: entry.locked + locked });
    };
    const deals: MadeDeal[] = [];

    const expectLedger = async (step: string) => {
      const actual = await readLedger(setup, tracked);
      for (const account of tracked)
        expect(actual.get(account)).to.deep.equal(ledger.get(account), `${step}: account ${account}`);
      for (const worker of workers)
        expect(await hub.viewScore(worker.address)).to.equal(scores.get(worker.address), `${step}: score`);
      await expectMoneyConserved(setup, deals);
    };

    for (const task of plan.tasks) {
      // ---- the deal and its task
      const made = await makeDeal(setup, { trust: task.trust });
      deals.push(made);
      const deal = await hub.viewDeal(made.dealid);
      expect(deal.trust).to.equal(task.trust > 1n ? task.trust : 1n);
      const price = deal.app.price + deal.dataset.price + deal.workerpool.price;
      const schedulerStake = (deal.workerpool.price * 30n) / 100n;
      const workerStake = deal.workerStake;
      const terms: DealTerms = {
        appPrice: deal.app.price,
        datasetPrice: deal.dataset.price,
        workerpoolPrice: deal.workerpool.price,
        workerStake,
        schedulerRewardRatio: deal.schedulerRewardRatio,
      };
      move(deal.sponsor, -price, price);
      move(scheduler.address, -schedulerStake, schedulerStake);
      const taskid = await initTask(setup, made);
      const { contributionDeadline, finalDeadline } = await hub.viewTask(taskid);
      await expectLedger("match");

      const model = new ConsensusModel(deal.trust);
      const hashes = CANDIDATES.map((digest) => computeResultHash(taskid, digest));
      const digestOfHash = new Map(hashes.map((h, i) => [h, CANDIDATES[i]]));
      const signerOf = new Map(workers.map((w) => [w.address, w]));
      let consensusTime = 0n;

      const expectTask = async (step: string) => {
        const view = await hub.viewTask(taskid);
        const revealing = model.consensus !== undefined;
        const revealed = model.contributions.filter((c) => c.status === "PROVED").length;
        expect(Number(view.status)).to.equal(
          revealing ? TaskStatus.REVEALING : TaskStatus.ACTIVE,
          `${step}: status`,
        );
        expect(view.consensusValue).to.equal(model.consensus ?? ZERO_HASH, `${step}: consensus`);
        expect(view.winnerCounter).to.equal(
          revealing ? BigInt(model.winners().length + revealed) : 0n,
          `${step}: winners`,
        );
        expect(view.revealCounter).to.equal(BigInt(revealed), `${step}: reveals`);
        expect(view.resultDigest).to.equal(
          revealed > 0 ? digestOfHash.get(model.consensus!) : ZERO_HASH,
          `${step}: digest`,
        );
        expect(view.revealDeadline).to.equal(
          revealing ? consensusTime + 2n * TIMEREF : 0n,
          `${step}: reveal deadline`,
        );
        expect(view.contributors).to.deep.equal(
          model.contributions.map((c) => c.worker),
          `${step}: contributors`,
        );
        await expectContributions(step);
      };
      const expectContributions = async (step: string) => {
        for (const c of model.contributions) {
          const view = await hub.viewContribution(taskid, c.worker);
          expect(Number(view.status)).to.equal(
            ContributionStatus[c.status],
            `${step}: status of ${c.worker}`,
          );
          expect(view.weight).to.equal(c.weight, `${step}: weight of ${c.worker}`);
          expect(view.resultHash).to.equal(c.resultHash, `${step}: hash of ${c.worker}`);
        }
      };
      const revealWinners = async (reveals: boolean[], atLeastOne: boolean) => {
        const winners = model.winners();
        const chosen = winners.filter((_, i) => reveals[i]);
        if (atLeastOne && chosen.length === 0) chosen.push(winners[0]);
        for (const winner of chosen) {
          await (
            await reveal(setup, signerOf.get(winner.worker)!, taskid, digestOfHash.get(winner.resultHash)!)
          ).wait();
          model.reveal(winner.worker);
          await expectTask(`reveal by ${winner.worker}`);
        }
        return chosen.length;
      };
      const claim = async () => {
        await timeTravelTo(finalDeadline);
        await (await hub.connect(setup.spare[0]).claim(taskid)).wait();
        for (const c of model.contributions) move(c.worker, workerStake, -workerStake);
        move(deal.sponsor, price, -price);
        move(scheduler.address, 0n, -schedulerStake);
        move(KITTY, 0n, schedulerStake);
        expect(Number((await hub.viewTask(taskid)).status)).to.equal(TaskStatus.FAILED);
        await expectContributions("claim");
        await expectLedger("claim");
      };

      // ---- contributions and the scheduler's moves
      let next = 0;
      let decisions = 0;
      let reopens = 0;
      for (;;) {
        const pending = task.contributions[next];
        if (model.consensus === undefined) {
          if (pending === undefined) {
            see("no consensus, claim");
            await claim();
            break;
          }
          const worker = workers[pending.worker];
          const hash = hashes[pending.candidate];
          // Reopens move the clock by the reveal period; the contribution deadline is far from any other step.
          const late = (await latestTimestamp()) + 1n >= contributionDeadline;
          const tx = contribute(setup, worker, taskid, CANDIDATES[pending.candidate]);
          if (late) {
            await expect(tx).to.be.revertedWithCustomError(hub, "ContributionDeadlinePassed");
            see("contribution deadline passed, claim");
            await claim();
            break;
          }
          const receipt = (await (await tx).wait())!;
          next += 1;
          move(worker.address, -workerStake, workerStake);
          if (model.contribute(worker.address, hash, scores.get(worker.address)!)) {
            consensusTime = BigInt((await receipt.getBlock()).timestamp);
            see(reopens === 0 ? "consensus" : "consensus after reopen");
          }
          await expectTask(`contribution ${next}`);
          await expectLedger(`contribution ${next}`);
          continue;
        }

        // REVEALING: no more contributions, on the hub as in the model.
        if (pending !== undefined) {
          await expect(contribute(setup, workers[pending.worker], taskid, CANDIDATES[pending.candidate]))
            .to.be.revertedWithCustomError(hub, "TaskStatusMismatch")
            .withArgs(taskid, TaskStatus.REVEALING, TaskStatus.ACTIVE);
          expect(() =>
            model.contribute(workers[pending.worker].address, hashes[pending.candidate], 0n),
          ).to.throw();
        }
        const choice: Decision = task.decisions[decisions++] ?? { kind: "finalize", all: true, mask: [] };
        if (choice.kind === "reopen") {
          await expect(hub.connect(scheduler).reopen(taskid)).to.be.revertedWithCustomError(
            hub,
            "RevealDeadlineNotReached",
          );
          await timeTravelTo(consensusTime + 2n * TIMEREF);
          await (await hub.connect(scheduler).reopen(taskid)).wait();
          model.reopen();
          reopens += 1;
          see("reopen");
          await expectTask("reopen");
          await expectLedger("reopen");
          continue;
        }
        if (choice.kind === "claim") {
          const revealed = await revealWinners(choice.mask, false);
          see(revealed > 0 ? "claim after reveals" : "claim without reveals");
          await claim();
          break;
        }

        // finalize
        const winnerCount = model.winners().length;
        const revealed = await revealWinners(choice.all ? Array(WORKERS).fill(true) : choice.mask, true);
        if (revealed < winnerCount) {
          await expect(finalize(setup, taskid)).to.be.revertedWithCustomError(hub, "RevealsPending");
          await timeTravelTo(consensusTime + 2n * TIMEREF);
          await expect(hub.connect(scheduler).reopen(taskid)).to.be.revertedWithCustomError(
            hub,
            "AlreadyRevealed",
          );
          see("finalize after the reveal deadline");
        } else see("finalize, all revealed");
        const kitty = ledger.get(KITTY)!.locked;
        await (await finalize(setup, taskid)).wait();
        const payouts = completedPayouts(terms, model.contributions);
        const cut = kittyCut(kitty);
        if (cut > 0n) see("kitty cut");
        move(deal.sponsor, 0n, -price);
        move(appOwner.address, deal.app.price, 0n);
        move(datasetOwner.address, deal.dataset.price, 0n);
        for (const c of model.contributions) {
          const pay = payouts.provers.get(c.worker);
          const before = scores.get(c.worker)!;
          if (pay !== undefined) {
            move(c.worker, workerStake + pay, -workerStake);
            if (model.contributions.length > 1) scores.set(c.worker, before + 1n);
          } else {
            expect(payouts.losers).to.include(c.worker);
            move(c.worker, 0n, -workerStake);
            scores.set(c.worker, (before * 2n) / 3n);
          }
        }
        move(scheduler.address, schedulerStake + payouts.scheduler + cut, -schedulerStake);
        move(KITTY, 0n, -cut);
        const view = await hub.viewTask(taskid);
        expect(Number(view.status)).to.equal(TaskStatus.COMPLETED);
        expect(view.consensusValue).to.equal(model.consensus);
        expect(view.resultDigest).to.equal(digestOfHash.get(model.consensus!));
        await expectContributions("finalize");
        await expectLedger("finalize");
        break;
      }
    }
  }

  it("random contributions at trust 0 to 8 by new workers, then reveals, reopens and claims: the hub follows the model", async () => {
    seen = new Map();
    await fc.assert(fc.asyncProperty(mainPlan, run), { numRuns: RUNS });
    if (process.env.CONSENSUS_PROPERTY_VERBOSE) console.log(seen);
    if (RUNS >= 20) {
      expect(seen.get("consensus") ?? 0).to.be.greaterThan(0, "runs reaching consensus");
      expect(seen.get("no consensus, claim") ?? 0).to.be.greaterThan(0, "runs without consensus");
      expect(seen.get("reopen") ?? 0).to.be.greaterThan(0, "reopens");
    }
  });

  it("raised scores (weights above 2) and trust up to 2^64 - 1: the hub follows the model", async () => {
    seen = new Map();
    await fc.assert(fc.asyncProperty(scoredPlan, run), { numRuns: SCORE_RUNS });
    if (process.env.CONSENSUS_PROPERTY_VERBOSE) console.log(seen);
  });
});
