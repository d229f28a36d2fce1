/** Errors of the SMS service: each has a stable code and a message that names the fix. */
import { OpenPocoError } from "../sdk/core/errors";
import { ENCLAVE_PROOF_INVALID, ENCLAVE_REQUIRED } from "../sdk/node/sms";

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

/** HTTP status of the SMS's own error codes (beside the common ones). */
export const SMS_STATUS_OF_CODE: Readonly<Record<string, number>> = {
  SECRET_EXISTS: 409,
  [ENCLAVE_REQUIRED]: 403,
  [ENCLAVE_PROOF_INVALID]: 403,
};
