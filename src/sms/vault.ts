/**
 * Encryption at rest of the SMS's secrets: AES-256-GCM under a master key kept in a file of its own
 * (32 raw bytes, mode 0600, created on first start). Each secret gets a random 12-byte IV, and the
 * place it is stored at (kind, owner, name) is bound as additional data, so a row copied onto another
 * secret's place does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MasterKeyError, SecretCorruptedError } from "./errors";

/** Length of the master key, in bytes (AES-256). */
export const MASTER_KEY_BYTES = 32;
/** Length of each secret's IV, in bytes (the GCM standard size). */
export const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = "aes-256-gcm";

/** A secret as stored: never the value itself. */
export interface SealedSecret {
  iv: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  sealed: Buffer;
}

/** Reads the master key at `file`, creating it (mode 0600) when it does not exist. */
export function loadMasterKey(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const key = randomBytes(MASTER_KEY_BYTES);
    // "wx": never overwrite a key another process wrote meanwhile; mode applies at creation.
    writeFileSync(file, key, { mode: 0o600, flag: "wx" });
  }
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw new MasterKeyError(file, `cannot be read (${(error as Error).message}): fix its owner or path.`);
  }
  try {
    const mode = fstatSync(fd).mode & 0o777;
    if (mode !== 0o600)
      throw new MasterKeyError(
        file,
        `has mode ${mode.toString(8).padStart(4, "0")}, not 0600: run \`chmod 600 ${file}\` (and check nobody else read it).`,
      );
    const key = readFileSync(fd);
    if (key.length !== MASTER_KEY_BYTES)
      throw new MasterKeyError(
        file,
        `holds ${key.length} bytes, not ${MASTER_KEY_BYTES}: restore the right file (a new key cannot read the stored secrets).`,
      );
    return key;
  } finally {
    closeSync(fd);
  }
}

/** Encrypts and decrypts secrets with one master key. */
export class Vault {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== MASTER_KEY_BYTES)
      throw new MasterKeyError(
        "given",
        `holds ${key.length} bytes, not ${MASTER_KEY_BYTES}: pass a 32-byte key.`,
      );
    this.key = Buffer.from(key);
  }

  /** Opens the vault of the master key file `file` (created on first use). */
  static open(file: string): Vault {
    return new Vault(loadMasterKey(file));
  }

  /** Encrypts `value` for the place `place` (the same place must be given to open it). */
  seal(place: string, value: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(place, "utf8"));
    const sealed = Buffer.concat([cipher.update(value, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return { iv, sealed };
  }

  /** Decrypts a secret sealed for `place`; a wrong key, place or tampered bytes throw `SecretCorruptedError`. */
  open(place: string, secret: SealedSecret): string {
    if (secret.iv.length !== IV_BYTES || secret.sealed.length < TAG_BYTES)
      throw new SecretCorruptedError(place);
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, secret.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(place, "utf8"));
      decipher.setAuthTag(secret.sealed.subarray(secret.sealed.length - TAG_BYTES));
      const body = secret.sealed.subarray(0, secret.sealed.length - TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretCorruptedError(place);
    }
  }
}
