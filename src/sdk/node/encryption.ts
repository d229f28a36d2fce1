/**
 * Dataset encryption, in the format of the iExec CLI (see protocol.md): AES-256-CBC with PKCS#7 padding,
 * a random 32-byte key stored base64 in `.secrets/datasets/<name>.key`, and an encrypted file made of a
 * random 16-byte IV followed by the ciphertext. The dataset checksum is `0x` + the SHA-256 of the encrypted
 * file. Everything streams, so memory stays flat whatever the dataset size.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { Cipher, Decipher, Hash } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { Transform } from "node:stream";
import type { TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { InvalidInputError, OpenPocoError } from "../core/errors";
import { fileSystemError, tempPathNextTo } from "./files";
import { zipFolder } from "./zip";

/** Length in bytes of a dataset key (AES-256). */
export const DATASET_KEY_BYTES = 32;
/** Length in bytes of the IV at the start of an encrypted dataset (one AES block). */
export const IV_BYTES = 16;
const BLOCK_BYTES = 16;
const ALGORITHM = "aes-256-cbc";
// Large reads mean few stream hops per byte: at 1 MiB the cipher and the hash dominate, not the plumbing.
const READ_CHUNK_BYTES = 1024 * 1024;

/** Thrown when an encrypted dataset cannot be decrypted: wrong key, corrupted or truncated file. */
export class DecryptionError extends OpenPocoError {
  constructor(message: string, cause?: unknown) {
    super("DECRYPTION_FAILED", message, { cause });
  }
}

/** What `encryptDatasets` produced for one dataset. */
export interface EncryptedDataset {
  /** Dataset file name: the original file's name, or `<folder>.zip` for a folder. */
  name: string;
  /** Path of the original file or folder in `datasets/original/`. */
  original: string;
  /** Path of the encrypted file, `datasets/encrypted/<name>.enc`. */
  encrypted: string;
  /** Path of the key file, `.secrets/datasets/<name>.key`. */
  keyFile: string;
  /** `0x` + SHA-256 (hex) of the encrypted file: the dataset's on-chain checksum. */
  checksum: string;
  /** Size in bytes of the encrypted file. */
  size: bigint;
}

function checkKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== DATASET_KEY_BYTES) {
    const length = Buffer.isBuffer(key) ? `${key.length} bytes` : "not a Buffer";
    throw new InvalidInputError(
      `A dataset key must be ${DATASET_KEY_BYTES} bytes but this one is ${length}: use generateDatasetKey() or decodeDatasetKey().`,
    );
  }
}

/** Fails with an InvalidInputError if `file` is not an existing regular file. */
async function checkInputFile(file: string, what: string): Promise<void> {
  let stats: fs.Stats;
  try {
    stats = await fsp.stat(file);
  } catch {
    throw new InvalidInputError(`The ${what} ${file} does not exist: check the path.`);
  }
  if (!stats.isFile()) {
    throw new InvalidInputError(`The ${what} ${file} is not a file: give the path of a file.`);
  }
}

/** Generates a new random dataset key (32 bytes from the system's secure random source). */
export function generateDatasetKey(): Buffer {
  return randomBytes(DATASET_KEY_BYTES);
}

/**
 * Encodes a dataset key as it is stored in a `.key` file and sent to the SMS: base64, one line.
 * @throws InvalidInputError if `key` is not 32 bytes.
 */
export function encodeDatasetKey(key: Buffer): string {
  checkKey(key);
  return key.toString("base64");
}

/**
 * Decodes the text of a `.key` file (base64 of 32 bytes); surrounding whitespace such as a trailing
 * newline is ignored.
 * @throws InvalidInputError if the text is not base64 or does not decode to exactly 32 bytes.
 */
export function decodeDatasetKey(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed === "") {
    throw new InvalidInputError(
      "The dataset key is empty: use the .key file written by `openpoco dataset encrypt`.",
    );
  }
  // Buffer.from(…, "base64") silently skips invalid characters, so the alphabet is checked first.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new InvalidInputError(
      "The dataset key is not valid base64: use the .key file written by `openpoco dataset encrypt`, unchanged.",
    );
  }
  const key = Buffer.from(trimmed, "base64");
  if (key.length !== DATASET_KEY_BYTES) {
    throw new InvalidInputError(
      `The dataset key decodes to ${key.length} bytes instead of ${DATASET_KEY_BYTES}: use the .key file written by \`openpoco dataset encrypt\`.`,
    );
  }
  return key;
}

/**
 * Encrypting stream: writes the IV, then the AES-256-CBC ciphertext of everything piped in, padded with
 * PKCS#7 at the end. The output is exactly the content of an encrypted dataset file.
 */
class EncryptStream extends Transform {
  private readonly cipher: Cipher;
  private ivPending = true;

  constructor(
    key: Buffer,
    private readonly iv: Buffer,
  ) {
    super();
    this.cipher = createCipheriv(ALGORITHM, key, iv);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pushIv();
    this.push(this.cipher.update(chunk));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.pushIv();
    this.push(this.cipher.final());
    callback();
  }

  private pushIv(): void {
    if (!this.ivPending) return;
    this.ivPending = false;
    this.push(this.iv);
  }
}

/**
 * Creates a stream that encrypts what is piped into it into the encrypted-dataset format (IV first).
 * @param key - 32-byte dataset key.
 * @param iv - IV to use; a fresh random one by default. Only tests should pass one: reusing an IV with
 *   the same key leaks whether two files start the same.
 * @throws InvalidInputError if the key or the IV has the wrong length.
 */
export function createEncryptStream(key: Buffer, iv: Buffer = randomBytes(IV_BYTES)): Transform {
  checkKey(key);
  if (!Buffer.isBuffer(iv) || iv.length !== IV_BYTES) {
    throw new InvalidInputError(`An IV must be ${IV_BYTES} bytes: omit it to get a random one.`);
  }
  return new EncryptStream(key, iv);
}

/** Decrypting stream: reads the IV from the first 16 bytes, then deciphers the rest. */
class DecryptStream extends Transform {
  private decipher: Decipher | undefined;
  private ivParts: Buffer[] = [];
  private ivLength = 0;
  private cipherLength = 0;

  constructor(private readonly key: Buffer) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let data = chunk;
    if (this.decipher === undefined) {
      // The IV may arrive split over several small chunks (a network download), so it is gathered first.
      const needed = IV_BYTES - this.ivLength;
      this.ivParts.push(data.subarray(0, needed));
      this.ivLength += Math.min(needed, data.length);
      data = data.subarray(needed);
      if (this.ivLength < IV_BYTES) return callback();
      this.decipher = createDecipheriv(ALGORITHM, this.key, Buffer.concat(this.ivParts));
      this.ivParts = [];
    }
    this.cipherLength += data.length;
    if (data.length > 0) this.push(this.decipher.update(data));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const total = this.ivLength + this.cipherLength;
    // An empty plaintext still encrypts to one padding block, so anything under IV + one block is cut short.
    if (
      this.decipher === undefined ||
      this.cipherLength < BLOCK_BYTES ||
      this.cipherLength % BLOCK_BYTES !== 0
    ) {
      return callback(
        new DecryptionError(
          `The encrypted data is truncated or not an encrypted dataset: its ${total} bytes are not a 16-byte IV followed by whole 16-byte blocks; get the complete .enc file again.`,
        ),
      );
    }
    try {
      this.push(this.decipher.final());
    } catch (error) {
      return callback(
        new DecryptionError(
          "The encrypted data could not be decrypted (bad padding): the key is wrong or the file is corrupted; check that the key belongs to this dataset.",
          error,
        ),
      );
    }
    callback();
  }
}

/**
 * Creates a stream that decrypts an encrypted dataset piped into it (IV first, as in the `.enc` file), for
 * example a download, and outputs the plaintext. The stream fails with a {@link DecryptionError}
 * (`DECRYPTION_FAILED`) at the end of its input if the data is truncated or the padding is wrong.
 *
 * A wrong key is detected through the padding check only, which a wrong key passes about once in 256
 * tries (it then yields garbage); the dataset checksum, not decryption, is the integrity check.
 * @throws InvalidInputError if the key is not 32 bytes.
 */
export function createDecryptStream(key: Buffer): Transform {
  checkKey(key);
  return new DecryptStream(key);
}

/** Pass-through stream that hashes and counts the bytes going through it. */
class HashTap extends Transform {
  readonly hash: Hash = createHash("sha256");
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

/**
 * Streams file `input` through `transforms` into a temporary file next to `output`, renamed to `output` only
 * once all went well; on any failure the temporary file is removed and the error rethrown.
 */
async function writeAtomically(
  input: string,
  output: string,
  transforms: Transform[],
  action: string,
): Promise<void> {
  try {
    await fsp.mkdir(path.dirname(path.resolve(output)), { recursive: true });
  } catch (error) {
    throw fileSystemError("create folder", path.dirname(output), error);
  }
  const temp = tempPathNextTo(path.resolve(output));
  try {
    await pipeline([
      fs.createReadStream(input, { highWaterMark: READ_CHUNK_BYTES }),
      ...transforms,
      fs.createWriteStream(temp, { highWaterMark: READ_CHUNK_BYTES }),
    ]);
    await fsp.rename(temp, output);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    if (error instanceof OpenPocoError) throw error;
    throw fileSystemError(action, `${input} into ${output}`, error);
  }
}

/**
 * Encrypts file `input` into `output` in the encrypted-dataset format: a random IV, then the AES-256-CBC
 * ciphertext. Streams with 1 MiB chunks, so memory stays flat for any file size. The output is written to
 * a temporary file next to `output` and renamed at the end, so a failure leaves no partial output.
 *
 * @param input - File to encrypt.
 * @param output - Encrypted file to write (its folder is created if needed; an existing file is replaced).
 * @param key - 32-byte dataset key.
 * @returns The dataset checksum (`0x` + SHA-256 hex of the output bytes) and the output size in bytes.
 * @throws InvalidInputError if `input` is not a file or `key` is not 32 bytes.
 */
export async function encryptFile(
  input: string,
  output: string,
  key: Buffer,
): Promise<{ checksum: string; size: bigint }> {
  checkKey(key);
  await checkInputFile(input, "file to encrypt");
  const tap = new HashTap();
  await writeAtomically(input, output, [createEncryptStream(key), tap], "encrypt");
  return { checksum: `0x${tap.hash.digest("hex")}`, size: BigInt(tap.bytes) };
}

/**
 * Decrypts encrypted dataset `input` (IV, then ciphertext) into `output`, streaming. The output is written
 * to a temporary file next to `output` and renamed at the end, so a failure leaves no output file.
 *
 * @param input - Encrypted file (`.enc`).
 * @param output - Decrypted file to write (its folder is created if needed; an existing file is replaced).
 * @param key - 32-byte dataset key.
 * @throws DecryptionError (`DECRYPTION_FAILED`) if the file is truncated or corrupted or the key is wrong
 *   (see {@link createDecryptStream} for the limits of wrong-key detection).
 * @throws InvalidInputError if `input` is not a file or `key` is not 32 bytes.
 */
export async function decryptFile(input: string, output: string, key: Buffer): Promise<void> {
  checkKey(key);
  await checkInputFile(input, "encrypted file");
  try {
    await writeAtomically(input, output, [createDecryptStream(key)], "decrypt");
  } catch (error) {
    if (error instanceof DecryptionError) {
      // The stream cannot know the file name; the message is restated with it.
      throw new DecryptionError(`Cannot decrypt ${input}: ${lowerFirst(error.message)}`, error);
    }
    throw error;
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Writes `content` to a temporary file next to `target` with `mode`, and returns the temporary path. */
async function writeTempFile(target: string, content: string, mode: number): Promise<string> {
  const temp = tempPathNextTo(target);
  await fsp.writeFile(temp, content, { mode, flag: "wx" });
  // The creation mode is filtered by the umask; chmod makes it exact.
  await fsp.chmod(temp, mode);
  return temp;
}

/**
 * Encrypts every dataset of a project, the work of `openpoco dataset encrypt`: each entry of
 * `root/datasets/original/` (files and folders, dotfiles ignored, in name order) gets a fresh key in
 * `root/.secrets/datasets/<name>.key` (mode 0600) and is encrypted to `root/datasets/encrypted/<name>.enc`.
 * A folder is first zipped (deterministically, in a temporary folder) and its `<name>` is `<folder>.zip`.
 *
 * A dataset's key and encrypted file are both written to temporary files first and take their final
 * names together at the end, so a failed dataset leaves neither behind (earlier datasets stay done).
 * Existing outputs of the same name are replaced, with a new key.
 *
 * @param root - Project folder.
 * @returns One entry per dataset, in name order.
 * @throws InvalidInputError if `datasets/original/` is missing or empty, if it holds something that is
 *   neither a file nor a folder, or if a file and a zipped folder would get the same name.
 */
export async function encryptDatasets(root: string): Promise<EncryptedDataset[]> {
  const originalDir = path.join(root, "datasets", "original");
  const encryptedDir = path.join(root, "datasets", "encrypted");
  const secretsDir = path.join(root, ".secrets", "datasets");
  const howToStart =
    "run `openpoco dataset init --encrypted` and copy the files or folders to encrypt into datasets/original/";

  let names: string[];
  try {
    names = (await fsp.readdir(originalDir)).filter((name) => !name.startsWith(".")).sort();
  } catch {
    throw new InvalidInputError(`There is no folder ${originalDir}: ${howToStart}.`);
  }
  if (names.length === 0) {
    throw new InvalidInputError(`The folder ${originalDir} has no dataset in it: ${howToStart}.`);
  }

  // Everything is checked before anything is written, so bad input does not leave half the work done.
  const plans: { name: string; original: string; isFolder: boolean }[] = [];
  for (const entry of names) {
    const original = path.join(originalDir, entry);
    const stats = await fsp.stat(original).catch((error: unknown) => {
      throw fileSystemError("read", original, error);
    });
    if (!stats.isFile() && !stats.isDirectory()) {
      throw new InvalidInputError(
        `The dataset ${original} is neither a file nor a folder: remove it from datasets/original/.`,
      );
    }
    plans.push({
      name: stats.isDirectory() ? `${entry}.zip` : entry,
      original,
      isFolder: stats.isDirectory(),
    });
  }
  const seen = new Set<string>();
  for (const plan of plans) {
    if (seen.has(plan.name)) {
      throw new InvalidInputError(
        `Both the folder and the file ${plan.name} in datasets/original/ would be encrypted to ${plan.name}.enc: rename one of them.`,
      );
    }
    seen.add(plan.name);
  }

  try {
    await fsp.mkdir(encryptedDir, { recursive: true });
    await fsp.mkdir(secretsDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fileSystemError("create the output folders in", root, error);
  }

  const results: EncryptedDataset[] = [];
  for (const plan of plans) {
    const encrypted = path.join(encryptedDir, `${plan.name}.enc`);
    const keyFile = path.join(secretsDir, `${plan.name}.key`);
    let zipDir: string | undefined;
    let encryptedTemp: string | undefined;
    let keyTemp: string | undefined;
    let encryptedPlaced = false;
    try {
      let source = plan.original;
      if (plan.isFolder) {
        // Next to the outputs rather than in os.tmpdir(), which may be a small in-memory file system.
        zipDir = await fsp.mkdtemp(path.join(encryptedDir, ".zip-"));
        source = path.join(zipDir, plan.name);
        await zipFolder(plan.original, source);
      }
      const key = generateDatasetKey();
      encryptedTemp = tempPathNextTo(encrypted);
      const { checksum, size } = await encryptFile(source, encryptedTemp, key);
      keyTemp = await writeTempFile(keyFile, encodeDatasetKey(key), 0o600);
      // The key is placed last: a key file on disk always has its encrypted file next to it.
      await fsp.rename(encryptedTemp, encrypted);
      encryptedPlaced = true;
      await fsp.rename(keyTemp, keyFile);
      results.push({ name: plan.name, original: plan.original, encrypted, keyFile, checksum, size });
    } catch (error) {
      if (encryptedPlaced) {
        // The new file replaced any older one, so an older key file of that name is now useless too.
        await fsp.rm(encrypted, { force: true });
        await fsp.rm(keyFile, { force: true }).catch(() => undefined);
      }
      if (encryptedTemp !== undefined) await fsp.rm(encryptedTemp, { force: true });
      if (keyTemp !== undefined) await fsp.rm(keyTemp, { force: true });
      if (error instanceof OpenPocoError) throw error;
      throw fileSystemError("encrypt the dataset", plan.original, error);
    } finally {
      if (zipDir !== undefined) await fsp.rm(zipDir, { recursive: true, force: true });
    }
  }
  return results;
}
