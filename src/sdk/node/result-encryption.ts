/**
 * Result encryption for a beneficiary: the result zip is encrypted with AES-256-CBC under a fresh random
 * key (16-byte IV first, PKCS#7 padding: the dataset format of `encryption.ts`), and that key is encrypted
 * with the beneficiary's RSA public key (OAEP, SHA-256). The encrypted result is a zip holding
 * `aes-key.rsa` (the RSA-encrypted key, raw bytes) and `iexec_out.zip.aes` (the encrypted archive).
 */
import { constants, generateKeyPair, privateDecrypt, publicEncrypt, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { DATASET_KEY_BYTES, decryptFile, DecryptionError, encryptFile } from "./encryption";
import { InvalidInputError, OpenPocoError } from "../core/errors";
import { unzipTo, zipFolder } from "./zip";

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

/** Encrypts result zip `zipFile` for the holder of `publicKeyPem` into the encrypted-result zip `outFile`. */
export async function encryptResult(zipFile: string, publicKeyPem: string, outFile: string): Promise<void> {
  await withTempDir(outFile, async (dir) => {
    const content = path.join(dir, "content");
    const key = randomBytes(DATASET_KEY_BYTES);
    await encryptFile(zipFile, path.join(content, ENCRYPTED_RESULT_FILE), key);
    let wrapped: Buffer;
    try {
      wrapped = publicEncrypt(
        { key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
        key,
      );
    } catch (error) {
      throw new InvalidInputError(
        `The public key cannot encrypt (${error instanceof Error ? error.message : String(error)}): pass an RSA public key in PEM.`,
      );
    }
    await writeFile(path.join(content, ENCRYPTED_KEY_FILE), wrapped);
    await zipFolder(content, outFile);
  });
}

/** Decrypts the encrypted-result zip `encryptedZip` with `privateKeyPem` into the result zip `outFile`. */
export async function decryptResult(
  encryptedZip: string,
  privateKeyPem: string,
  outFile: string,
): Promise<void> {
  await withTempDir(outFile, async (dir) => {
    const content = path.join(dir, "content");
    const entries = await unzipTo(encryptedZip, content);
    if (!isEncryptedResult(entries))
      throw new InvalidInputError(
        `${encryptedZip} is not an encrypted result (no ${ENCRYPTED_KEY_FILE} and ${ENCRYPTED_RESULT_FILE}): it needs no decryption.`,
      );
    let key: Buffer;
    try {
      key = privateDecrypt(
        { key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
        await readFile(path.join(content, ENCRYPTED_KEY_FILE)),
      );
    } catch (error) {
      throw new ResultDecryptionError(
        `This private key does not open ${encryptedZip}: pass the beneficiary's key (.secrets/beneficiary/<address>_key) whose public key encrypted it.`,
        error,
      );
    }
    if (key.length !== DATASET_KEY_BYTES)
      throw new ResultDecryptionError(
        `The key in ${encryptedZip} is not an AES-256 key: the archive is damaged.`,
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
