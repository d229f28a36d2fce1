/**
 * Tasks: ids, result commitments and the scheduler's authorization, computed off chain exactly as the hub does.
 * Shared by the tests, the scheduler and the worker.
 */
import { getBytes, keccak256, solidityPackedKeccak256, toUtf8Bytes, type Signer } from "ethers";

/** Task status, as the hub's `viewTask(...).status` returns it. */
export enum TaskStatus {
  UNSET = 0,
  ACTIVE = 1,
  REVEALING = 2,
  COMPLETED = 3,
  FAILED = 4,
}

/** Contribution status, as `viewContribution(...).status` returns it. */
export enum ContributionStatus {
  UNSET = 0,
  CONTRIBUTED = 1,
  PROVED = 2,
  REJECTED = 3,
}

/** Multiples of the category's work clock time reference after the deal's start (reveal: after consensus). */
export const CONTRIBUTION_DEADLINE_RATIO = 7n;
export const REVEAL_DEADLINE_RATIO = 2n;
export const FINAL_DEADLINE_RATIO = 10n;

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Id of task `index` of deal `dealid`: `keccak256(abi.encodePacked(dealid, index))`. */
export function computeTaskId(dealid: string, index: bigint): string {
  return solidityPackedKeccak256(["bytes32", "uint256"], [dealid, index]);
}

/** A worker's commitment to a result: `keccak256(abi.encodePacked(taskid, resultDigest))`. */
export function computeResultHash(taskid: string, resultDigest: string): string {
  return solidityPackedKeccak256(["bytes32", "bytes32"], [taskid, resultDigest]);
}

/** Binds a result to its worker: `keccak256(abi.encodePacked(worker, taskid, resultDigest))`. */
export function computeResultSeal(worker: string, taskid: string, resultDigest: string): string {
  return solidityPackedKeccak256(["address", "bytes32", "bytes32"], [worker, taskid, resultDigest]);
}

/** The message a scheduler (or TEE broker) signs to let `worker` contribute: `keccak256(worker, taskid, enclave)`. */
export function authorizationMessage(
  worker: string,
  taskid: string,
  enclaveChallenge = ZERO_ADDRESS,
): string {
  return solidityPackedKeccak256(["address", "bytes32", "address"], [worker, taskid, enclaveChallenge]);
}

/**
 * Who must sign a worker's authorization, as the hub decides it: the workerpool's owner, except that on a TEE deal
 * (`tag` bit 0) an authorization naming an enclave is the TEE broker's when the hub has one (`teebroker()` not zero).
 */
export function expectedAuthorizer(
  workerpoolOwner: string,
  teeBroker: string,
  enclaveChallenge: string,
  tag: string,
): string {
  const enclave = BigInt(enclaveChallenge) !== 0n;
  const teeDeal = (BigInt(tag) & 1n) !== 0n;
  return enclave && teeDeal && BigInt(teeBroker) !== 0n ? teeBroker : workerpoolOwner;
}

/** The scheduler's EIP-191 (`personal_sign`) authorization for `worker` to contribute to `taskid`. */
export function signAuthorization(
  scheduler: Signer,
  worker: string,
  taskid: string,
  enclaveChallenge = ZERO_ADDRESS,
): Promise<string> {
  return scheduler.signMessage(getBytes(authorizationMessage(worker, taskid, enclaveChallenge)));
}

/** The enclave's EIP-191 signature of `keccak256(abi.encodePacked(resultHash, resultSeal))`. */
export function signEnclaveResult(enclave: Signer, resultHash: string, resultSeal: string): Promise<string> {
  return enclave.signMessage(
    getBytes(solidityPackedKeccak256(["bytes32", "bytes32"], [resultHash, resultSeal])),
  );
}

/** Digest of callback data: a deal callback's `resultsCallback` must hash to the task's result digest. */
export function callbackDigest(resultsCallback: string | Uint8Array): string {
  return keccak256(typeof resultsCallback === "string" ? getBytes(resultsCallback) : resultsCallback);
}

/** A digest for tests and examples: keccak256 of a UTF-8 string. */
export function digestOf(text: string): string {
  return keccak256(toUtf8Bytes(text));
}
