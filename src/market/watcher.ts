/**
 * The market's chain watcher: follows the hub and the three asset registries and keeps the
 * published orders, the deals and the categories of a `MarketStore` in step with the chain.
 *
 * Each `syncOnce` reads the logs from the block after the store's cursor up to the head minus
 * `confirmations`, in batches of `batchBlocks`, and applies them in (block, log index) order. What
 * a block needs from the chain (consumed volumes, deals, balances, its timestamp) is read first;
 * the block's writes and the cursor move then happen in one `store.transaction`, so a crash leaves
 * the store either before or after the block, never in between. Every effect is also idempotent
 * (values are set from chain state, not incremented), so re-reading blocks is harmless.
 *
 * Effects:
 * - `OrdersMatched`: each of the four orders the store knows gets remaining = volume − the hub's
 *   `viewConsumed` at that block, and "filled" when nothing remains; the deal is recorded from
 *   `viewDeal`.
 * - `ClosedXOrder`: the order is "canceled" with nothing remaining.
 * - `CreateCategory`: the category is recorded.
 * - Registry `Transfer` of an asset (not its creation): the asset's open orders get the new owner
 *   and become "dead", since the new owner did not sign them.
 * - SRLC movements that can lower an account's free balance (`Transfer` out of it, `Lock`): the
 *   account's open workerpool and request orders are re-checked against its free balance
 *   (`viewAccount(...).stake`) at the last block the sync reads, not at the event's block: a
 *   decision that cannot be undone is taken on the newest confirmed state, and replaying old
 *   blocks (after a restart or a reorganisation) cannot kill an order funded since. Each order is checked on its own: a workerpool order
 *   needs the scheduler's stake for one task (workerpoolprice × 30 / 100), a request order the
 *   price of one task (appmaxprice + datasetmaxprice + workerpoolmaxprice). Orders not covered
 *   become "dead". `Unlock`, `Seize` and `Reward` never lower a free balance, so they are not
 *   followed, and dead orders are never brought back.
 *
 * Reorganisations: before reading new blocks, the watcher checks that the cursor's block hash is
 * still the chain's. If not, it looks for the fork block among the block hashes it has seen
 * (in memory: the blocks it applied or moved the cursor to, at most `maxReorgDepth` back); when it
 * cannot tell (after a restart), it assumes the fork is `maxReorgDepth` blocks below the cursor,
 * which is safe because re-applying blocks is idempotent. It then deletes the deals after the fork,
 * resets the orders touched after the fork (those of the deleted deals, and those it canceled or
 * filled since, as far as it remembers) to their consumed volume at the fork block, moves the
 * cursor to the fork block and syncs again from there: the new chain's events set the final
 * values. Categories, owners and dead orders from orphaned blocks are not undone (categories are
 * created by the hub's owner, dead orders stay dead by design).
 */
import { ZeroAddress, ZeroHash, dataSlice, getAddress } from "ethers";
import type { Log, Provider } from "ethers";
import { IHub__factory, type IHub } from "../../typechain-types";
import { taskFundsOf } from "../sdk/core/deals";
import { OpenPocoError } from "../sdk/core/errors";
import { ORDER_KINDS, ORDER_KIND_NAMES, kindOfClosedEvent, type OrderKind } from "../sdk/core/orders";
import { CONSOLE_LOGGER, type ServiceLogger } from "../sdk/core/logger";
import type { DealRecord, MarketStore, OrderRecord, PublishedStatus, SyncCursor } from "./store";

/** How to build a `ChainWatcher`. */
export interface ChainWatcherOptions {
  provider: Provider;
  /** Address of the hub (the PoCo proxy). */
  hub: string;
  store: MarketStore;
  /** Blocks to wait before applying one: default 0 on local chains (ids 31337 and 1337), 3 elsewhere. */
  confirmations?: number;
  /** Blocks per `getLogs` call (default 2000). */
  batchBlocks?: number;
  /** First block to read when the store has no cursor (default: the hub's deployment block, else 0). */
  fromBlock?: number;
  /** How far back a reorganisation is looked for (default 64 blocks). */
  maxReorgDepth?: number;
  /** Default: errors and warnings on the console, no info. */
  logger?: ServiceLogger;
}

/** What one `syncOnce` did. */
export interface SyncResult {
  /** First block read (the cursor's next block; after a reorganisation, the fork block's next). */
  fromBlock: number;
  /** Last block read (below `fromBlock` when there was nothing new). */
  toBlock: number;
  /** Logs applied. */
  applied: number;
  /** The block the store was rolled back to, when a reorganisation was found. */
  forkBlock?: number;
}

const LOCAL_CHAIN_IDS = [31337n, 1337n];
const REMOTE_CONFIRMATIONS = 3;
const MAX_BACKOFF_MS = 60_000;

/** Thrown when the node cannot return a block the watcher needs; the sync is retried later. */
export class BlockUnavailableError extends OpenPocoError {
  constructor(
    readonly block: number | string,
    what: string,
  ) {
    super(
      "BLOCK_UNAVAILABLE",
      `The chain node did not return ${what}: check that it is synced and serves that block; the watcher retries on its own.`,
    );
  }
}

type Write = (store: MarketStore) => void;

/** Follows the chain into a `MarketStore`; see the module comment. */
export class ChainWatcher {
  private readonly provider: Provider;
  private readonly store: MarketStore;
  private readonly hub: IHub;
  private readonly hubAddress: string;
  private readonly batchBlocks: number;
  private readonly maxReorgDepth: number;
  private readonly logger: ServiceLogger;
  private confirmations: number | undefined;
  private startBlock: number | undefined;
  private chainId = 0n;
  private registries: Map<string, Exclude<OrderKind, "request">> | undefined;
  private topics: string[] = [];
  /** The last block the sync in progress reads: stake checks read balances there. */
  private target = 0;
  /** Block hashes seen recently (applied blocks and cursor moves), to find the fork block. */
  private readonly seen = new Map<number, string>();
  /** Orders canceled or matched recently, with the block, to reset them on a reorganisation. */
  private readonly touched = new Map<string, { kind: OrderKind; blockNumber: number }>();
  /** Serialises `syncOnce` calls. */
  private queue: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(options: ChainWatcherOptions) {
    this.provider = options.provider;
    this.store = options.store;
    this.hubAddress = getAddress(options.hub);
    this.hub = IHub__factory.connect(this.hubAddress, options.provider);
    this.confirmations = options.confirmations;
    this.batchBlocks = options.batchBlocks ?? 2000;
    this.startBlock = options.fromBlock;
    this.maxReorgDepth = options.maxReorgDepth ?? 64;
    this.logger = options.logger ?? CONSOLE_LOGGER;
    if (!Number.isInteger(this.batchBlocks) || this.batchBlocks < 1)
      throw new RangeError(`batchBlocks must be a positive integer, got ${this.batchBlocks}.`);
    if (!Number.isInteger(this.maxReorgDepth) || this.maxReorgDepth < 1)
      throw new RangeError(`maxReorgDepth must be a positive integer, got ${this.maxReorgDepth}.`);
  }

  /** Reads logs up to the head minus the confirmations and applies them; see the module comment. */
  syncOnce(): Promise<SyncResult> {
    const run = this.queue.then(() => this.sync());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls `syncOnce` every `intervalMs` until `stop()`. Errors are logged and retried after a
   * doubling delay (at most a minute); nothing is thrown out of the loop.
   */
  start(intervalMs = 2000): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run(intervalMs);
  }

  /** Stops the loop; resolves once the sync in progress, if any, has finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Whether the polling loop is running. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  private async run(intervalMs: number): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        const result = await this.syncOnce();
        failures = 0;
        if (result.applied > 0)
          this.logger.info(`applied ${result.applied} logs of blocks ${result.fromBlock}..${result.toBlock}`);
      } catch (error) {
        failures++;
        this.logger.error(`sync failed (attempt ${failures}), retrying`, error);
      }
      if (this.stopping) break;
      const delay = failures === 0 ? intervalMs : Math.min(intervalMs * 2 ** failures, MAX_BACKOFF_MS);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async init(): Promise<void> {
    if (this.registries) return;
    this.chainId = (await this.provider.getNetwork()).chainId;
    this.confirmations ??= LOCAL_CHAIN_IDS.includes(this.chainId) ? 0 : REMOTE_CONFIRMATIONS;
    const [apps, datasets, workerpools] = await Promise.all([
      this.hub.appregistry(),
      this.hub.datasetregistry(),
      this.hub.workerpoolregistry(),
    ]);
    this.startBlock ??= await this.deploymentBlock();
    const event = (name: Parameters<IHub["interface"]["getEvent"]>[0]) =>
      this.hub.interface.getEvent(name).topicHash;
    this.topics = [
      event("OrdersMatched"),
      ...ORDER_KIND_NAMES.map((kind) => event(ORDER_KINDS[kind].closedEvent)),
      event("CreateCategory"),
      // The ERC-721 and the SRLC Transfer share their topic; the emitting address tells them apart.
      event("Transfer"),
      event("Lock"),
    ];
    this.registries = new Map([
      [getAddress(apps), "app"],
      [getAddress(datasets), "dataset"],
      [getAddress(workerpools), "workerpool"],
    ]);
  }

  /** The first block where the hub has code (binary search), or 0 if the node cannot tell. */
  private async deploymentBlock(): Promise<number> {
    try {
      let high = await this.provider.getBlockNumber();
      if ((await this.provider.getCode(this.hubAddress, high)) === "0x") return 0;
      let low = 0;
      while (low < high) {
        const middle = Math.floor((low + high) / 2);
        if ((await this.provider.getCode(this.hubAddress, middle)) === "0x") low = middle + 1;
        else high = middle;
      }
      return low;
    } catch (error) {
      this.logger.warn(`could not find the hub's deployment block, starting at 0: ${String(error)}`);
      return 0;
    }
  }

  private remember(blockNumber: number, blockHash: string): void {
    this.seen.set(blockNumber, blockHash);
    const oldest = blockNumber - this.maxReorgDepth;
    for (const number of this.seen.keys()) if (number < oldest) this.seen.delete(number);
    for (const [hash, entry] of this.touched) if (entry.blockNumber < oldest) this.touched.delete(hash);
  }

  private async sync(): Promise<SyncResult> {
    await this.init();
    let cursor = this.store.getCursor();
    let forkBlock: number | undefined;
    if (cursor) {
      const block = await this.provider.getBlock(cursor.blockNumber);
      if (!block || block.hash !== cursor.blockHash) {
        forkBlock = await this.rollBack(cursor);
        cursor = this.store.getCursor();
      } else this.remember(cursor.blockNumber, cursor.blockHash);
    }
    const fromBlock = cursor ? cursor.blockNumber + 1 : this.startBlock!;
    const target = (await this.provider.getBlockNumber()) - this.confirmations!;
    this.target = target;
    let applied = 0;
    for (let start = fromBlock; start <= target; start += this.batchBlocks) {
      const end = Math.min(start + this.batchBlocks - 1, target);
      applied += await this.syncBatch(start, end);
    }
    return { fromBlock, toBlock: Math.max(target, fromBlock - 1), applied, forkBlock };
  }

  private async syncBatch(fromBlock: number, toBlock: number): Promise<number> {
    // The end block's hash is read before the logs: if the chain reorganises in between, the
    // cursor keeps the old hash and the next sync notices.
    const end = await this.provider.getBlock(toBlock);
    if (!end?.hash)
      throw new BlockUnavailableError(toBlock, `block ${toBlock}, the end of the batch to sync`);
    const logs = await this.provider.getLogs({
      address: [this.hubAddress, ...this.registries!.keys()],
      topics: [this.topics],
      fromBlock,
      toBlock,
    });
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    let applied = 0;
    for (let i = 0; i < logs.length;) {
      let j = i;
      while (j < logs.length && logs[j].blockNumber === logs[i].blockNumber) j++;
      applied += await this.applyBlock(logs.slice(i, j));
      i = j;
    }
    const cursor = this.store.getCursor();
    if (!cursor || cursor.blockNumber < toBlock) {
      this.store.transaction(() => this.store.setCursor({ blockNumber: toBlock, blockHash: end.hash! }));
      this.remember(toBlock, end.hash);
    }
    return applied;
  }

  /** Applies the logs of one block, and moves the cursor to it, in one transaction. */
  private async applyBlock(logs: Log[]): Promise<number> {
    const { blockNumber, blockHash } = logs[0];
    const writes: Write[] = [];
    const debited = new Set<string>();
    let timestamp: string | undefined;
    const blockTimestamp = async () => {
      if (timestamp === undefined) {
        const block = await this.provider.getBlock(blockHash);
        if (!block)
          throw new BlockUnavailableError(
            blockNumber,
            `block ${blockNumber} (${blockHash}), whose logs are being applied`,
          );
        timestamp = new Date(block.timestamp * 1000).toISOString();
      }
      return timestamp;
    };

    for (const log of logs) {
      const registryKind = this.registries!.get(getAddress(log.address));
      if (registryKind) {
        if (log.topics.length === 4) writes.push(this.assetTransfer(registryKind, log));
        continue;
      }
      const parsed = this.hub.interface.parseLog(log);
      if (!parsed) continue;
      switch (parsed.name) {
        case "OrdersMatched":
          writes.push(await this.ordersMatched(log, parsed.args, await blockTimestamp()));
          break;
        case "ClosedAppOrder":
        case "ClosedDatasetOrder":
        case "ClosedWorkerpoolOrder":
        case "ClosedRequestOrder": {
          const kind = kindOfClosedEvent(parsed.name)!;
          const hash = String(parsed.args[0]).toLowerCase();
          writes.push((store) => {
            if (store.updateOrder(hash, { status: "canceled", remaining: 0n }))
              this.touched.set(hash, { kind, blockNumber });
          });
          break;
        }
        case "CreateCategory": {
          const [catid, name, description, workClockTimeRef] = parsed.args;
          writes.push((store) =>
            store.upsertCategory({
              catid,
              chainId: this.chainId,
              name,
              description,
              workClockTimeRef,
              blockNumber,
              transactionHash: log.transactionHash,
            }),
          );
          break;
        }
        case "Transfer":
          if (parsed.args[0] !== ZeroAddress) debited.add(getAddress(parsed.args[0]));
          break;
        case "Lock":
          debited.add(getAddress(parsed.args[0]));
          break;
      }
    }
    for (const account of debited) writes.push(await this.stakeCheck(account));

    this.store.transaction(() => {
      for (const write of writes) write(this.store);
      this.store.setCursor({ blockNumber, blockHash });
    });
    this.remember(blockNumber, blockHash);
    return logs.length;
  }

  private assetTransfer(kind: Exclude<OrderKind, "request">, log: Log): Write {
    const from = getAddress(dataSlice(log.topics[1], 12));
    const to = getAddress(dataSlice(log.topics[2], 12));
    const asset = getAddress(dataSlice(log.topics[3], 12));
    return (store) => {
      if (from === ZeroAddress || from === to) return; // creation, or no change of owner
      store.setOwner(kind, asset, to);
      for (const hash of store.openOrderHashes(kind, asset)) store.updateOrder(hash, { status: "dead" });
    };
  }

  private async ordersMatched(log: Log, args: readonly unknown[], blockTimestamp: string): Promise<Write> {
    const [dealid, appHash, datasetHash, workerpoolHash, requestHash] = (args.slice(0, 5) as string[]).map(
      (hash) => hash.toLowerCase(),
    );
    const volume = args[5] as bigint;
    const blockTag = log.blockNumber;
    const hashes: [OrderKind, string][] = (
      [
        ["app", appHash],
        ["dataset", datasetHash],
        ["workerpool", workerpoolHash],
        ["request", requestHash],
      ] as [OrderKind, string][]
    ).filter(([, hash]) => hash !== ZeroHash);
    // Read for every order, known or not, so that an order published meanwhile is still updated.
    const [deal, ...consumed] = await Promise.all([
      this.hub.viewDeal(dealid, { blockTag }),
      ...hashes.map(([, hash]) => this.hub.viewConsumed(hash, { blockTag })),
    ]);
    const record: DealRecord = {
      dealid,
      chainId: this.chainId,
      app: { pointer: deal.app.pointer, owner: deal.app.owner, price: deal.app.price },
      dataset: { pointer: deal.dataset.pointer, owner: deal.dataset.owner, price: deal.dataset.price },
      workerpool: {
        pointer: deal.workerpool.pointer,
        owner: deal.workerpool.owner,
        price: deal.workerpool.price,
      },
      appHash,
      datasetHash,
      workerpoolHash,
      requestHash,
      requester: deal.requester,
      beneficiary: deal.beneficiary,
      callback: deal.callback,
      category: deal.category,
      trust: deal.trust,
      tag: deal.tag,
      params: deal.params,
      botFirst: deal.botFirst,
      botSize: deal.botSize,
      volume,
      workerStake: deal.workerStake,
      schedulerRewardRatio: deal.schedulerRewardRatio,
      startTime: deal.startTime,
      blockNumber: log.blockNumber,
      blockTimestamp,
      transactionHash: log.transactionHash,
    };
    return (store) => {
      hashes.forEach(([kind, hash], i) => {
        const order = store.getOrder(kind, hash);
        if (!order) return;
        store.updateOrder(hash, remainingUpdate(order, consumed[i]));
        this.touched.set(hash, { kind, blockNumber: log.blockNumber });
      });
      store.upsertDeal(record);
    };
  }

  /** Marks dead the open workerpool and request orders of `account` its free balance no longer covers. */
  private async stakeCheck(account: string): Promise<Write> {
    const { stake } = await this.hub.viewAccount(account, { blockTag: this.target });
    return (store) => {
      for (const record of store.openOrdersOfSigner(account)) {
        if (stake < taskFundsOf(record.kind, record.order))
          store.updateOrder(record.orderHash, { status: "dead" });
      }
    };
  }

  /**
   * Undoes the blocks after the fork with the cursor's block; returns the fork block. See the
   * module comment.
   */
  private async rollBack(cursor: SyncCursor): Promise<number> {
    // Nothing before the first block read needs undoing.
    const lowest = Math.max(cursor.blockNumber - this.maxReorgDepth, this.startBlock! - 1, 0);
    let fork: number | undefined;
    const known = [...this.seen.entries()]
      .filter(([number]) => number < cursor.blockNumber && number >= lowest)
      .sort(([a], [b]) => b - a);
    for (const [number, hash] of known) {
      const block = await this.provider.getBlock(number);
      if (block?.hash === hash) {
        fork = number;
        break;
      }
    }
    if (fork === undefined) {
      fork = lowest;
      this.logger.warn(
        `reorganisation below block ${cursor.blockNumber}: fork block unknown, rolling back to ${fork}`,
      );
    } else this.logger.warn(`reorganisation: rolling back from block ${cursor.blockNumber} to ${fork}`);
    const forkBlock = await this.provider.getBlock(fork);
    if (!forkBlock?.hash)
      throw new BlockUnavailableError(fork, `block ${fork}, the fork block to roll back to`);

    // The orders touched after the fork: those of the orphaned deals, and those remembered.
    const reset = new Map<string, OrderKind>();
    for (const [hash, entry] of this.touched) if (entry.blockNumber > fork) reset.set(hash, entry.kind);
    const pageSize = 500;
    for (let pageIndex = 0; ; pageIndex++) {
      const { items } = this.store.listDeals({}, { pageIndex, pageSize });
      for (const deal of items) {
        if (deal.blockNumber <= fork) continue;
        reset.set(deal.appHash, "app");
        if (deal.datasetHash !== ZeroHash) reset.set(deal.datasetHash, "dataset");
        reset.set(deal.workerpoolHash, "workerpool");
        reset.set(deal.requestHash, "request");
      }
      if (items.length < pageSize) break;
    }
    const entries = [...reset.entries()];
    // Before the hub's deployment nothing was consumed (and the hub cannot be called).
    const deployed = (await this.provider.getCode(this.hubAddress, fork)) !== "0x";
    const consumed = await Promise.all(
      entries.map(([hash]) => (deployed ? this.hub.viewConsumed(hash, { blockTag: fork }) : 0n)),
    );

    this.store.transaction(() => {
      this.store.deleteDealsFrom(fork + 1);
      entries.forEach(([hash, kind], i) => {
        const order = this.store.getOrder(kind, hash);
        if (!order || order.status === "dead") return;
        const left = order.order.volume > consumed[i] ? order.order.volume - consumed[i] : 0n;
        if (left > 0n) this.store.updateOrder(hash, { remaining: left, status: "open" });
        else
          this.store.updateOrder(hash, {
            remaining: 0n,
            status: order.status === "canceled" ? "canceled" : "filled",
          });
      });
      this.store.setCursor({ blockNumber: fork, blockHash: forkBlock.hash! });
    });
    for (const number of [...this.seen.keys()]) if (number > fork) this.seen.delete(number);
    for (const [hash, entry] of this.touched) if (entry.blockNumber > fork) this.touched.delete(hash);
    this.remember(fork, forkBlock.hash);
    return fork;
  }
}

/** Remaining volume after `consumed`, "filled" when nothing remains (dead and canceled orders keep their status). */
function remainingUpdate(
  order: OrderRecord,
  consumed: bigint,
): { remaining: bigint; status?: PublishedStatus } {
  const remaining = order.order.volume > consumed ? order.order.volume - consumed : 0n;
  return remaining === 0n && order.status === "open" ? { remaining, status: "filled" } : { remaining };
}
