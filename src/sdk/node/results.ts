/**
 * Client of the result store, and the decoding of where a finalized task's results are.
 *
 * The result store protocol (served by `src/results/`):
 * - Upload, by a worker: `PUT /results/{taskid}?chainId={id}`, body = the result zip
 *   (`Content-Type: application/zip`), headers `X-Result-Sha256: 0x<sha256 of the body>`,
 *   `X-Scheduler-Authorization: <the scheduler's EIP-191 signature of authorizationMessage(worker, taskid, 0)>`
 *   and `Authorization: <timestamp>_<signature>_<worker>` where the signature is the worker's EIP-191
 *   signature of `resultUploadMessage(chainId, taskid, sha256, timestamp)`. Accepted while the task is
 *   ACTIVE, or REVEALING from a worker whose contribution is the consensus; refused once it is COMPLETED.
 *   Answers `{ok, results, location, sha256, size}`; `results` is what the task is finalized with:
 *   `{"storage":"openpoco","location":"<store>/results/<taskid>?chainId=<id>"}`.
 * - Download, by the deal's requester or beneficiary: `GET /results/{taskid}?chainId={id}` with
 *   `Authorization: <timestamp>_<signature>_<address>` where the signature is an EIP-191 signature of
 *   `resultDownloadMessage(chainId, taskid, timestamp)`; timestamps older (or newer) than
 *   SIGNATURE_MAX_AGE_SECONDS are refused. Answers the zip, with `X-Result-Sha256`.
 * - Errors are `{ok: false, error}` with 400, 401 (no or bad proof), 403 (not allowed), 404, 409
 *   (task no longer accepts uploads) or 413 (too large).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  getAddress,
  getBytes,
  isHexString,
  solidityPackedKeccak256,
  toUtf8String,
  type Signer,
} from "ethers";
import { InvalidInputError, ServiceError, ServiceUnavailableError } from "../core/errors";
import { DEFAULT_TIMEOUT_MS, errorDetail, isNetworkError, joinUrl } from "../core/http";
import { downloadTo } from "./download";
import { IpfsClient } from "./ipfs";

const SERVICE = "result store";

/** Where a task's results are, as its on-chain `results` field says. */
export interface ResultLocation {
  /** Storage kind, for example "ipfs". */
  storage?: string;
  /** Location within that storage, for example "/ipfs/Qm...". */
  location?: string;
  /** Direct URL of the results, when the location is one. */
  url?: string;
}

function isUrl(text: string): boolean {
  return /^https?:\/\/\S+$/i.test(text);
}

/**
 * Decodes the `results` field of a finalized task: hex bytes of UTF-8 JSON such as
 * `{"storage":"ipfs","location":"/ipfs/Qm..."}`, or of a plain URL. "0x" (no results) gives `{}`.
 * Throws `InvalidInputError` for bytes that are neither (a callback's data, for instance).
 */
export function resultLocation(resultsBytes: string): ResultLocation {
  if (!isHexString(resultsBytes))
    throw new InvalidInputError(
      `Invalid results ${JSON.stringify(resultsBytes)}: pass the task's results field as 0x hex bytes.`,
    );
  if (resultsBytes === "0x") return {};
  let text: string;
  try {
    text = toUtf8String(resultsBytes).trim();
  } catch {
    throw new InvalidInputError(
      "The results bytes are not UTF-8 text (callback data?): read them as the app's callback data instead.",
    );
  }
  if (isUrl(text)) return { url: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidInputError(
      `The results ${JSON.stringify(text.slice(0, 80))} are neither a JSON location nor a URL: check the task.`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new InvalidInputError("The results JSON is not an object: check the task's results field.");
  const { storage, location } = parsed as { storage?: unknown; location?: unknown };
  const out: ResultLocation = {};
  if (typeof storage === "string") out.storage = storage;
  if (typeof location === "string") {
    out.location = location;
    if (isUrl(location)) out.url = location;
  }
  if (out.storage === undefined && out.location === undefined)
    throw new InvalidInputError(
      "The results JSON has no storage nor location: check the task's results field.",
    );
  return out;
}

/** `storage` of the results JSON that points at an OpenPoCo result store. */
export const OPENPOCO_STORAGE = "openpoco";
/** `storage` of the results JSON of a result on IPFS (the official SDK's and workers' default). */
export const IPFS_STORAGE = "ipfs";
/** Largest result zip a store accepts by default, in bytes (512 MiB). */
export const DEFAULT_MAX_RESULT_BYTES = 512 * 1024 * 1024;
/** How old (or how far in the future) a signed request's timestamp may be, in seconds. */
export const SIGNATURE_MAX_AGE_SECONDS = 300;
/** Header of an upload: `0x` + SHA-256 hex of the body, which the worker's signature covers. */
export const RESULT_SHA256_HEADER = "x-result-sha256";
/** Header of an upload: the scheduler's authorization for the worker on the task (as for `contribute`). */
export const SCHEDULER_AUTHORIZATION_HEADER = "x-scheduler-authorization";

const UPLOAD_PURPOSE = "OpenPoCo result upload";
const DOWNLOAD_PURPOSE = "OpenPoCo result download";

/**
 * The hash a worker signs (EIP-191) to upload a result:
 * `keccak256(abi.encodePacked("OpenPoCo result upload", chainId, taskid, sha256, timestamp))`.
 */
export function resultUploadMessage(
  chainId: bigint,
  taskid: string,
  sha256: string,
  timestamp: bigint,
): string {
  return solidityPackedKeccak256(
    ["string", "uint256", "bytes32", "bytes32", "uint256"],
    [UPLOAD_PURPOSE, chainId, taskid, sha256, timestamp],
  );
}

/**
 * The hash a requester or beneficiary signs (EIP-191) to download a result:
 * `keccak256(abi.encodePacked("OpenPoCo result download", chainId, taskid, timestamp))`.
 */
export function resultDownloadMessage(chainId: bigint, taskid: string, timestamp: bigint): string {
  return solidityPackedKeccak256(
    ["string", "uint256", "bytes32", "uint256"],
    [DOWNLOAD_PURPOSE, chainId, taskid, timestamp],
  );
}

/** A signed proof as the `Authorization` header carries it: `<timestamp>_<signature>_<address>`. */
export interface ResultProof {
  /** Unix time of the signature, in seconds. */
  timestamp: bigint;
  signature: string;
  /** The address that claims to have signed. */
  address: string;
}

/** The `Authorization` header value of `proof`. */
export function formatResultProof(proof: ResultProof): string {
  return `${proof.timestamp}_${proof.signature}_${proof.address}`;
}

/** Parses an `Authorization` header value; undefined when it is not `<timestamp>_<signature>_<address>`. */
export function parseResultProof(header: string | undefined): ResultProof | undefined {
  const match = /^(\d{1,12})_(0x[0-9a-fA-F]{130})_(0x[0-9a-fA-F]{40})$/.exec(header?.trim() ?? "");
  if (!match) return undefined;
  return { timestamp: BigInt(match[1]), signature: match[2], address: getAddress(match[3].toLowerCase()) };
}

function nowSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

function checkTaskId(taskid: string): void {
  if (!isHexString(taskid, 32))
    throw new InvalidInputError(`Invalid task id ${JSON.stringify(taskid)}: pass 0x and 64 hex digits.`);
}

/** The download `Authorization` header for `taskid`, signed by `signer` (the requester or beneficiary). */
export async function signResultDownload(
  signer: Signer,
  chainId: bigint,
  taskid: string,
  timestamp: bigint = nowSeconds(),
): Promise<string> {
  checkTaskId(taskid);
  const signature = await signer.signMessage(getBytes(resultDownloadMessage(chainId, taskid, timestamp)));
  return formatResultProof({ timestamp, signature, address: getAddress(await signer.getAddress()) });
}

/** The upload `Authorization` header for a body of hash `sha256`, signed by `signer` (the worker). */
export async function signResultUpload(
  signer: Signer,
  chainId: bigint,
  taskid: string,
  sha256: string,
  timestamp: bigint = nowSeconds(),
): Promise<string> {
  checkTaskId(taskid);
  const signature = await signer.signMessage(
    getBytes(resultUploadMessage(chainId, taskid, sha256, timestamp)),
  );
  return formatResultProof({ timestamp, signature, address: getAddress(await signer.getAddress()) });
}

/** The task `results` text that points at a result store: `{"storage":"openpoco","location":"<url>"}`. */
export function openpocoResultsText(baseUrl: string, chainId: bigint, taskid: string): string {
  const location = joinUrl(baseUrl, `/results/${taskid.toLowerCase()}`, { chainId: chainId.toString() });
  return JSON.stringify({ storage: OPENPOCO_STORAGE, location });
}

/** The task `results` text of a result zip added to IPFS: `{"storage":"ipfs","location":"/ipfs/<cid>"}`. */
export function ipfsResultsText(cid: string): string {
  return JSON.stringify({ storage: IPFS_STORAGE, location: `/ipfs/${cid}` });
}

/** Where `fetchResultZip` may look, and who asks. */
export interface FetchResultOptions {
  /** Chain of the task (signed requests to a result store name it). */
  chainId: bigint;
  /** The deal's requester or beneficiary: a result store serves only them. */
  signer?: Signer;
  /** Result store to use when the results name none (chain.json's `resultProxy`). */
  resultProxy?: string;
  /** IPFS gateway to fetch an IPFS result through (chain.json's `ipfsGateway`). */
  ipfsGateway?: string;
  /** Time to wait for each answer, in ms. */
  timeoutMs?: number;
  /** Largest zip accepted from IPFS, in bytes (default `DEFAULT_MAX_RESULT_BYTES`). */
  maxBytes?: number;
  /** Stops the download when aborted (a total time limit). */
  signal?: AbortSignal;
}

/**
 * Fetches a finalized task's result zip into `zipFile`, wherever its on-chain `results` (hex) say it is:
 * from a result store (the request signed by `signer`; the store the results name, else `resultProxy`),
 * or from IPFS through `ipfsGateway`, every block checked against the CID. Nothing is left on failure.
 * The zip is not checked against the task's result digest here: the caller does it (an encrypted result
 * is checked only once decrypted).
 * @throws InvalidInputError when the results name a storage this client cannot read, or the gateway or
 *   result store it needs is not set.
 */
export async function fetchResultZip(
  results: string,
  taskid: string,
  zipFile: string,
  options: FetchResultOptions,
): Promise<{ size: number; storage: string }> {
  checkTaskId(taskid);
  let location: ResultLocation;
  try {
    location = resultLocation(results);
  } catch (error) {
    // Results that are not a location (callback data): a result store may still hold the zip.
    if (!options.resultProxy) throw error;
    location = { storage: OPENPOCO_STORAGE };
  }
  const ipfsPath = location.storage === IPFS_STORAGE || location.location?.startsWith("/ipfs/");
  if (ipfsPath) {
    if (!location.location)
      throw new InvalidInputError(
        `The results of ${taskid} say "ipfs" but give no location: the task was finalized without its result.`,
      );
    if (!options.ipfsGateway)
      throw new InvalidInputError(
        `The result of ${taskid} is on IPFS (${location.location}): set chain.json's ipfsGateway to download it.`,
      );
    const client = new IpfsClient({ gatewayUrl: options.ipfsGateway, timeoutMs: options.timeoutMs });
    const { size } = await client.download(location.location, zipFile, {
      maxBytes: options.maxBytes ?? DEFAULT_MAX_RESULT_BYTES,
      signal: options.signal,
    });
    return { size, storage: IPFS_STORAGE };
  }
  if (location.storage === OPENPOCO_STORAGE || (location.storage === undefined && !location.url)) {
    const baseUrl = resultStoreOf(location) ?? options.resultProxy;
    if (!baseUrl)
      throw new InvalidInputError(
        `The result of ${taskid} is in a result store the results do not name: set chain.json's resultProxy.`,
      );
    const client = new ResultsClient(baseUrl, options.chainId, options.timeoutMs);
    const size = await client.download(taskid, zipFile, { signer: options.signer });
    return { size, storage: OPENPOCO_STORAGE };
  }
  const storage = location.storage ?? "a plain URL";
  throw new InvalidInputError(
    `The result of ${taskid} is stored on ${JSON.stringify(storage)}${location.location ? ` at ${location.location}` : location.url ? ` at ${location.url}` : ""}, which this client cannot fetch: only "${OPENPOCO_STORAGE}" and "${IPFS_STORAGE}" results are downloaded.`,
  );
}

/** The base URL of the result store a task's `results` point at, when they point at one. */
export function resultStoreOf(location: ResultLocation): string | undefined {
  if (location.storage !== OPENPOCO_STORAGE || location.url === undefined) return undefined;
  const at = location.url.search(/\/results\/0x[0-9a-fA-F]{64}/);
  return at < 0 ? undefined : location.url.slice(0, at);
}

/** `0x` + SHA-256 hex of a file's bytes, streamed. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) hash.update(chunk);
  });
  return `0x${hash.digest("hex")}`;
}

/** What a result store answers to an upload. */
export interface ResultUploaded {
  /** The task's `results`, to finalize it with. */
  results: string;
  /** URL of the stored result. */
  location: string;
  /** `0x` + SHA-256 hex of the stored zip. */
  sha256: string;
  /** Size of the stored zip, in bytes. */
  size: number;
}

/** What an upload needs besides the zip. */
export interface ResultUploadOptions {
  /** The worker's signer. */
  signer: Signer;
  /** The scheduler's authorization of the worker on the task (the one given for `contribute`). */
  authorization: string;
}

/** How a download proves its caller: a signer (requester or beneficiary), or a ready `Authorization` value. */
export interface ResultDownloadOptions {
  signer?: Signer;
  authorization?: string;
}

/** Client of a result store serving chain `chainId`. */
export class ResultsClient {
  /**
   * @param baseUrl URL of the result store, for example `http://localhost:13200`.
   * @param chainId Chain of the tasks whose results to fetch.
   * @param timeoutMs Time to wait for the answer to start.
   */
  constructor(
    readonly baseUrl: string,
    readonly chainId: bigint,
    readonly timeoutMs?: number,
  ) {}

  private url(taskid: string): string {
    checkTaskId(taskid);
    return joinUrl(this.baseUrl, `/results/${taskid.toLowerCase()}`, { chainId: this.chainId.toString() });
  }

  /**
   * Downloads the results archive of task `taskid` to `outFile` (never leaving a partial file); returns
   * its size in bytes. With `signer` (the deal's requester or beneficiary) the request is signed as the
   * store asks; otherwise `authorization` is sent as is.
   */
  async download(taskid: string, outFile: string, options: ResultDownloadOptions = {}): Promise<number> {
    const url = this.url(taskid);
    const headers: Record<string, string> = { Accept: "application/zip, application/octet-stream, */*" };
    const authorization = options.signer
      ? await signResultDownload(options.signer, this.chainId, taskid)
      : options.authorization;
    if (authorization !== undefined) headers["Authorization"] = authorization;
    return downloadTo(SERVICE, url, outFile, headers, { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs });
  }

  /**
   * Uploads the result zip of task `taskid` as a worker (see the protocol above); returns the `results`
   * to finalize the task with. Throws `ServiceError` when the store refuses (its message says why).
   */
  async upload(taskid: string, zipFile: string, options: ResultUploadOptions): Promise<ResultUploaded> {
    const url = this.url(taskid);
    if (!isHexString(options.authorization, 65))
      throw new InvalidInputError(
        "The scheduler's authorization must be a 65-byte signature: pass the one the scheduler gave for the task.",
      );
    let size: number;
    try {
      size = (await stat(zipFile)).size;
    } catch {
      throw new InvalidInputError(`Cannot read the result zip ${zipFile}: check the path.`);
    }
    const sha256 = await sha256OfFile(zipFile);
    const proof = await signResultUpload(options.signer, this.chainId, taskid, sha256);
    const init: RequestInit & { duplex: "half" } = {
      method: "PUT",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/zip",
        "Content-Length": String(size),
        Authorization: proof,
        [RESULT_SHA256_HEADER]: sha256,
        [SCHEDULER_AUTHORIZATION_HEADER]: options.authorization,
      },
      body: Readable.toWeb(createReadStream(zipFile)) as unknown as RequestInit["body"],
      duplex: "half",
      signal: AbortSignal.timeout(this.timeoutMs ?? DEFAULT_TIMEOUT_MS * 10),
    };
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, init);
      text = await response.text();
    } catch (error) {
      if (isNetworkError(error)) throw new ServiceUnavailableError(SERVICE, this.baseUrl, error);
      throw error;
    }
    if (!response.ok)
      throw new ServiceError(
        SERVICE,
        url,
        response.status,
        errorDetail(text, response.statusText || "no detail"),
      );
    let answer: Partial<ResultUploaded> = {};
    try {
      answer = JSON.parse(text) as Partial<ResultUploaded>;
    } catch {
      // Not JSON: refused just below.
    }
    if (typeof answer.results !== "string" || answer.sha256 !== sha256)
      throw new ServiceError(
        SERVICE,
        url,
        response.status,
        "the answer does not confirm the upload; check the URL.",
      );
    return { results: answer.results, location: String(answer.location), sha256, size };
  }
}
