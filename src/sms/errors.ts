/** Errors of the SMS service: each has a stable code and a message that names the fix. */
import { OpenPocoError } from "../sdk/errors";

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
