/**
 * Result encryption for a beneficiary, in iExec's format (what `iexec result decrypt` and the official SDK's
 * `utils.decryptResult` open): the result zip is encrypted with AES-256-CBC under a fresh random key (16-byte
 * IV first, PKCS#7 padding: the dataset format of `encryption.ts`), and that key is encrypted with the
 * beneficiary's RSA public key, RSAES-PKCS1-v1_5 by default or RSA-OAEP/SHA-256 when the requester asks.
 * The encrypted result is a zip holding `aes-key.rsa` (the RSA-encrypted key, raw bytes) and
 * `iexec_out.zip.aes` (the encrypted archive). Decryption recognizes either padding.
 */
import {
  constants,
  generateKeyPair,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { DATASET_KEY_BYTES, decryptFile, DecryptionError, encryptFile } from "./encryption";
import { InvalidInputError, OpenPocoError } from "../core/errors";
import { unzipTo, zipFolder } from "./zip";
import {
  DEFAULT_RESULT_KEY_PADDING,
  readResultPrivateKey,
  readResultPublicKey,
  type ResultKeyPadding,
} from "./result-keys";

export * from "./result-keys";

/** Entry of the encrypted result holding the RSA-encrypted AES key. */
export const ENCRYPTED_KEY_FILE = "aes-key.rsa";
/** Entry of the encrypted result holding the AES-encrypted result zip (IV first). */
export const ENCRYPTED_RESULT_FILE = "iexec_out.zip.aes";
/** Size of generated RSA keys, in bits. */
export const RESULT_KEY_BITS = 4096;

/** Thrown when an encrypted result cannot be decrypted: wrong private key, or a damaged archive. */
export class ResultDecryptionError extends OpenPocoError {
  constructor(message: string, cause?: unknown) {
    super("RESULT_DECRYPTION_FAILED", message, { cause });
  }
}

/** An RSA key pair in PEM: `publicKey` (SPKI) for the SMS and the worker, `privateKey` (PKCS#8) to keep. */
export interface ResultKeyPair {
  publicKey: string;
  privateKey: string;
}

/** A fresh RSA-4096 key pair for result encryption. */
export function generateResultKeyPair(): Promise<ResultKeyPair> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      "rsa",
      {
        modulusLength: RESULT_KEY_BITS,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
      },
      (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey })),
    ),
  );
}

/** True when a zip's entry names are those of an encrypted result. */
export function isEncryptedResult(entries: string[]): boolean {
  return entries.includes(ENCRYPTED_KEY_FILE) && entries.includes(ENCRYPTED_RESULT_FILE);
}

async function withTempDir<T>(near: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(path.dirname(path.resolve(near)), ".openpoco-result-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Options of `encryptResult`. */
export interface EncryptResultOptions {
  /** How the AES key is wrapped (default "pkcs1", the official format). */
  padding?: ResultKeyPadding;
}

/**
 * Encrypts result zip `zipFile` for the holder of `publicKey` into the encrypted-result zip `outFile`.
 * `publicKey` is in any form `readResultPublicKey` reads (the SMS's value as is).
 * @throws InvalidInputError when the key cannot encrypt; nothing is written then.
 */
export async function encryptResult(
  zipFile: string,
  publicKey: string | KeyObject,
  outFile: string,
  options: EncryptResultOptions = {},
): Promise<void> {
  const key = typeof publicKey === "string" ? readResultPublicKey(publicKey) : publicKey;
  const padding = options.padding ?? DEFAULT_RESULT_KEY_PADDING;
  await withTempDir(outFile, async (dir) => {
    const content = path.join(dir, "content");
    const aesKey = randomBytes(DATASET_KEY_BYTES);
    await encryptFile(zipFile, path.join(content, ENCRYPTED_RESULT_FILE), aesKey);
    const wrapped = publicEncrypt(
      padding === "oaep"
        ? { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }
        : { key, padding: constants.RSA_PKCS1_PADDING },
      aesKey,
    );
    await writeFile(path.join(content, ENCRYPTED_KEY_FILE), wrapped);
    await zipFolder(content, outFile);
  });
}

/**
 * The message of an RSAES-PKCS1-v1_5 block (0x00 0x02, at least 8 non-zero padding bytes, 0x00, message), or
 * undefined when `block` is not one. Node 20 refuses PKCS#1 v1.5 private decryption (a padding oracle risk for
 * servers, CVE-2023-46809), so the block is decrypted raw and unpadded here: this runs on the beneficiary's
 * own machine over a file it downloaded, where nobody can observe the failures.
 */
function pkcs1Message(block: Buffer): Buffer | undefined {
  if (block.length < 11 || block[0] !== 0x00 || block[1] !== 0x02) return undefined;
  const separator = block.indexOf(0x00, 2);
  if (separator < 10) return undefined;
  return block.subarray(separator + 1);
}

/** The AES key wrapped in `wrapped`, trying OAEP (whose check is strict) and then PKCS#1 v1.5. */
function unwrapKey(wrapped: Buffer, key: KeyObject): Buffer | undefined {
  try {
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, wrapped);
  } catch {
    // Not OAEP with this key: the official padding, or a wrong key.
  }
  try {
    return pkcs1Message(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, wrapped));
  } catch {
    return undefined;
  }
}

/**
 * Decrypts the encrypted-result zip `encryptedZip` with `privateKey` (PEM, or base64 of it) into the result
 * zip `outFile`. Results of either padding (the official PKCS#1 v1.5, or OAEP) open.
 * @throws ResultDecryptionError for a wrong key or a damaged archive; nothing is written then.
 */
export async function decryptResult(
  encryptedZip: string,
  privateKey: string,
  outFile: string,
): Promise<void> {
  const rsaKey = readResultPrivateKey(privateKey);
  await withTempDir(outFile, async (dir) => {
    const content = path.join(dir, "content");
    const entries = await unzipTo(encryptedZip, content);
    if (!isEncryptedResult(entries))
      throw new InvalidInputError(
        `${encryptedZip} is not an encrypted result (no ${ENCRYPTED_KEY_FILE} and ${ENCRYPTED_RESULT_FILE}): it needs no decryption.`,
      );
    const key = unwrapKey(await readFile(path.join(content, ENCRYPTED_KEY_FILE)), rsaKey);
    // A wrong key fails both unpaddings; a PKCS#1 v1.5 block that decodes by chance is not 32 bytes long.
    if (key === undefined || key.length !== DATASET_KEY_BYTES)
      throw new ResultDecryptionError(
        `This private key does not open ${encryptedZip}: pass the beneficiary's key (.secrets/beneficiary/<address>_key) whose public key encrypted it.`,
      );
    try {
      await decryptFile(path.join(content, ENCRYPTED_RESULT_FILE), outFile, key);
    } catch (error) {
      if (error instanceof DecryptionError)
        throw new ResultDecryptionError(
          `The archive in ${encryptedZip} is damaged: download it again.`,
          error,
        );
      throw error;
    }
  });
}
