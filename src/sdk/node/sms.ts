/**
 * Client of the Secret Management Service (the official iExec SMS's paths), and the challenges whose
 * personal signatures authorize pushing a secret: an SMS service verifies them with the same functions.
 * Also the worker's side of this implementation's release of a task's secrets (`taskSecrets`, protocol
 * described above `TASK_SECRETS_MAX_AGE_MS`).
 */
import {
  getAddress,
  getBytes,
  isAddress,
  keccak256,
  solidityPacked,
  toUtf8Bytes,
  verifyMessage,
} from "ethers";
import type { Signer } from "ethers";
import { InvalidInputError, OpenPocoError, ServiceError } from "../core/errors";
import { errorDetail, joinUrl, requestJson, requestStatus } from "../core/http";
import { computeTaskId } from "../core/tasks";
import { requestRaw } from "./download";

const SERVICE = "SMS";

/** Domain string hashed first in every SMS challenge. */
export const SMS_DOMAIN = "IEXEC_SMS_DOMAIN";
/** Largest secret the official SMS stores, in bytes of UTF-8. */
export const MAX_SECRET_BYTES = 4096;
/** Index of the app developer's secret: the official SMS has a single one, at index 1. */
export const APP_SECRET_INDEX = "1";

const REQUESTER_SECRET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function hashText(text: string): string {
  return keccak256(toUtf8Bytes(text));
}

/**
 * Challenge of a web3 secret (a dataset's key): keccak256(keccak256(domain) ‖ address ‖ keccak256(value)),
 * the address packed as its 20 bytes (the official SMS concatenates the bytes of each hex string).
 */
export function web3SecretChallenge(secretAddress: string, value: string): string {
  return keccak256(
    solidityPacked(["bytes32", "address", "bytes32"], [hashText(SMS_DOMAIN), secretAddress, hashText(value)]),
  );
}

/**
 * Challenge of a named secret (web2, requester, app developer):
 * keccak256(keccak256(domain) ‖ owner ‖ keccak256(name) ‖ keccak256(value)).
 */
export function web2SecretChallenge(ownerAddress: string, name: string, value: string): string {
  return keccak256(
    solidityPacked(
      ["bytes32", "address", "bytes32", "bytes32"],
      [hashText(SMS_DOMAIN), ownerAddress, hashText(name), hashText(value)],
    ),
  );
}

/** Challenge of an app developer's secret: the named form with the app's address and the index as name. */
export function appSecretChallenge(
  appAddress: string,
  value: string,
  index: string = APP_SECRET_INDEX,
): string {
  return web2SecretChallenge(appAddress, index, value);
}

/** Challenge of a requester's secret: the named form with the requester's address. */
export function requesterSecretChallenge(requester: string, name: string, value: string): string {
  return web2SecretChallenge(requester, name, value);
}

/** The Authorization header for `challenge`: a personal (EIP-191) signature of its 32 bytes. */
export function signSmsChallenge(signer: Signer, challenge: string): Promise<string> {
  return signer.signMessage(getBytes(challenge));
}

/** Address whose personal signature of `challenge` is `signature`. */
export function recoverSmsSigner(challenge: string, signature: string): string {
  return verifyMessage(getBytes(challenge), signature);
}

/** Thrown when pushing a secret that exists and cannot (or was not asked to) be replaced. */
export class SecretExistsError extends OpenPocoError {
  constructor(message: string) {
    super("SECRET_EXISTS", message);
  }
}

/** Result of pushing a web2 secret. */
export interface PushWeb2Result {
  isPushed: true;
  /** True when an existing secret was replaced. */
  isUpdated: boolean;
}

function checkAddress(name: string, value: string): string {
  if (!isAddress(value))
    throw new InvalidInputError(`Invalid ${name} ${JSON.stringify(value)}: pass a 0x address.`);
  return getAddress(value);
}

function checkSecret(value: string): void {
  if (typeof value !== "string")
    throw new InvalidInputError("The secret is not a string: pass it as a string.");
  if (Buffer.byteLength(value, "utf8") > MAX_SECRET_BYTES)
    throw new InvalidInputError(`The secret is larger than ${MAX_SECRET_BYTES} bytes: store a smaller one.`);
}

function checkName(name: string, pattern?: RegExp): void {
  if (typeof name !== "string" || name === "")
    throw new InvalidInputError("The secret name is empty: pass a name.");
  if (pattern && !pattern.test(name))
    throw new InvalidInputError(
      `Invalid secret name ${JSON.stringify(name)}: use 1 to 64 characters among letters, digits, "-" and "_".`,
    );
}

/** Client of an SMS. */
export class SmsClient {
  /**
   * @param baseUrl URL of the SMS, for example `http://localhost:13300`.
   * @param timeoutMs Time to wait for each answer.
   */
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs?: number,
  ) {}

  private async exists(url: string): Promise<boolean> {
    const { status } = await requestStatus(SERVICE, url, {
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
    });
    if (status >= 200 && status < 300) return true;
    if (status === 404) return false;
    throw new ServiceError(
      SERVICE,
      url,
      status,
      "unexpected answer to an existence check; check the SMS URL.",
    );
  }

  private async push(
    method: "POST" | "PUT",
    url: string,
    authorization: string,
    value: string,
    conflict: string,
    unauthorized: string,
  ): Promise<void> {
    const answer = await requestRaw(SERVICE, url, {
      method,
      text: value,
      headers: { Authorization: authorization },
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
    });
    // Success is any 2xx: the official SMS answers 204 with no body, which is not JSON.
    if (answer.status >= 200 && answer.status < 300) return;
    if (answer.status === 409) throw new SecretExistsError(conflict);
    if (answer.status === 401) throw new ServiceError(SERVICE, url, 401, unauthorized);
    throw new ServiceError(
      SERVICE,
      url,
      answer.status,
      errorDetail(answer.body.toString("utf8"), "no detail"),
    );
  }

  /**
   * Pushes the key of a dataset (signer: the dataset's owner). Dataset secrets are not updatable: pushing
   * one that exists throws `SecretExistsError`.
   */
  async pushDatasetSecret(signer: Signer, datasetAddress: string, secret: string): Promise<void> {
    const dataset = checkAddress("dataset address", datasetAddress);
    checkSecret(secret);
    const signerAddress = await signer.getAddress();
    const authorization = await signSmsChallenge(signer, web3SecretChallenge(dataset, secret));
    await this.push(
      "POST",
      joinUrl(this.baseUrl, "/secrets/web3", { secretAddress: dataset }),
      authorization,
      secret,
      `The secret of dataset ${dataset} already exists and dataset secrets are not updatable: deploy a new dataset to use another key.`,
      `wallet ${signerAddress} is not the owner of ${dataset}; push the secret with the owner's wallet.`,
    );
  }

  /** True when the SMS holds the key of dataset `datasetAddress`. */
  async checkDatasetSecret(datasetAddress: string): Promise<boolean> {
    const dataset = checkAddress("dataset address", datasetAddress);
    return this.exists(joinUrl(this.baseUrl, "/secrets/web3", { secretAddress: dataset }));
  }

  /**
   * Pushes the signer's web2 secret `name` (for example a result encryption key). An existing secret is
   * replaced (PUT) only with `update: true`; otherwise it throws `SecretExistsError`.
   */
  async pushWeb2Secret(
    signer: Signer,
    name: string,
    value: string,
    options: { update?: boolean } = {},
  ): Promise<PushWeb2Result> {
    checkName(name);
    checkSecret(value);
    const owner = getAddress(await signer.getAddress());
    // The official SMS creates with POST and replaces with PUT, so the client must know which applies.
    const exists = await this.checkWeb2Secret(owner, name);
    if (exists && !options.update)
      throw new SecretExistsError(
        `The secret ${JSON.stringify(name)} of ${owner} already exists: pass update: true to replace it.`,
      );
    const authorization = await signSmsChallenge(signer, web2SecretChallenge(owner, name, value));
    await this.push(
      exists ? "PUT" : "POST",
      joinUrl(this.baseUrl, "/secrets/web2", { ownerAddress: owner, secretName: name }),
      authorization,
      value,
      `The secret ${JSON.stringify(name)} of ${owner} already exists: pass update: true to replace it.`,
      `the SMS rejected the signature of ${owner}; sign with the secret owner's wallet.`,
    );
    return { isPushed: true, isUpdated: exists };
  }

  /** True when the SMS holds the web2 secret `name` of `ownerAddress`. */
  async checkWeb2Secret(ownerAddress: string, name: string): Promise<boolean> {
    const owner = checkAddress("owner address", ownerAddress);
    checkName(name);
    return this.exists(joinUrl(this.baseUrl, "/secrets/web2", { ownerAddress: owner, secretName: name }));
  }

  /** Pushes the app developer's secret of `appAddress` (signer: the app's owner); not updatable. */
  async pushAppSecret(signer: Signer, appAddress: string, value: string): Promise<void> {
    const app = checkAddress("app address", appAddress);
    checkSecret(value);
    const signerAddress = await signer.getAddress();
    const authorization = await signSmsChallenge(signer, appSecretChallenge(app, value));
    // The official SMS takes the push at /apps/{app}/secrets/1 (a single developer secret, index 1).
    await this.push(
      "POST",
      joinUrl(this.baseUrl, `/apps/${app}/secrets/${APP_SECRET_INDEX}`),
      authorization,
      value,
      `The secret of app ${app} already exists and app secrets are not updatable: deploy a new app to use another one.`,
      `wallet ${signerAddress} is not the owner of ${app}; push the secret with the owner's wallet.`,
    );
  }

  /** True when the SMS holds the app developer's secret of `appAddress`. */
  async checkAppSecret(appAddress: string): Promise<boolean> {
    const app = checkAddress("app address", appAddress);
    return this.exists(joinUrl(this.baseUrl, `/apps/${app}/secrets`));
  }

  /** Pushes the signer's requester secret `name`; not updatable. */
  async pushRequesterSecret(signer: Signer, name: string, value: string): Promise<void> {
    checkName(name, REQUESTER_SECRET_NAME);
    checkSecret(value);
    const requester = getAddress(await signer.getAddress());
    const authorization = await signSmsChallenge(signer, requesterSecretChallenge(requester, name, value));
    await this.push(
      "POST",
      joinUrl(this.baseUrl, `/requesters/${requester}/secrets/${name}`),
      authorization,
      value,
      `The requester secret ${JSON.stringify(name)} of ${requester} already exists and is not updatable: use another name.`,
      `the SMS rejected the signature of ${requester}; sign with the requester's wallet.`,
    );
  }

  /** True when the SMS holds the requester secret `name` of `requesterAddress`. */
  async checkRequesterSecret(requesterAddress: string, name: string): Promise<boolean> {
    const requester = checkAddress("requester address", requesterAddress);
    checkName(name, REQUESTER_SECRET_NAME);
    return this.exists(joinUrl(this.baseUrl, `/requesters/${requester}/secrets/${name}`));
  }

  /**
   * The secrets of `taskid`'s deal, for the worker `signer` holding the scheduler's `authorization`
   * (with `options.enclave`, as that enclave: required for a TEE deal). Refusals throw `ServiceError`
   * with the SMS's reason (401 bad or stale signature, 403 not authorized, task not ACTIVE or no
   * enclave for a TEE deal, 404 unknown task).
   */
  async taskSecrets(
    signer: Signer,
    taskid: string,
    authorization: string,
    options: TaskSecretsOptions = {},
  ): Promise<TaskSecrets> {
    const id = checkTaskId(taskid);
    const request = await signTaskSecretsRequest(
      signer,
      id,
      authorization,
      options.timestamp,
      options.enclave,
    );
    const answer = await requestJson<TaskSecrets & { ok: boolean }>(
      SERVICE,
      joinUrl(this.baseUrl, `/tasks/${id}/secrets`),
      {
        method: "POST",
        body: request.body,
        headers: { Authorization: request.signature },
        baseUrl: this.baseUrl,
        timeoutMs: this.timeoutMs,
      },
    );
    const { ok: _ok, ...secrets } = answer;
    return { ...secrets, requesterSecrets: secrets.requesterSecrets ?? {}, missing: secrets.missing ?? [] };
  }

  /**
   * The enclave challenge of task `idx` of `dealid` (a TEE deal), asked by the workerpool's owner
   * `signer` (the scheduler), created by the SMS on the first request and the same on every later one.
   * The task need not be initialized yet. Refusals throw `ServiceError` with the SMS's reason (401 bad,
   * stale or replayed signature, 403 a signer other than the workerpool owner or a deal without the TEE
   * bit, 404 unknown deal or task index).
   */
  async taskEnclaveChallenge(
    signer: Signer,
    dealid: string,
    idx: bigint,
    options: SignedRequestOptions = {},
  ): Promise<TaskEnclaveChallenge> {
    const request = await signTeeChallengeRequest(signer, dealid, idx, options.timestamp);
    const answer = await requestJson<TaskEnclaveChallenge & { ok: boolean }>(
      SERVICE,
      joinUrl(this.baseUrl, `/tee/challenges/${request.taskid}`),
      {
        method: "POST",
        body: request.body,
        headers: { Authorization: request.signature },
        baseUrl: this.baseUrl,
        timeoutMs: this.timeoutMs,
      },
    );
    return { taskid: answer.taskid, enclaveChallenge: getAddress(answer.enclaveChallenge) };
  }

  /**
   * The private key of `taskid`'s enclave challenge, for the development enclave of the worker `signer`
   * holding the scheduler's `authorization` (which names this worker, task and `enclaveChallenge`).
   * Only an SMS run with `--tee dev` answers: "development enclave: no hardware isolation; never use
   * real secrets". Refusals throw `ServiceError` (401 bad, stale or replayed signature, 403 not
   * authorized, unknown challenge, task not ACTIVE, or no development mode on this SMS).
   */
  async devEnclaveKey(
    signer: Signer,
    taskid: string,
    enclaveChallenge: string,
    authorization: string,
    options: SignedRequestOptions = {},
  ): Promise<DevEnclaveKey> {
    const id = checkTaskId(taskid);
    const enclave = checkAddress("enclave challenge", enclaveChallenge);
    const request = await signDevEnclaveKeyRequest(signer, id, enclave, authorization, options.timestamp);
    const answer = await requestJson<DevEnclaveKey & { ok: boolean }>(
      SERVICE,
      joinUrl(this.baseUrl, `/tee/challenges/${id}/key`),
      {
        method: "POST",
        body: request.body,
        headers: { Authorization: request.signature },
        baseUrl: this.baseUrl,
        timeoutMs: this.timeoutMs,
      },
    );
    return {
      taskid: answer.taskid,
      enclaveChallenge: getAddress(answer.enclaveChallenge),
      privateKey: answer.privateKey,
      warning: answer.warning,
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Release of a task's secrets to its worker (this implementation's endpoint; the official SMS hands
// them to enclaves through sessions instead).
//
//   POST /tasks/{taskid}/secrets
//   Authorization: <the worker's personal signature of the request's challenge>
//   Content-Type: application/json
//   { "worker": "0x…", "timestamp": <unix ms>, "authorization": "<scheduler's signature>",
//     "enclaveChallenge": "0x…", "enclaveSignature": "0x…" }     (the last two: enclave requests only)
//
// `authorization` is what the worker contributes with: the personal signature of
// `authorizationMessage(worker, taskid, enclaveChallenge)` (sdk/tasks.ts) by the deal's workerpool
// owner, or by the hub's TEE broker when one is set and the authorization names an enclave
// (`expectedAuthorizer`, the hub's rule).
//
// A plain request (no enclave) signs taskSecretsChallenge(taskid, worker, timestamp). It is enough for
// a deal without the TEE bit (tag bit 0), and the authorization names the zero enclave.
//
// An enclave request proves that the worker holds the enclave the scheduler named: the challenge is
// enclaveTaskSecretsChallenge(taskid, worker, enclaveChallenge, timestamp), personally signed by the
// worker (Authorization header) *and* by the enclave's key (`enclaveSignature`), and the authorization
// must name that enclave. A TEE deal's secrets are released only on such a request.
//
// The SMS checks, in order: the worker's signature (401), its age, at most TASK_SECRETS_MAX_AGE_MS
// either way (401), that it was not used before (401), the task on chain (404 unknown, 403 not ACTIVE
// or past its final deadline), for a TEE deal that the request names an enclave (403
// ENCLAVE_REQUIRED), the enclave's signature (403 ENCLAVE_PROOF_INVALID), and that the authorization
// recovers to the expected authorizer (403). It then answers 200 with TaskSecrets: only the secrets
// of the task's own deal. Refusals answer { ok: false, code, error }.
//
// Attestation: today the enclave key is any key the worker holds (its enclave, or a stand-in). A real
// enclave generates the key inside, and its quote (TDX report data = the key's address) would travel
// beside `enclaveSignature`; the SMS would check the quote against the expected measurement before the
// authorization check. The signatures above stay as they are: they bind the attested key to the task.
// ---------------------------------------------------------------------------------------------------

/** Largest age (and clock advance) of a worker's signed request for a task's secrets, in ms. */
export const TASK_SECRETS_MAX_AGE_MS = 5 * 60_000;
/** Purpose string hashed into the challenge of a request for a task's secrets. */
export const TASK_SECRETS_PURPOSE = "TASK_SECRETS";
/** Purpose string hashed into the challenge of an enclave's request for a task's secrets. */
export const ENCLAVE_TASK_SECRETS_PURPOSE = "TASK_SECRETS_ENCLAVE";
/** Code of the SMS's refusal of a TEE task's secrets to a request naming no enclave. */
export const ENCLAVE_REQUIRED = "ENCLAVE_REQUIRED";
/** Code of the SMS's refusal of a request whose enclave signature is absent or not the enclave's. */
export const ENCLAVE_PROOF_INVALID = "ENCLAVE_PROOF_INVALID";
/** Name of the web2 secret holding a beneficiary's result-encryption public key. */
export const RESULT_ENCRYPTION_KEY_NAME = "iexec-result-encryption-public-key";

/**
 * Challenge a worker signs to ask for a task's secrets:
 * keccak256(keccak256(domain) ‖ keccak256("TASK_SECRETS") ‖ taskid ‖ worker ‖ uint64 timestamp in ms).
 */
export function taskSecretsChallenge(taskid: string, worker: string, timestamp: number): string {
  return keccak256(
    solidityPacked(
      ["bytes32", "bytes32", "bytes32", "address", "uint64"],
      [hashText(SMS_DOMAIN), hashText(TASK_SECRETS_PURPOSE), taskid, worker, BigInt(timestamp)],
    ),
  );
}

/**
 * Challenge the worker and its enclave both sign to ask for a task's secrets as that enclave:
 * keccak256(keccak256(domain) ‖ keccak256("TASK_SECRETS_ENCLAVE") ‖ taskid ‖ worker ‖ enclave ‖ uint64 timestamp).
 */
export function enclaveTaskSecretsChallenge(
  taskid: string,
  worker: string,
  enclaveChallenge: string,
  timestamp: number,
): string {
  return workerEnclaveChallenge(ENCLAVE_TASK_SECRETS_PURPOSE, taskid, worker, enclaveChallenge, timestamp);
}

/**
 * keccak256(keccak256(domain) ‖ keccak256(purpose) ‖ taskid ‖ worker ‖ enclave ‖ uint64 timestamp): the
 * shape of the challenges a worker signs about a task's enclave; the purpose keeps each request apart.
 */
function workerEnclaveChallenge(
  purpose: string,
  taskid: string,
  worker: string,
  enclaveChallenge: string,
  timestamp: number,
): string {
  return keccak256(
    solidityPacked(
      ["bytes32", "bytes32", "bytes32", "address", "address", "uint64"],
      [hashText(SMS_DOMAIN), hashText(purpose), taskid, worker, enclaveChallenge, BigInt(timestamp)],
    ),
  );
}

/** Body of `POST /tasks/{taskid}/secrets`. */
export interface TaskSecretsRequest {
  /** The worker's address (its personal signature of the challenge is the Authorization header). */
  worker: string;
  /** When the worker signed, in unix ms. */
  timestamp: number;
  /** The scheduler's authorization of the worker on the task (naming `enclaveChallenge`, if any). */
  authorization: string;
  /** The enclave's address, for an enclave request (required by TEE deals). */
  enclaveChallenge?: string;
  /** The enclave key's personal signature of the enclave request's challenge. */
  enclaveSignature?: string;
}

/** The secrets of a task's deal, as released to its authorized worker. */
export interface TaskSecrets {
  /** The dataset's key (base64 of its 32-byte AES key), when the deal has a dataset whose key was pushed. */
  datasetKey?: string;
  /** The app developer's secret, when the app's owner pushed one. */
  appSecret?: string;
  /** The requester secrets named by the deal's params `iexec_secrets`, by index ("1", "2"…). */
  requesterSecrets: Record<string, string>;
  /** The beneficiary's result-encryption public key, when the params ask for `iexec_result_encryption`. */
  resultEncryptionKey?: string;
  /**
   * What the deal needs but the SMS does not hold: "datasetKey", "requesterSecret:<index>",
   * "resultEncryptionKey". A worker fails the task rather than run without them.
   */
  missing: string[];
}

/** Options of `SmsClient.taskSecrets`. */
export interface TaskSecretsOptions {
  /** Time of signing in unix ms (default now): tests use it to make stale requests. */
  timestamp?: number;
  /** The enclave's key, for an enclave request: the authorization must name its address. */
  enclave?: Signer;
}

/**
 * A worker's request for the secrets of `taskid`: the body and the Authorization header to send. With
 * `enclave`, an enclave request: the worker and the enclave key both sign the enclave challenge.
 */
export async function signTaskSecretsRequest(
  worker: Signer,
  taskid: string,
  authorization: string,
  timestamp: number = Date.now(),
  enclave?: Signer,
): Promise<{ body: TaskSecretsRequest; signature: string }> {
  const address = getAddress(await worker.getAddress());
  if (enclave === undefined) {
    const signature = await signSmsChallenge(worker, taskSecretsChallenge(taskid, address, timestamp));
    return { body: { worker: address, timestamp, authorization }, signature };
  }
  const enclaveChallenge = getAddress(await enclave.getAddress());
  const challenge = enclaveTaskSecretsChallenge(taskid, address, enclaveChallenge, timestamp);
  const signature = await signSmsChallenge(worker, challenge);
  const enclaveSignature = await signSmsChallenge(enclave, challenge);
  return {
    body: { worker: address, timestamp, authorization, enclaveChallenge, enclaveSignature },
    signature,
  };
}

function checkTaskId(taskid: string): string {
  if (typeof taskid !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(taskid))
    throw new InvalidInputError(`Invalid task id ${JSON.stringify(taskid)}: give 0x + 64 hex digits.`);
  return taskid.toLowerCase();
}

// ---------------------------------------------------------------------------------------------------
// Enclave challenges of TEE tasks (iExec's SMS issues them at POST /tee/challenges/{chainTaskId}), and
// the development enclave's key (this implementation's development TEE mode).
//
//   POST /tee/challenges/{taskid}
//   Authorization: <the workerpool owner's personal signature of teeChallengeRequestMessage(...)>
//   { "dealid": "0x…", "idx": <task index>, "timestamp": <unix ms> }
//   → 200 { "ok": true, "taskid", "enclaveChallenge": "0x…" }
//
// The scheduler asks before it authorizes a worker on a TEE task, so the task need not be initialized:
// the body names the deal and the index and the SMS checks taskid = keccak256(dealid, idx). The SMS
// creates one key pair per task, on the first request; every later (freshly signed) request answers
// the same address. The private key is sealed by the SMS's vault like a secret.
//
//   POST /tee/challenges/{taskid}/key
//   Authorization: <the worker's personal signature of devEnclaveKeyRequestMessage(...)>
//   { "worker": "0x…", "timestamp": <unix ms>, "authorization": "<scheduler's signature>",
//     "enclaveChallenge": "0x…" }
//   → 200 { "ok": true, "taskid", "enclaveChallenge", "privateKey": "0x…", "warning": DEV_ENCLAVE_WARNING }
//
// The development enclave (a worker run with `--tee dev`) fetches the challenge's private key, to sign
// its contribution as the enclave. Only an SMS started with `--tee dev` answers. The checks are those of
// the secrets' release: the worker's fresh signature used once (401), a challenge this SMS issued for
// this task (403 UNKNOWN_ENCLAVE_CHALLENGE), the task ACTIVE (403), the authorization of this worker,
// task and challenge by the expected authorizer (403 ENCLAVE_KEY_NOT_AUTHORIZED), then the enclave
// verifier: the development one accepts any worker (no hardware isolation), and an SMS without a
// development mode refuses (403 DEV_ENCLAVE_DISABLED) because a real enclave needs attestation. A real
// attestation backend (TDX quote verification) would take the verifier's place, behind the same path.
// ---------------------------------------------------------------------------------------------------

/** Purpose string hashed into the challenge of a scheduler's request for a task's enclave challenge. */
export const TEE_CHALLENGE_PURPOSE = "TEE_CHALLENGE";
/** Purpose string hashed into the challenge of a development enclave's request for its key. */
export const DEV_ENCLAVE_KEY_PURPOSE = "DEV_ENCLAVE_KEY";
/** Code of the refusal of an enclave challenge for a deal without the TEE bit. */
export const NON_TEE_DEAL = "NON_TEE_DEAL";
/** Code of the refusal of an enclave key for a challenge this SMS did not issue for the task. */
export const UNKNOWN_ENCLAVE_CHALLENGE = "UNKNOWN_ENCLAVE_CHALLENGE";
/** Code of the refusal of an enclave key to a worker the authorization does not name. */
export const ENCLAVE_KEY_NOT_AUTHORIZED = "ENCLAVE_KEY_NOT_AUTHORIZED";
/** Code of the refusal of an enclave key by an SMS without the development TEE mode. */
export const DEV_ENCLAVE_DISABLED = "DEV_ENCLAVE_DISABLED";

/**
 * Challenge the workerpool owner signs to ask for task `idx` of `dealid`'s enclave challenge:
 * keccak256(keccak256(domain) ‖ keccak256("TEE_CHALLENGE") ‖ taskid ‖ dealid ‖ uint256 idx ‖ uint64 timestamp).
 */
export function teeChallengeRequestMessage(
  taskid: string,
  dealid: string,
  idx: bigint,
  timestamp: number,
): string {
  return keccak256(
    solidityPacked(
      ["bytes32", "bytes32", "bytes32", "bytes32", "uint256", "uint64"],
      [hashText(SMS_DOMAIN), hashText(TEE_CHALLENGE_PURPOSE), taskid, dealid, idx, BigInt(timestamp)],
    ),
  );
}

/**
 * Challenge a development enclave's worker signs to ask for the key of `enclaveChallenge`:
 * keccak256(keccak256(domain) ‖ keccak256("DEV_ENCLAVE_KEY") ‖ taskid ‖ worker ‖ enclaveChallenge ‖ uint64 timestamp).
 */
export function devEnclaveKeyRequestMessage(
  taskid: string,
  worker: string,
  enclaveChallenge: string,
  timestamp: number,
): string {
  return workerEnclaveChallenge(DEV_ENCLAVE_KEY_PURPOSE, taskid, worker, enclaveChallenge, timestamp);
}

/** Body of `POST /tee/challenges/{taskid}`. */
export interface TeeChallengeRequest {
  dealid: string;
  /** The task's index in the deal, as a decimal string or a number. */
  idx: string;
  /** When the workerpool owner signed, in unix ms. */
  timestamp: number;
}

/** Body of `POST /tee/challenges/{taskid}/key`. */
export interface DevEnclaveKeyRequest {
  worker: string;
  /** When the worker signed, in unix ms. */
  timestamp: number;
  /** The scheduler's (or TEE broker's) authorization of the worker on the task, naming `enclaveChallenge`. */
  authorization: string;
  /** The task's enclave challenge, as the SMS issued it. */
  enclaveChallenge: string;
}

/** A task's enclave challenge as the SMS answers it. */
export interface TaskEnclaveChallenge {
  taskid: string;
  /** Address of the task's enclave key: the scheduler names it in the workers' authorizations. */
  enclaveChallenge: string;
}

/** The key of a task's enclave challenge, as a development enclave receives it. */
export interface DevEnclaveKey extends TaskEnclaveChallenge {
  /** The challenge's private key (0x + 64 hex digits): sign the contribution's result with it. */
  privateKey: string;
  /** Always `DEV_ENCLAVE_WARNING`. */
  warning: string;
}

/** Options of the enclave-challenge calls: the time of signing (default now; tests make stale ones). */
export interface SignedRequestOptions {
  timestamp?: number;
}

/**
 * The workerpool owner's request for the enclave challenge of task `idx` of `dealid`: the task id,
 * the body and the Authorization header to send.
 */
export async function signTeeChallengeRequest(
  workerpoolOwner: Signer,
  dealid: string,
  idx: bigint,
  timestamp: number = Date.now(),
): Promise<{ taskid: string; body: TeeChallengeRequest; signature: string }> {
  const taskid = computeTaskIdOf(dealid, idx);
  const signature = await signSmsChallenge(
    workerpoolOwner,
    teeChallengeRequestMessage(taskid, dealid, idx, timestamp),
  );
  return { taskid, body: { dealid: dealid.toLowerCase(), idx: idx.toString(), timestamp }, signature };
}

/** A development enclave's worker's request for the key of `enclaveChallenge` on `taskid`. */
export async function signDevEnclaveKeyRequest(
  worker: Signer,
  taskid: string,
  enclaveChallenge: string,
  authorization: string,
  timestamp: number = Date.now(),
): Promise<{ body: DevEnclaveKeyRequest; signature: string }> {
  const address = getAddress(await worker.getAddress());
  const enclave = getAddress(enclaveChallenge);
  const signature = await signSmsChallenge(
    worker,
    devEnclaveKeyRequestMessage(taskid, address, enclave, timestamp),
  );
  return { body: { worker: address, timestamp, authorization, enclaveChallenge: enclave }, signature };
}

function computeTaskIdOf(dealid: string, idx: bigint): string {
  if (typeof dealid !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(dealid))
    throw new InvalidInputError(`Invalid deal id ${JSON.stringify(dealid)}: give 0x + 64 hex digits.`);
  if (typeof idx !== "bigint" || idx < 0n)
    throw new InvalidInputError(`Invalid task index ${String(idx)}: give the task's index in the deal.`);
  return computeTaskId(dealid.toLowerCase(), idx);
}
