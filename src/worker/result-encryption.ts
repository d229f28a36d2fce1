/**
 * The worker's side of result encryption: the beneficiary's key, as the SMS released it, and the padding the
 * request asks for are checked before the app runs (a key that cannot encrypt fails the task on every worker
 * alike, so running the app first would only waste the run); the result zip is then encrypted with them.
 */
import path from "node:path";
import type { KeyObject } from "node:crypto";
import type { RequestParams } from "../sdk/core/params";
import {
  encryptResult,
  readResultPublicKey,
  resultKeyPaddingOf,
  type ResultKeyPadding,
} from "../sdk/node/result-encryption";
import { TaskFailure } from "./task-failure";

/** Name of the encrypted result written next to the plain result zip. */
export const ENCRYPTED_RESULT_ZIP = "result.encrypted.zip";

/** A task's result encryption, checked: the beneficiary's key and the padding to wrap the AES key with. */
export interface ResultEncryption {
  key: KeyObject;
  padding: ResultKeyPadding;
}

/**
 * Checks the beneficiary's key as the SMS released it (`resultEncryptionKey`: base64 of a PEM, or a PEM)
 * and the request's padding param.
 * @throws TaskFailure RESULT_ENCRYPTION_KEY_UNUSABLE saying what is wrong.
 */
export function checkResultEncryption(storedKey: string, params: RequestParams): ResultEncryption {
  try {
    return { key: readResultPublicKey(storedKey), padding: resultKeyPaddingOf(params) };
  } catch (error) {
    throw new TaskFailure(
      "RESULT_ENCRYPTION_KEY_UNUSABLE",
      `The beneficiary's result-encryption key cannot encrypt: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Encrypts the result zip for the beneficiary; returns the path of the encrypted zip, next to `zipFile`. */
export async function encryptTaskResult(zipFile: string, encryption: ResultEncryption): Promise<string> {
  const encrypted = path.join(path.dirname(zipFile), ENCRYPTED_RESULT_ZIP);
  await encryptResult(zipFile, encryption.key, encrypted, { padding: encryption.padding });
  return encrypted;
}
