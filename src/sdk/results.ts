/**
 * Client of the result store (the official result proxy's download path), and the decoding of where a
 * finalized task's results are.
 */
import { isHexString, toUtf8String } from "ethers";
import { InvalidInputError } from "./errors";
import { downloadTo, joinUrl } from "./http";

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

  /**
   * Downloads the results archive of task `taskid` to `outFile` (never leaving a partial file); returns
   * its size in bytes. `authorization` is sent as is for stores that restrict downloads.
   */
  async download(taskid: string, outFile: string, options: { authorization?: string } = {}): Promise<number> {
    if (!isHexString(taskid, 32))
      throw new InvalidInputError(`Invalid task id ${JSON.stringify(taskid)}: pass 0x and 64 hex digits.`);
    const url = joinUrl(this.baseUrl, `/results/${taskid}`, { chainId: this.chainId.toString() });
    const headers: Record<string, string> = { Accept: "application/zip, application/octet-stream, */*" };
    if (options.authorization !== undefined) headers["Authorization"] = options.authorization;
    return downloadTo(SERVICE, url, outFile, headers, { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs });
  }
}
