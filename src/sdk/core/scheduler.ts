/**
 * The scheduler's worker API: the contract between a workerpool's scheduler and its workers, and the client
 * workers use. A worker logs in by signing a one-use challenge (EIP-191) and gets a bearer token; it then
 * polls for instructions (tasks to compute with their authorization, tasks to reveal, results to upload)
 * and reports what it did. The chain stays the judge: the scheduler checks contributions and reveals on
 * chain, and reports only carry what the chain cannot tell (a result's location, why a task failed).
 *
 * TEE: a worker that runs apps in an enclave declares it at login with the enclave's address and that
 * enclave key's signature of `schedulerEnclaveMessage` (proof of possession, one-use like the login).
 * Only such a worker is given the tasks of TEE deals (tag bit 0), with an authorization naming its
 * enclave; a plain worker (no enclave at login) never is. `GET /tasks/{taskid}` tells anyone why a task
 * waits (for example a TEE task while no TEE-capable worker polls).
 */
import { getAddress, type Signer } from "ethers";
import { InvalidInputError, ServiceError } from "./errors";
import { joinUrl, requestJson } from "./http";

const SERVICE = "scheduler";

/** A task handed to a worker, with the scheduler's authorization to contribute. */
export interface TaskAssignment {
  taskid: string;
  dealid: string;
  /** Task index in the deal, as a decimal string. */
  idx: string;
  /** The workerpool owner's EIP-191 signature of keccak256(worker, taskid, enclaveChallenge). */
  authorization: string;
  /** The enclave address the authorization names (the zero address outside TEE). */
  enclaveChallenge: string;
}

/** What a worker is asked to do, answered to each poll. */
export interface WorkerInstructions {
  /** New tasks to compute and contribute to. */
  assign: TaskAssignment[];
  /** Tasks that reached consensus on the worker's contribution: reveal now. */
  reveal: string[];
  /** Tasks whose result this worker is chosen to upload. */
  upload: string[];
  /** Tasks the worker can drop (finalized, claimed, or given up by the scheduler). */
  forget: string[];
}

/**
 * Why a worker's task ended without a contribution, as it reports it. An app that crashes or runs out of
 * time is not among them: it ends in an error result (`error.json`, code APP_CRASHED or APP_TIMEOUT in
 * the "computed" report) that is contributed like any result, so honest workers still agree.
 */
export const WORKER_FAILURE_CODES = [
  "INPUT_FILE_DOWNLOAD_FAILED",
  "APP_CHECKSUM_MISMATCH",
  "APP_IMAGE_PULL_FAILED",
  "DATASET_DOWNLOAD_FAILED",
  "DATASET_BAD_CHECKSUM",
  "DATASET_BAD_ARCHIVE",
  "RESULT_ENCRYPTION_KEY_UNUSABLE",
  "RESULT_STORAGE_UNAVAILABLE",
  "SECRET_MISSING",
  "ENCLAVE_REQUIRED",
  "INSUFFICIENT_STAKE",
  "CONTRIBUTION_DEADLINE_PASSED",
  "TASK_NOT_ACTIVE",
  "CONTRIBUTE_FAILED",
  "REVEAL_FAILED",
  "UPLOAD_FAILED",
  "WORKER_ERROR",
] as const;

/** One of `WORKER_FAILURE_CODES`. */
export type WorkerFailureCode = (typeof WORKER_FAILURE_CODES)[number];

/** Codes of error results: the app ran, and failed in a way every honest worker sees alike. */
export type ErrorResultCode = "APP_CRASHED" | "APP_TIMEOUT";

/** What a worker tells the scheduler about one task. */
export type WorkerReport =
  | {
      event: "computed";
      resultDigest: string;
      error?: ErrorResultCode;
      /** The app's exit code; absent when it was stopped on timeout. */
      exitCode?: number;
    }
  | { event: "contributed"; txHash: string }
  | { event: "revealed"; txHash: string }
  | {
      event: "uploaded";
      /** The task's `results` for finalize: usually a JSON location. */
      results: string;
      /** Callback data (hex) when the app wrote callback.iexec; "0x" otherwise. */
      resultsCallback: string;
    }
  | { event: "finalized"; txHash: string }
  | { event: "failed"; code: WorkerFailureCode; detail: string };

/** The text a worker signs to log in: names the service, the worker and the one-use challenge. */
export function schedulerLoginMessage(worker: string, challenge: string): string {
  return `OpenPoCo scheduler login\nworker: ${worker.toLowerCase()}\nchallenge: ${challenge}`;
}

/**
 * The text a TEE-capable worker's enclave key signs at login: names the worker, the enclave and the
 * login's one-use challenge, so the proof cannot be replayed for another worker or login.
 */
export function schedulerEnclaveMessage(worker: string, enclave: string, challenge: string): string {
  return `OpenPoCo scheduler enclave\nworker: ${worker.toLowerCase()}\nenclave: ${enclave.toLowerCase()}\nchallenge: ${challenge}`;
}

/** A worker's declaration of its enclave at login. */
export interface EnclaveDeclaration {
  /** The enclave's address: what the scheduler's authorizations will name as enclave challenge. */
  address: string;
  /** The enclave key's signature of `schedulerEnclaveMessage(worker, address, challenge)`. */
  signature: string;
}

/** Codes of why a task waits for a worker (`SchedulerTaskStatus.waiting`). */
export type TaskWaitCode =
  | "NOT_INITIALIZED"
  | "DEAL_TAG_UNKNOWN"
  | "TEE_WORKER_NEEDED"
  | "TEE_BROKER_SIGNS"
  | "NO_WORKER"
  | "GIVEN_UP";

/** What the scheduler says about one task (GET /tasks/{taskid}, no login needed). */
export interface SchedulerTaskStatus {
  taskid: string;
  dealid: string;
  idx: string;
  /** The scheduler's state: pending, active, revealing, completed, failed. */
  state: string;
  /** The deal's tag, null while unknown. */
  tag: string | null;
  /** True for a TEE task (tag bit 0): only enclave-bearing workers are given it. */
  tee: boolean;
  /** Workers given the task that still count (not failed). */
  workers: number;
  /** Why no worker runs it, when none does; null otherwise. */
  waiting: { code: TaskWaitCode; message: string } | null;
}

/** What the scheduler says about itself (GET /status, no login needed). */
export interface SchedulerStatus {
  version: string;
  chainId: string;
  workerpool: string;
  /** Workers seen in the last minute; `enclave` is null for a plain (not TEE-capable) worker. */
  workers: { address: string; score: string; busy: number; lastSeen: number; enclave: string | null }[];
  /** Count of tasks per scheduler state. */
  tasks: Record<string, number>;
  /** Last block read. */
  cursor: number;
}

/** Options of `SchedulerClient`. */
export interface SchedulerClientOptions {
  /** Milliseconds to wait for each answer. */
  timeoutMs?: number;
  /**
   * The key of the worker's enclave, for a TEE-capable worker: declared at each login. Without it (a
   * plain worker) the scheduler never hands the worker a TEE task.
   */
  enclave?: Signer;
}

/** The worker's side of the scheduler API. */
export class SchedulerClient {
  private token: string | undefined;

  constructor(
    readonly url: string,
    private readonly signer: Signer,
    private readonly options: SchedulerClientOptions = {},
  ) {
    if (!/^https?:\/\/\S+$/.test(url))
      throw new InvalidInputError(`Invalid scheduler URL ${JSON.stringify(url)}: give http(s)://host:port.`);
  }

  /** The scheduler's public status. */
  async status(): Promise<SchedulerStatus> {
    return requestJson<SchedulerStatus>(SERVICE, joinUrl(this.url, "/status"), this.http());
  }

  /** What the scheduler says about `taskid`, including why it waits (no login needed). */
  async task(taskid: string): Promise<SchedulerTaskStatus> {
    if (!/^0x[0-9a-fA-F]{64}$/.test(taskid))
      throw new InvalidInputError(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
    return requestJson<SchedulerTaskStatus>(SERVICE, joinUrl(this.url, `/tasks/${taskid}`), this.http());
  }

  /**
   * Signs a fresh challenge and gets a session token; registers the worker on first login. A TEE-capable
   * worker (an `enclave` option) declares its enclave, proven by the enclave key's signature.
   */
  async login(): Promise<void> {
    const address = await this.signer.getAddress();
    const { challenge } = await requestJson<{ challenge: string }>(
      SERVICE,
      joinUrl(this.url, "/workers/challenge", { address }),
      this.http(),
    );
    const signature = await this.signer.signMessage(schedulerLoginMessage(address, challenge));
    let enclave: EnclaveDeclaration | undefined;
    if (this.options.enclave) {
      const enclaveAddress = getAddress(await this.options.enclave.getAddress());
      enclave = {
        address: enclaveAddress,
        signature: await this.options.enclave.signMessage(
          schedulerEnclaveMessage(address, enclaveAddress, challenge),
        ),
      };
    }
    const { token } = await requestJson<{ token: string }>(SERVICE, joinUrl(this.url, "/workers/login"), {
      ...this.http(),
      method: "POST",
      body: { address, challenge, signature, ...(enclave ? { enclave } : {}) },
    });
    this.token = token;
  }

  /** Asks for instructions; `slots` is how many new tasks the worker can take now. */
  async poll(slots: number): Promise<WorkerInstructions> {
    return this.authorized((headers) =>
      requestJson<WorkerInstructions>(SERVICE, joinUrl(this.url, "/workers/poll"), {
        ...this.http(),
        method: "POST",
        headers,
        body: { slots },
      }),
    );
  }

  /** Reports what happened to one of the worker's tasks. */
  async report(taskid: string, report: WorkerReport): Promise<void> {
    await this.authorized((headers) =>
      requestJson<{ ok: boolean }>(SERVICE, joinUrl(this.url, `/tasks/${taskid}/report`), {
        ...this.http(),
        method: "POST",
        headers,
        body: report,
      }),
    );
  }

  /**
   * Sends the end of the app's stdout and stderr of a run of `taskid` (at most APP_LOG_LIMIT_BYTES of
   * each, the last bytes); the scheduler keeps them for the task's requester.
   */
  async sendLogs(taskid: string, logs: { stdout: string; stderr: string }): Promise<void> {
    await this.authorized((headers) =>
      requestJson<{ ok: boolean }>(SERVICE, joinUrl(this.url, `/tasks/${taskid}/logs`), {
        ...this.http(),
        method: "POST",
        headers,
        body: { stdout: logs.stdout, stderr: logs.stderr },
      }),
    );
  }

  private http() {
    return { baseUrl: this.url, timeoutMs: this.options.timeoutMs };
  }

  // Logs in when there is no session yet, and once more when the scheduler forgot it (restart, expiry).
  private async authorized<T>(call: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    if (!this.token) await this.login();
    try {
      return await call({ Authorization: `Bearer ${this.token}` });
    } catch (error) {
      if (!(error instanceof ServiceError) || error.status !== 401) throw error;
      await this.login();
      return call({ Authorization: `Bearer ${this.token}` });
    }
  }
}
