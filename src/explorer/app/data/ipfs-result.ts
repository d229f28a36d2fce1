/**
 * A task result on IPFS (`{"storage":"ipfs","location":"/ipfs/<cid>"}`), downloaded through the configured
 * gateway. It is public: no signature. A gateway is not trusted: the bytes are kept only when they hash to
 * the task's on-chain result digest (a result zip whose digest is its sha256), or when, chunked as kubo does
 * by default, they give back the result's CID. A digest from the app's determinism file, or of an encrypted
 * result, cannot be checked in the browser: the CID then proves only that these are the bytes the on-chain
 * location names, which the finalizing worker chose. The page says so, and points at the CLI for the check.
 */
import type { ImporterOptions } from "ipfs-unixfs-importer";
import { CID } from "multiformats/cid";
import type { ExplorerConfig } from "../config";
import { ResultDownloadError } from "./download-error";

/**
 * Largest result the page downloads (512 MiB, the result store's own limit): the bytes are held in the tab
 * to be hashed before they are saved.
 */
export const MAX_IPFS_RESULT_BYTES = 512 * 1024 * 1024;

/** kubo's `ipfs add` defaults, which our workers and the official clients use. */
const KUBO_DEFAULTS: ImporterOptions = { cidVersion: 0, rawLeaves: false, reduceSingleLeafToSelf: true };

/** The `/ipfs/<cid>[/path]` of a task's results text when it is stored on IPFS, else undefined. */
export function ipfsResultPath(resultsText: string | undefined): string | undefined {
  if (!resultsText) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(resultsText.trim());
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { storage, location } = parsed as { storage?: unknown; location?: unknown };
  if (typeof location !== "string" || !location.startsWith("/ipfs/")) return undefined;
  if (storage !== undefined && String(storage).toLowerCase() !== "ipfs") return undefined;
  return location;
}

/** The command that downloads and checks the result from a terminal (no wallet needed for IPFS). */
export function ipfsDownloadCommand(taskid: string): string {
  return `openpoco result download ${taskid}`;
}

/** How a downloaded result was checked. */
export type IpfsResultCheck = "digest" | "cid";

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return "0x" + [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Whether `bytes`, added with kubo's defaults, have the CID `cid` (nothing is stored). */
async function hasCid(bytes: Uint8Array, cid: CID): Promise<boolean> {
  // Loaded only here, so pages without an IPFS result do not carry the importer.
  const { importBytes } = await import("ipfs-unixfs-importer");
  const discard = { put: async (key: CID) => key };
  const entry = await importBytes(bytes, discard as never, KUBO_DEFAULTS);
  return entry.cid.toV1().equals(cid.toV1());
}

/**
 * The gateway URL of `cid` and its path segments, built from the parsed parts only: a location such as
 * `/ipfs/<cid>/../../x` must not reach other paths of the gateway's origin.
 */
export function gatewayUrl(config: ExplorerConfig, cid: CID, segments: string[] = []): string {
  if (!config.ipfsGateway)
    throw new ResultDownloadError(
      `This result is on IPFS and the explorer has no IPFS gateway configured: add "ipfsGateway" to chain.json.`,
    );
  const path = segments.map((segment) => `/${encodeURIComponent(segment)}`).join("");
  return `${config.ipfsGateway.replace(/\/+$/, "")}/ipfs/${cid.toString()}${path}`;
}

/** The body of `response`, refused past MAX_IPFS_RESULT_BYTES (announced or streamed). */
async function boundedBody(response: Response, url: string): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new ResultDownloadError(
      `The result at ${url} is larger than ${MAX_IPFS_RESULT_BYTES / 1024 / 1024} MiB: download it from a terminal.`,
    );
  if (Number(response.headers.get("content-length") ?? 0) > MAX_IPFS_RESULT_BYTES) throw tooLarge();
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_IPFS_RESULT_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Fetches the result at `ipfsPath` and checks it against `resultDigest` or its CID; refuses anything else. */
export async function fetchIpfsResult(
  config: ExplorerConfig,
  ipfsPath: string,
  resultDigest: string,
): Promise<{ blob: Blob; check: IpfsResultCheck }> {
  const [cidText, ...rest] = ipfsPath.slice("/ipfs/".length).split("/");
  let cid: CID;
  try {
    cid = CID.parse(cidText);
  } catch {
    throw new ResultDownloadError(`The task's result location ${ipfsPath} has no valid CID.`);
  }
  if (rest.some((segment) => segment === "" || segment === "." || segment === ".."))
    throw new ResultDownloadError(`The task's result location ${ipfsPath} has a path that leaves its CID.`);
  const url = gatewayUrl(config, cid, rest);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ResultDownloadError(`The IPFS gateway did not answer ${url} (${(error as Error).message}).`);
  }
  if (!response.ok)
    throw new ResultDownloadError(`The IPFS gateway answered HTTP ${response.status} for ${url}.`);
  const bytes = await boundedBody(response, url);
  const blob = new Blob([bytes], { type: "application/zip" });
  if ((await sha256Hex(bytes)) === resultDigest.toLowerCase()) return { blob, check: "digest" };
  if (rest.length === 0 && (await hasCid(bytes, cid))) return { blob, check: "cid" };
  throw new ResultDownloadError(
    `The IPFS gateway served ${bytes.length} bytes that match neither the on-chain result digest nor the CID ${cid}: nothing was saved.`,
  );
}
