/**
 * Chain reads through the SDK's read-only client (`OpenPoco` without a signer, on an ethers JsonRpcProvider):
 * one client per page load, created on first use.
 */
import {
  NotFoundError,
  OpenPoco,
  ServiceUnavailableError,
  TaskStatus,
  computeTaskId,
  type AppInfo,
  type Balances,
  type CategoryInfo,
  type ContributionInfo,
  type DatasetInfo,
  type DealView,
  type TaskInfo,
  type WorkerpoolInfo,
} from "../../../sdk/core/index";
import type { ExplorerConfig } from "../config";
import { Unreachable } from "./errors";
import { withTimeout } from "./timeout";

const CONNECT_TIMEOUT_MS = 8000;

/** The kinds of assets. */
export type AssetKind = "app" | "dataset" | "workerpool";

/** A task row of a deal page. */
export interface TaskRow {
  idx: bigint;
  taskid: string;
  status: TaskStatus;
  statusName: string;
  results: string;
}

/** Chain reads of the explorer. */
export class ChainReader {
  private client?: Promise<OpenPoco>;

  constructor(readonly config: ExplorerConfig) {}

  /** The SDK client, connected once (a failed connection is retried on the next call). */
  poco(): Promise<OpenPoco> {
    if (!this.client) {
      const { config } = this;
      const connect = OpenPoco.connect({
        chain: { name: config.name, host: config.rpcUrl, id: BigInt(config.chainId), hub: config.hub },
        pollingIntervalMs: 4000,
      });
      const connecting = withTimeout(
        connect,
        CONNECT_TIMEOUT_MS,
        () => new Unreachable("chain", config.rpcUrl, "no answer in time"),
      ).catch((error: unknown) => {
        // A connection that answers after the timeout is closed, not left polling.
        void connect.then(
          (late) => late.close(),
          () => undefined,
        );
        this.client = undefined;
        if (error instanceof ServiceUnavailableError) throw new Unreachable("chain", config.rpcUrl);
        throw error;
      });
      this.client = connecting;
    }
    return this.client;
  }

  async blockNumber(): Promise<number> {
    return (await this.poco()).context.provider.getBlockNumber();
  }

  async app(address: string): Promise<AppInfo> {
    return (await this.poco()).assets.showApp(address);
  }

  async dataset(address: string): Promise<DatasetInfo> {
    return (await this.poco()).assets.showDataset(address);
  }

  async workerpool(address: string): Promise<WorkerpoolInfo> {
    return (await this.poco()).assets.showWorkerpool(address);
  }

  /** The kind of asset registered at `address`, if any. */
  async assetKind(address: string): Promise<AssetKind | undefined> {
    const poco = await this.poco();
    const kinds: AssetKind[] = ["app", "dataset", "workerpool"];
    const found = await Promise.all(
      kinds.map((kind) =>
        poco.assets.resolve(kind, address).then(
          () => true,
          (error: unknown) => {
            if (error instanceof NotFoundError) return false;
            throw error;
          },
        ),
      ),
    );
    return kinds.find((_kind, i) => found[i]);
  }

  /** The assets of `kind` that `owner` holds, page `page` of `size`, and their count. */
  async ownedAssets(
    kind: AssetKind,
    owner: string,
    page: number,
    size: number,
  ): Promise<{ count: number; addresses: string[] }> {
    const poco = await this.poco();
    const count = Number(await poco.assets.count(kind, owner));
    const indexes: number[] = [];
    for (let i = page * size; i < Math.min(count, (page + 1) * size); i++) indexes.push(i);
    const addresses = await Promise.all(indexes.map((i) => poco.assets.resolve(kind, String(i), owner)));
    return { count, addresses };
  }

  async account(address: string): Promise<Balances> {
    return (await this.poco()).account.show(address);
  }

  /** The deal's terms; `NotFoundError` when the chain has no such deal. */
  async deal(dealid: string): Promise<DealView> {
    return (await this.poco()).deals.view(dealid);
  }

  /** Tasks `from`..`to` (positions in the deal's bag), read in parallel. */
  async dealTasks(
    deal: Pick<DealView, "dealid" | "botFirst" | "botSize">,
    from: number,
    to: number,
  ): Promise<TaskRow[]> {
    const poco = await this.poco();
    const rows: Promise<TaskRow>[] = [];
    for (let i = from; i < Math.min(to, Number(deal.botSize)); i++) {
      const idx = deal.botFirst + BigInt(i);
      const taskid = computeTaskId(deal.dealid, idx);
      rows.push(
        poco.context.hub.viewTask(taskid).then((task) => {
          const status = Number(task.status) as TaskStatus;
          return { idx, taskid, status, statusName: TaskStatus[status], results: task.results };
        }),
      );
    }
    return Promise.all(rows);
  }

  /** The task; `NotFoundError` while it is not initialized. */
  async task(taskid: string): Promise<TaskInfo> {
    return (await this.poco()).tasks.show(taskid);
  }

  /** True when a task with this id was initialized. */
  async taskExists(taskid: string): Promise<boolean> {
    const view = await (await this.poco()).context.hub.viewTask(taskid);
    return Number(view.status) !== TaskStatus.UNSET;
  }

  async contributions(taskid: string, workers: string[]): Promise<ContributionInfo[]> {
    const poco = await this.poco();
    return Promise.all(workers.map((worker) => poco.work.contribution(taskid, worker)));
  }

  /**
   * When the task reached each status on chain (its events' block times, unix seconds, chain time): ACTIVE
   * (TaskInitialize), REVEALING (TaskConsensus), COMPLETED (TaskFinalize), FAILED (TaskClaimed). Empty when
   * the node will not search its logs.
   */
  async taskTimes(
    taskid: string,
  ): Promise<Partial<Record<"ACTIVE" | "REVEALING" | "COMPLETED" | "FAILED", bigint>>> {
    const poco = await this.poco();
    const { hub, provider } = poco.context;
    const events = {
      ACTIVE: "TaskInitialize",
      REVEALING: "TaskConsensus",
      COMPLETED: "TaskFinalize",
      FAILED: "TaskClaimed",
    } as const;
    const topics = Object.fromEntries(
      Object.entries(events).map(([status, name]) => [hub.interface.getEvent(name)!.topicHash, status]),
    );
    try {
      const logs = await provider.getLogs({
        address: await hub.getAddress(),
        topics: [Object.keys(topics), taskid],
        fromBlock: 0,
      });
      const times: Partial<Record<keyof typeof events, bigint>> = {};
      for (const log of logs) {
        const block = await provider.getBlock(log.blockNumber);
        if (block) times[topics[log.topics[0]] as keyof typeof events] = BigInt(block.timestamp);
      }
      return times;
    } catch {
      return {};
    }
  }

  /** Latest block's timestamp, in seconds. */
  async now(): Promise<bigint> {
    const block = await (await this.poco()).context.provider.getBlock("latest");
    return BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
  }

  /** Categories `page` of `size`, and their count. */
  async categories(page: number, size: number): Promise<{ count: number; categories: CategoryInfo[] }> {
    const poco = await this.poco();
    const count = Number(await poco.categories.count());
    const ids: bigint[] = [];
    for (let i = page * size; i < Math.min(count, (page + 1) * size); i++) ids.push(BigInt(i));
    return { count, categories: await Promise.all(ids.map((id) => poco.categories.show(id))) };
  }
}
