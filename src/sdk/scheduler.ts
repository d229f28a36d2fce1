/**
 * The scheduler's worker API: the contract between a workerpool's scheduler and its workers, and the client
 * workers use. A worker logs in by signing a one-use challenge (EIP-191) and gets a bearer token; it then
 * polls for instructions (tasks to compute with their authorization, tasks to reveal, results to upload)
 * and reports what it did. The chain stays the judge: the scheduler checks contributions and reveals on
 * chain, and reports only carry what the chain cannot tell (a result's location, why a task failed).
 */
import type { Signer } from "ethers";
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
  "SECRET_MISSING",
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
  | { event: "computed"; resultDigest: string; error?: ErrorResultCode }
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

/** What the scheduler says about itself (GET /status, no login needed). */
export interface SchedulerStatus {
  version: string;
  chainId: string;
  workerpool: string;
  /** Workers seen in the last minute. */
  workers: { address: string; score: string; busy: number; lastSeen: number }[];
  /** Count of tasks per scheduler state. */
  tasks: Record<string, number>;
  /** Last block read. */
  cursor: number;
}

/** Options of `SchedulerClient`. */
export interface SchedulerClientOptions {
  /** Milliseconds to wait for each answer. */
  timeoutMs?: number;
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

  /** Signs a fresh challenge and gets a session token; registers the worker on first login. */
  async login(): Promise<void> {
    const address = await this.signer.getAddress();
    const { challenge } = await requestJson<{ challenge: string }>(
      SERVICE,
      joinUrl(this.url, "/workers/challenge", { address }),
      this.http(),
    );
    const signature = await this.signer.signMessage(schedulerLoginMessage(address, challenge));
    const { token } = await requestJson<{ token: string }>(SERVICE, joinUrl(this.url, "/workers/login"), {
      ...this.http(),
      method: "POST",
      body: { address, challenge, signature },
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
