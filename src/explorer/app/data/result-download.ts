/**
 * Downloads a task's result from OpenPoCo's result store with the connected wallet's signature, as the
 * SDK's Node client does (src/sdk/node/results.ts): `GET /results/{taskid}?chainId=` with
 * `Authorization: <timestamp>_<signature>_<address>`, the signature an EIP-191 one of
 * `keccak256(abi.encodePacked("OpenPoCo result download", chainId, taskid, timestamp))`. The store serves
 * only the deal's requester and beneficiary.
 */
import { getAddress, getBytes, solidityPackedKeccak256, type Signer } from "ethers";
import type { ExplorerConfig } from "../config";
import { ResultDownloadError } from "./download-error";

export { ResultDownloadError };

const DOWNLOAD_PURPOSE = "OpenPoCo result download";

/** The command that downloads the result from a terminal, with the requester's or beneficiary's wallet. */
export function downloadCommand(taskid: string): string {
  return `openpoco result download ${taskid}`;
}

/** The hash a requester or beneficiary signs to download `taskid`'s result. */
export function resultDownloadMessage(chainId: bigint, taskid: string, timestamp: bigint): string {
  return solidityPackedKeccak256(
    ["string", "uint256", "bytes32", "uint256"],
    [DOWNLOAD_PURPOSE, chainId, taskid, timestamp],
  );
}

/**
 * Where the page fetches `location` from: through the explorer's own origin when it forwards to the result
 * store (the store answers no CORS), else the location itself.
 */
export function downloadUrl(config: ExplorerConfig, location: string): string {
  if (config.resultStoreProxy && config.resultProxy && location.startsWith(config.resultProxy + "/"))
    return config.resultStoreProxy + location.slice(config.resultProxy.length);
  return location;
}

/** The result's zip, signed for by `signer`. */
export async function fetchResult(
  config: ExplorerConfig,
  location: string,
  taskid: string,
  signer: Signer,
): Promise<Blob> {
  const timestamp = BigInt(Math.floor(Date.now() / 1000));
  const hash = resultDownloadMessage(BigInt(config.chainId), taskid, timestamp);
  const signature = await signer.signMessage(getBytes(hash));
  const address = getAddress(await signer.getAddress());
  let response: Response;
  try {
    response = await fetch(downloadUrl(config, location), {
      headers: { Authorization: `${timestamp}_${signature}_${address}` },
    });
  } catch (error) {
    throw new ResultDownloadError(
      `The result store at ${location} did not answer the browser (${(error as Error).message}).`,
    );
  }
  if (!response.ok) {
    let reason = `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as { error?: string; message?: string };
      reason = body.error ?? body.message ?? reason;
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ResultDownloadError(`The result store refused the download (${reason}).`);
  }
  return response.blob();
}

/** Hands `blob` to the browser as a file download named `<taskid>.zip`. */
export function saveBlob(blob: Blob, taskid: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = `${taskid}.zip`;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Let the download start before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
