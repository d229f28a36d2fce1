/**
 * The scheduler's desk for workers: login by signed one-use challenge, sessions, and the answers to
 * polls and reports. It decides who gets which task (with the planner) and what each worker must
 * reveal, upload or forget, from the store that the chain sync keeps up to date; it never sends
 * transactions itself, it only signs authorizations. A TEE task goes only to a worker that proved an
 * enclave at login, with an authorization naming that enclave; until one polls, the task waits and
 * `taskStatus` says why.
 */
import { randomBytes } from "node:crypto";
import { getAddress, verifyMessage, ZeroAddress, type Signer } from "ethers";
import { ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError } from "../sdk/core/errors";
import { isTeeTag } from "../sdk/core/matching";
import {
  schedulerEnclaveMessage,
  schedulerLoginMessage,
  type EnclaveDeclaration,
  type SchedulerStatus,
  type SchedulerTaskStatus,
  type TaskAssignment,
  type TaskWaitCode,
  type WorkerFailureCode,
  type WorkerInstructions,
  type WorkerReport,
} from "../sdk/core/scheduler";
import { ContributionStatus, signAuthorization } from "../sdk/core/tasks";
import { enclaveBlock, mayTake, moreWorkersNeeded, TASK_FATAL_FAILURES, type IdleWorker } from "./planner";
import {
  APP_LOG_LIMIT_BYTES,
  type ComputeLogs,
  type ReplicateStatus,
  type WorkerpoolTask,
} from "../sdk/core/workerpool-api";
import { LogsGate } from "./logs-gate";
import type { ReplicateModifier, ReplicateUpdateRecord, SchedulerStore } from "./store";
import { workerpoolTaskView } from "./task-view";

/** Workers that must report the same fatal failure before a task is given up. */
export const FATAL_FAILURE_WITNESSES = 2;

/** Timing of the desk, in ms. */
export interface DeskTimings {
  /** How recent a better worker's poll must be for a task to wait for it (default 5 s). */
  preferWindowMs: number;
  /** A worker silent that long no longer counts for the tasks it was given (default 60 s). */
  workerSilenceMs: number;
  /** Reveal and upload instructions are sent again after that long without effect (default 30 s). */
  resendMs: number;
  /** Life of a login challenge (default 5 min). */
  challengeTtlMs: number;
  /** Life of a session token (default 24 h). */
  sessionTtlMs: number;
}

export const DEFAULT_DESK_TIMINGS: DeskTimings = {
  preferWindowMs: 5_000,
  workerSilenceMs: 60_000,
  resendMs: 30_000,
  challengeTtlMs: 5 * 60_000,
  sessionTtlMs: 24 * 3600_000,
};

/** How to build a desk. */
export interface DeskOptions {
  store: SchedulerStore;
  /** The workerpool owner: signs the authorizations. */
  owner: Signer;
  /** Reads a worker's score on chain (at login). */
  readScore: (worker: string) => Promise<bigint>;
  /** The chain's time now, in seconds (estimated between syncs). */
  chainClock: () => bigint;
  /** The hub's TEE broker as last read (default: none, the zero address). */
  teeBroker?: () => string;
  timings?: Partial<DeskTimings>;
  /** Wall clock in ms (tests). */
  now?: () => number;
}

/** The desk's answers to workers. */
export class WorkerDesk {
  readonly timings: DeskTimings;
  private readonly challenges = new Map<string, { address: string; expires: number }>();
  private readonly sessions = new Map<string, { worker: string; expires: number }>();
  private readonly idle = new Map<string, IdleWorker>();
  /** Assignments this process has sent (task:worker): others date from before a restart. */
  private readonly sent = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: DeskOptions) {
    this.timings = { ...DEFAULT_DESK_TIMINGS, ...options.timings };
    this.now = options.now ?? Date.now;
  }

  /** A fresh one-use challenge for `address` to sign. */
  challenge(address: string): string {
    const now = this.now();
    for (const [key, value] of this.challenges) if (value.expires <= now) this.challenges.delete(key);
    const challenge = "0x" + randomBytes(32).toString("hex");
    this.challenges.set(challenge, {
      address: getAddress(address),
      expires: now + this.timings.challengeTtlMs,
    });
    return challenge;
  }

  /**
   * Checks the signed challenge (used up either way), registers the worker and opens a session. A worker
   * declaring an enclave must bring the enclave key's signature of the same challenge; it is then
   * TEE-capable until its next login (a login without an enclave makes it a plain worker again).
   */
  async login(
    address: string,
    challenge: string,
    signature: string,
    enclave?: EnclaveDeclaration,
  ): Promise<string> {
    const worker = getAddress(address);
    const issued = this.challenges.get(challenge);
    this.challenges.delete(challenge);
    if (!issued || issued.address !== worker || issued.expires <= this.now())
      throw new UnauthorizedError(
        "Unknown, used or expired challenge: ask GET /workers/challenge for a new one.",
      );
    let signer: string;
    try {
      signer = verifyMessage(schedulerLoginMessage(worker, challenge), signature);
    } catch {
      throw new UnauthorizedError("Malformed signature: sign the login message with the worker's key.");
    }
    if (signer !== worker)
      throw new UnauthorizedError(
        `The signature is by ${signer}, not ${worker}: sign with the worker's key.`,
      );
    const enclaveAddress = enclave === undefined ? null : this.checkEnclave(worker, challenge, enclave);
    const score = await this.options.readScore(worker);
    this.options.store.upsertWorker(worker, score, this.now(), enclaveAddress);
    const token = randomBytes(32).toString("base64url");
    this.sessions.set(token, { worker, expires: this.now() + this.timings.sessionTtlMs });
    return token;
  }

  private checkEnclave(worker: string, challenge: string, enclave: EnclaveDeclaration): string {
    const address = getAddress(enclave.address.toLowerCase());
    if (address === ZeroAddress)
      throw new InvalidInputError("The enclave address is zero: declare the enclave's own address, or none.");
    let signer: string;
    try {
      signer = verifyMessage(schedulerEnclaveMessage(worker, address, challenge), enclave.signature);
    } catch {
      throw new UnauthorizedError(
        "Malformed enclave signature: sign the enclave message of this login with the enclave's key.",
      );
    }
    if (signer !== address)
      throw new UnauthorizedError(
        `The enclave signature is by ${signer}, not by enclave ${address}: sign the enclave message of this login with the enclave's key.`,
      );
    return address;
  }

  /** True when this scheduler's signature is what the hub checks on authorizations naming an enclave. */
  private async signsEnclaves(): Promise<boolean> {
    const broker = this.options.teeBroker?.() ?? ZeroAddress;
    return broker === ZeroAddress || getAddress(broker) === getAddress(await this.options.owner.getAddress());
  }

  /** The worker of a `Bearer` Authorization header. */
  authenticate(header: string | undefined): string {
    const match = /^Bearer (\S+)$/.exec(header ?? "");
    if (!match) throw new UnauthorizedError("Missing bearer token: log in with POST /workers/login first.");
    const session = this.sessions.get(match[1]);
    if (!session || session.expires <= this.now()) {
      this.sessions.delete(match[1]);
      throw new UnauthorizedError("Unknown or expired token: log in again with POST /workers/login.");
    }
    return session.worker;
  }

  /** What `worker` must do now; hands it up to `slots` new tasks. */
  async poll(worker: string, slots: number): Promise<WorkerInstructions> {
    const { store } = this.options;
    const now = this.now();
    const chainNow = this.options.chainClock();
    store.touchWorker(worker, now);
    const answer: WorkerInstructions = { assign: [], reveal: [], upload: [], forget: [] };
    for (const assignment of store.assignmentsOfWorker(worker)) {
      const task = store.task(assignment.taskid);
      if (!task) continue;
      if (task.state === "completed" || task.state === "failed") {
        answer.forget.push(task.taskid);
        store.markForgotten(task.taskid, worker);
        continue;
      }
      const winner =
        task.state === "revealing" &&
        assignment.chainStatus === ContributionStatus.CONTRIBUTED &&
        assignment.state !== "failed" &&
        assignment.resultHash === task.consensus &&
        chainNow < task.revealDeadline;
      if (
        winner &&
        (assignment.revealSentAt === null || now - assignment.revealSentAt >= this.timings.resendMs)
      ) {
        answer.reveal.push(task.taskid);
        store.markRevealSent(task.taskid, worker, now);
      }
      // An assignment whose answer was lost (timeout) is sent again; workers ignore repeats. One made
      // before a restart is sent at once: this process cannot know whether the answer reached the worker.
      if (
        task.state === "active" &&
        assignment.state === "assigned" &&
        assignment.chainStatus === ContributionStatus.UNSET &&
        assignment.authorization !== "" &&
        (!this.sent.has(sentKey(task.taskid, worker)) || now - assignment.assignedAt >= this.timings.resendMs)
      ) {
        this.sent.add(sentKey(task.taskid, worker));
        answer.assign.push({
          taskid: task.taskid,
          dealid: task.dealid,
          idx: task.idx.toString(),
          authorization: assignment.authorization,
          enclaveChallenge: assignment.enclaveChallenge,
        });
      }
      const uploader = task.uploader === worker && task.results === null && task.state === "revealing";
      if (uploader && (task.uploadSentAt === null || now - task.uploadSentAt >= this.timings.resendMs)) {
        answer.upload.push(task.taskid);
        store.markUploadSent(task.taskid, now);
      }
    }
    const signsEnclaves = slots > 0 && (await this.signsEnclaves());
    const given = slots > 0 ? this.choose(worker, slots, now, chainNow, signsEnclaves) : [];
    this.idle.set(worker, {
      address: worker,
      score: store.worker(worker)?.score ?? 0n,
      freeSlots: slots - given.length,
      lastPoll: now,
    });
    for (const task of given) {
      try {
        const authorization = await signAuthorization(
          this.options.owner,
          worker,
          task.taskid,
          task.enclaveChallenge,
        );
        store.setAuthorization(task.taskid, worker, authorization);
        store.noteReplicate(replicateUpdate(task.taskid, worker, "CREATED", now, "POOL_MANAGER"));
        this.sent.add(sentKey(task.taskid, worker));
        answer.assign.push({ ...task, authorization });
      } catch (error) {
        // Without an authorization the worker cannot contribute: free the place for someone else.
        store.dropAssignment(task.taskid, worker);
        throw error;
      }
    }
    return answer;
  }

  // Synchronous from reading to recording, so concurrent polls never over-assign a task.
  private choose(
    worker: string,
    slots: number,
    now: number,
    chainNow: bigint,
    signsEnclaves: boolean,
  ): Omit<TaskAssignment, "authorization">[] {
    const { store } = this.options;
    const record = store.worker(worker);
    const score = record?.score ?? 0n;
    const enclave = record?.enclave ?? null;
    const others = [...this.idle.values()];
    const given: Omit<TaskAssignment, "authorization">[] = [];
    for (const task of store.tasksIn(["active"])) {
      if (given.length >= slots) break;
      if (task.failure !== null || chainNow >= task.contributionDeadline) continue;
      // A worker the hub would refuse (a plain one on a TEE task) is never given the task: no run wasted.
      if (enclaveBlock(task.tag, enclave, signsEnclaves) !== undefined) continue;
      const assignments = store.assignmentsOfTask(task.taskid);
      if (assignments.some((a) => a.worker === worker)) continue;
      const contributions = assignments
        .filter((a) => a.chainStatus !== ContributionStatus.UNSET)
        .map((a) => ({
          worker: a.worker,
          status: a.chainStatus,
          resultHash: a.resultHash ?? "",
          score: a.score,
        }));
      // Still expected to contribute: not failed, its worker still polls, and not past the time the app
      // may take (T, the category's time, is a third of the gap between the two deadlines) plus a margin.
      const timeMs = (Number(task.finalDeadline - task.contributionDeadline) / 3) * 1000;
      const outstanding = assignments
        .filter((a) => a.chainStatus === ContributionStatus.UNSET && a.state !== "failed")
        .filter((a) => now - (store.worker(a.worker)?.lastSeen ?? 0) <= this.timings.workerSilenceMs)
        .filter((a) => now - a.assignedAt <= timeMs + this.timings.workerSilenceMs)
        .map((a) => a.score);
      const needed = moreWorkersNeeded(
        task.trust,
        contributions,
        outstanding,
        new Array<bigint>(32).fill(score),
      );
      // Better workers that could not take this task (plain ones, for a TEE task) do not hold it back.
      const excluded = new Set(assignments.map((a) => a.worker));
      for (const other of others)
        if (enclaveBlock(task.tag, store.worker(other.address)?.enclave ?? null, signsEnclaves) !== undefined)
          excluded.add(other.address);
      if (!mayTake({ address: worker, score }, needed, others, excluded, now, this.timings.preferWindowMs))
        continue;
      const enclaveChallenge = task.tag !== null && isTeeTag(task.tag) ? enclave! : ZeroAddress;
      store.addAssignment(task.taskid, worker, score, now, enclaveChallenge);
      given.push({ taskid: task.taskid, dealid: task.dealid, idx: task.idx.toString(), enclaveChallenge });
    }
    return given;
  }

  /** Records what `worker` says about `taskid`; the chain sync checks it on chain. */
  report(worker: string, taskid: string, report: WorkerReport): void {
    const { store } = this.options;
    const assignment = store.assignment(taskid, worker);
    if (!assignment)
      throw new ForbiddenError(`Task ${taskid} is not assigned to ${worker}: report only on your tasks.`);
    const task = store.task(taskid)!;
    const now = this.now();
    const note = (status: ReplicateStatus, details: Partial<ReplicateUpdateRecord> = {}) =>
      store.noteReplicate(replicateUpdate(taskid, worker, status, now, "WORKER", details));
    switch (report.event) {
      case "computed":
        if (report.error !== undefined)
          store.setAssignmentState(taskid, worker, assignment.state, report.error);
        note("COMPUTED", { cause: report.error ?? null, exitCode: report.exitCode ?? null });
        return;
      case "contributed":
        if (assignment.state === "assigned") store.setAssignmentState(taskid, worker, "contributed");
        note("CONTRIBUTED");
        return;
      case "revealed":
        if (assignment.state !== "failed") store.setAssignmentState(taskid, worker, "revealed");
        note("REVEALED");
        return;
      case "uploaded":
        if (task.uploader !== worker)
          throw new ForbiddenError(
            `Task ${taskid}'s result is not asked of ${worker}: upload only when told to.`,
          );
        store.setResults(taskid, report.results, report.resultsCallback);
        note("RESULT_UPLOADED");
        store.noteTaskStatus(taskid, "RESULT_UPLOADED", now);
        return;
      case "finalized":
        return;
      case "failed":
        note("FAILED", { cause: report.code, detail: report.detail });
        this.failed(worker, taskid, report.code, task.uploader === worker);
        return;
    }
  }

  /**
   * Keeps the end of the app's output `worker` sent for `taskid` (each stream cut to its last
   * APP_LOG_LIMIT_BYTES); only a worker given the task may send it.
   */
  logs(worker: string, taskid: string, stdout: string, stderr: string): void {
    const { store } = this.options;
    this.checkLogsSender(worker, taskid);
    store.setComputeLogs(taskid, worker, lastBytes(stdout), lastBytes(stderr), this.now());
  }

  /** Throws `ForbiddenError` unless `taskid` is assigned to `worker`: only its workers send its logs. */
  checkLogsSender(worker: string, taskid: string): void {
    if (!this.options.store.assignment(taskid, worker))
      throw new ForbiddenError(`Task ${taskid} is not assigned to ${worker}: send logs only of your tasks.`);
  }

  /** The app logs of `taskid` for `address`, which must be the deal's requester. */
  computeLogs(taskid: string, address: string): ComputeLogs[] {
    const { store } = this.options;
    const task = store.task(taskid);
    if (!task)
      throw new NotFoundError(
        `Task ${taskid} is not one of this scheduler's: check the id, or wait for its deal to be read.`,
      );
    LogsGate.checkRequester(task.taskid, store.dealRequester(task.dealid), address);
    return store
      .computeLogs(task.taskid)
      .map((logs) => ({ walletAddress: logs.worker, stdout: logs.stdout, stderr: logs.stderr }));
  }

  /** GET /tasks/{taskid}: the task, its history and replicates, and why it fails, if it does. */
  async task(taskid: string): Promise<WorkerpoolTask> {
    const status = await this.taskStatus(taskid);
    const { store } = this.options;
    return workerpoolTaskView(store, store.task(taskid)!, status, this.options.chainClock());
  }

  private failed(worker: string, taskid: string, code: WorkerFailureCode, isUploader: boolean): void {
    const { store } = this.options;
    if (code === "UPLOAD_FAILED") {
      // Another revealed worker gets the upload at the next sync (this one is tried last).
      if (isUploader) store.setUploader(taskid, null, this.now());
      return;
    }
    store.setAssignmentState(taskid, worker, "failed", code);
    // Any key can log in as a worker, so one report is not enough to stop a task for everyone: the task
    // stops when a second worker reports the same fatal failure (else it is claimed at its deadline).
    if (TASK_FATAL_FAILURES.has(code)) {
      const witnesses = store
        .assignmentsOfTask(taskid)
        .filter((assignment) => assignment.state === "failed" && assignment.failure === code).length;
      if (witnesses >= FATAL_FAILURE_WITNESSES && store.task(taskid)?.failure === null) {
        store.setTaskFailure(taskid, code);
        store.noteTaskStatus(taskid, "FAILED", this.now());
      }
    }
  }

  /** The workers seen in the last minute. */
  workers(): SchedulerStatus["workers"] {
    const { store } = this.options;
    return store.workersSeenSince(this.now() - 60_000).map((w) => ({
      address: w.address,
      score: w.score.toString(),
      busy: store.busy(w.address),
      lastSeen: w.lastSeen,
      enclave: w.enclave,
    }));
  }

  /** What the scheduler knows of `taskid` and, when no worker runs it, why; `NotFoundError` when unknown. */
  async taskStatus(taskid: string): Promise<SchedulerTaskStatus> {
    const { store } = this.options;
    const task = store.task(taskid);
    if (!task)
      throw new NotFoundError(
        `Task ${taskid} is not one of this scheduler's: check the id, or wait for its deal to be read.`,
      );
    const live = store.assignmentsOfTask(task.taskid).filter((a) => a.state !== "failed");
    const tee = task.tag !== null && isTeeTag(task.tag);
    const wait = (code: TaskWaitCode, message: string) => ({ code, message });
    let waiting: SchedulerTaskStatus["waiting"] = null;
    if (task.state === "pending")
      waiting = wait(
        "NOT_INITIALIZED",
        "The task is not initialized on chain yet: the scheduler does it shortly.",
      );
    else if (task.state === "active" && task.failure !== null)
      waiting = wait(
        "GIVEN_UP",
        `Workers reported ${task.failure}, a failure every worker would meet: no more workers are tried, and the requester can claim a refund after the final deadline.`,
      );
    else if (task.state === "active" && live.length === 0) {
      const seen = store.workersSeenSince(this.now() - this.timings.workerSilenceMs);
      const signsEnclaves = await this.signsEnclaves();
      const capable = seen.filter((w) => enclaveBlock(task.tag, w.enclave, signsEnclaves) === undefined);
      const block = enclaveBlock(task.tag, null, signsEnclaves);
      if (block === "DEAL_TAG_UNKNOWN")
        waiting = wait(
          block,
          "The scheduler is reading the deal's tag again; the task is handed out after that.",
        );
      else if (block === "TEE_BROKER_SIGNS")
        waiting = wait(
          block,
          `The task is a TEE task (deal tag ${task.tag}) and the hub's TEE broker ${this.options.teeBroker?.()}, not this scheduler, must sign its workers' authorizations: it is handed to no worker, and the requester can claim a refund after the final deadline.`,
        );
      else if (tee && capable.length === 0)
        waiting = wait(
          "TEE_WORKER_NEEDED",
          `The task is a TEE task (deal tag ${task.tag}): it runs only on a worker with an enclave, and none of the ${seen.length} worker(s) seen in the last ${this.timings.workerSilenceMs / 1000} s has one (plain workers are never given it). It waits for a TEE-capable worker; the requester can claim a refund after the final deadline.`,
        );
      else if (seen.length === 0)
        waiting = wait(
          "NO_WORKER",
          `No worker polled in the last ${this.timings.workerSilenceMs / 1000} s: the task goes to the next one that does.`,
        );
    }
    return {
      taskid: task.taskid,
      dealid: task.dealid,
      idx: task.idx.toString(),
      state: task.state,
      tag: task.tag,
      tee,
      workers: live.length,
      waiting,
    };
  }
}

/** A replicate update of `worker` on `taskid`, with no details unless given. */
export function replicateUpdate(
  taskid: string,
  worker: string,
  status: ReplicateStatus,
  at: number,
  modifier: ReplicateModifier,
  details: Partial<ReplicateUpdateRecord> = {},
): ReplicateUpdateRecord {
  return { taskid, worker, status, at, modifier, cause: null, detail: null, exitCode: null, ...details };
}

// The last APP_LOG_LIMIT_BYTES bytes of `text` (UTF-8), the most a worker should send anyway.
function lastBytes(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return bytes.length <= APP_LOG_LIMIT_BYTES
    ? text
    : bytes.subarray(bytes.length - APP_LOG_LIMIT_BYTES).toString("utf8");
}

function sentKey(taskid: string, worker: string): string {
  return `${taskid}:${worker}`;
}

/** A report body's `slots` as a count, or an error naming the fix. */
export function checkSlots(slots: number): number {
  if (!Number.isInteger(slots) || slots < 0 || slots > 1000)
    throw new InvalidInputError(`slots must be an integer from 0 to 1000, got ${slots}.`);
  return slots;
}
