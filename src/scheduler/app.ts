/**
 * The scheduler as one running service: the SQLite store, the chain sync ticking at a fixed interval,
 * and the workers' HTTP API. It signs with the workerpool owner's key and talks to the chain only
 * through the SDK. A restart on the same database resumes: open tasks are re-read on chain before
 * anything is sent.
 */
import { Wallet, getAddress } from "ethers";
import { OpenPoco } from "../sdk/core/client";
import type { ChainConfig } from "../sdk/core/chains";
import { CONSOLE_LOGGER, type ServiceLogger } from "../sdk/core/logger";
import { ChainSync } from "./chain-sync";
import { WorkerDesk, type DeskTimings } from "./desk";
import { NotWorkerpoolOwnerError } from "./errors";
import { buildSchedulerServer, type FastifyInstance } from "./server";
import { SchedulerStore } from "./store";

/** How to run the scheduler. */
export interface SchedulerOptions {
  chain: ChainConfig;
  /** Private key of the workerpool's owner. */
  signer: string;
  /** Address of the workerpool to schedule. */
  workerpool: string;
  /** SQLite file of the scheduler's state (":memory:" for a throwaway one). */
  dbFile: string;
  /** Port of the workers' API (0 picks a free one). */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Time between ticks, in ms (default 250, for local chains). */
  tickMs?: number;
  /** First block to read notices from when the database is new (default 0). */
  fromBlock?: number;
  /** How often the SDK polls for mined transactions, in ms (default 1000). */
  pollingIntervalMs?: number;
  /** A chosen uploader silent that long is replaced, in ms (default 60 s). */
  uploadTimeoutMs?: number;
  /** Timings of the workers' desk. */
  timings?: Partial<DeskTimings>;
  logger?: ServiceLogger;
}

/** A running scheduler. */
export class SchedulerApp {
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(
    readonly url: string,
    readonly store: SchedulerStore,
    readonly sync: ChainSync,
    readonly desk: WorkerDesk,
    readonly poco: OpenPoco,
    private readonly server: FastifyInstance,
    private readonly tickMs: number,
    private readonly logger: ServiceLogger,
  ) {}

  /** Opens the store, checks the key owns the workerpool, serves the API and starts ticking. */
  static async start(options: SchedulerOptions): Promise<SchedulerApp> {
    const logger = options.logger ?? CONSOLE_LOGGER;
    const poco = await OpenPoco.connect({
      chain: options.chain,
      signer: options.signer,
      pollingIntervalMs: options.pollingIntervalMs,
    });
    const owner = new Wallet(options.signer);
    const workerpool = getAddress(options.workerpool);
    const registered = await poco.assets.showWorkerpool(workerpool);
    if (getAddress(registered.owner) !== owner.address)
      throw new NotWorkerpoolOwnerError(workerpool, registered.owner, owner.address);
    const store = SchedulerStore.open(options.dbFile);
    const sync = new ChainSync({
      poco,
      store,
      workerpool,
      fromBlock: options.fromBlock,
      uploadTimeoutMs: options.uploadTimeoutMs,
      logger,
    });
    const desk = new WorkerDesk({
      store,
      owner,
      readScore: (worker) => poco.work.score(worker),
      chainClock: () => sync.chainClock(),
      teeBroker: () => sync.teeBroker(),
      timings: options.timings,
    });
    const server = await buildSchedulerServer(desk, {
      chainId: poco.chainId,
      workerpool,
      taskCounts: () => store.taskCounts(),
      cursor: () => store.cursor(),
    });
    const url = await server.listen({ host: options.host ?? "127.0.0.1", port: options.port });
    const app = new SchedulerApp(url, store, sync, desk, poco, server, options.tickMs ?? 250, logger);
    app.schedule(0);
    return app;
  }

  /** Runs one tick now (tests), after any tick under way. */
  tickNow(): Promise<void> {
    const next = this.queue.then(() => this.sync.tick());
    this.queue = next.catch(() => undefined);
    return next;
  }

  // One tick at a time: the next is scheduled when the previous ends, however long it took.
  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      try {
        await this.tickNow();
      } catch (error) {
        this.logger.error(`Scheduler tick failed: ${String(error)}; retrying.`, error);
      }
      this.schedule(this.tickMs);
    }, delay);
  }

  /** Stops ticking and serving, waits for the tick under way, and closes the store. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queue;
    await this.server.close();
    this.store.close();
    this.poco.close();
  }
}
