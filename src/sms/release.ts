/**
 * Rules of releasing a task's secrets to a worker: the worker proves who it is with a fresh signature
 * used once, the task is ACTIVE on chain, the workerpool owner authorized this worker on this task,
 * and then only the secrets of the task's own deal go out. Every answer, release or refusal, is
 * written to the audit log with the names of what was released, never the values.
 */
import { ZeroAddress, getAddress, isHexString, verifyMessage, getBytes } from "ethers";
import { ForbiddenError, InvalidInputError, OpenPocoError, UnauthorizedError } from "../sdk/errors";
import type { ServiceLogger } from "../sdk/logger";
import { parseParams } from "../sdk/params";
import {
  APP_SECRET_INDEX,
  RESULT_ENCRYPTION_KEY_NAME,
  TASK_SECRETS_MAX_AGE_MS,
  recoverSmsSigner,
  taskSecretsChallenge,
  type TaskSecrets,
} from "../sdk/sms";
import { TaskStatus, authorizationMessage } from "../sdk/tasks";
import { COMMON_STATUS_OF_CODE } from "../server/json-errors";
import type { SmsChain } from "./chain";
import { REQUESTER_SECRET_NAME } from "./secrets";
import type { SmsStore } from "./store";

/** A worker's request, as the server received it (unchecked). */
export interface ReleaseRequest {
  taskid: string;
  /** The Authorization header: the worker's signature of the challenge. */
  signature: string | undefined;
  body: unknown;
}

function invalid(message: string): never {
  throw new InvalidInputError(message);
}

interface CheckedBody {
  worker: string;
  timestamp: number;
  authorization: string;
}

function checkBody(body: unknown): CheckedBody {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    invalid('The body is not a JSON object: send {"worker", "timestamp", "authorization"}.');
  const { worker, timestamp, authorization } = body as Record<string, unknown>;
  if (typeof worker !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(worker))
    invalid(`Invalid worker ${JSON.stringify(worker)}: send the worker's 0x address.`);
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0)
    invalid(`Invalid timestamp ${JSON.stringify(timestamp)}: send the time of signing in unix ms.`);
  if (typeof authorization !== "string" || !isHexString(authorization, 65))
    invalid(
      "Invalid authorization: send the scheduler's 65-byte signature of the worker's authorization on the task.",
    );
  return { worker: getAddress(worker), timestamp, authorization };
}

/** Decides and performs releases. */
export class ReleaseDesk {
  constructor(
    private readonly store: SmsStore,
    private readonly chain: SmsChain,
    private readonly logger: ServiceLogger,
    private readonly maxAgeMs: number = TASK_SECRETS_MAX_AGE_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The secrets of the task's deal for an authorized worker; refusals throw (and are audited). */
  async release(request: ReleaseRequest): Promise<TaskSecrets> {
    const taskid = request.taskid.toLowerCase();
    const claimed = (request.body as { worker?: unknown } | null)?.worker;
    let worker = typeof claimed === "string" ? claimed : "";
    try {
      const body = checkBody(request.body);
      worker = body.worker;
      const { secrets, released } = await this.check(taskid, body, request.signature);
      this.store.audit({
        time: this.clock(),
        taskid,
        worker,
        outcome: "released",
        status: 200,
        released,
        reason: secrets.missing.length > 0 ? `missing: ${secrets.missing.join(", ")}` : "",
      });
      this.logger.info(`Released [${released.join(", ")}] of task ${taskid} to worker ${worker}.`);
      return secrets;
    } catch (error) {
      const status = error instanceof OpenPocoError ? COMMON_STATUS_OF_CODE[error.code] : undefined;
      this.store.audit({
        time: this.clock(),
        taskid,
        worker: worker.slice(0, 42),
        outcome: "refused",
        status: status ?? 503,
        released: [],
        reason: error instanceof Error ? error.message : String(error),
      });
      this.logger.warn(
        `Refused the secrets of task ${taskid} to ${worker || "an unnamed worker"}: ${String(error)}`,
      );
      throw error;
    }
  }

  private async check(
    taskid: string,
    body: CheckedBody,
    signature: string | undefined,
  ): Promise<{ secrets: TaskSecrets; released: string[] }> {
    if (!/^0x[0-9a-f]{64}$/.test(taskid))
      invalid(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
    const { worker, timestamp, authorization } = body;
    const challenge = taskSecretsChallenge(taskid, worker, timestamp);
    if (!signature)
      throw new UnauthorizedError(
        "No Authorization header: send the worker's personal signature of the task-secrets challenge.",
      );
    let signer: string;
    try {
      signer = recoverSmsSigner(challenge, signature);
    } catch {
      throw new UnauthorizedError(
        "The Authorization header is not a valid signature: send the worker's personal signature of the task-secrets challenge.",
      );
    }
    if (signer !== worker)
      throw new UnauthorizedError(
        `The request is signed by ${signer}, not by the worker ${worker}: sign the challenge of this task, worker and timestamp with the worker's wallet.`,
      );
    const now = this.clock();
    if (Math.abs(now - timestamp) > this.maxAgeMs)
      throw new UnauthorizedError(
        `The request was signed at ${timestamp}, more than ${this.maxAgeMs / 1000} s from the SMS's clock (${now}): sign a fresh one and check the worker's clock.`,
      );
    if (!this.store.useSignature(challenge, timestamp + this.maxAgeMs, now))
      throw new UnauthorizedError("This signed request was already used: sign a fresh one for each request.");

    const task = await this.chain.task(taskid);
    if (task.status !== TaskStatus.ACTIVE)
      throw new ForbiddenError(
        `Task ${taskid} is ${task.statusName}, not ACTIVE: secrets are released only to run a task still open for contributions.`,
      );
    if (task.claimable)
      throw new ForbiddenError(`Task ${taskid} is past its final deadline: it can only be claimed now.`);
    const deal = await this.chain.deal(task.dealid);
    let scheduler: string;
    try {
      scheduler = verifyMessage(getBytes(authorizationMessage(worker, taskid, ZeroAddress)), authorization);
    } catch {
      throw new ForbiddenError(
        `The authorization is not a valid signature: ask the scheduler of workerpool ${deal.workerpool.pointer} for this task.`,
      );
    }
    if (scheduler !== getAddress(deal.workerpool.owner))
      throw new ForbiddenError(
        `Worker ${worker} is not authorized on task ${taskid}: the authorization must be signed by ${deal.workerpool.owner}, the owner of workerpool ${deal.workerpool.pointer}, for this worker and task.`,
      );
    return this.collect(deal);
  }

  private collect(deal: Awaited<ReturnType<SmsChain["deal"]>>): { secrets: TaskSecrets; released: string[] } {
    const secrets: TaskSecrets = { requesterSecrets: {}, missing: [] };
    const released: string[] = [];
    if (deal.dataset.pointer !== ZeroAddress) {
      const key = this.store.read({ kind: "web3", owner: getAddress(deal.dataset.pointer), name: "" });
      if (key === undefined) secrets.missing.push("datasetKey");
      else {
        secrets.datasetKey = key;
        released.push("datasetKey");
      }
    }
    const appSecret = this.store.read({
      kind: "app",
      owner: getAddress(deal.app.pointer),
      name: APP_SECRET_INDEX,
    });
    if (appSecret !== undefined) {
      secrets.appSecret = appSecret;
      released.push("appSecret");
    }
    const params = parseParams(deal.params);
    const named = params.iexec_secrets;
    if (named !== undefined && typeof named === "object" && named !== null && !Array.isArray(named)) {
      const requester = getAddress(deal.requester);
      for (const [index, name] of Object.entries(named)) {
        if (!/^[1-9]\d{0,3}$/.test(index) || typeof name !== "string" || !REQUESTER_SECRET_NAME.test(name)) {
          secrets.missing.push(`requesterSecret:${index}`);
          continue;
        }
        const value = this.store.read({ kind: "web2", owner: requester, name });
        if (value === undefined) secrets.missing.push(`requesterSecret:${index}`);
        else {
          secrets.requesterSecrets[index] = value;
          released.push(`requesterSecret:${index}=${name}`);
        }
      }
    }
    if (params.iexec_result_encryption === true) {
      const key = this.store.read({
        kind: "web2",
        owner: getAddress(deal.beneficiary),
        name: RESULT_ENCRYPTION_KEY_NAME,
      });
      if (key === undefined) secrets.missing.push("resultEncryptionKey");
      else {
        secrets.resultEncryptionKey = key;
        released.push("resultEncryptionKey");
      }
    }
    return { secrets, released };
  }
}
