/**
 * The one home of the result digest rules (protocol.md "Result digest"): what honest workers agree on
 * for a task, computed from the app's /iexec_out folder and the zipped result.
 * Precedence: callback.iexec, then determinism.iexec, then computed.json's deterministic-output-path,
 * then the sha256 of the result zip. Files are hashed as streams, so their size does not bound memory.
 */
import { createHash } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { keccak256 } from "ethers";
import { OpenPocoError } from "../sdk/core/errors";

/** Where the app's out folder is mounted inside the container. */
export const CONTAINER_OUT = "/iexec_out";
export const CALLBACK_FILE = "callback.iexec";
export const DETERMINISM_FILE = "determinism.iexec";
export const COMPUTED_FILE = "computed.json";

// A determinism file longer than this cannot hold a bytes32 (66 characters plus whitespace).
const BYTES32_TEXT_MAX = 4096;
// callback.iexec goes on chain in finalize, so anything larger is a broken app rather than a result.
const CALLBACK_MAX_BYTES = 1024 * 1024;

/** Which rule produced a digest. */
export type DigestSource = "callback" | "determinism" | "computed" | "zip";

export interface ResultDigest {
  /** "0x" and 64 hex digits. */
  resultDigest: string;
  /** The bytes of callback.iexec as hex, "0x" when there is none. */
  resultsCallback: string;
  source: DigestSource;
}

/**
 * Thrown when the app's output breaks a digest rule (a deterministic-output-path outside /iexec_out,
 * missing, or a link). The message names container paths only, so every worker writes the same text.
 */
export class ResultDigestError extends OpenPocoError {
  constructor(message: string) {
    super("RESULT_DIGEST_INVALID", message);
  }
}

/** "0x" + the sha256 of a file, read as a stream. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return `0x${hash.digest("hex")}`;
}

async function statOrUndefined(file: string) {
  try {
    return await fsp.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** The value of a determinism file: its bytes32 when it holds one, else the sha256 of the file. */
async function determinismDigest(file: string, size: number): Promise<string> {
  if (size <= BYTES32_TEXT_MAX) {
    const text = (await fsp.readFile(file, "utf8")).trim();
    if (/^0x[0-9a-fA-F]{64}$/.test(text)) return text.toLowerCase();
  }
  return sha256File(file);
}

/** The host path of a deterministic-output-path, which apps write as container or relative paths. */
function hostPath(outDir: string, written: string): string {
  const outside = () =>
    new ResultDigestError(
      `computed.json names ${JSON.stringify(written)} as deterministic-output-path, which is not inside ${CONTAINER_OUT}: write a path under ${CONTAINER_OUT}.`,
    );
  let relative: string;
  if (written === CONTAINER_OUT || written.startsWith(`${CONTAINER_OUT}/`))
    relative = written.slice(CONTAINER_OUT.length);
  else if (path.posix.isAbsolute(written)) throw outside();
  else relative = written;
  const base = path.resolve(outDir);
  const resolved = path.resolve(base, `.${path.posix.sep}${relative}`);
  if (resolved !== base && !resolved.startsWith(base + path.sep)) throw outside();
  return resolved;
}

/** Every regular file under `dir` as [relative "/" path, host path], sorted by the relative path's bytes. */
async function listFiles(dir: string): Promise<[string, string][]> {
  const files: [string, string][] = [];
  async function walk(absolute: string, relative: string): Promise<void> {
    for (const child of await fsp.readdir(absolute, { withFileTypes: true })) {
      const childRelative = relative === "" ? child.name : `${relative}/${child.name}`;
      const childAbsolute = path.join(absolute, child.name);
      if (child.isDirectory()) await walk(childAbsolute, childRelative);
      else if (child.isFile()) files.push([childRelative, childAbsolute]);
      else
        throw new ResultDigestError(
          `The deterministic output holds ${childRelative}, a link or special file: write regular files only.`,
        );
    }
  }
  await walk(dir, "");
  // Byte order of UTF-8 paths, so the order does not depend on the locale or on UTF-16 code units.
  return files.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
}

/** The digest of a deterministic-output-path: a file's sha256, or keccak256 of a folder's file hashes. */
async function computedDigest(outDir: string, written: string): Promise<string> {
  const target = hostPath(outDir, written);
  // Links could lead out of the folder, so every component below outDir must be a real file or folder.
  const base = path.resolve(outDir);
  let current = base;
  for (const part of path
    .relative(base, target)
    .split(path.sep)
    .filter((p) => p !== "")) {
    current = path.join(current, part);
    const stats = await statOrUndefined(current);
    if (!stats)
      throw new ResultDigestError(
        `computed.json names ${JSON.stringify(written)} as deterministic-output-path, which the app did not write: write it or fix computed.json.`,
      );
    if (stats.isSymbolicLink() || !(stats.isFile() || stats.isDirectory()))
      throw new ResultDigestError(
        `computed.json names ${JSON.stringify(written)} as deterministic-output-path, which goes through a link or special file: write regular files only.`,
      );
  }
  const stats = await fsp.lstat(target);
  if (stats.isFile()) return sha256File(target);
  const hashes: Buffer[] = [];
  for (const [, file] of await listFiles(target))
    hashes.push(Buffer.from((await sha256File(file)).slice(2), "hex"));
  return keccak256(Buffer.concat(hashes));
}

/** The deterministic-output-path of computed.json, or undefined when it names none (or is not JSON). */
async function deterministicOutputPath(file: string): Promise<string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fsp.readFile(file, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const value = (parsed as Record<string, unknown>)["deterministic-output-path"];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * The result digest of an app run, from its out folder and the zip of that folder.
 * @throws ResultDigestError when the app's files break a rule (path escaping /iexec_out, links).
 */
export async function computeResultDigest(outDir: string, zipFile: string): Promise<ResultDigest> {
  const callback = await statOrUndefined(path.join(outDir, CALLBACK_FILE));
  if (callback) {
    if (!callback.isFile())
      throw new ResultDigestError(`${CONTAINER_OUT}/${CALLBACK_FILE} is not a regular file: write a file.`);
    if (callback.size > CALLBACK_MAX_BYTES)
      throw new ResultDigestError(
        `${CONTAINER_OUT}/${CALLBACK_FILE} holds ${callback.size} bytes, more than ${CALLBACK_MAX_BYTES}: write the callback data only.`,
      );
    const bytes = await fsp.readFile(path.join(outDir, CALLBACK_FILE));
    return {
      resultDigest: keccak256(bytes),
      resultsCallback: `0x${bytes.toString("hex")}`,
      source: "callback",
    };
  }
  const determinism = await statOrUndefined(path.join(outDir, DETERMINISM_FILE));
  if (determinism) {
    if (!determinism.isFile())
      throw new ResultDigestError(
        `${CONTAINER_OUT}/${DETERMINISM_FILE} is not a regular file: write a file.`,
      );
    return {
      resultDigest: await determinismDigest(path.join(outDir, DETERMINISM_FILE), determinism.size),
      resultsCallback: "0x",
      source: "determinism",
    };
  }
  const computed = await statOrUndefined(path.join(outDir, COMPUTED_FILE));
  if (computed?.isFile()) {
    const written = await deterministicOutputPath(path.join(outDir, COMPUTED_FILE));
    if (written !== undefined)
      return {
        resultDigest: await computedDigest(outDir, written),
        resultsCallback: "0x",
        source: "computed",
      };
  }
  return { resultDigest: await sha256File(zipFile), resultsCallback: "0x", source: "zip" };
}
