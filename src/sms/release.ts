/**
 * Rules of releasing a task's secrets to a worker: the worker proves who it is with a fresh signature
 * used once, the task is ACTIVE on chain, the workerpool owner (or the TEE broker, for an enclave)
 * authorized this worker on this task, and then only the secrets of the task's own deal go out. A TEE
 * deal's secrets (tag bit 0) go only to an enclave request: the authorization names the enclave and the
 * enclave's key signed the request (protocol in sdk/node/sms.ts). Every answer, release or refusal, is
 * written to the audit log with the names of what was released or withheld, never the values.
 */
import { ZeroAddress, getAddress, isHexString, verifyMessage, getBytes } from "ethers";
import { ForbiddenError, InvalidInputError, OpenPocoError, UnauthorizedError } from "../sdk/core/errors";
import type { ServiceLogger } from "../sdk/core/logger";
import { isTeeTag } from "../sdk/core/matching";
import { parseParams } from "../sdk/core/params";
import {
  APP_SECRET_INDEX,
  RESULT_ENCRYPTION_KEY_NAME,
  TASK_SECRETS_MAX_AGE_MS,
  enclaveTaskSecretsChallenge,
  recoverSmsSigner,
  taskSecretsChallenge,
  type TaskSecrets,
} from "../sdk/node/sms";
import { TaskStatus, authorizationMessage, expectedAuthorizer } from "../sdk/core/tasks";
import { COMMON_STATUS_OF_CODE } from "../server/json-errors";
import type { SmsChain } from "./chain";
import type { EnclaveVerifier } from "./enclave";
import { EnclaveProofError, EnclaveRequiredError, SMS_STATUS_OF_CODE } from "./errors";
import { REQUESTER_SECRET_NAME } from "./secrets";
import type { SecretPlace, SmsStore } from "./store";

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
  /** The enclave the request names; undefined for a plain request (also when it names the zero address). */
  enclave?: string;
  enclaveSignature?: string;
}

function checkBody(body: unknown): CheckedBody {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    invalid('The body is not a JSON object: send {"worker", "timestamp", "authorization"}.');
  const { worker, timestamp, authorization, enclaveChallenge, enclaveSignature } = body as Record<
    string,
    unknown
  >;
  if (typeof worker !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(worker))
    invalid(`Invalid worker ${JSON.stringify(worker)}: send the worker's 0x address.`);
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0)
    invalid(`Invalid timestamp ${JSON.stringify(timestamp)}: send the time of signing in unix ms.`);
  if (typeof authorization !== "string" || !isHexString(authorization, 65))
    invalid(
      "Invalid authorization: send the scheduler's 65-byte signature of the worker's authorization on the task.",
    );
  if (
    enclaveChallenge !== undefined &&
    (typeof enclaveChallenge !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(enclaveChallenge))
  )
    invalid(
      `Invalid enclaveChallenge ${JSON.stringify(enclaveChallenge)}: send the 0x address of the enclave the authorization names.`,
    );
  if (enclaveSignature !== undefined && typeof enclaveSignature !== "string")
    invalid(
      "Invalid enclaveSignature: send the enclave key's signature of the request's challenge as 0x hex.",
    );
  const enclave =
    enclaveChallenge !== undefined && BigInt(enclaveChallenge) !== 0n
      ? getAddress(enclaveChallenge.toLowerCase())
      : undefined;
  return { worker: getAddress(worker), timestamp, authorization, enclave, enclaveSignature };
}

/** A secret of a deal: its name in answers and in the audit log, where it is stored. */
interface DealSecret {
  name: string;
  place: SecretPlace;
  /** Where it goes in the answer. */
  slot: "datasetKey" | "appSecret" | "resultEncryptionKey" | { requesterSecret: string };
}

/** Decides and performs releases. */
export class ReleaseDesk {
  constructor(
    private readonly store: SmsStore,
    private readonly chain: SmsChain,
    private readonly logger: ServiceLogger,
    /**
     * Judges the enclave of a TEE deal's request, after every other check: without a TEE mode, no
     * enclave can prove itself and no TEE deal's secret goes out (a workerpool owner could otherwise
     * name a key of its own as the enclave).
     */
    private readonly verifier: EnclaveVerifier,
    private readonly maxAgeMs: number = TASK_SECRETS_MAX_AGE_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The secrets of the task's deal for an authorized worker; refusals throw (and are audited). */
  async release(request: ReleaseRequest): Promise<TaskSecrets> {
    const taskid = request.taskid.toLowerCase();
    const raw = (request.body ?? {}) as { worker?: unknown; enclaveChallenge?: unknown };
    let worker = typeof raw.worker === "string" ? raw.worker : "";
    let enclave = typeof raw.enclaveChallenge === "string" ? raw.enclaveChallenge : "";
    // Names of the secrets at stake, once the deal is known: what a refusal withheld.
    let atStake: DealSecret[] = [];
    try {
      const body = checkBody(request.body);
      worker = body.worker;
      enclave = body.enclave ?? "";
      const { secrets, released } = await this.check(taskid, body, request.signature, (names) => {
        atStake = names;
      });
      this.store.audit({
        time: this.clock(),
        taskid,
        worker,
        enclave,
        outcome: "released",
        status: 200,
        code: "",
        released,
        withheld: [],
        reason: secrets.missing.length > 0 ? `missing: ${secrets.missing.join(", ")}` : "",
      });
      this.logger.info(`Released [${released.join(", ")}] of task ${taskid} to worker ${worker}.`);
      return secrets;
    } catch (error) {
      const code = error instanceof OpenPocoError ? error.code : "";
      const status = { ...COMMON_STATUS_OF_CODE, ...SMS_STATUS_OF_CODE }[code];
      this.store.audit({
        time: this.clock(),
        taskid,
        worker: worker.slice(0, 42),
        enclave: enclave.slice(0, 42),
        outcome: "refused",
        status: status ?? 503,
        code,
        released: [],
        withheld: atStake.map((secret) => secret.name),
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
    atStake: (secrets: DealSecret[]) => void,
  ): Promise<{ secrets: TaskSecrets; released: string[] }> {
    if (!/^0x[0-9a-f]{64}$/.test(taskid))
      invalid(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
    const { worker, timestamp, authorization, enclave } = body;
    const challenge =
      enclave === undefined
        ? taskSecretsChallenge(taskid, worker, timestamp)
        : enclaveTaskSecretsChallenge(taskid, worker, enclave, timestamp);
    const what = enclave === undefined ? "task-secrets challenge" : "enclave task-secrets challenge";
    if (!signature)
      throw new UnauthorizedError(
        `No Authorization header: send the worker's personal signature of the ${what}.`,
      );
    let signer: string;
    try {
      signer = recoverSmsSigner(challenge, signature);
    } catch {
      throw new UnauthorizedError(
        `The Authorization header is not a valid signature: send the worker's personal signature of the ${what}.`,
      );
    }
    if (signer !== worker)
      throw new UnauthorizedError(
        `The request is signed by ${signer}, not by the worker ${worker}: sign the challenge of this task, worker${enclave === undefined ? "" : ", enclave"} and timestamp with the worker's wallet.`,
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
    const secrets = this.secretsOf(deal);
    atStake(secrets.held);
    if (isTeeTag(deal.tag) && enclave === undefined)
      throw new EnclaveRequiredError(
        `Task ${taskid} belongs to TEE deal ${task.dealid} (tag ${deal.tag}): its secrets go only to an enclave-bearing worker, and this request names no enclave. Run the task on a TEE-capable worker: it asks with enclaveChallenge (the enclave its authorization names) and enclaveSignature (that enclave's signature of the request).`,
      );
    if (enclave !== undefined) this.checkEnclave(challenge, enclave, body.enclaveSignature);
    const teeBroker = enclave === undefined ? ZeroAddress : await this.chain.teeBroker();
    const authorizer = getAddress(
      expectedAuthorizer(deal.workerpool.owner, teeBroker, enclave ?? ZeroAddress, deal.tag),
    );
    const whose =
      authorizer === getAddress(deal.workerpool.owner)
        ? `${authorizer}, the owner of workerpool ${deal.workerpool.pointer}`
        : `${authorizer}, the hub's TEE broker`;
    let scheduler: string;
    try {
      scheduler = verifyMessage(
        getBytes(authorizationMessage(worker, taskid, enclave ?? ZeroAddress)),
        authorization,
      );
    } catch {
      throw new ForbiddenError(
        `The authorization is not a valid signature: ask the scheduler of workerpool ${deal.workerpool.pointer} for this task.`,
      );
    }
    if (scheduler !== authorizer)
      throw new ForbiddenError(
        `Worker ${worker} is not authorized on task ${taskid}${enclave === undefined ? "" : ` with enclave ${enclave}`}: the authorization must be signed by ${whose}, for this worker${enclave === undefined ? "" : ", enclave"} and task.`,
      );
    if (enclave !== undefined)
      await this.verifier.verify({
        releasing: "the TEE deal's secrets",
        taskid,
        worker,
        enclaveChallenge: enclave,
        requestMessage: challenge,
        body,
      });
    return this.read(secrets.held, secrets.missing);
  }

  /**
   * The enclave's proof of possession: its key signed this very request. A real enclave's attestation
   * (a quote whose report data is this key's address, checked against the expected measurement) would be
   * verified here too, before the authorization.
   */
  private checkEnclave(challenge: string, enclave: string, enclaveSignature: string | undefined): void {
    if (enclaveSignature === undefined || enclaveSignature === "")
      throw new EnclaveProofError(
        `The request names enclave ${enclave} but carries no enclaveSignature: have the enclave's key sign the enclave task-secrets challenge.`,
      );
    let signer: string;
    try {
      signer = recoverSmsSigner(challenge, enclaveSignature);
    } catch {
      throw new EnclaveProofError(
        `The enclaveSignature is not a valid signature: have the key of enclave ${enclave} sign the enclave task-secrets challenge.`,
      );
    }
    if (signer !== enclave)
      throw new EnclaveProofError(
        `The enclaveSignature is by ${signer}, not by enclave ${enclave}: the request must be signed by the key of the enclave the authorization names.`,
      );
  }

  /** The secrets the deal names: those the SMS holds, and the names of those it does not. */
  private secretsOf(deal: Awaited<ReturnType<SmsChain["deal"]>>): { held: DealSecret[]; missing: string[] } {
    const held: DealSecret[] = [];
    const missing: string[] = [];
    const add = (secret: DealSecret, missingName?: string) => {
      if (this.store.has(secret.place)) held.push(secret);
      else if (missingName !== undefined) missing.push(missingName);
    };
    if (deal.dataset.pointer !== ZeroAddress)
      add(
        {
          name: "datasetKey",
          place: { kind: "web3", owner: getAddress(deal.dataset.pointer), name: "" },
          slot: "datasetKey",
        },
        "datasetKey",
      );
    add({
      name: "appSecret",
      place: { kind: "app", owner: getAddress(deal.app.pointer), name: APP_SECRET_INDEX },
      slot: "appSecret",
    });
    const params = parseParams(deal.params);
    const named = params.iexec_secrets;
    if (named !== undefined && typeof named === "object" && named !== null && !Array.isArray(named)) {
      const requester = getAddress(deal.requester);
      for (const [index, name] of Object.entries(named)) {
        if (!/^[1-9]\d{0,3}$/.test(index) || typeof name !== "string" || !REQUESTER_SECRET_NAME.test(name)) {
          missing.push(`requesterSecret:${index}`);
          continue;
        }
        add(
          {
            name: `requesterSecret:${index}=${name}`,
            place: { kind: "web2", owner: requester, name },
            slot: { requesterSecret: index },
          },
          `requesterSecret:${index}`,
        );
      }
    }
    if (params.iexec_result_encryption === true)
      add(
        {
          name: "resultEncryptionKey",
          place: { kind: "web2", owner: getAddress(deal.beneficiary), name: RESULT_ENCRYPTION_KEY_NAME },
          slot: "resultEncryptionKey",
        },
        "resultEncryptionKey",
      );
    return { held, missing };
  }

  /** Decrypts the held secrets into the answer. */
  private read(held: DealSecret[], missing: string[]): { secrets: TaskSecrets; released: string[] } {
    const secrets: TaskSecrets = { requesterSecrets: {}, missing: [...missing] };
    const released: string[] = [];
    for (const secret of held) {
      const value = this.store.read(secret.place);
      if (value === undefined) {
        // Gone between the check and the read: a secret is never deleted, but say so rather than guess.
        secrets.missing.push(secret.name.split("=")[0]);
        continue;
      }
      if (typeof secret.slot === "object") secrets.requesterSecrets[secret.slot.requesterSecret] = value;
      else secrets[secret.slot] = value;
      released.push(secret.name);
    }
    return { secrets, released };
  }
}
