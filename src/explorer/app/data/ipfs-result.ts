/**
 * A task result on IPFS (`{"storage":"ipfs","location":"/ipfs/<cid>"}`), downloaded through the configured
 * gateway. It is public: no signature. A gateway is not trusted: the bytes are kept only when they hash to
 * the task's on-chain result digest (a result zip whose digest is its sha256), or when, chunked as kubo does
 * by default, they give back the result's CID (a digest from the app's determinism file, or an encrypted
 * result, cannot be checked in the browser: the CID then proves they are the bytes the worker added).
 */
import type { ImporterOptions } from "ipfs-unixfs-importer";
import { CID } from "multiformats/cid";
import type { ExplorerConfig } from "../config";
import { ResultDownloadError } from "./result-download";

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

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
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

/** The gateway URL of `ipfsPath`. */
export function gatewayUrl(config: ExplorerConfig, ipfsPath: string): string {
  if (!config.ipfsGateway)
    throw new ResultDownloadError(
      `This result is on IPFS and the explorer has no IPFS gateway configured: add "ipfsGateway" to chain.json.`,
    );
  return config.ipfsGateway + ipfsPath;
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
  const url = gatewayUrl(config, ipfsPath);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ResultDownloadError(`The IPFS gateway did not answer ${url} (${(error as Error).message}).`);
  }
  if (!response.ok)
    throw new ResultDownloadError(`The IPFS gateway answered HTTP ${response.status} for ${url}.`);
  const buffer = await response.arrayBuffer();
  const bytes = new Uint8Array(buffer);
  const blob = new Blob([buffer], { type: "application/zip" });
  if ((await sha256Hex(buffer)) === resultDigest.toLowerCase()) return { blob, check: "digest" };
  if (rest.length === 0 && (await hasCid(bytes, cid))) return { blob, check: "cid" };
  throw new ResultDownloadError(
    `The IPFS gateway served ${bytes.length} bytes that match neither the on-chain result digest nor the CID ${cid}: nothing was saved.`,
  );
}
