/** Errors of the SMS service: each has a stable code and a message that names the fix. */
import { OpenPocoError } from "../sdk/core/errors";
import {
  DEV_ENCLAVE_DISABLED,
  ENCLAVE_KEY_NOT_AUTHORIZED,
  ENCLAVE_PROOF_INVALID,
  ENCLAVE_REQUIRED,
  NON_TEE_DEAL,
  UNKNOWN_ENCLAVE_CHALLENGE,
} from "../sdk/node/sms";

/** The master key file cannot be used: wrong permissions, wrong length, or unreadable. */
export class MasterKeyError extends OpenPocoError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super("SMS_MASTER_KEY", `The SMS master key ${file} ${problem}`);
  }
}

/** A stored secret does not decrypt with the master key (tampered row or another master key). */
export class SecretCorruptedError extends OpenPocoError {
  constructor(what: string) {
    super(
      "SMS_SECRET_CORRUPTED",
      `The stored ${what} does not decrypt with this master key: restore the master.key this database was written with.`,
    );
  }
}

/** A TEE deal's secrets were asked for without naming an enclave (a plain worker, or a misconfigured one). */
export class EnclaveRequiredError extends OpenPocoError {
  constructor(message: string) {
    super(ENCLAVE_REQUIRED, message);
  }
}

/** The request names an enclave but does not prove that its key signed this very request. */
export class EnclaveProofError extends OpenPocoError {
  constructor(message: string) {
    super(ENCLAVE_PROOF_INVALID, message);
  }
}

/** An enclave challenge was asked for a task whose deal has no TEE bit (tag bit 0). */
export class NonTeeDealError extends OpenPocoError {
  constructor(message: string) {
    super(NON_TEE_DEAL, message);
  }
}

/** An enclave key was asked for a challenge this SMS did not issue for the task. */
export class UnknownEnclaveChallengeError extends OpenPocoError {
  constructor(message: string) {
    super(UNKNOWN_ENCLAVE_CHALLENGE, message);
  }
}

/** An enclave key was asked by a worker the scheduler's authorization does not name on the task. */
export class EnclaveKeyNotAuthorizedError extends OpenPocoError {
  constructor(message: string) {
    super(ENCLAVE_KEY_NOT_AUTHORIZED, message);
  }
}

/** An enclave key was asked of an SMS that has no development TEE mode (a real enclave needs attestation). */
export class DevEnclaveDisabledError extends OpenPocoError {
  constructor(message: string) {
    super(DEV_ENCLAVE_DISABLED, message);
  }
}

/** The SMS was started in the development TEE mode on a chain that is not a local development chain. */
export class TeeDevChainError extends OpenPocoError {
  constructor(message: string) {
    super("TEE_DEV_CHAIN", message);
  }
}

/** HTTP status of the SMS's own error codes (beside the common ones). */
export const SMS_STATUS_OF_CODE: Readonly<Record<string, number>> = {
  SECRET_EXISTS: 409,
  [ENCLAVE_REQUIRED]: 403,
  [ENCLAVE_PROOF_INVALID]: 403,
  [NON_TEE_DEAL]: 403,
  [UNKNOWN_ENCLAVE_CHALLENGE]: 403,
  [ENCLAVE_KEY_NOT_AUTHORIZED]: 403,
  [DEV_ENCLAVE_DISABLED]: 403,
};
