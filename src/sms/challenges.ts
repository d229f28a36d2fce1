/**
 * Enclave challenges of TEE tasks, as iExec's SMS issues them: the workerpool owner (the scheduler)
 * asks for a task's challenge before it authorizes a worker, and the SMS makes one key pair per task
 * (sealed by the vault, never a second one). The development enclave then fetches the challenge's
 * private key, after the checks of the secrets' release (a fresh worker signature used once, the task
 * ACTIVE, the authorization of this worker, task and challenge by the expected authorizer) and the
 * enclave verifier's (enclave.ts). Every answer is written to the audit log; a key never is.
 * Protocol in sdk/node/sms.ts.
 */
import { Wallet, getAddress, getBytes, isHexString, verifyMessage } from "ethers";
import { ForbiddenError, InvalidInputError, OpenPocoError, UnauthorizedError } from "../sdk/core/errors";
import type { ServiceLogger } from "../sdk/core/logger";
import { isTeeTag } from "../sdk/core/matching";
import { TaskStatus, authorizationMessage, computeTaskId, expectedAuthorizer } from "../sdk/core/tasks";
import {
  TASK_SECRETS_MAX_AGE_MS,
  devEnclaveKeyRequestMessage,
  recoverSmsSigner,
  teeChallengeRequestMessage,
  type DevEnclaveKey,
  type TaskEnclaveChallenge,
} from "../sdk/node/sms";
import { COMMON_STATUS_OF_CODE } from "../server/json-errors";
import type { SmsChain } from "./chain";
import type { EnclaveVerifier } from "./enclave";
import {
  EnclaveKeyNotAuthorizedError,
  NonTeeDealError,
  SMS_STATUS_OF_CODE,
  UnknownEnclaveChallengeError,
} from "./errors";
import type { AuditAction, SmsStore } from "./store";

/** A signed request as the server received it (unchecked). */
export interface SignedRequest {
  taskid: string;
  /** The Authorization header: the requester's personal signature of the request's message. */
  signature: string | undefined;
  body: unknown;
}

function invalid(message: string): never {
  throw new InvalidInputError(message);
}

function objectBody(body: unknown, fields: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    invalid(`The body is not a JSON object: send {${fields}}.`);
  return body as Record<string, unknown>;
}

function checkTaskid(taskid: string): string {
  const id = taskid.toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(id))
    invalid(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
  return id;
}

function checkTimestamp(timestamp: unknown): number {
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0)
    invalid(`Invalid timestamp ${JSON.stringify(timestamp)}: send the time of signing in unix ms.`);
  return timestamp;
}

function checkAddressField(name: string, value: unknown, what: string): string {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value))
    invalid(`Invalid ${name} ${JSON.stringify(value)}: send ${what}.`);
  return getAddress(value.toLowerCase());
}

/** The body of a challenge request, checked against the task id: keccak256(dealid, idx) must be it. */
function checkChallengeBody(
  taskid: string,
  body: unknown,
): { dealid: string; idx: bigint; timestamp: number } {
  const { dealid, idx, timestamp } = objectBody(body, '"dealid", "idx", "timestamp"');
  if (typeof dealid !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(dealid))
    invalid(`Invalid dealid ${JSON.stringify(dealid)}: send the task's deal id (0x + 64 hex digits).`);
  const index =
    typeof idx === "string" && /^\d{1,20}$/.test(idx)
      ? BigInt(idx)
      : typeof idx === "number" && Number.isSafeInteger(idx) && idx >= 0
        ? BigInt(idx)
        : invalid(`Invalid idx ${JSON.stringify(idx)}: send the task's index in the deal.`);
  const checkedTimestamp = checkTimestamp(timestamp);
  const expected = computeTaskId(dealid.toLowerCase(), index);
  if (expected !== taskid)
    invalid(
      `Task ${taskid} is not task ${index} of deal ${dealid} (that one is ${expected}): send the deal id and index the task id is made of.`,
    );
  return { dealid: dealid.toLowerCase(), idx: index, timestamp: checkedTimestamp };
}

interface KeyBody {
  worker: string;
  timestamp: number;
  authorization: string;
  enclaveChallenge: string;
}

function checkKeyBody(body: unknown): KeyBody {
  const fields = objectBody(body, '"worker", "timestamp", "authorization", "enclaveChallenge"');
  const worker = checkAddressField("worker", fields.worker, "the worker's 0x address");
  const timestamp = checkTimestamp(fields.timestamp);
  if (typeof fields.authorization !== "string" || !isHexString(fields.authorization, 65))
    invalid(
      "Invalid authorization: send the scheduler's 65-byte signature of the worker's authorization on the task, naming the enclave challenge.",
    );
  const enclaveChallenge = checkAddressField(
    "enclaveChallenge",
    fields.enclaveChallenge,
    "the task's enclave challenge as the SMS issued it",
  );
  return { worker, timestamp, authorization: fields.authorization, enclaveChallenge };
}

/** Issues enclave challenges and releases their keys to development enclaves. */
export class ChallengeDesk {
  constructor(
    private readonly store: SmsStore,
    private readonly chain: SmsChain,
    private readonly verifier: EnclaveVerifier,
    private readonly logger: ServiceLogger,
    private readonly maxAgeMs: number = TASK_SECRETS_MAX_AGE_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The task's enclave challenge for its workerpool's owner, created on the first request. */
  async issue(request: SignedRequest): Promise<TaskEnclaveChallenge> {
    let requester = "";
    return this.audited(
      "challenge",
      request.taskid,
      () => requester,
      async (taskid) => {
        const { dealid, idx, timestamp } = checkChallengeBody(taskid, request.body);
        const message = teeChallengeRequestMessage(taskid, dealid, idx, timestamp);
        requester = this.signerOf(
          message,
          request.signature,
          "the workerpool owner",
          "TEE challenge request",
        );
        const deal = await this.chain.deal(dealid);
        if (idx < deal.botFirst || idx >= deal.botFirst + deal.botSize)
          throw new InvalidInputError(
            `Deal ${dealid} has tasks ${deal.botFirst} to ${deal.botFirst + deal.botSize - 1n}, not ${idx}: ask for one of its tasks.`,
          );
        const owner = getAddress(deal.workerpool.owner);
        if (requester !== owner)
          throw new ForbiddenError(
            `The request is signed by ${requester}, not by ${owner}, the owner of workerpool ${deal.workerpool.pointer} of deal ${dealid}: only the deal's workerpool owner (its scheduler) gets a task's enclave challenge.`,
          );
        // Used up only once the owner is known: anyone else signing the owner's message burns nothing.
        this.checkFresh(message, timestamp);
        if (!isTeeTag(deal.tag))
          throw new NonTeeDealError(
            `Deal ${dealid} is not a TEE deal (tag ${deal.tag}, bit 0 unset): a challenge for a non-TEE deal is refused. Run its tasks on plain workers, with authorizations naming no enclave.`,
          );
        const { challenge, created } = this.store.challengeFor(
          taskid,
          dealid,
          () => {
            const wallet = Wallet.createRandom();
            return { address: wallet.address, privateKey: wallet.privateKey };
          },
          this.clock(),
        );
        return {
          answer: { taskid, enclaveChallenge: challenge.address },
          enclave: challenge.address,
          released: ["enclaveChallenge"],
          reason: created ? "new challenge" : "existing challenge",
        };
      },
    );
  }

  /** The challenge's private key, for the development enclave of the task's authorized worker. */
  async releaseKey(request: SignedRequest): Promise<DevEnclaveKey> {
    const raw = (request.body ?? {}) as { worker?: unknown; enclaveChallenge?: unknown };
    let worker = typeof raw.worker === "string" ? raw.worker.slice(0, 42) : "";
    let enclave = typeof raw.enclaveChallenge === "string" ? raw.enclaveChallenge.slice(0, 42) : "";
    return this.audited(
      "enclave-key",
      request.taskid,
      () => worker,
      async (taskid) => {
        const body = checkKeyBody(request.body);
        worker = body.worker;
        enclave = body.enclaveChallenge;
        const message = devEnclaveKeyRequestMessage(taskid, worker, enclave, body.timestamp);
        const signer = this.signerOf(
          message,
          request.signature,
          `the worker ${worker}`,
          "enclave key request",
        );
        if (signer !== worker)
          throw new UnauthorizedError(
            `The request is signed by ${signer}, not by the worker ${worker}: sign the enclave key request of this task, worker, challenge and timestamp with the worker's wallet.`,
          );
        this.checkFresh(message, body.timestamp);
        const challenge = this.store.challenge(taskid);
        if (challenge === undefined || challenge.address !== enclave)
          throw new UnknownEnclaveChallengeError(
            `This SMS did not issue enclave challenge ${enclave} for task ${taskid}: the scheduler must get the task's challenge from this SMS (POST /tee/challenges/${taskid}) and name it in the authorization.`,
          );
        const task = await this.chain.task(taskid);
        if (task.status !== TaskStatus.ACTIVE)
          throw new ForbiddenError(
            `Task ${taskid} is ${task.statusName}, not ACTIVE: an enclave key is released only to run a task still open for contributions.`,
          );
        if (task.claimable)
          throw new ForbiddenError(`Task ${taskid} is past its final deadline: it can only be claimed now.`);
        const deal = await this.chain.deal(task.dealid);
        const teeBroker = await this.chain.teeBroker();
        const authorizer = getAddress(
          expectedAuthorizer(deal.workerpool.owner, teeBroker, enclave, deal.tag),
        );
        let scheduler = "";
        try {
          scheduler = verifyMessage(
            getBytes(authorizationMessage(worker, taskid, enclave)),
            body.authorization,
          );
        } catch {
          // Not a signature at all: refused below like a signature of something else.
        }
        if (scheduler !== authorizer)
          throw new EnclaveKeyNotAuthorizedError(
            `The authorization does not name worker ${worker} on task ${taskid} with enclave challenge ${enclave}, signed by ${authorizer} (${authorizer === getAddress(deal.workerpool.owner) ? `the owner of workerpool ${deal.workerpool.pointer}` : "the hub's TEE broker"}): a dev-enclave key request for another worker's task is refused. Ask the scheduler to authorize this worker with the task's challenge.`,
          );
        await this.verifier.verify({
          releasing: "the task's enclave key",
          taskid,
          worker,
          enclaveChallenge: enclave,
          requestMessage: message,
          body: request.body,
        });
        const privateKey = this.store.challengeKey(taskid);
        if (privateKey === undefined)
          throw new UnknownEnclaveChallengeError(
            `The key of task ${taskid}'s challenge is gone from this SMS.`,
          );
        return {
          answer: { taskid, enclaveChallenge: enclave, privateKey, warning: this.verifier.warning ?? "" },
          enclave,
          released: ["enclaveKey"],
          reason: this.verifier.warning ?? "",
        };
      },
      () => enclave,
    );
  }

  /** The signer of `message`, or a 401 naming who should have signed it. */
  private signerOf(message: string, signature: string | undefined, who: string, what: string): string {
    if (!signature)
      throw new UnauthorizedError(
        `No Authorization header: send ${who}'s personal signature of the ${what}.`,
      );
    try {
      return recoverSmsSigner(message, signature);
    } catch {
      throw new UnauthorizedError(
        `The Authorization header is not a valid signature: send ${who}'s personal signature of the ${what}.`,
      );
    }
  }

  /** Refuses a stale request, then records its message as used (a replay is refused). */
  private checkFresh(message: string, timestamp: number): void {
    const now = this.clock();
    if (Math.abs(now - timestamp) > this.maxAgeMs)
      throw new UnauthorizedError(
        `The request was signed at ${timestamp}, more than ${this.maxAgeMs / 1000} s from the SMS's clock (${now}): sign a fresh one and check the signer's clock.`,
      );
    if (!this.store.useSignature(message, timestamp + this.maxAgeMs, now))
      throw new UnauthorizedError("This signed request was already used: sign a fresh one for each request.");
  }

  /** Runs `work` and writes its answer, or its refusal, to the audit log (never a key). */
  private async audited<T>(
    action: AuditAction,
    rawTaskid: string,
    who: () => string,
    work: (taskid: string) => Promise<{ answer: T; enclave: string; released: string[]; reason: string }>,
    enclaveOnRefusal: () => string = () => "",
  ): Promise<T> {
    const what = action === "challenge" ? "enclave challenge" : "enclave key";
    try {
      const taskid = checkTaskid(rawTaskid);
      const done = await work(taskid);
      this.store.audit({
        time: this.clock(),
        action,
        taskid,
        worker: who(),
        enclave: done.enclave,
        outcome: "released",
        status: 200,
        code: "",
        released: done.released,
        withheld: [],
        reason: done.reason,
      });
      this.logger.info(`Released the ${what} ${done.enclave} of task ${taskid} to ${who()}.`);
      if (action === "enclave-key" && done.reason) this.logger.warn(done.reason);
      return done.answer;
    } catch (error) {
      const code = error instanceof OpenPocoError ? error.code : "";
      const status = { ...COMMON_STATUS_OF_CODE, ...SMS_STATUS_OF_CODE }[code];
      this.store.audit({
        time: this.clock(),
        action,
        taskid: rawTaskid.slice(0, 66),
        worker: who(),
        enclave: enclaveOnRefusal(),
        outcome: "refused",
        status: status ?? 503,
        code,
        released: [],
        withheld: [action === "challenge" ? "enclaveChallenge" : "enclaveKey"],
        reason: error instanceof Error ? error.message : String(error),
      });
      this.logger.warn(
        `Refused the ${what} of task ${rawTaskid} to ${who() || "an unnamed requester"}: ${String(error)}`,
      );
      throw error;
    }
  }
}
