/**
 * The worker: a loop that polls its scheduler for instructions and drives each task through its steps
 * (compute, contribute, reveal, upload), journaling every step in SQLite before the next.
 *
 * Before acting on a task it asks the chain: the task must be ACTIVE and before its contribution deadline,
 * the worker's free stake must cover the deal's worker stake, and the worker must not have contributed
 * already. The last check is what makes a restart safe: a worker killed after its contribution was mined
 * but before its journal said so finds the contribution on chain and moves on instead of contributing
 * twice. Trust-1 tasks are finalized by the worker itself with `contributeAndFinalize` (one transaction
 * instead of three); the scheduler picks the uploader for the others.
 *
 * By default this worker runs apps in plain Docker, without an enclave: it logs in to the scheduler as a
 * plain worker (no enclave declared), so it is never given a TEE task, and if one reaches it anyway it
 * fails the task with ENCLAVE_REQUIRED before asking the SMS for anything or running the app. With
 * `tee: "dev"` it has a development enclave (dev-enclave.ts): it declares the enclave at login, asks the
 * SMS for a TEE task's secrets as that enclave, and the enclave signs its contributions. TEE results go
 * to IPFS whatever the request says, as iExec's TEE post-compute puts them.
 *
 * Results go where the request's `iexec_result_storage_provider` says: `ipfs` (the official SDK's default)
 * to the IPFS node of chain.json (`ipfsNode`), anything else to the result store. A worker without an
 * IPFS node fails an `ipfs` task before running it (RESULT_STORAGE_UNAVAILABLE): it could not deliver.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { ZeroAddress, getAddress } from "ethers";
import type { ChainConfig } from "../sdk/core/chains";
import { OpenPoco } from "../sdk/core/client";
import { OpenPocoError, ServiceError, ServiceUnavailableError } from "../sdk/core/errors";
import { SILENT_LOGGER, type ServiceLogger } from "../sdk/core/logger";
import { isTeeTag } from "../sdk/core/matching";
import { parseParams } from "../sdk/core/params";
import { SchedulerClient, type WorkerFailureCode, type WorkerReport } from "../sdk/core/scheduler";
import { SmsClient, type TaskSecrets } from "../sdk/node/sms";
import { decodeDatasetKey } from "../sdk/node/encryption";
import { checkResultEncryption, encryptTaskResult, type ResultEncryption } from "./result-encryption";
import { ContributionStatus, TaskStatus, computeResultHash } from "../sdk/core/tasks";
import { TaskFailure, computeTask, type ComputeSpec } from "./compute";
import { removeContainers } from "./container";
import { openDevEnclave, signContribution, type EnclaveKey } from "./dev-enclave";
import { DEV_ENCLAVE_WARNING, assertTeeDevAllowed } from "../sdk/core/tee-dev";
import { IPFS_STORAGE } from "../sdk/node/results";
import {
  FolderResultStorage,
  HttpResultStorage,
  IpfsResultStorage,
  type ResultStorage,
} from "./result-storage";
import { WorkerStore, type WorkerTask } from "./store";

/** Resource limits of one app run. */
export type WorkerLimits = ComputeSpec["limits"];

/** Default limits: what a small app needs, and far from what could hurt the machine. */
export const DEFAULT_WORKER_LIMITS: WorkerLimits = {
  memoryBytes: 512 * 1024 * 1024,
  cpus: 1,
  pidsLimit: 256,
  maxInputFileBytes: 1024 * 1024 * 1024,
  maxDatasetBytes: 4 * 1024 * 1024 * 1024,
};

/** How to run a worker. */
export interface WorkerOptions {
  chain: ChainConfig;
  /** The worker's private key (its account pays gas and stakes). */
  signer: string;
  /** Base URL of the scheduler. */
  schedulerUrl: string;
  /** Folder of the journal and of the tasks' work folders. */
  dataDir: string;
  /**
   * Base URL of the SMS that releases the tasks' secrets (dataset keys, requester and app secrets, the
   * beneficiary's result-encryption key). Without one, datasets are used as downloaded and apps get no
   * secrets.
   */
  smsUrl?: string;
  /** Where chosen uploaders put results; by default the result store at `resultStoreUrl`, else a folder. */
  resultStorage?: ResultStorage;
  /** Base URL of the result store (chain.json's `resultProxy`); without it, a `results` folder in `dataDir`. */
  resultStoreUrl?: string;
  /**
   * Base URL of the IPFS node's RPC API that results are added to when a request asks for IPFS
   * (default: chain.json's `ipfsNode`). Without one, such requests fail with RESULT_STORAGE_UNAVAILABLE.
   */
  ipfsNode?: string;
  /** Base URL of the IPFS gateway `/ipfs/` datasets are fetched through (default: chain.json's `ipfsGateway`). */
  ipfsGateway?: string;
  /** Tasks computed at once (default 1). */
  slots?: number;
  /** Time between polls, in ms (default 200). */
  pollMs?: number;
  /** Limits of each app run; the time limit is the category's work clock time, capped by `maxRunMs`. */
  limits?: Partial<WorkerLimits>;
  /** Upper bound of an app run, in ms (default: the category's time alone). */
  maxRunMs?: number;
  /**
   * `"dev"`: run TEE tasks in a development enclave (no hardware isolation, see dev-enclave.ts). The
   * CLI refuses it on chains other than a local development chain unless told otherwise.
   */
  tee?: "dev";
  /** Allows `tee: "dev"` on a chain that is not a local development chain (see assertTeeDevAllowed). */
  teeDevOnAnyChain?: boolean;
  logger?: ServiceLogger;
}

/** A stage of `work` ended the task's work for this poll: done, failed, or to retry. */
const STOP = Symbol("stop");

/** What decides where a deal's result goes. */
interface DealStorage {
  params: string;
  tag: string;
}

/** A task the chain allows this worker to work on, with what its stages need. */
interface CheckedTask {
  task: WorkerTask;
  deal: Awaited<ReturnType<OpenPoco["deals"]["view"]>>;
  timeref: bigint;
}

/** Codes of failures that are not worth a word to the chain but that the scheduler must know of. */
function failureOf(error: unknown, step: WorkerFailureCode): { code: WorkerFailureCode; detail: string } {
  if (error instanceof TaskFailure) return { code: error.failure, detail: error.detail };
  const detail = error instanceof Error ? error.message : String(error);
  return { code: error instanceof OpenPocoError ? step : "WORKER_ERROR", detail };
}

/**
 * A service away or saying it cannot answer for now (502, 503, 504: an SMS whose chain node restarts,
 * a proxy in front of a restarting service): the task keeps its state and is tried again at the next
 * poll, up to its contribution deadline, instead of failing for a cause that will pass.
 */
/** How long a task waits after a transient service error before it is tried again, in ms. */
const TRANSIENT_RETRY_MS = 1_000;

function isTransient(error: unknown): boolean {
  return (
    error instanceof ServiceUnavailableError ||
    (error instanceof ServiceError && [502, 503, 504].includes(error.status))
  );
}

/** A running worker. */
export class WorkerApp {
  private readonly running = new Map<string, Promise<void>>();
  /** Tasks a transient service error put off, and when to try them again (ms). */
  private readonly retryAt = new Map<string, number>();
  private readonly slots: number;
  private readonly limits: WorkerLimits;
  private readonly storage: ResultStorage;
  /** Where results go when the request asks for IPFS; undefined when no IPFS node is set. */
  private readonly ipfsStorage: ResultStorage | undefined;
  private readonly logger: ServiceLogger;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  private constructor(
    readonly address: string,
    readonly store: WorkerStore,
    private readonly poco: OpenPoco,
    private readonly scheduler: SchedulerClient,
    private readonly options: WorkerOptions,
    /** The enclave TEE tasks run in; undefined for a plain worker. */
    private readonly enclave: EnclaveKey | undefined,
  ) {
    this.slots = Math.max(1, options.slots ?? 1);
    this.limits = { ...DEFAULT_WORKER_LIMITS, ...options.limits };
    this.storage =
      options.resultStorage ??
      (options.resultStoreUrl
        ? new HttpResultStorage(options.resultStoreUrl, poco.chainId, poco.context.signer!)
        : new FolderResultStorage(path.join(options.dataDir, "results")));
    const ipfsNode = options.ipfsNode ?? options.chain.ipfsNode;
    this.ipfsStorage = ipfsNode ? new IpfsResultStorage(ipfsNode) : undefined;
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  /** Connects to the chain and the scheduler, cleans up after a previous run, and starts polling. */
  static async start(options: WorkerOptions): Promise<WorkerApp> {
    const poco = await OpenPoco.connect({
      chain: options.chain,
      signer: options.signer,
      pollingIntervalMs: 100,
    });
    const signer = poco.context.signer!;
    const address = await signer.getAddress();
    if (options.tee === "dev") {
      try {
        assertTeeDevAllowed(poco.chainId, !!options.teeDevOnAnyChain);
      } catch (error) {
        poco.close();
        throw error;
      }
    }
    // Without an enclave, a plain worker: the scheduler never hands it a TEE task.
    const store = WorkerStore.open(path.join(options.dataDir, "worker.sqlite"));
    const enclave = options.tee === "dev" ? openDevEnclave(options.dataDir) : undefined;
    const scheduler = new SchedulerClient(options.schedulerUrl, signer, { enclave: enclave?.signer });
    const app = new WorkerApp(address, store, poco, scheduler, options, enclave);
    if (enclave)
      app.logger.warn(
        `worker ${address}: TEE tasks run in a ${DEV_ENCLAVE_WARNING} (enclave ${enclave.address})`,
      );
    // Containers left by a worker killed mid-run would hold memory and CPU: they go before anything starts.
    await removeContainers(app.containerPrefix());
    try {
      await scheduler.login();
    } catch (error) {
      app.logger.warn(`scheduler not reachable yet (${(error as Error).message}); will retry`);
    }
    app.schedule(0);
    return app;
  }

  /** The development enclave's address, for a `tee: "dev"` worker. */
  get enclaveAddress(): string | undefined {
    return this.enclave?.address;
  }

  /** Stops polling and waits for the steps under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    await Promise.allSettled([...this.running.values()]);
    this.store.close();
    this.poco.close();
  }

  private containerPrefix(): string {
    return `openpoco-${this.address.slice(2, 10).toLowerCase()}-`;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((error) => this.logger.warn(`poll failed: ${(error as Error).message}`))
        .finally(() => this.schedule(this.options.pollMs ?? 200));
    }, delay);
  }

  /** One poll: take new tasks, start what is pending, and follow the scheduler's instructions. */
  private async tick(): Promise<void> {
    const busy = this.countRunning("run:");
    const pending = this.store.inStates("ASSIGNED", "COMPUTED").length;
    const instructions = await this.scheduler.poll(Math.max(0, this.slots - Math.max(busy, pending)));
    for (const assignment of instructions.assign)
      if (this.store.add(assignment)) this.logger.info(`task ${assignment.taskid} assigned`);
    for (const task of this.store.inStates("ASSIGNED", "COMPUTED")) {
      if (this.countRunning("run:") >= this.slots) break;
      if ((this.retryAt.get(task.taskid) ?? 0) > Date.now()) continue;
      this.background(`run:${task.taskid}`, () => this.work(task.taskid));
    }
    for (const taskid of instructions.reveal) this.background(`reveal:${taskid}`, () => this.reveal(taskid));
    for (const taskid of instructions.upload) this.background(`upload:${taskid}`, () => this.upload(taskid));
    for (const taskid of instructions.forget) this.background(`forget:${taskid}`, () => this.forget(taskid));
  }

  private countRunning(prefix: string): number {
    return [...this.running.keys()].filter((key) => key.startsWith(prefix)).length;
  }

  // Runs a step once at a time per key; a key already under way is not started again.
  private background(key: string, step: () => Promise<void>): void {
    if (this.running.has(key) || this.stopped) return;
    const run = step()
      .catch((error) => this.logger.error(`${key} failed`, error))
      .finally(() => this.running.delete(key));
    this.running.set(key, run);
  }

  private async report(taskid: string, report: WorkerReport): Promise<void> {
    try {
      await this.scheduler.report(taskid, report);
    } catch (error) {
      // Reports are hints: the scheduler reads contributions and reveals on chain anyway.
      this.logger.warn(`could not report ${report.event} of ${taskid}: ${(error as Error).message}`);
    }
  }

  // The app's output goes to the scheduler for the requester; like reports, a lost one is only logged.
  private async sendLogs(taskid: string, logs: { stdout: string; stderr: string }): Promise<void> {
    try {
      await this.scheduler.sendLogs(taskid, logs);
    } catch (error) {
      this.logger.warn(`could not send the app logs of ${taskid}: ${(error as Error).message}`);
    }
  }

  private async fail(task: WorkerTask, code: WorkerFailureCode, detail: string): Promise<void> {
    this.store.update(task.taskid, "FAILED", { failure: code, detail });
    this.logger.warn(`task ${task.taskid} failed: ${code}: ${detail}`);
    await this.report(task.taskid, { event: "failed", code, detail });
  }

  /**
   * Computes (unless done before a restart) and contributes, after checking the chain. Each stage runs
   * under its own handler, which names the failure code the scheduler is told when the stage fails.
   */
  private async work(taskid: string): Promise<void> {
    const checked = await this.stage(taskid, { code: "WORKER_ERROR" }, () => this.checkTask(taskid));
    if (checked === STOP) return;
    const task = await this.stage(taskid, { code: "WORKER_ERROR" }, () => this.computeOnce(checked));
    if (task === STOP) return;
    // A contribution that failed on our side may still have been mined (a lost answer, a second
    // attempt after a restart reverting with AlreadyContributed): the chain decides.
    const contributing = {
      code: "CONTRIBUTE_FAILED" as const,
      recover: () => this.alreadyContributed(this.store.get(taskid)!).catch(() => false),
    };
    if (checked.deal.trust === 1n) {
      const results = await this.stage(taskid, { code: "UPLOAD_FAILED" }, () =>
        this.uploadOwnResults(task, checked.deal),
      );
      if (results === STOP) return;
      await this.stage(taskid, contributing, () => this.contributeAndFinalize(task, results));
      return;
    }
    await this.stage(taskid, contributing, () => this.contribute(task));
  }

  /**
   * Runs one stage of `work`. A service away for now is retried at the next poll (the task keeps its state);
   * otherwise, unless `recover` finds the stage's work done after all, the task fails with the
   * stage's `code` (or the TaskFailure's own).
   */
  private async stage<T>(
    taskid: string,
    handler: { code: WorkerFailureCode; recover?: () => Promise<boolean> },
    run: () => Promise<T | typeof STOP>,
  ): Promise<T | typeof STOP> {
    try {
      return await run();
    } catch (error) {
      if (isTransient(error)) {
        this.retryAt.set(taskid, Date.now() + TRANSIENT_RETRY_MS);
        this.logger.warn(`task ${taskid}: ${(error as Error).message}; retrying`);
        return STOP;
      }
      if (handler.recover && (await handler.recover())) return STOP;
      // A TaskFailure is an outcome (logged by fail); anything else is a fault worth its stack.
      if (!(error instanceof TaskFailure)) this.logger.error(`task ${taskid}: ${handler.code}`, error);
      const { code, detail } = failureOf(error, handler.code);
      await this.fail(this.store.get(taskid)!, code, detail);
      return STOP;
    }
  }

  /**
   * Asks the chain whether this worker may work on the task: not contributed yet, ACTIVE, before its
   * contribution deadline, an enclave when TEE is asked for, enough free stake above trust 1. Fails the
   * task (and stops) otherwise.
   */
  private async checkTask(taskid: string): Promise<CheckedTask | typeof STOP> {
    const task = this.store.get(taskid)!;
    if (await this.alreadyContributed(task)) return STOP;
    const onChain = await this.poco.tasks.show(taskid);
    if (onChain.status !== TaskStatus.ACTIVE)
      return this.failed(task, "TASK_NOT_ACTIVE", `the task is ${onChain.statusName} on chain.`);
    if ((await this.poco.work.chainTime()) >= onChain.contributionDeadline)
      return this.failed(
        task,
        "CONTRIBUTION_DEADLINE_PASSED",
        `the deadline was ${onChain.contributionDeadline}.`,
      );
    const deal = await this.poco.deals.view(task.dealid);
    if (isTeeTag(deal.tag) && !this.enclave)
      return this.failed(
        task,
        "ENCLAVE_REQUIRED",
        `the deal's tag ${deal.tag} asks for a TEE and this worker has no enclave: its secrets are not asked for and its app is not run (the hub would refuse the contribution).`,
      );
    // An authorization naming an enclave needs this worker's, whatever the deal (the hub checks its signature).
    const namesEnclave = BigInt(task.enclaveChallenge) !== 0n;
    if (namesEnclave && !this.enclave)
      return this.failed(
        task,
        "ENCLAVE_REQUIRED",
        `the authorization names enclave ${task.enclaveChallenge} and this worker has no enclave: the hub would refuse a contribution without that enclave's signature.`,
      );
    if (isTeeTag(deal.tag) && (!namesEnclave || getAddress(task.enclaveChallenge) !== this.enclave!.address))
      return this.failed(
        task,
        "ENCLAVE_REQUIRED",
        `the authorization names enclave ${task.enclaveChallenge}, not this worker's enclave ${this.enclave!.address} (made again since the task was assigned?): the hub would refuse its signature.`,
      );
    // Trust 1 finalizes in one call (contributeAndFinalize), which locks no worker stake: none needed.
    const { stake } = await this.poco.account.show(this.address);
    if (deal.trust !== 1n && stake < deal.workerStake)
      return this.failed(
        task,
        "INSUFFICIENT_STAKE",
        `the worker's free stake ${stake} nRLC is below the deal's worker stake ${deal.workerStake} nRLC: deposit more.`,
      );
    return { task, deal, timeref: onChain.timeref };
  }

  /** Fails the task; the stage stops there. */
  private async failed(task: WorkerTask, code: WorkerFailureCode, detail: string): Promise<typeof STOP> {
    await this.fail(task, code, detail);
    return STOP;
  }

  /** Runs the app unless a run before a restart already computed the task; returns the journaled task. */
  private async computeOnce({ task, deal, timeref }: CheckedTask): Promise<WorkerTask> {
    if (task.state !== "ASSIGNED") return task;
    await this.compute(task, deal, timeref);
    return this.store.get(task.taskid)!;
  }

  /** Trust 1: this worker is its own uploader; the results' location is journaled before finalizing. */
  private async uploadOwnResults(task: WorkerTask, deal: DealStorage): Promise<string> {
    const results = await this.resultStorage(deal).upload(task.taskid, task.zipFile!, {
      authorization: task.authorization,
    });
    this.store.update(task.taskid, "COMPUTED", { results });
    return results;
  }

  /**
   * Where the result of `deal` goes: IPFS for a TEE deal (as iExec's TEE post-compute) or when the
   * request asks for it (the official SDK's default), else the result store (or folder) of this worker.
   * @throws TaskFailure RESULT_STORAGE_UNAVAILABLE when IPFS is needed and this worker has no IPFS node.
   */
  private resultStorage(deal: DealStorage): ResultStorage {
    const tee = isTeeTag(deal.tag);
    if (!tee && parseParams(deal.params).iexec_result_storage_provider !== IPFS_STORAGE) return this.storage;
    if (!this.ipfsStorage)
      throw new TaskFailure(
        "RESULT_STORAGE_UNAVAILABLE",
        `${tee ? "A TEE task's result goes to IPFS" : "The request asks for its result on IPFS"} and this worker has no IPFS node: the workerpool must set chain.json's ipfsNode (or \`worker start --ipfs-node\`).`,
      );
    return this.ipfsStorage;
  }

  /** Trust 1: contributes, reveals and finalizes in one transaction. */
  private async contributeAndFinalize(task: WorkerTask, results: string): Promise<void> {
    const sent = await this.poco.work.contributeAndFinalize({
      taskid: task.taskid,
      resultDigest: task.resultDigest!,
      authorization: task.authorization,
      enclaveChallenge: task.enclaveChallenge,
      enclaveSign: await this.enclaveSign(task),
      results,
      resultsCallback: task.resultsCallback,
    });
    this.store.update(task.taskid, "DONE");
    this.logger.info(`task ${task.taskid} finalized (${sent.txHash})`);
    await this.report(task.taskid, { event: "finalized", txHash: sent.txHash });
  }

  /** The enclave's signature of the contribution when the authorization names an enclave, else none. */
  private async enclaveSign(task: WorkerTask): Promise<string | undefined> {
    if (BigInt(task.enclaveChallenge) === 0n) return undefined;
    // checkTask made sure the authorization names this worker's enclave.
    return signContribution(this.enclave!, this.address, task.taskid, task.resultDigest!);
  }

  /** Contributes the result digest; the scheduler then asks for the reveal. */
  private async contribute(task: WorkerTask): Promise<void> {
    const sent = await this.poco.work.contribute({
      taskid: task.taskid,
      resultDigest: task.resultDigest!,
      authorization: task.authorization,
      enclaveChallenge: task.enclaveChallenge,
      enclaveSign: await this.enclaveSign(task),
    });
    this.store.update(task.taskid, "CONTRIBUTED");
    this.logger.info(`task ${task.taskid} contributed (${sent.txHash})`);
    await this.report(task.taskid, { event: "contributed", txHash: sent.txHash });
  }

  // True (and the journal caught up) when the chain already has this worker's contribution.
  private async alreadyContributed(task: WorkerTask): Promise<boolean> {
    const contribution = await this.poco.work.contribution(task.taskid, this.address);
    if (contribution.status === ContributionStatus.UNSET) return false;
    const known =
      task.resultDigest !== undefined &&
      computeResultHash(task.taskid, task.resultDigest) === contribution.resultHash;
    if (!known) {
      await this.fail(
        task,
        "WORKER_ERROR",
        "the chain has a contribution of this worker that its journal does not know.",
      );
      return true;
    }
    const onChain = await this.poco.tasks.show(task.taskid);
    this.store.update(task.taskid, onChain.status === TaskStatus.COMPLETED ? "DONE" : "CONTRIBUTED");
    this.logger.info(`task ${task.taskid} was already contributed: not contributing again`);
    return true;
  }

  private async compute(
    task: WorkerTask,
    deal: Awaited<ReturnType<OpenPoco["deals"]["view"]>>,
    timeref: bigint,
  ): Promise<void> {
    const app = await this.poco.assets.showApp(deal.app.pointer);
    const dataset =
      deal.dataset.pointer === ZeroAddress
        ? undefined
        : await this.poco.assets.showDataset(deal.dataset.pointer);
    // A result this worker could not deliver is not worth computing: refused before anything runs.
    this.resultStorage(deal);
    const secrets = await this.taskSecrets(task, deal.params);
    const runs = this.store.countRun(task.taskid);
    this.logger.info(`task ${task.taskid}: running ${app.multiaddr}${runs > 1 ? ` (run ${runs})` : ""}`);
    const categoryMs = Number(timeref) * 1000;
    const computed = await computeTask({
      onAppLogs: (logs) => this.sendLogs(task.taskid, logs),
      taskid: task.taskid,
      dealid: task.dealid,
      idx: BigInt(task.idx),
      botFirst: deal.botFirst,
      botSize: deal.botSize,
      app: { multiaddr: app.multiaddr, checksum: app.checksum },
      dataset: dataset && {
        address: dataset.address,
        multiaddr: dataset.multiaddr,
        checksum: dataset.checksum,
        key: secrets?.datasetKey === undefined ? undefined : decodeDatasetKey(secrets.datasetKey),
      },
      secrets: secrets && { requester: secrets.requesterSecrets, app: secrets.appSecret },
      params: parseParams(deal.params),
      workDir: this.workDir(task.taskid),
      containerName: this.containerPrefix() + task.taskid.slice(2, 18),
      timeoutMs: Math.min(categoryMs, this.options.maxRunMs ?? categoryMs),
      limits: this.limits,
      ipfsGateway: this.options.ipfsGateway ?? this.options.chain.ipfsGateway,
    });
    // The digest is the plain result's; what is uploaded is encrypted for the beneficiary when asked.
    const uploadFile =
      secrets?.resultEncryption === undefined
        ? computed.zipFile
        : await encryptTaskResult(computed.zipFile, secrets.resultEncryption);
    this.store.update(task.taskid, "COMPUTED", {
      resultDigest: computed.resultDigest,
      resultsCallback: computed.resultsCallback,
      zipFile: uploadFile,
      errorResult: computed.error?.code,
      detail: [computed.error?.detail, ...computed.notes].filter(Boolean).join("; ") || undefined,
    });
    await this.report(task.taskid, {
      event: "computed",
      resultDigest: computed.resultDigest,
      error: computed.error?.code,
      ...(computed.exitCode === null ? {} : { exitCode: computed.exitCode }),
    });
  }

  /**
   * The task's secrets from the SMS, proven by the scheduler's authorization. A dataset without a key is
   * used as downloaded (it is not encrypted); a requester secret the deal names but nobody pushed fails
   * the task rather than run the app without it. The beneficiary's key and the padding the request asks for
   * are checked here too, so that a key that cannot encrypt fails the task before the app runs.
   */
  private async taskSecrets(
    task: WorkerTask,
    dealParams: string,
  ): Promise<(TaskSecrets & { resultEncryption?: ResultEncryption }) | undefined> {
    if (!this.options.smsUrl) return undefined;
    // An authorization naming an enclave is answered only to that enclave's signed request.
    const enclave = BigInt(task.enclaveChallenge) === 0n ? undefined : this.enclave?.signer;
    const secrets = await new SmsClient(this.options.smsUrl).taskSecrets(
      this.poco.context.signer!,
      task.taskid,
      task.authorization,
      { enclave },
    );
    const missing = secrets.missing.filter((name) => name !== "datasetKey");
    if (missing.includes("resultEncryptionKey"))
      throw new TaskFailure(
        "RESULT_ENCRYPTION_KEY_UNUSABLE",
        "The request asks for an encrypted result but the beneficiary pushed no result-encryption key to the SMS.",
      );
    if (missing.length > 0)
      throw new TaskFailure(
        "SECRET_MISSING",
        `The SMS holds none of ${missing.join(", ")} that the deal names.`,
      );
    if (secrets.resultEncryptionKey === undefined) return secrets;
    // A key that cannot encrypt is the beneficiary's mistake: every worker fails alike, before the app runs.
    return {
      ...secrets,
      resultEncryption: checkResultEncryption(secrets.resultEncryptionKey, parseParams(dealParams)),
    };
  }

  private workDir(taskid: string): string {
    return path.join(this.options.dataDir, "tasks", taskid.toLowerCase());
  }

  /** Reveals the digest of a winning contribution (or notes that the chain already has the reveal). */
  private async reveal(taskid: string): Promise<void> {
    const task = this.store.get(taskid);
    if (!task?.resultDigest)
      return this.logger.warn(`asked to reveal ${taskid}, which this worker never computed`);
    if (task.state === "REVEALED" || task.state === "UPLOADED" || task.state === "DONE") return;
    // The chain, not the journal, says whether there is something to reveal: a contribution mined after
    // the journal gave up on it (a timeout, a restart while it was pending) must still be revealed, or
    // its stake is lost.
    try {
      const contribution = await this.poco.work.contribution(taskid, this.address);
      if (contribution.status === ContributionStatus.PROVED) {
        this.store.update(taskid, "REVEALED");
        return;
      }
      if (
        contribution.status !== ContributionStatus.CONTRIBUTED ||
        contribution.resultHash !== computeResultHash(taskid, task.resultDigest)
      )
        return this.logger.warn(
          `asked to reveal ${taskid}, but the chain has no contribution of ours to reveal`,
        );
      const sent = await this.poco.work.reveal(taskid, task.resultDigest);
      this.store.update(taskid, "REVEALED", { failure: undefined, detail: undefined });
      this.logger.info(`task ${taskid} revealed (${sent.txHash})`);
      await this.report(taskid, { event: "revealed", txHash: sent.txHash });
    } catch (error) {
      // Nothing is given up here: the scheduler asks again until the reveal deadline.
      this.logger.warn(`task ${taskid}: reveal failed (${(error as Error).message}); will retry when asked`);
    }
  }

  /** Uploads the result zip and tells the scheduler where it is. */
  private async upload(taskid: string): Promise<void> {
    const task = this.store.get(taskid);
    if (!task?.zipFile || (task.state !== "REVEALED" && task.state !== "UPLOADED")) {
      return this.logger.warn(`asked to upload ${taskid}, which this worker has not revealed`);
    }
    try {
      const results =
        task.results ??
        (await this.resultStorage(await this.poco.deals.view(task.dealid)).upload(taskid, task.zipFile, {
          authorization: task.authorization,
        }));
      this.store.update(taskid, "UPLOADED", { results });
      await this.report(taskid, {
        event: "uploaded",
        results,
        resultsCallback: task.resultsCallback ?? "0x",
      });
    } catch (error) {
      const { code, detail } = failureOf(error, "UPLOAD_FAILED");
      await this.report(taskid, { event: "failed", code, detail });
    }
  }

  /** Drops a finished task's work folder. */
  private async forget(taskid: string): Promise<void> {
    const task = this.store.get(taskid);
    if (!task || this.running.has(`run:${taskid}`)) return;
    if (task.state === "DONE" && task.zipFile === undefined) return;
    if (task.state !== "FAILED") this.store.update(taskid, "DONE", { zipFile: undefined });
    await rm(this.workDir(taskid), { recursive: true, force: true });
  }
}
