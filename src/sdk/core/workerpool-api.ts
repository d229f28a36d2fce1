/**
 * The requester's side of a workerpool's API, in the shape of iExec's workerpool API that the official
 * SDK's `task debug` reads: `GET /tasks/{taskid}` (the task and its replicates, no login) and the
 * requester-only app logs (`GET /tasks/logs/challenge?chainId=&address=`, EIP-712 typed data, then
 * `GET /tasks/{taskid}/logs` with the signed challenge in the Authorization header, as the market's
 * login). A workerpool's API URL is found through Compass (`GET {compass}/{chainId}/workerpools/{address}`
 * → `{ apiUrl }`), as the official SDK does. Fields beyond iExec's (failure, appError, refund) are ours;
 * the official clients ignore them.
 */
import { getAddress, type Signer } from "ethers";
import { InvalidInputError, NotFoundError, ServiceError } from "./errors";
import type { FailureGuide } from "./failures";
import { joinUrl, requestJson } from "./http";
import {
  CHALLENGE_DOMAIN_NAME,
  CHALLENGE_DOMAIN_VERSION,
  signChallenge,
  type ChallengeTypedData,
} from "./market/auth";
import type { ErrorResultCode, SchedulerTaskStatus, WorkerFailureCode } from "./scheduler";

const SERVICE = "workerpool API";

/**
 * A task's statuses in the workerpool API (`currentStatus`), in the order a task goes through them:
 * RECEIVED (deal read, not initialized), INITIALIZED (no worker has contributed), RUNNING (contributions
 * arrive), CONSENSUS_REACHED (reveals), RESULT_UPLOADED, COMPLETED; or FAILED (given up: a failure every
 * worker meets) and FINAL_DEADLINE_REACHED (not finalized in time: the requester is refunded by a claim).
 */
export type WorkerpoolTaskStatus =
  | "RECEIVED"
  | "INITIALIZED"
  | "RUNNING"
  | "CONSENSUS_REACHED"
  | "RESULT_UPLOADED"
  | "COMPLETED"
  | "FAILED"
  | "FINAL_DEADLINE_REACHED";

/**
 * A replicate's (one worker's run of the task) statuses: CREATED (given to the worker), COMPUTED,
 * CONTRIBUTED, REVEALED, RESULT_UPLOADED, COMPLETED; or FAILED (the worker refused or failed the task,
 * see `details.cause`).
 */
export type ReplicateStatus =
  "CREATED" | "COMPUTED" | "CONTRIBUTED" | "REVEALED" | "RESULT_UPLOADED" | "COMPLETED" | "FAILED";

/** One status change of a task, with its time (ISO 8601, the scheduler's clock). */
export interface TaskStatusChange {
  status: WorkerpoolTaskStatus;
  date: string;
}

/** One status change of a replicate, with its time (ISO 8601) and, for failures and results, details. */
export interface ReplicateStatusUpdate {
  status: ReplicateStatus;
  date: string;
  /** Who made the change: the worker's report or the scheduler reading the chain. */
  modifier: "WORKER" | "POOL_MANAGER";
  details?: {
    /** The failure or error-result code (WORKER_FAILURE_CODES, APP_CRASHED, APP_TIMEOUT). */
    cause?: WorkerFailureCode | ErrorResultCode;
    /** The worker's own words about the failure. */
    detail?: string;
    /** The app's exit code, on COMPUTED. */
    exitCode?: number;
  };
}

/** One worker's run of a task. */
export interface WorkerpoolReplicate {
  walletAddress: string;
  currentStatus: ReplicateStatus;
  statusUpdateList: ReplicateStatusUpdate[];
  /** The app's exit code as the worker reported it; null before it ran (or when it did not run). */
  appExitCode: number | null;
}

/** Why the task will not complete, when the scheduler knows. */
export interface TaskFailureReport extends FailureGuide {
  code: WorkerFailureCode;
  /** The first reporting worker's detail. */
  detail: string;
  /** How many workers reported this code. */
  witnesses: number;
}

/** The app's failure, for a task that completed with an error result. */
export interface AppErrorReport {
  code: ErrorResultCode;
  /** The app's exit code (null for a timeout). */
  exitCode: number | null;
}

/** The refund of a task that cannot complete. */
export interface RefundReport {
  /** When the requester's stake can be claimed back (the final deadline, unix seconds, chain time). */
  claimableAt: number;
  /** The claim's transaction once the scheduler sent it, else null. */
  claimTx: string | null;
}

/** GET /tasks/{taskid}: iExec's fields, then the scheduler's own (`SchedulerTaskStatus`) and ours. */
export interface WorkerpoolTask extends SchedulerTaskStatus {
  chainTaskId: string;
  chainDealId: string;
  taskIndex: number;
  currentStatus: WorkerpoolTaskStatus;
  dateStatusList: TaskStatusChange[];
  replicates: WorkerpoolReplicate[];
  /** Why the task will not complete; null while it may. */
  failure: TaskFailureReport | null;
  /** For a task completed with an error result: the app's failure; null otherwise. */
  appError: AppErrorReport | null;
  /** For a task that cannot complete: when and how its refund comes; null otherwise. */
  refund: RefundReport | null;
}

/** One worker's app output, the last bytes of each stream (GET /tasks/{taskid}/logs). */
export interface ComputeLogs {
  walletAddress: string;
  stdout: string;
  stderr: string;
}

/** Most of each of stdout and stderr a worker keeps and sends, in bytes: the last MiB. */
export const APP_LOG_LIMIT_BYTES = 1024 * 1024;

/** Options of `WorkerpoolApiClient`. */
export interface WorkerpoolApiClientOptions {
  /** Milliseconds to wait for each answer. */
  timeoutMs?: number;
}

function checkTaskId(taskid: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(taskid))
    throw new InvalidInputError(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
  return taskid.toLowerCase();
}

/** The requester's client of one workerpool's API. */
export class WorkerpoolApiClient {
  constructor(
    readonly url: string,
    private readonly options: WorkerpoolApiClientOptions = {},
  ) {
    if (!/^https?:\/\/\S+$/.test(url))
      throw new InvalidInputError(
        `Invalid workerpool API URL ${JSON.stringify(url)}: give http(s)://host:port.`,
      );
  }

  /** The task and its replicates; `NotFoundError` when the workerpool does not know it. */
  async task(taskid: string): Promise<WorkerpoolTask> {
    const id = checkTaskId(taskid);
    try {
      return await requestJson<WorkerpoolTask>(SERVICE, joinUrl(this.url, `/tasks/${id}`), this.http());
    } catch (error) {
      if (error instanceof ServiceError && error.status === 404)
        throw new NotFoundError(`The workerpool at ${this.url} does not know task ${id}: ${error.message}`);
      throw error;
    }
  }

  /**
   * The app logs of each worker that ran the task; `signer` must be the task's requester and
   * `workerpool` the task's workerpool (the one this API speaks for). The challenge is checked before
   * anything is signed: only a logs challenge naming `workerpool` on `chainId` is signed, with typed
   * data built here, so a hostile API cannot get an order or another service's login signed.
   */
  async logs(taskid: string, signer: Signer, chainId: bigint, workerpool: string): Promise<ComputeLogs[]> {
    const id = checkTaskId(taskid);
    const address = getAddress(await signer.getAddress());
    const url = joinUrl(this.url, "/tasks/logs/challenge", { chainId: chainId.toString(), address });
    const typedData = await requestJson<ChallengeTypedData>(SERVICE, url, this.http());
    const challenge = checkLogsChallenge(typedData, chainId, workerpool);
    if (challenge === undefined)
      throw new ServiceError(
        SERVICE,
        this.url,
        200,
        `the logs challenge is not one for workerpool ${getAddress(workerpool)} on chain ${chainId}: nothing was signed; check the workerpool's API URL in Compass.`,
      );
    const { authorization } = await signChallenge(signer, chainId, challenge);
    const { computeLogsList } = await requestJson<{ computeLogsList: ComputeLogs[] }>(
      SERVICE,
      joinUrl(this.url, `/tasks/${id}/logs`),
      { ...this.http(), headers: { Authorization: authorization } },
    );
    return computeLogsList ?? [];
  }

  private http() {
    return { baseUrl: this.url, timeoutMs: this.options.timeoutMs };
  }
}

/** Start of a logs challenge's text, before the workerpool's address. */
export const LOGS_CHALLENGE_TEXT_PREFIX = "Sign this message to read the task logs of workerpool ";

/**
 * The text of a logs challenge: it names the workerpool, so that neither the market's login nor another
 * workerpool's challenge can be passed off as one (and the other way round).
 */
export function logsChallengeText(workerpool: string, nonce: string): string {
  return `${LOGS_CHALLENGE_TEXT_PREFIX}${getAddress(workerpool)}: ${nonce}`;
}

/**
 * The challenge text of `typedData` when it is exactly a logs challenge for `workerpool` on `chainId`
 * (the market's challenge domain and type, this text and a 64-hex nonce); undefined otherwise.
 */
export function checkLogsChallenge(
  typedData: ChallengeTypedData,
  chainId: bigint,
  workerpool: string,
): string | undefined {
  const data = (typedData as { data?: ChallengeTypedData }).data ?? typedData;
  if (typeof data !== "object" || data === null) return undefined;
  const { domain, types, message, primaryType } = data;
  const challenge = message?.challenge;
  const ownTypes = Object.keys(types ?? {}).filter((name) => name !== "EIP712Domain");
  const fields = types?.Challenge;
  const expected = new RegExp(`^${LOGS_CHALLENGE_TEXT_PREFIX}${getAddress(workerpool)}: [0-9a-f]{64}$`);
  const domainKeys = Object.keys(domain ?? {})
    .sort()
    .join(",");
  if (
    primaryType !== "Challenge" ||
    ownTypes.length !== 1 ||
    !Array.isArray(fields) ||
    fields.length !== 1 ||
    fields[0].name !== "challenge" ||
    fields[0].type !== "string" ||
    domainKeys !== "chainId,name,version" ||
    domain.name !== CHALLENGE_DOMAIN_NAME ||
    domain.version !== CHALLENGE_DOMAIN_VERSION ||
    String(domain.chainId) !== chainId.toString() ||
    typeof challenge !== "string" ||
    !expected.test(challenge)
  )
    return undefined;
  return challenge;
}

/**
 * The API URL of `workerpool` on chain `chainId` as Compass at `compass` knows it; undefined when
 * Compass does not know the workerpool.
 */
export async function lookupWorkerpoolApi(
  compass: string,
  chainId: bigint,
  workerpool: string,
  options: WorkerpoolApiClientOptions = {},
): Promise<string | undefined> {
  try {
    const { apiUrl } = await requestJson<{ apiUrl?: string }>(
      "Compass",
      joinUrl(compass, `/${chainId}/workerpools/${getAddress(workerpool)}`),
      { baseUrl: compass, timeoutMs: options.timeoutMs },
    );
    return apiUrl || undefined;
  } catch (error) {
    if (error instanceof ServiceError && error.status === 404) return undefined;
    throw error;
  }
}
