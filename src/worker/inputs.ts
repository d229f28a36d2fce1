/**
 * Fetches what an app reads from /iexec_in: the request's input files (http(s) URLs) and a dataset
 * (an http(s) URL, or `/ipfs/<cid>` fetched through the IPFS gateway with every block checked against
 * the CID; then checked against its on-chain checksum while streaming, decrypted when a key is given).
 * A failure is a TaskFailure: the worker cannot compute the task and does not contribute.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, promises as fsp, type WriteStream } from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { OpenPocoError } from "../sdk/core/errors";
import { parseIpfsPath } from "../sdk/core/multiaddr";
import { createDecryptStream, DecryptionError } from "../sdk/node/encryption";
import { closeFileStream, tempPathNextTo } from "../sdk/node/files";
import { IpfsClient } from "../sdk/node/ipfs";
import type { WorkerFailureCode } from "../sdk/core/scheduler";
import { TaskFailure } from "./task-failure";

export interface DownloadOptions {
  /** Largest file accepted, in bytes; a bigger one fails the task. */
  maxBytes: number;
  /** Milliseconds to wait for each server's answer headers. */
  timeoutMs?: number;
  /** Milliseconds a whole download may take (default 30 min): a server trickling bytes cannot hold a slot. */
  totalTimeoutMs?: number;
  /**
   * Accept file:// URLs (local mirrors, tests). Off by default: a multiaddr comes from the chain, and a
   * worker must not read its own disk (or /dev/zero) because a dataset owner said so.
   */
  allowFileUrls?: boolean;
  /** Base URL of the IPFS gateway `/ipfs/<cid>` datasets are fetched through (chain.json's `ipfsGateway`). */
  ipfsGateway?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_TOTAL_TIMEOUT_MS = 30 * 60_000;
const PARALLEL_DOWNLOADS = 4;

/** Thrown inside a stream to stop a download past its size limit. */
class TooLarge extends Error {}

/** Counts bytes and stops the stream beyond `maxBytes`. */
function limiter(maxBytes: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new TooLarge(`more than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
}

/** The body of `url` as a stream: http(s) through fetch, file:// (tests, local mirrors) from disk. */
async function openSource(
  url: string,
  maxBytes: number,
  timeoutMs: number,
  allowFileUrls: boolean,
): Promise<Readable> {
  const parsed = new URL(url);
  if (parsed.protocol === "file:") {
    if (!allowFileUrls)
      throw new Error("file URLs are refused: the worker reads nothing of its own disk for a task");
    return createReadStream(fileURLToPath(parsed));
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new Error(`${parsed.protocol} URLs are not supported, only http(s)`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, redirect: "follow" });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  const length = Number(response.headers.get("content-length") ?? "NaN");
  if (length > maxBytes) {
    await response.body?.cancel();
    throw new TooLarge(`${length} bytes, more than ${maxBytes}`);
  }
  return response.body
    ? Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>)
    : Readable.from([]);
}

function reason(error: unknown): string {
  if (error instanceof TooLarge) return `too large (${error.message})`;
  // The SDK's errors say what failed and what to do in one sentence: no cause to add.
  if (error instanceof OpenPocoError) return error.message.replace(/\.$/, "");
  const cause = (error as { cause?: unknown }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${message}: ${cause.message}` : message;
}

/** Streams `url` through `stages` into `outFile`; the file is removed when anything fails. */
async function fetchTo(
  url: string,
  outFile: string,
  stages: Transform[],
  options: DownloadOptions,
): Promise<void> {
  const open = () =>
    openSource(
      url,
      options.maxBytes,
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      options.allowFileUrls ?? false,
    );
  await streamTo(open, outFile, stages, options);
}

/** Streams what `open` gives through `stages` into `outFile`; the file is removed when anything fails. */
async function streamTo(
  open: () => Promise<Readable>,
  outFile: string,
  stages: Transform[],
  options: DownloadOptions,
): Promise<void> {
  const totalMs = options.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  let sink: WriteStream | undefined;
  try {
    const source = await open();
    timer = setTimeout(
      () => source.destroy(new Error(`the download took more than ${Math.round(totalMs / 1000)} s`)),
      totalMs,
    );
    sink = createWriteStream(outFile, { flags: "wx" });
    await pipeline([source, limiter(options.maxBytes), ...stages, sink]);
  } catch (error) {
    if (sink) await closeFileStream(sink);
    await fsp.rm(outFile, { force: true });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A safe file name from a URL's last path segment: no separators, no dot names, no control characters. */
export function fileNameFromUrl(url: string): string {
  let segment: string;
  try {
    const parts = new URL(url).pathname.split("/");
    segment = decodeURIComponent(parts[parts.length - 1] ?? "");
  } catch {
    segment = "";
  }
  const safe = segment.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  return safe === "" ? "input" : safe.slice(0, 200);
}

/** Names for the URLs in order, made unique (`a.txt`, `a_2.txt`, ...) and distinct from `taken`. */
export function inputFileNames(urls: string[], taken: string[] = []): string[] {
  const used = new Set(taken);
  return urls.map((url) => {
    const name = fileNameFromUrl(url);
    const ext = path.extname(name);
    const stem = name.slice(0, name.length - ext.length);
    let candidate = name;
    for (let n = 2; used.has(candidate); n++) candidate = `${stem}_${n}${ext}`;
    used.add(candidate);
    return candidate;
  });
}

/**
 * Downloads the request's input files into `inDir`; returns their names in the request's order.
 * @throws TaskFailure INPUT_FILE_DOWNLOAD_FAILED
 */
export async function downloadInputFiles(
  urls: string[],
  inDir: string,
  options: DownloadOptions & { reserved?: string[] },
): Promise<string[]> {
  const names = inputFileNames(urls, options.reserved);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const i = next++;
      if (!/^https?:\/\//i.test(urls[i]))
        throw new TaskFailure(
          "INPUT_FILE_DOWNLOAD_FAILED",
          `Input file ${JSON.stringify(urls[i])} is not an http(s) URL.`,
        );
      try {
        await fetchTo(urls[i], path.join(inDir, names[i]), [], options);
      } catch (error) {
        throw new TaskFailure(
          "INPUT_FILE_DOWNLOAD_FAILED",
          `Cannot download input file ${urls[i]}: ${reason(error)}.`,
          {
            cause: error,
          },
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, urls.length) }, worker));
  return names;
}

export interface DatasetSource {
  multiaddr: string;
  /** On-chain checksum: "0x" + sha256 of the bytes served (the encrypted ones for an encrypted dataset). */
  checksum: string;
  /** The dataset key; when given, the served bytes are decrypted into the file. */
  key?: Buffer;
}

/** The `/ipfs/` path of a dataset multiaddr, undefined for a URL; a bad CID fails the task. */
function ipfsPathOf(multiaddr: string): string | undefined {
  try {
    return parseIpfsPath(multiaddr) ? multiaddr : undefined;
  } catch (error) {
    throw new TaskFailure(
      "DATASET_DOWNLOAD_FAILED",
      `The dataset multiaddr ${JSON.stringify(multiaddr)} is not a valid IPFS path: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Fetches `/ipfs/<cid>` through the gateway into a hidden file next to `outFile` (every block checked
 * against its CID), then streams that file through `stages` into `outFile`; the hidden file never stays.
 */
async function fetchIpfsTo(
  ipfsPath: string,
  outFile: string,
  stages: Transform[],
  options: DownloadOptions,
): Promise<void> {
  if (!options.ipfsGateway)
    throw new Error(
      "the dataset is on IPFS and this worker has no IPFS gateway: the workerpool must set chain.json's ipfsGateway (or `worker start --ipfs-gateway`)",
    );
  const raw = tempPathNextTo(outFile);
  const totalMs = options.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
  try {
    const client = new IpfsClient({ gatewayUrl: options.ipfsGateway, timeoutMs: options.timeoutMs });
    await client.download(ipfsPath, raw, {
      maxBytes: options.maxBytes,
      signal: AbortSignal.timeout(totalMs),
    });
    await streamTo(async () => createReadStream(raw), outFile, stages, options);
  } finally {
    await fsp.rm(raw, { force: true });
  }
}

/**
 * Downloads a dataset to `outFile`, checking its checksum as it streams; nothing is left on failure.
 * An `/ipfs/<cid>` multiaddr is fetched through `options.ipfsGateway`, each block checked against the CID.
 * @throws TaskFailure DATASET_DOWNLOAD_FAILED or DATASET_BAD_CHECKSUM
 */
export async function downloadDataset(
  dataset: DatasetSource,
  outFile: string,
  options: DownloadOptions,
): Promise<void> {
  const fail = (code: WorkerFailureCode, detail: string, cause?: unknown) =>
    new TaskFailure(code, detail, { cause });
  if (!/^0x[0-9a-fA-F]{64}$/.test(dataset.checksum))
    throw fail(
      "DATASET_BAD_CHECKSUM",
      `The dataset checksum ${JSON.stringify(dataset.checksum)} is not 0x and 64 hex digits.`,
    );
  const ipfsPath = ipfsPathOf(dataset.multiaddr);
  if (ipfsPath === undefined && !/^(https?|file):\/\//i.test(dataset.multiaddr))
    throw fail(
      "DATASET_DOWNLOAD_FAILED",
      `The dataset multiaddr ${JSON.stringify(dataset.multiaddr)} is neither an http(s) URL nor /ipfs/<cid>.`,
    );
  const hash = createHash("sha256");
  // The hash sees the bytes as served, before decryption: the checksum is over what the owner published.
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const stages = dataset.key ? [tap, createDecryptStream(dataset.key)] : [tap];
  try {
    if (ipfsPath !== undefined) await fetchIpfsTo(ipfsPath, outFile, stages, options);
    else await fetchTo(dataset.multiaddr, outFile, stages, options);
  } catch (error) {
    // A decryption failure with a good checksum means a wrong key; with a bad one, bad bytes.
    if (error instanceof DecryptionError) {
      const served = `0x${hash.digest("hex")}`;
      if (served !== dataset.checksum.toLowerCase())
        throw fail(
          "DATASET_BAD_CHECKSUM",
          `The dataset served by ${dataset.multiaddr} is not the one registered.`,
          error,
        );
    }
    throw fail(
      "DATASET_DOWNLOAD_FAILED",
      `Cannot download the dataset from ${dataset.multiaddr}: ${reason(error)}.`,
      error,
    );
  }
  const served = `0x${hash.digest("hex")}`;
  if (served !== dataset.checksum.toLowerCase()) {
    await fsp.rm(outFile, { force: true });
    throw fail(
      "DATASET_BAD_CHECKSUM",
      `The dataset served by ${dataset.multiaddr} has checksum ${served}, not the registered ${dataset.checksum.toLowerCase()}.`,
    );
  }
}
