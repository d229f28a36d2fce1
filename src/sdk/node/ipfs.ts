/**
 * Client of any kubo-compatible IPFS node and path gateway: adds files through the node's RPC API
 * (`POST /api/v0/add`, as kubo-rpc-client and the official SDK do) and downloads content through the
 * gateway block by block, each block checked against its CID, so no gateway is trusted.
 */
import { open, rename, rm, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { exporter, walkPath } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import {
  InvalidInputError,
  NotFoundError,
  OpenPocoError,
  ServiceError,
  ServiceTimeoutError,
  ServiceUnavailableError,
} from "../core/errors";
import { DEFAULT_TIMEOUT_MS, isNetworkError, joinUrl } from "../core/http";
import { parseCid, parseIpfsPath } from "../core/multiaddr";
import { fileSystemError, tempPathNextTo } from "./files";
import {
  GatewayBlockstore,
  IPFS_GATEWAY_SERVICE,
  IpfsMalformedDagError,
  IpfsTooManyBlocksError,
  blockBudget,
  declaredSize,
  ipfsErrorDetail,
  readVerifiedFile,
} from "./ipfs-gateway-blocks";
import { multipartFileBody } from "./ipfs-multipart";

export { IpfsMalformedDagError, IpfsTooManyBlocksError } from "./ipfs-gateway-blocks";

/** Name of the node in error messages. */
export const IPFS_NODE_SERVICE = "IPFS node";

/** Where an `IpfsClient` adds and reads content. */
export interface IpfsClientOptions {
  /** Base URL of the node's RPC API (chain.json's `ipfsNode`), needed to add. */
  nodeUrl?: string;
  /** Base URL of the path gateway (chain.json's `ipfsGateway`), needed to download. */
  gatewayUrl?: string;
  /**
   * Time to wait for each answer, in ms (default 30 s): for a block of a download, or for the node while
   * an add is under way (the add as a whole may take longer, as long as bytes keep moving).
   */
  timeoutMs?: number;
}

/** Limits of one download. */
export interface IpfsDownloadOptions {
  /** Largest file accepted, in bytes: a bigger one is refused before its blocks are fetched. */
  maxBytes?: number;
  /** Stops the download when aborted (a total time limit, a shutdown). */
  signal?: AbortSignal;
}

/** An IPFS content path split into its root CID and the path below it. */
function contentPath(ipfsPath: string): { cid: string; path: string } {
  const parsed = parseIpfsPath(ipfsPath);
  if (parsed) return parsed;
  if (/^[A-Za-z0-9]+$/.test(ipfsPath)) return { cid: parseCid(ipfsPath).toString(), path: "" };
  throw new InvalidInputError(
    `${JSON.stringify(ipfsPath)} is not an IPFS path: give /ipfs/<cid>[/path] or a bare CID.`,
  );
}

/** The CID kubo answered an add with: its JSON lines (progress, then the file's), the last with a Hash. */
function addedCid(text: string, url: string, status: number): string {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  for (const line of lines.reverse()) {
    try {
      const { Hash } = JSON.parse(line) as { Hash?: unknown };
      if (typeof Hash === "string") return parseCid(Hash, "the node's answer").toString();
    } catch (error) {
      if (error instanceof OpenPocoError) throw error;
    }
  }
  throw new ServiceError(
    IPFS_NODE_SERVICE,
    url,
    status,
    "its answer to the add names no CID: check that the URL is a kubo RPC API (/api/v0).",
  );
}

/** Client of an IPFS node (to add) and an IPFS gateway (to download, verified). */
export class IpfsClient {
  readonly nodeUrl?: string;
  readonly gatewayUrl?: string;
  readonly timeoutMs: number;

  constructor(options: IpfsClientOptions) {
    this.nodeUrl = options.nodeUrl?.replace(/\/+$/, "");
    this.gatewayUrl = options.gatewayUrl?.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Adds `file` to the node with kubo's defaults (CIDv0, 256 KiB chunks, dag-pb, pinned), streaming it,
   * then checks with a HEAD that the gateway (when one is set) serves it. Returns the CID and the
   * file's size in bytes.
   * @throws InvalidInputError when no node is set or the file cannot be read; ServiceError when the node
   *   or the gateway refuses; ServiceUnavailableError (ServiceTimeoutError) when one does not answer.
   */
  async addFile(file: string): Promise<{ cid: string; size: number }> {
    if (!this.nodeUrl)
      throw new InvalidInputError(
        "No IPFS node to add to: set chain.json's ipfsNode (a kubo RPC URL) or pass the node's URL.",
      );
    let size: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error("not a file");
      size = info.size;
    } catch {
      throw new InvalidInputError(`Cannot read ${file}: give the path of a file to add to IPFS.`);
    }
    const url = joinUrl(this.nodeUrl, "/api/v0/add", { "cid-version": "0", pin: "true", progress: "false" });
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // The timeout is one of silence: it restarts whenever the file yields bytes, and runs while the node
    // answers, so a large add over a slow link is not cut short but a node that stalls is. Once the request
    // is over, a chunk still read from the file must not arm it again: it would keep the process alive.
    const touch = (): void => {
      if (settled) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.timeoutMs);
    };
    const body = multipartFileBody(file, path.basename(file), size, touch);
    touch();
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": body.contentType, "Content-Length": String(body.length) },
        body: Readable.toWeb(body.stream) as unknown as RequestInit["body"],
        duplex: "half",
        signal: controller.signal,
      } as RequestInit & { duplex: "half" });
      text = await response.text();
    } catch (error) {
      if (error instanceof OpenPocoError) throw error;
      if (timedOut)
        throw new ServiceTimeoutError(
          IPFS_NODE_SERVICE,
          this.nodeUrl,
          this.timeoutMs,
          "check that the node is up, or set another one (chain.json's ipfsNode, --ipfs-node).",
          error,
        );
      if (body.readError) throw body.readError;
      if (isNetworkError(error)) throw new ServiceUnavailableError(IPFS_NODE_SERVICE, this.nodeUrl, error);
      throw error;
    } finally {
      settled = true;
      clearTimeout(timer);
      body.stream.destroy();
    }
    if (!response.ok)
      throw new ServiceError(
        IPFS_NODE_SERVICE,
        url,
        response.status,
        ipfsErrorDetail(text, response.statusText || "no detail"),
      );
    const cid = addedCid(text, url, response.status);
    if (this.gatewayUrl) await this.checkServed(cid);
    return { cid, size };
  }

  /** A HEAD on the gateway: the content just added must be reachable there, as the official SDK checks. */
  private async checkServed(cid: string): Promise<void> {
    const url = joinUrl(this.gatewayUrl!, `/ipfs/${cid}`);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { method: "HEAD", signal: timeout });
    } catch (error) {
      if (timeout.aborted)
        throw new ServiceTimeoutError(
          IPFS_GATEWAY_SERVICE,
          this.gatewayUrl!,
          this.timeoutMs,
          "check that it serves the content of the IPFS node, or set another gateway (chain.json's ipfsGateway).",
          error,
        );
      if (isNetworkError(error))
        throw new ServiceUnavailableError(IPFS_GATEWAY_SERVICE, this.gatewayUrl!, error);
      throw error;
    }
    if (!response.ok)
      throw new ServiceError(
        IPFS_GATEWAY_SERVICE,
        url,
        response.status,
        `it does not serve ${cid}, just added to ${this.nodeUrl}: set chain.json's ipfsGateway to a gateway of that node.`,
      );
  }

  /**
   * Downloads the file at `ipfsPath` (`/ipfs/<cid>[/path]`, or a bare CID) into `outFile` through the
   * gateway: every block is fetched raw and hashed against its CID before its bytes are used, and only once
   * the bytes before it are on disk. The file is written under a temporary name and renamed once complete;
   * nothing is left on failure, and nothing of the walk goes on once this returns.
   * @throws InvalidInputError (bad CID or path, not a file), NotFoundError (the path is not in the DAG),
   *   IpfsBlockMismatchError (a block altered), IpfsMalformedDagError (nodes that do not add up),
   *   IpfsTooManyBlocksError (more blocks than the declared size needs), ServiceError /
   *   ServiceUnavailableError (the gateway).
   */
  async download(
    ipfsPath: string,
    outFile: string,
    options: IpfsDownloadOptions = {},
  ): Promise<{ size: number }> {
    const { cid, path: subPath } = contentPath(ipfsPath);
    if (!this.gatewayUrl)
      throw new InvalidInputError(
        `No IPFS gateway to download ${ipfsPath} from: set chain.json's ipfsGateway or pass a gateway URL.`,
      );
    const blocks = new GatewayBlockstore(this.gatewayUrl, this.timeoutMs);
    const controller = new AbortController();
    const stop = (): void => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener("abort", stop, { once: true });
    const temp = tempPathNextTo(outFile);
    const maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
    const tooLarge = (size: bigint | number) =>
      new OpenPocoError(
        "IPFS_FILE_TOO_LARGE",
        `${ipfsPath} is larger than the ${maxBytes} bytes allowed (${size} bytes or more): nothing was kept.`,
      );
    let size = 0;
    let sink: FileHandle | undefined;
    try {
      // The exporter's own walk takes `<file>/name` for the file itself: the walk's remainder says better.
      let reached: { cid: CID; remainder: string[] } | undefined;
      for await (const step of walkPath(`${cid}${subPath}`, blocks, { signal: controller.signal }))
        reached = step;
      if (!reached || reached.remainder.length > 0)
        throw new NotFoundError(`${ipfsPath} does not exist in its CID's DAG: check the path after the CID.`);
      const entry = await exporter(reached.cid, blocks, { signal: controller.signal });
      if (entry.type !== "file" && entry.type !== "raw" && entry.type !== "identity")
        throw new InvalidInputError(
          `${ipfsPath} is a ${entry.type}, not a file: give the path of a file inside it.`,
        );
      const declared = declaredSize(entry);
      if (declared > BigInt(maxBytes)) throw tooLarge(declared);
      // A DAG may link the same blocks over and over, or nest nodes without end: past this many blocks for
      // its declared size, it is not a file anyone made.
      const budget = blockBudget(declared);
      let read = 0;
      const countBlock = (): void => {
        if (++read > budget) throw new IpfsTooManyBlocksError(entry.cid, budget);
      };
      sink = await open(temp, "wx");
      // Pulled and written one chunk at a time: the next block is fetched once the bytes before are on disk.
      for await (const chunk of readVerifiedFile(blocks, entry, countBlock, controller.signal)) {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge(size);
        await sink.write(chunk);
      }
      if (BigInt(size) !== declared)
        throw new IpfsMalformedDagError(entry.cid, `it holds ${size} bytes, not the ${declared} it declares`);
      await sink.close();
      sink = undefined;
      await rename(temp, outFile);
    } catch (error) {
      if (sink) await sink.close().catch(() => undefined);
      await rm(temp, { force: true });
      if (options.signal?.aborted && !(error instanceof OpenPocoError))
        throw new OpenPocoError(
          "IPFS_DOWNLOAD_STOPPED",
          `The download of ${ipfsPath} was stopped (${String(options.signal.reason?.message ?? options.signal.reason)}): nothing was kept.`,
          { cause: error },
        );
      throw downloadError(error, ipfsPath, outFile);
    } finally {
      // Always: nothing of the walk may go on once the download has returned, whatever its outcome.
      controller.abort();
      options.signal?.removeEventListener("abort", stop);
    }
    return { size };
  }
}

/** The SDK error of a failed download: ours as they are, the exporter's named, the disk's as such. */
function downloadError(error: unknown, ipfsPath: string, outFile: string): unknown {
  if (error instanceof OpenPocoError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === "ERR_NOT_FOUND")
    return new NotFoundError(`${ipfsPath} does not exist in its CID's DAG: check the path after the CID.`);
  if (code === "ERR_NO_RESOLVER" || code === "ERR_NOT_UNIXFS")
    return new InvalidInputError(
      `${ipfsPath} is not a UnixFS file (${(error as Error).message}): give the CID of a file added to IPFS.`,
    );
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return fileSystemError("write", outFile, error);
  // Blocks that hash right but do not decode (not dag-pb, not UnixFS, inconsistent sizes).
  return new OpenPocoError(
    "IPFS_BAD_CONTENT",
    `The content of ${ipfsPath} cannot be read as a file (${error instanceof Error ? error.message : String(error)}): check the CID.`,
    { cause: error },
  );
}
