/** Deals: what was agreed, how its tasks are doing, and the refund of tasks nobody finished in time. */
import { ZeroAddress, isHexString } from "ethers";
import { FINAL_DEADLINE_RATIO, TaskStatus, computeTaskId } from "../tasks";
import { InvalidInputError, NotFoundError } from "../errors";
import type { ClientContext, Sent } from "./context";

/** One resource of a deal: its address, owner and price per task. */
export interface DealResource {
  pointer: string;
  owner: string;
  price: bigint;
}

/** A task of a deal, as far as the deal view needs it. */
export interface DealTask {
  idx: bigint;
  taskid: string;
  status: TaskStatus;
  statusName: string;
  /** True when its final deadline has passed and it is neither completed nor failed: `claim` refunds it. */
  claimable: boolean;
}

/** What a deal agreed. */
export interface DealView {
  dealid: string;
  app: DealResource;
  dataset: DealResource;
  workerpool: DealResource;
  trust: bigint;
  category: bigint;
  tag: string;
  requester: string;
  beneficiary: string;
  callback: string;
  params: string;
  startTime: bigint;
  botFirst: bigint;
  botSize: bigint;
  workerStake: bigint;
  schedulerRewardRatio: bigint;
  sponsor: string;
  /** The category's work clock time reference T, in seconds: the app's time limit. */
  timeref: bigint;
  /** Unix time after which unfinished tasks can be claimed. */
  finalDeadline: bigint;
}

/** A deal and the state of its tasks. */
export interface DealInfo extends DealView {
  tasks: DealTask[];
  /** Count of tasks per status name. */
  tasksCount: Record<string, number>;
}

function checkDealId(dealid: string): void {
  if (!isHexString(dealid, 32))
    throw new InvalidInputError(`Invalid deal id ${JSON.stringify(dealid)}: give 0x + 64 hex digits.`);
}

/** Reads and settles deals. */
export class DealsApi {
  constructor(private readonly context: ClientContext) {}

  /** The deal's terms, without its tasks; unknown ids give a `NotFoundError`. */
  async view(dealid: string): Promise<DealView> {
    checkDealId(dealid);
    const { hub } = this.context;
    const deal = await this.context.call("read the deal", () => hub.viewDeal(dealid));
    if (deal.app.pointer === ZeroAddress)
      throw new NotFoundError(`No deal ${dealid} on this chain: check the id and --chain.`);
    const category = await this.context.call("read the category", () => hub.viewCategory(deal.category));
    const resource = (r: { pointer: string; owner: string; price: bigint }) => ({
      pointer: r.pointer,
      owner: r.owner,
      price: r.price,
    });
    return {
      dealid,
      app: resource(deal.app),
      dataset: resource(deal.dataset),
      workerpool: resource(deal.workerpool),
      trust: deal.trust,
      category: deal.category,
      tag: deal.tag,
      requester: deal.requester,
      beneficiary: deal.beneficiary,
      callback: deal.callback,
      params: deal.params,
      startTime: deal.startTime,
      botFirst: deal.botFirst,
      botSize: deal.botSize,
      workerStake: deal.workerStake,
      schedulerRewardRatio: deal.schedulerRewardRatio,
      sponsor: deal.sponsor,
      timeref: category.workClockTimeRef,
      finalDeadline: deal.startTime + FINAL_DEADLINE_RATIO * category.workClockTimeRef,
    };
  }

  /** The deal and each of its tasks; unknown ids give a `NotFoundError`. */
  async show(dealid: string): Promise<DealInfo> {
    const deal = await this.view(dealid);
    const { hub } = this.context;
    const now = BigInt((await this.context.provider.getBlock("latest"))!.timestamp);
    const tasks: DealTask[] = [];
    for (let idx = deal.botFirst; idx < deal.botFirst + deal.botSize; idx++) {
      const taskid = computeTaskId(dealid, idx);
      const task = await this.context.call("read the task", () => hub.viewTask(taskid));
      const status = Number(task.status) as TaskStatus;
      const unfinished = status < TaskStatus.COMPLETED;
      tasks.push({
        idx,
        taskid,
        status,
        statusName: TaskStatus[status],
        claimable: unfinished && now >= deal.finalDeadline,
      });
    }
    const tasksCount: Record<string, number> = {};
    for (const task of tasks) tasksCount[task.statusName] = (tasksCount[task.statusName] ?? 0) + 1;
    return { ...deal, tasks, tasksCount };
  }

  /**
   * Refunds every task of the deal that missed its final deadline, in one transaction: never
   * initialized ones are initialized and claimed together. Refuses when there is nothing to claim.
   */
  async claim(dealid: string): Promise<Sent & { claimed: string[] }> {
    const deal = await this.show(dealid);
    const claimable = deal.tasks.filter((task) => task.claimable);
    if (claimable.length === 0) {
      const open = deal.tasks.some((task) => task.status < TaskStatus.COMPLETED);
      throw new InvalidInputError(
        open
          ? `No task of deal ${dealid} can be claimed before ${new Date(Number(deal.finalDeadline) * 1000).toISOString()}.`
          : `Every task of deal ${dealid} is already completed or failed: there is nothing to claim.`,
      );
    }
    const hub = this.context.hub.connect(this.context.requireSigner("claim the deal"));
    const fresh = claimable.filter((task) => task.status === TaskStatus.UNSET);
    const started = claimable.filter((task) => task.status !== TaskStatus.UNSET);
    let sent: Sent | undefined;
    if (fresh.length > 0)
      sent = await this.context.send("claim the deal's tasks", () =>
        hub.initializeAndClaimArray(
          fresh.map(() => dealid),
          fresh.map((task) => task.idx),
        ),
      );
    if (started.length > 0)
      sent = await this.context.send("claim the deal's tasks", () =>
        hub.claimArray(started.map((task) => task.taskid)),
      );
    return { ...sent!, claimed: claimable.map((task) => task.taskid) };
  }
}
