/**
 * The scheduler's pure decisions: how many more workers a task needs (the hub's Sarmenta rule, k = 3),
 * which worker may take a task (by score, and by enclave for TEE tasks), and what to send on chain for a
 * task given its state and the chain's clock (reveal, upload, finalize, reopen, claim). No I/O here:
 * everything is unit-testable without a chain.
 */
import { workerWeight } from "../sdk/core/consensus";
import { isTeeTag } from "../sdk/core/matching";
import type { TaskWaitCode } from "../sdk/core/scheduler";
import { ContributionStatus, TaskStatus } from "../sdk/core/tasks";

/** A contribution on chain, as the planner needs it. */
export interface PlannedContribution {
  worker: string;
  status: ContributionStatus;
  resultHash: string;
  /** The worker's score when it contributed (its weight follows from it). */
  score: bigint;
}

/**
 * Whether a group of weight `group` wins against `total` for `trust`: the hub's test
 * group * trust > total * (trust - 1). Trust 0 behaves as 1 (the hub treats both alike).
 */
export function reachesConsensus(trust: bigint, group: bigint, total: bigint): boolean {
  const t = trust < 1n ? 1n : trust;
  return group * t > total * (t - 1n);
}

/**
 * How many more agreeing workers a task needs to reach consensus, in the best case: the pending
 * contributions are grouped by hash as the hub does, the outstanding assignments (handed out, not
 * contributed yet) and then the candidates (highest scores first) are assumed to join the largest
 * group. Returns how many of `candidateScores` are needed, or `candidateScores.length + 1` when even
 * all of them would not do (the caller only needs to know "more than I have").
 */
export function moreWorkersNeeded(
  trust: bigint,
  contributions: PlannedContribution[],
  outstandingScores: bigint[],
  candidateScores: bigint[],
): number {
  const groups = new Map<string, bigint>();
  let total = 1n;
  // Rejected contributions (winners of a reopened consensus) left the hub's weights.
  for (const c of contributions) {
    if (c.status !== ContributionStatus.CONTRIBUTED && c.status !== ContributionStatus.PROVED) continue;
    const group = groups.get(c.resultHash) ?? 0n;
    const grown = (group > 1n ? group : 1n) * workerWeight(c.score);
    groups.set(c.resultHash, grown);
    total += grown - group;
  }
  let best = 0n;
  for (const group of groups.values()) if (group > best) best = group;
  const join = (score: bigint) => {
    const grown = (best > 1n ? best : 1n) * workerWeight(score);
    total += grown - best;
    best = grown;
  };
  for (const score of outstandingScores) join(score);
  if (best > 0n && reachesConsensus(trust, best, total)) return 0;
  const sorted = [...candidateScores].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  for (let i = 0; i < sorted.length; i++) {
    join(sorted[i]);
    if (reachesConsensus(trust, best, total)) return i + 1;
  }
  return sorted.length + 1;
}

/** How many new workers of equal `score` a fresh task of `trust` needs (trust 1 → 1, 3 → 2, 5 → 3 at score 0). */
export function workersForTrust(trust: bigint, score = 0n, limit = 64): number {
  return moreWorkersNeeded(trust, [], [], new Array<bigint>(limit).fill(score));
}

/** A worker that asked for work recently, as seen when another worker polls. */
export interface IdleWorker {
  address: string;
  score: bigint;
  /** Free slots it announced in its last poll, minus what it was given then. */
  freeSlots: number;
  /** When it last polled (ms). */
  lastPoll: number;
}

/**
 * Whether `poller` may take a task that still needs `needed` workers. Preference for high scores,
 * kept simple: the task is left to better workers when enough of them (score strictly higher, free
 * slots, polled within `windowMs`, not excluded, e.g. because they already work on the task) could
 * take it. They get it on their next poll, a few seconds at most; when they stop polling they drop
 * out of the window and the poller gets the task.
 */
export function mayTake(
  poller: { address: string; score: bigint },
  needed: number,
  others: IdleWorker[],
  excluded: ReadonlySet<string>,
  now: number,
  windowMs: number,
): boolean {
  if (needed <= 0) return false;
  let better = 0;
  for (const other of others) {
    if (other.address === poller.address || excluded.has(other.address)) continue;
    if (other.score > poller.score && other.freeSlots > 0 && now - other.lastPoll <= windowMs) better++;
  }
  return better < needed;
}

/**
 * Why a worker with `enclave` (null: a plain worker) cannot contribute to a task of deal tag `tag`, or
 * undefined when it can. The hub refuses a TEE task's contribution (tag bit 0) without an enclave, so a
 * TEE task goes only to a worker that declared one, and only while this scheduler's signature is what
 * the hub checks (`schedulerSignsEnclaves`: the hub has no TEE broker, or the broker is this scheduler).
 * A task whose tag is not known yet goes to nobody.
 */
export function enclaveBlock(
  tag: string | null,
  enclave: string | null,
  schedulerSignsEnclaves: boolean,
): Extract<TaskWaitCode, "DEAL_TAG_UNKNOWN" | "TEE_WORKER_NEEDED" | "TEE_BROKER_SIGNS"> | undefined {
  if (tag === null) return "DEAL_TAG_UNKNOWN";
  if (!isTeeTag(tag)) return undefined;
  if (!schedulerSignsEnclaves) return "TEE_BROKER_SIGNS";
  return enclave === null ? "TEE_WORKER_NEEDED" : undefined;
}

/** A task's on-chain state, as far as the end-of-task decisions need it. */
export interface ChainTaskState {
  status: TaskStatus;
  revealDeadline: bigint;
  finalDeadline: bigint;
  revealCounter: bigint;
  winnerCounter: bigint;
}

/** What to do next on chain for a task. */
export type ChainAction = "none" | "claim" | "reopen" | "finalize" | "choose-uploader" | "wait-reveals";

/**
 * The chain action a task calls for at chain time `now` (seconds, the latest block's time; the next
 * block is later, so "at or after a deadline" tests hold when sent). `hasResults` tells whether an
 * uploader reported the result's location.
 */
export function chainAction(task: ChainTaskState, now: bigint, hasResults: boolean): ChainAction {
  if (task.status === TaskStatus.COMPLETED || task.status === TaskStatus.FAILED) return "none";
  if (task.status === TaskStatus.UNSET) return "none";
  if (now >= task.finalDeadline) return "claim";
  if (task.status !== TaskStatus.REVEALING) return "none";
  const revealPassed = now >= task.revealDeadline;
  if (task.revealCounter === 0n) return revealPassed ? "reopen" : "wait-reveals";
  const allRevealed = task.revealCounter === task.winnerCounter;
  if (!allRevealed && !revealPassed) return "wait-reveals";
  return hasResults ? "finalize" : "choose-uploader";
}

/** Failures after which another worker should not be tried: every honest worker would fail alike. */
export const TASK_FATAL_FAILURES: ReadonlySet<string> = new Set([
  "APP_CHECKSUM_MISMATCH",
  "DATASET_BAD_CHECKSUM",
  "DATASET_BAD_ARCHIVE",
  "RESULT_ENCRYPTION_KEY_UNUSABLE",
]);

/**
 * Picks the revealed worker to upload the result: the first of `provers` not tried yet, or, when all
 * were tried, the one tried longest ago (a transient failure may have passed).
 */
export function pickUploader(provers: string[], tried: Map<string, number>): string | undefined {
  const fresh = provers.find((worker) => !tried.has(worker));
  if (fresh !== undefined) return fresh;
  let pick: string | undefined;
  let oldest = Infinity;
  for (const worker of provers) {
    const at = tried.get(worker)!;
    if (at < oldest) {
      oldest = at;
      pick = worker;
    }
  }
  return pick;
}
