/**
 * The consensus rule (Sarmenta, k = 3) and a task's payouts, as a pure model: the TypeScript twin of the hub's
 * `Consensus` and `Settlement` libraries, property-tested against them. Schedulers use it to predict when a task
 * reaches consensus.
 */
import { OpenPocoError } from "./errors";

/**
 * Thrown when the model is driven out of the task's order (a contribution after consensus, a reveal by a
 * worker who is not a pending winner, a reopening without consensus): the caller's own bookkeeping is wrong.
 */
export class ConsensusStateError extends OpenPocoError {
  constructor(message: string) {
    super("CONSENSUS_STATE", message);
  }
}

/** Weight of a worker whose score is `score`: max(score / 3, 3) - 1 (2 for a new worker). */
export function workerWeight(score: bigint): bigint {
  const third = score / 3n;
  return (third > 3n ? third : 3n) - 1n;
}

/** floor(log2(x)) for x >= 1: a contribution's weight as `viewContribution` reports it. */
export function log2(x: bigint): bigint {
  let result = 0n;
  while (x > 1n) {
    x >>= 1n;
    result += 1n;
  }
  return result;
}

/** One contribution of the model. */
export interface ModelContribution {
  worker: string;
  resultHash: string;
  /** log2 of the worker's weight when it contributed. */
  weight: bigint;
  status: "CONTRIBUTED" | "PROVED" | "REJECTED";
}

/**
 * The consensus state of one task: the groups of agreeing contributions, the total (1 plus every group's weight),
 * and which hash won, if any.
 */
export class ConsensusModel {
  readonly contributions: ModelContribution[] = [];
  readonly groups = new Map<string, bigint>();
  total = 1n;
  consensus: string | undefined;

  constructor(readonly trust: bigint) {}

  /** Adds a contribution; returns whether it brought the consensus. */
  contribute(worker: string, resultHash: string, score: bigint): boolean {
    if (this.consensus !== undefined)
      throw new ConsensusStateError(
        "The task is revealing: it takes no more contributions; call reopen() first if its reveal deadline passed.",
      );
    const weight = workerWeight(score);
    this.contributions.push({ worker, resultHash, weight: log2(weight), status: "CONTRIBUTED" });
    const group = this.groups.get(resultHash) ?? 0n;
    const grown = (group > 1n ? group : 1n) * weight;
    this.groups.set(resultHash, grown);
    this.total += grown - group;
    if (grown * this.trust > this.total * (this.trust - 1n)) {
      this.consensus = resultHash;
      return true;
    }
    return false;
  }

  /** The pending contributions to the consensus hash: who must reveal. */
  winners(): ModelContribution[] {
    return this.contributions.filter((c) => c.status === "CONTRIBUTED" && c.resultHash === this.consensus);
  }

  /** A winner revealed. */
  reveal(worker: string): void {
    const contribution = this.winners().find((c) => c.worker === worker);
    if (contribution === undefined)
      throw new ConsensusStateError(
        `${worker} is not a pending winner: only workers who contributed the consensus hash and have not revealed can reveal.`,
      );
    contribution.status = "PROVED";
  }

  /** Nobody revealed in time: the winners are rejected and their group leaves the total. */
  reopen(): void {
    if (this.consensus === undefined)
      throw new ConsensusStateError(
        "There is no consensus to reopen: reopen() only follows a consensus whose winners did not reveal.",
      );
    for (const c of this.winners()) c.status = "REJECTED";
    this.total -= this.groups.get(this.consensus) ?? 0n;
    this.groups.delete(this.consensus);
    this.consensus = undefined;
  }
}

/** What a deal pays per task, and its ratios. */
export interface DealTerms {
  appPrice: bigint;
  datasetPrice: bigint;
  workerpoolPrice: bigint;
  workerStake: bigint;
  schedulerRewardRatio: bigint;
}

/** The payouts of a completed task, in nRLC. */
export interface CompletedPayouts {
  /** Reward of each prover (its stake is also returned, when it locked one: not in contributeAndFinalize). */
  provers: Map<string, bigint>;
  /** Workers whose stake is seized. */
  losers: string[];
  /** What the scheduler receives besides its stake back, kitty cut excluded. */
  scheduler: bigint;
}

/**
 * Splits a completed task's workers' pool: the workerpool price plus the stakes of those who did not prove, less
 * the scheduler's ratio, shared among provers by log2 weight (rounded down); the scheduler gets the rest.
 */
export function completedPayouts(terms: DealTerms, contributions: ModelContribution[]): CompletedPayouts {
  const provers = contributions.filter((c) => c.status === "PROVED");
  const losers = contributions.filter((c) => c.status !== "PROVED").map((c) => c.worker);
  const pool = terms.workerpoolPrice + BigInt(losers.length) * terms.workerStake;
  const workersShare = (pool * (100n - terms.schedulerRewardRatio)) / 100n;
  const proversWeight = provers.reduce((sum, c) => sum + c.weight, 0n);
  const rewards = new Map<string, bigint>();
  let scheduler = pool;
  for (const c of provers) {
    const pay = (workersShare * c.weight) / proversWeight;
    rewards.set(c.worker, pay);
    scheduler -= pay;
  }
  return { provers: rewards, losers, scheduler };
}

/** The kitty's cut paid to the scheduler of a completed task: 10%, at least 1 RLC, at most all of it. */
export function kittyCut(kitty: bigint): bigint {
  if (kitty === 0n) return 0n;
  const tenth = kitty / 10n;
  const floored = tenth > 1_000_000_000n ? tenth : 1_000_000_000n;
  return floored < kitty ? floored : kitty;
}
