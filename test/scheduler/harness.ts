/**
 * The scheduler's integration harness: the task fixtures' chain served over JSON-RPC, a scheduler
 * run by the workerpool owner's key, and simulated workers (the SDK's `SchedulerClient` for the API,
 * `OpenPoco` for their transactions; no Docker).
 */
import { expect } from "chai";
import { HDNodeWallet, Wallet, type Signer } from "ethers";
import { ethers } from "hardhat";
import { OpenPoco } from "../../src/sdk/core/client";
import type { ChainConfig } from "../../src/sdk/core/chains";
import { SchedulerClient, type TaskAssignment, type WorkerInstructions } from "../../src/sdk/core/scheduler";
import { SchedulerApp, type SchedulerOptions } from "../../src/scheduler";
import { serveInProcessChain } from "../cli/harness";
import { taskSetup, type TaskSetup } from "../tasks/fixtures";

const MNEMONIC = "test test test test test test test test test test test junk";

/** Private key of a Hardhat account, from the default mnemonic. */
export function keyOf(address: string): string {
  for (let index = 0; index < 20; index++) {
    const wallet = HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
    if (wallet.address === address) return wallet.privateKey;
  }
  throw new Error(`${address} is not one of Hardhat's first 20 accounts.`);
}

/** A quiet logger that keeps errors for the test to show. */
export const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A worker as the tests play it. */
export class SimWorker {
  private constructor(
    readonly address: string,
    readonly client: SchedulerClient,
    readonly poco: OpenPoco,
  ) {}

  /** A plain worker, or a TEE-capable one when given the key of its `enclave`. */
  static async create(
    chain: ChainConfig,
    url: string,
    address: string,
    enclave?: Signer,
  ): Promise<SimWorker> {
    const wallet = new Wallet(keyOf(address));
    const poco = await OpenPoco.connect({ chain, signer: wallet.privateKey, pollingIntervalMs: 20 });
    return new SimWorker(wallet.address, new SchedulerClient(url, wallet, { enclave }), poco);
  }

  poll(slots = 1): Promise<WorkerInstructions> {
    return this.client.poll(slots);
  }

  /** Contributes `digest` with the assignment's authorization and reports it. */
  async contribute(assignment: TaskAssignment, digest: string): Promise<void> {
    const sent = await this.poco.work.contribute({
      taskid: assignment.taskid,
      resultDigest: digest,
      authorization: assignment.authorization,
    });
    await this.client.report(assignment.taskid, { event: "contributed", txHash: sent.txHash });
  }

  async reveal(taskid: string, digest: string): Promise<void> {
    const sent = await this.poco.work.reveal(taskid, digest);
    await this.client.report(taskid, { event: "revealed", txHash: sent.txHash });
  }

  close(): void {
    this.poco.close();
  }
}

/** The chain, its JSON-RPC server and the workers, for one test file. */
export class SchedulerHarness {
  readonly schedulers: SchedulerApp[] = [];
  private workersOf = new Map<SchedulerApp, SimWorker[]>();

  private constructor(
    readonly setup: TaskSetup,
    readonly chain: ChainConfig,
    private readonly server: { close(): Promise<void> },
  ) {}

  static async start(): Promise<SchedulerHarness> {
    const setup = await taskSetup();
    const server = await serveInProcessChain();
    const chain: ChainConfig = {
      name: "test",
      host: server.url,
      id: 31337n,
      hub: await setup.hub.getAddress(),
    };
    return new SchedulerHarness(setup, chain, server);
  }

  /** Starts a scheduler reading notices from the next block on (earlier tests' deals are not its business). */
  async scheduler(options: Partial<SchedulerOptions> = {}): Promise<SchedulerApp> {
    const app = await SchedulerApp.start({
      chain: this.chain,
      signer: keyOf(this.setup.scheduler.address),
      workerpool: this.setup.workerpool,
      dbFile: ":memory:",
      port: 0,
      tickMs: 50,
      pollingIntervalMs: 20,
      fromBlock: (await ethers.provider.getBlockNumber()) + 1,
      logger: QUIET,
      // Preference for high scores has its own test; elsewhere any worker may take any task.
      timings: { preferWindowMs: -1 },
      ...options,
    });
    this.schedulers.push(app);
    return app;
  }

  /** Worker `n` (0 to 5: the task fixtures' funded workers) talking to `app`; TEE-capable with an `enclave`. */
  async worker(app: SchedulerApp, n: number, enclave?: Signer): Promise<SimWorker> {
    const worker = await SimWorker.create(this.chain, app.url, this.setup.workers[n].address, enclave);
    this.workersOf.set(app, [...(this.workersOf.get(app) ?? []), worker]);
    return worker;
  }

  async stopScheduler(app: SchedulerApp): Promise<void> {
    const index = this.schedulers.indexOf(app);
    if (index < 0) return;
    this.schedulers.splice(index, 1);
    for (const worker of this.workersOf.get(app) ?? []) worker.close();
    await app.stop();
  }

  async stop(): Promise<void> {
    for (const app of [...this.schedulers]) await this.stopScheduler(app);
    await this.server.close();
  }
}

/** Waits until `check` gives a value (not undefined or false), polling every 50 ms. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) expect.fail(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Ticks `app` until it has task `taskid` in `state`. */
export function stateOf(app: SchedulerApp, taskid: string, state: string): Promise<unknown> {
  return until(`task ${taskid} ${state}`, async () => {
    await app.tickNow();
    return app.store.task(taskid)?.state === state;
  });
}
