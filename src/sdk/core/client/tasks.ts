/** Tasks: their state, their result, and waiting for them to end. */
import { isHexString, toUtf8String } from "ethers";
import { InvalidInputError, NotFoundError } from "../errors";
import { TaskStatus } from "../tasks";
import type { ClientContext } from "./context";

/** A task as the hub sees it. */
export interface TaskInfo {
  taskid: string;
  status: TaskStatus;
  statusName: string;
  dealid: string;
  idx: bigint;
  timeref: bigint;
  contributionDeadline: bigint;
  revealDeadline: bigint;
  finalDeadline: bigint;
  consensusValue: string;
  revealCounter: bigint;
  winnerCounter: bigint;
  contributors: string[];
  resultDigest: string;
  /** The results as the scheduler wrote them (hex). */
  results: string;
  /** `results` as text when it is UTF-8 (usually a JSON location), else undefined. */
  resultsText?: string;
  resultsTimestamp: bigint;
  resultsCallback: string;
  /** True when the final deadline has passed and the task did not end: `claim` refunds it. */
  claimable: boolean;
}

/** Options of `watch`. */
export interface WatchOptions {
  /** Called on every poll whose status differs from the previous one. */
  onChange?: (task: TaskInfo) => void;
  /** Time between polls, in ms (default 2000). */
  intervalMs?: number;
  /** Give up after this long, in ms (default: wait until the task ends or can be claimed). */
  timeoutMs?: number;
}

function text(bytes: string): string | undefined {
  if (bytes === "0x") return undefined;
  try {
    return toUtf8String(bytes);
  } catch {
    return undefined;
  }
}

/** Reads tasks. */
export class TasksApi {
  constructor(private readonly context: ClientContext) {}

  /** The task `taskid`; a task not initialized yet gives a `NotFoundError` naming the fix. */
  async show(taskid: string): Promise<TaskInfo> {
    if (!isHexString(taskid, 32))
      throw new InvalidInputError(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
    const view = await this.context.call("read the task", () => this.context.hub.viewTask(taskid));
    const status = Number(view.status) as TaskStatus;
    if (status === TaskStatus.UNSET)
      throw new NotFoundError(
        `Task ${taskid} is not initialized: its workerpool has not started it yet (see \`openpoco deal show\`).`,
      );
    const now = BigInt((await this.context.provider.getBlock("latest"))!.timestamp);
    return {
      taskid,
      status,
      statusName: TaskStatus[status],
      dealid: view.dealid,
      idx: view.idx,
      timeref: view.timeref,
      contributionDeadline: view.contributionDeadline,
      revealDeadline: view.revealDeadline,
      finalDeadline: view.finalDeadline,
      consensusValue: view.consensusValue,
      revealCounter: view.revealCounter,
      winnerCounter: view.winnerCounter,
      contributors: [...view.contributors],
      resultDigest: view.resultDigest,
      results: view.results,
      resultsText: text(view.results),
      resultsTimestamp: view.resultsTimestamp,
      resultsCallback: view.resultsCallback,
      claimable: status < TaskStatus.COMPLETED && now >= view.finalDeadline,
    };
  }

  /** Polls the task until it is completed, failed or claimable (or `timeoutMs` passes); returns its last state. */
  async watch(taskid: string, options: WatchOptions = {}): Promise<TaskInfo> {
    const interval = options.intervalMs ?? 2000;
    const until = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    let last: TaskStatus | undefined;
    for (;;) {
      let task: TaskInfo | undefined;
      try {
        task = await this.show(taskid);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      if (task && task.status !== last) {
        last = task.status;
        options.onChange?.(task);
      }
      if (task && (task.status >= TaskStatus.COMPLETED || task.claimable)) return task;
      if (Date.now() >= until) {
        if (task) return task;
        throw new NotFoundError(`Task ${taskid} was not initialized within the time given.`);
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}
