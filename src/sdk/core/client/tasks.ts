/** Tasks: their state, their result, and waiting for them to end. */
import { isHexString, toUtf8String } from "ethers";
import { ForbiddenError, InvalidInputError, NotFoundError } from "../errors";
import { TaskStatus, computeTaskId } from "../tasks";
import type { ComputeLogs } from "../workerpool-api";
import type { ClientContext } from "./context";
import {
  DIAGNOSIS_TIMEOUT_MS,
  diagnoseTask,
  taskLogs,
  type DiagnosisOptions,
  type TaskDiagnosis,
} from "./diagnosis";

/** Most deals (the latest) searched for the deal of a task that is not initialized. */
export const TASK_SEARCH_DEALS = 1000;

/** Where a task that is not initialized belongs: its deal and index. */
export interface TaskPlace {
  dealid: string;
  idx: bigint;
  workerpool: string;
}

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

function noSuchTask(taskid: string): string {
  return `No task ${taskid} in any deal on this chain: check the id (\`openpoco deal show <dealid>\` lists a deal's tasks) and --chain.`;
}

/** Reads tasks. */
export class TasksApi {
  /** The latest deals seen (SchedulerNotice events up to block `scannedTo`), oldest first. */
  private readonly deals: { dealid: string; workerpool: string; botFirst: bigint; botSize: bigint }[] = [];
  private scannedTo = -1;

  constructor(private readonly context: ClientContext) {}

  /**
   * The task `taskid`. A task not initialized gives a `NotFoundError` that tells a task of a known deal
   * (its workerpool has not started it yet) from an id no deal of this chain contains (a typo).
   */
  async show(taskid: string): Promise<TaskInfo> {
    return this.read(taskid, true);
  }

  /**
   * The deal and index of `taskid` among the latest `TASK_SEARCH_DEALS` deals of the chain (from the
   * hub's SchedulerNotice events), or undefined when none contains it.
   */
  async findDeal(taskid: string): Promise<TaskPlace | undefined> {
    const { hub, provider } = this.context;
    // The deals are read once per client and then only the new blocks: a poll (the demo follows a task
    // not initialized yet) costs one log query, not a scan of the chain.
    const latest = await this.context.call("read the chain", () => provider.getBlockNumber());
    if (latest > this.scannedTo) {
      const from = this.scannedTo + 1;
      const notices = await this.context.call("read the deals", () =>
        hub.queryFilter(hub.filters.SchedulerNotice(), from, latest),
      );
      for (const notice of notices) {
        const { workerpool, dealid } = notice.args;
        const deal = await this.context.call("read the deal", () => hub.viewDeal(dealid));
        this.deals.push({ dealid, workerpool, botFirst: deal.botFirst, botSize: deal.botSize });
      }
      this.deals.splice(0, Math.max(0, this.deals.length - TASK_SEARCH_DEALS));
      this.scannedTo = latest;
    }
    const wanted = taskid.toLowerCase();
    for (const { dealid, workerpool, botFirst, botSize } of [...this.deals].reverse())
      for (let idx = botFirst; idx < botFirst + botSize; idx++)
        if (computeTaskId(dealid, idx).toLowerCase() === wanted) return { dealid, idx, workerpool };
    return undefined;
  }

  /**
   * What the task's workerpool says about it, through Compass and the workerpool API (statuses,
   * replicates, failure, app error, refund). Never throws for a missing or silent service: the answer
   * then says why it is unavailable.
   */
  async diagnose(taskid: string, options: DiagnosisOptions = {}): Promise<TaskDiagnosis> {
    const timeoutMs = options.timeoutMs ?? DIAGNOSIS_TIMEOUT_MS;
    let workerpool = options.workerpool;
    if (!workerpool) {
      try {
        workerpool = await this.workerpoolOf(taskid, options.dealid);
      } catch (error) {
        return { available: false, reason: error instanceof Error ? error.message : String(error) };
      }
    }
    return diagnoseTask(this.context, taskid, workerpool, timeoutMs);
  }

  /** The app logs of each worker that ran `taskid`, from its workerpool; the signer must be the requester. */
  async logs(taskid: string, options: DiagnosisOptions = {}): Promise<ComputeLogs[]> {
    const signer = this.context.requireSigner("read the task's logs");
    const deal = await this.dealOf(taskid, options.dealid);
    const wallet = await signer.getAddress();
    // The workerpool refuses anyone else; saying so here names the wallet to use.
    if (deal.requester.toLowerCase() !== wallet.toLowerCase())
      throw new ForbiddenError(
        `Only the task's requester ${deal.requester} may read its logs, not your wallet ${wallet}: use the requester's wallet (--wallet-address).`,
      );
    const workerpool = options.workerpool ?? deal.workerpool;
    return taskLogs(this.context, taskid, workerpool, signer, options.timeoutMs);
  }

  /** The requester and workerpool of the deal of `taskid` (initialized or not). */
  private async dealOf(taskid: string, dealid?: string): Promise<{ requester: string; workerpool: string }> {
    let id = dealid;
    if (!id) {
      if (!isHexString(taskid, 32))
        throw new InvalidInputError(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
      const view = await this.context.call("read the task", () => this.context.hub.viewTask(taskid));
      if (Number(view.status) !== TaskStatus.UNSET) id = view.dealid;
      else {
        const place = await this.findDeal(taskid);
        if (!place) throw new NotFoundError(noSuchTask(taskid));
        id = place.dealid;
      }
    }
    const deal = await this.context.call("read the deal", () => this.context.hub.viewDeal(id));
    return { requester: deal.requester, workerpool: deal.workerpool.pointer };
  }

  /** The workerpool of the deal of `taskid` (initialized or not). */
  private async workerpoolOf(taskid: string, dealid?: string): Promise<string> {
    if (!isHexString(taskid, 32))
      throw new InvalidInputError(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
    if (dealid) {
      const deal = await this.context.call("read the deal", () => this.context.hub.viewDeal(dealid));
      return deal.workerpool.pointer;
    }
    const view = await this.context.call("read the task", () => this.context.hub.viewTask(taskid));
    if (Number(view.status) !== TaskStatus.UNSET) {
      const deal = await this.context.call("read the deal", () => this.context.hub.viewDeal(view.dealid));
      return deal.workerpool.pointer;
    }
    const place = await this.findDeal(taskid);
    if (!place) throw new NotFoundError(noSuchTask(taskid));
    return place.workerpool;
  }

  private async read(taskid: string, explain: boolean): Promise<TaskInfo> {
    if (!isHexString(taskid, 32))
      throw new InvalidInputError(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
    const view = await this.context.call("read the task", () => this.context.hub.viewTask(taskid));
    const status = Number(view.status) as TaskStatus;
    if (status === TaskStatus.UNSET) {
      let place: TaskPlace | undefined;
      if (explain) {
        try {
          place = await this.findDeal(taskid);
        } catch (error) {
          // A node that refuses the log query (range limits): say both possibilities.
          throw new NotFoundError(
            `Task ${taskid} is not initialized, or no deal contains it (the deals could not be searched: ${error instanceof Error ? error.message : String(error)}): check the id, or see \`openpoco deal show <dealid>\`.`,
          );
        }
        if (!place) throw new NotFoundError(noSuchTask(taskid));
      }
      throw new NotFoundError(
        place
          ? `Task ${taskid} (#${place.idx} of deal ${place.dealid}) is not initialized: its workerpool has not started it yet (see \`openpoco deal show ${place.dealid}\`).`
          : `Task ${taskid} is not initialized: its workerpool has not started it yet (see \`openpoco deal show\`).`,
      );
    }
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
        task = await this.read(taskid, false);
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
