/**
 * The scheduler's side of the chain, one tick at a time: reads new `SchedulerNotice`s from the stored
 * cursor and records their deals' tasks (with the deal's tag, which says TEE or not; the hub's TEE
 * broker is read each tick too); initializes pending tasks in batches (`initializeArray`);
 * re-reads every open task and its contributions; then sends what the planner calls for: finalize,
 * reopen, claim (batched), or chooses a revealed worker to upload. Every action is checked against the
 * chain state read in the same tick, and a failing task is logged and retried at the next tick without
 * stopping the others.
 */
import { ZeroAddress, getAddress } from "ethers";
import type { OpenPoco } from "../sdk/core/client";
import type { TaskInfo } from "../sdk/core/client/tasks";
import { NotFoundError } from "../sdk/core/errors";
import { CONSOLE_LOGGER, type ServiceLogger } from "../sdk/core/logger";
import { ContributionStatus, TaskStatus, computeTaskId } from "../sdk/core/tasks";
import type { ReplicateStatus } from "../sdk/core/workerpool-api";
import { replicateUpdate } from "./desk";
import { chainAction, pickUploader } from "./planner";
import { workerpoolStatusOf } from "./task-view";
import type { SchedulerStore, TaskRecord, TaskState } from "./store";

/** How to build a `ChainSync`. */
export interface ChainSyncOptions {
  poco: OpenPoco;
  store: SchedulerStore;
  workerpool: string;
  /** First block to read when the store has no cursor (default 0). */
  fromBlock?: number;
  /** Blocks per notice query (default 5000). */
  batchBlocks?: number;
  /** Tasks per `initializeArray` and per `claimArray` (default 50). */
  batchTasks?: number;
  /** A chosen uploader silent that long without a result is replaced (default 60 s). */
  uploadTimeoutMs?: number;
  logger?: ServiceLogger;
  /** Wall clock in ms (tests). */
  now?: () => number;
}

function stateOf(status: TaskStatus): TaskState {
  switch (status) {
    case TaskStatus.UNSET:
      return "pending";
    case TaskStatus.ACTIVE:
      return "active";
    case TaskStatus.REVEALING:
      return "revealing";
    case TaskStatus.COMPLETED:
      return "completed";
    case TaskStatus.FAILED:
      return "failed";
  }
}

/** Keeps the store in step with the chain and sends the scheduler's transactions. */
export class ChainSync {
  private chainTime = 0n;
  private chainTimeAt = 0;
  private broker: string = ZeroAddress;
  private readonly logger: ServiceLogger;
  private readonly now: () => number;
  private readonly batchTasks: number;

  constructor(private readonly options: ChainSyncOptions) {
    this.logger = options.logger ?? CONSOLE_LOGGER;
    this.now = options.now ?? Date.now;
    this.batchTasks = options.batchTasks ?? 50;
  }

  /** The chain's time, in seconds: the last block read plus the wall time since. */
  chainClock(): bigint {
    if (this.chainTimeAt === 0) return 0n;
    return this.chainTime + BigInt(Math.floor((this.now() - this.chainTimeAt) / 1000));
  }

  /** The hub's TEE broker as last read (the zero address when none). */
  teeBroker(): string {
    return this.broker;
  }

  /** One round: notices, initializations, open tasks, claims. */
  async tick(): Promise<void> {
    this.chainTime = await this.options.poco.work.chainTime();
    this.chainTimeAt = this.now();
    this.broker = getAddress(await this.options.poco.work.teeBroker());
    // Each step on its own: a deal that cannot be read must not hold the tasks already known.
    for (const [step, run] of [
      ["Reading notices", () => this.syncNotices()],
      ["Reading deal tags", () => this.readTags()],
      ["Initializing tasks", () => this.initializePending()],
    ] as const)
      try {
        await run();
      } catch (error) {
        this.logger.error(`${step} failed: ${String(error)}; retrying at the next tick.`, error);
      }
    const claimable: string[] = [];
    for (const task of this.options.store.tasksIn(["pending", "active", "revealing"])) {
      try {
        if ((await this.updateTask(task)) === "claim") claimable.push(task.taskid);
      } catch (error) {
        this.logger.error(`Task ${task.taskid}: ${String(error)}; retrying at the next tick.`, error);
      }
    }
    await this.claim(claimable);
  }

  /** Records the deals of new notices; the cursor moves only after their tasks are stored. */
  async syncNotices(): Promise<void> {
    const { poco, store, workerpool } = this.options;
    const head = await poco.work.blockNumber();
    const batch = this.options.batchBlocks ?? 5000;
    let from = (store.cursor() ?? (this.options.fromBlock ?? 0) - 1) + 1;
    while (from <= head) {
      const to = Math.min(head, from + batch - 1);
      for (const notice of await poco.work.schedulerNotices(workerpool, from, to)) {
        if (store.hasDeal(notice.dealid)) continue;
        const deal = await poco.deals.view(notice.dealid);
        const taskids: string[] = [];
        for (let idx = deal.botFirst; idx < deal.botFirst + deal.botSize; idx++)
          taskids.push(computeTaskId(deal.dealid, idx));
        store.addDeal({ ...deal, dealid: notice.dealid }, taskids, this.now());
        this.logger.info(`Deal ${notice.dealid}: ${taskids.length} task(s), trust ${deal.trust}.`);
      }
      store.setCursor(to);
      from = to + 1;
    }
  }

  /** Reads the tags of deals recorded without one (by a scheduler that did not keep tags). */
  async readTags(): Promise<void> {
    const { poco, store } = this.options;
    for (const dealid of store.dealsWithoutTag())
      store.setDealTag(dealid, (await poco.deals.view(dealid)).tag);
    // Deals recorded before the scheduler kept requesters: the logs route needs them.
    for (const dealid of store.dealsWithoutRequester())
      store.setDealRequester(dealid, (await poco.deals.view(dealid)).requester);
  }

  /** Initializes the pending tasks not initialized on chain, `batchTasks` per transaction. */
  async initializePending(): Promise<void> {
    const { poco, store } = this.options;
    const unset: TaskRecord[] = [];
    for (const task of store.tasksIn(["pending"])) {
      // A task initialized before a crash (or by someone else) is never initialized again: it would revert.
      const info = await this.read(task.taskid);
      if (info === undefined) unset.push(task);
      else this.apply(task.taskid, info);
    }
    // Tasks nobody started before their final deadline can no longer be initialized alone: they are
    // initialized and claimed together, which refunds the requester (the next read records FAILED).
    const expired = unset.filter((task) => this.chainClock() >= task.finalDeadline);
    if (expired.length > 0) {
      const sent = await poco.work.initializeAndClaim(expired.map((t) => ({ dealid: t.dealid, idx: t.idx })));
      this.recordClaim(sent.taskids, sent.txHash);
      unset.splice(0, unset.length, ...unset.filter((task) => !expired.includes(task)));
    }
    for (let i = 0; i < unset.length; i += this.batchTasks) {
      const batch = unset.slice(i, i + this.batchTasks);
      try {
        const sent = await poco.work.initialize(batch.map((t) => ({ dealid: t.dealid, idx: t.idx })));
        store.journal("initialize", sent.taskids, sent.txHash);
      } catch (error) {
        // One bad task must not hold the batch: try each alone, the failing ones again next tick.
        this.logger.warn(
          `Initializing ${batch.length} task(s) failed (${String(error)}); trying one by one.`,
        );
        for (const task of batch) {
          try {
            if ((await this.read(task.taskid)) !== undefined) continue;
            const sent = await poco.work.initialize([{ dealid: task.dealid, idx: task.idx }]);
            store.journal("initialize", sent.taskids, sent.txHash);
          } catch (single) {
            this.logger.error(`Initializing task ${task.taskid} failed; retrying at the next tick.`, single);
          }
        }
      }
    }
  }

  /** Re-reads one task and its contributions, then finalizes, reopens or picks an uploader. */
  async updateTask(task: TaskRecord): Promise<"claim" | undefined> {
    const { poco, store } = this.options;
    const info = await this.read(task.taskid);
    if (info === undefined) return undefined;
    for (const contributor of info.contributors) {
      const worker = getAddress(contributor);
      const contribution = await poco.work.contribution(task.taskid, worker);
      const known = store.assignment(task.taskid, worker)?.score ?? store.worker(worker)?.score ?? 0n;
      store.setContribution(
        task.taskid,
        worker,
        contribution.status,
        contribution.resultHash,
        known,
        this.now(),
      );
    }
    const state = this.apply(task.taskid, info);
    if (state === "completed" || state === "failed") {
      // Scores move when a task ends: refresh them for the next choices.
      for (const contributor of info.contributors) {
        const worker = getAddress(contributor);
        if (store.worker(worker)) store.setWorkerScore(worker, await poco.work.score(worker));
      }
      return undefined;
    }
    const fresh = store.task(task.taskid)!;
    const action = chainAction(info, this.chainTime, fresh.results !== null);
    switch (action) {
      case "claim":
        return "claim";
      case "reopen": {
        const sent = await poco.work.reopen(task.taskid);
        store.journal("reopen", [task.taskid], sent.txHash);
        store.setUploader(task.taskid, null, this.now());
        this.logger.info(`Task ${task.taskid} reopened: no winner revealed in time.`);
        this.apply(task.taskid, (await this.read(task.taskid))!);
        return undefined;
      }
      case "finalize":
        await this.finalize(fresh);
        return undefined;
      case "choose-uploader":
        this.chooseUploader(fresh, info);
        return undefined;
      default:
        return undefined;
    }
  }

  private async finalize(task: TaskRecord): Promise<void> {
    const { poco, store } = this.options;
    try {
      const sent = await poco.work.finalize(task.taskid, task.results!, task.resultsCallback ?? "0x");
      store.journal("finalize", [task.taskid], sent.txHash, task.results);
      this.apply(task.taskid, (await this.read(task.taskid))!);
    } catch (error) {
      // A result the hub refuses (callback data not matching the digest...): ask another worker.
      const info = await this.read(task.taskid);
      if (info && info.status === TaskStatus.REVEALING) {
        store.journal("finalize-failed", [task.taskid], null, String(error));
        store.setResults(task.taskid, null, null);
        store.setUploader(task.taskid, null, this.now());
      }
      throw error;
    }
  }

  private chooseUploader(task: TaskRecord, info: TaskInfo): void {
    const { store } = this.options;
    const silent =
      task.uploadAskedAt !== null &&
      this.now() - task.uploadAskedAt >= (this.options.uploadTimeoutMs ?? 60_000);
    if (task.uploader !== null && !silent) return;
    const provers = store
      .assignmentsOfTask(task.taskid)
      .filter((a) => a.chainStatus === ContributionStatus.PROVED)
      .map((a) => a.worker);
    const pick = pickUploader(provers, store.uploadAttempts(task.taskid));
    if (pick === undefined) return;
    store.setUploader(task.taskid, pick, this.now());
    this.logger.info(`Task ${task.taskid}: ${pick} uploads the result (${info.revealCounter} revealed).`);
  }

  /** Claims tasks past their final deadline, refunding their requesters. */
  async claim(taskids: string[]): Promise<void> {
    const { poco } = this.options;
    for (let i = 0; i < taskids.length; i += this.batchTasks) {
      const batch = taskids.slice(i, i + this.batchTasks);
      try {
        const sent = await poco.work.claim(batch);
        this.recordClaim(batch, sent.txHash);
        for (const taskid of batch) this.apply(taskid, (await this.read(taskid))!);
      } catch (error) {
        this.logger.error(`Claiming ${batch.length} task(s) failed; retrying at the next tick.`, error);
      }
    }
  }

  // The claim refunds the requesters: its transaction shows in each task's `refund`.
  private recordClaim(taskids: string[], txHash: string): void {
    const { store } = this.options;
    store.transaction(() => {
      store.journal("claim", taskids, txHash);
      for (const taskid of taskids) store.setClaimTx(taskid, txHash);
    });
    this.logger.info(
      `Claimed ${taskids.length} task(s) past their final deadline in ${txHash}, refunding their requesters: ${taskids.join(", ")}.`,
    );
  }

  /** The task on chain, or undefined when it is not initialized. */
  private async read(taskid: string): Promise<TaskInfo | undefined> {
    try {
      return await this.options.poco.tasks.show(taskid);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private apply(taskid: string, info: TaskInfo): TaskState {
    const { store } = this.options;
    const state = stateOf(info.status);
    store.updateTaskChain(taskid, state, {
      status: info.status,
      contributionDeadline: info.contributionDeadline,
      revealDeadline: info.revealDeadline,
      finalDeadline: info.finalDeadline,
      consensus: info.consensusValue,
      revealCounter: info.revealCounter,
      winnerCounter: info.winnerCounter,
    });
    this.noteStatuses(taskid);
    return state;
  }

  // The task's and its replicates' statuses as the chain shows them, for the task API's history.
  private noteStatuses(taskid: string): void {
    const { store } = this.options;
    const task = store.task(taskid)!;
    const now = this.now();
    const assignments = store.assignmentsOfTask(taskid);
    for (const a of assignments) {
      const note = (status: ReplicateStatus) =>
        store.noteReplicate(replicateUpdate(taskid, a.worker, status, now, "POOL_MANAGER"));
      if (a.chainStatus !== ContributionStatus.UNSET) note("CONTRIBUTED");
      if (a.chainStatus === ContributionStatus.PROVED) note("REVEALED");
      if (task.state === "completed" && a.chainStatus === ContributionStatus.PROVED) note("COMPLETED");
    }
    store.noteTaskStatus(taskid, workerpoolStatusOf(task, assignments, this.chainClock()), now);
  }
}
