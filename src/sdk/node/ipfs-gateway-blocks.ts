/**
 * A read-only blockstore over any IPFS gateway that speaks the trustless block protocol
 * (`GET /ipfs/<cid>?format=raw`, `Accept: application/vnd.ipld.raw`): each block is fetched on its own and
 * hashed before anyone reads it, so a gateway (ours, a real kubo, a public one) cannot alter the content
 * without the download failing. The unixfs exporter walks the DAG over it.
 */
import { createHash } from "node:crypto";
import { exporter, type UnixFSEntry } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import {
  InvalidInputError,
  IpfsBlockMismatchError,
  OpenPocoError,
  ServiceError,
  ServiceTimeoutError,
  ServiceUnavailableError,
} from "../core/errors";
import { isNetworkError, joinUrl } from "../core/http";

/** Name of the gateway in error messages. */
export const IPFS_GATEWAY_SERVICE = "IPFS gateway";
/** Largest block accepted from a gateway: kubo makes blocks of at most 1 MiB, and refuses over 2 MiB. */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
/** Multihash codes this client can check. */
const SHA2_256 = 0x12;
const IDENTITY = 0x00;

/** What the exporter passes to `get`. */
interface GetOptions {
  signal?: AbortSignal;
}

/** The message of a kubo-style error body (`{"Message": …}`), our services' `{error}`, or its text. */
export function ipfsErrorDetail(text: string, fallback: string): string {
  const trimmed = text.trim();
  try {
    const parsed = JSON.parse(trimmed) as { Message?: unknown; message?: unknown; error?: unknown };
    for (const candidate of [parsed.Message, parsed.message, parsed.error])
      if (typeof candidate === "string" && candidate !== "") return candidate;
  } catch {
    // Not JSON: the text itself is the message.
  }
  if (trimmed === "") return fallback;
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

/** Reads a response body, refusing more than `limit` bytes. */
async function readLimited(response: Response, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** Bytes of a typical leaf (kubo's chunks): the block budget of a download counts in these. */
const CHUNK_BYTES = 256 * 1024;
/** Blocks a download may read besides two per chunk of its file (paths, small files, odd chunkers). */
const SPARE_BLOCKS = 1024;

/** A DAG whose nodes do not add up to a file: links and sizes disagree, a link of size 0, a directory inside. */
export class IpfsMalformedDagError extends OpenPocoError {
  constructor(cid: CID, detail: string) {
    super(
      "IPFS_MALFORMED_DAG",
      `The DAG of ${cid.toString()} is malformed (${detail}): it cannot be read as a file; nothing was kept, check the CID.`,
    );
  }
}

/** A DAG that asks for more blocks than a file of its declared size needs (a walk that would not end). */
export class IpfsTooManyBlocksError extends OpenPocoError {
  constructor(cid: CID, budget: number) {
    super(
      "IPFS_TOO_MANY_BLOCKS",
      `The DAG of ${cid.toString()} needs more than ${budget} blocks for its declared size: it is malformed or hostile; nothing was kept.`,
    );
  }
}

/** Blocks a file of `size` bytes may take to read: two per 256 KiB chunk, plus a spare. */
export function blockBudget(size: bigint): number {
  return Number(size / BigInt(CHUNK_BYTES)) * 2 + SPARE_BLOCKS;
}

/** The bytes a file, raw or identity node says it holds (its data and its links' sizes); -1 for others. */
export function declaredSize(entry: UnixFSEntry): bigint {
  if (entry.type === "raw" || entry.type === "identity") return BigInt(entry.node.length);
  if (entry.type === "file") return entry.unixfs.fileSize();
  return -1n;
}

/**
 * The bytes of file `entry`, pulled: a child block is fetched only when the caller asks for the bytes after
 * those already given, so a slow writer holds one block at a time (the exporter's own `content()` fetches
 * ahead without bound). Links are followed depth-first by the block sizes each node records, and every
 * node must add up: no link of size 0, each child exactly the size its parent says. `countBlock` is called
 * before each child block is read (the download's block budget).
 */
export async function* readVerifiedFile(
  blocks: GatewayBlockstore,
  entry: UnixFSEntry,
  countBlock: () => void,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (entry.type === "raw" || entry.type === "identity") {
    if (entry.node.length > 0) yield entry.node;
    return;
  }
  if (entry.type !== "file") throw new IpfsMalformedDagError(entry.cid, `a ${entry.type} inside a file`);
  const { unixfs, node } = entry;
  if (node.Links.length !== unixfs.blockSizes.length)
    throw new IpfsMalformedDagError(entry.cid, "its links and block sizes disagree");
  if (unixfs.data && unixfs.data.length > 0) yield unixfs.data;
  for (let i = 0; i < node.Links.length; i++) {
    const size = unixfs.blockSizes[i];
    if (size <= 0n) throw new IpfsMalformedDagError(entry.cid, `its link ${i} has size 0`);
    signal.throwIfAborted();
    countBlock();
    const child = await exporter(node.Links[i].Hash as unknown as CID, blocks, { signal });
    const held = declaredSize(child);
    if (held !== size)
      throw new IpfsMalformedDagError(
        entry.cid,
        `its link ${i} says ${size} bytes, the node it points at holds ${held}`,
      );
    yield* readVerifiedFile(blocks, child, countBlock, signal);
  }
}

/** Blocks fetched one by one from a gateway, each checked against its CID's multihash. */
export class GatewayBlockstore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** The last block verified: the path walk and the file export both start with the same one. */
  private last: { cid: string; bytes: Uint8Array } | undefined;

  /**
   * @param gateway Base URL of the gateway.
   * @param timeoutMs Time each block may take, answer and body.
   * @param concurrency Blocks fetched at once (the exporter asks for a node's children all together).
   */
  constructor(
    readonly gateway: string,
    readonly timeoutMs: number,
    private readonly concurrency = 8,
  ) {}

  /** The verified bytes of block `cid`, as the exporter reads them (an iterable of one chunk). */
  async *get(cid: CID, options: GetOptions = {}): AsyncGenerator<Uint8Array> {
    yield await this.block(cid, options.signal);
  }

  /** Fetches and verifies one block. */
  async block(cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
    const { code, digest } = cid.multihash;
    // An identity CID holds its bytes itself: nothing to fetch, nothing to trust.
    if (code === IDENTITY) return digest;
    if (code !== SHA2_256)
      throw new InvalidInputError(
        `The CID ${cid.toString()} uses hash function 0x${code.toString(16)}, which this client cannot check: only sha2-256 CIDs are downloaded.`,
      );
    // Checked before the cache: a walk that was stopped must not go on through cached blocks.
    signal?.throwIfAborted();
    if (this.last?.cid === cid.toString()) return this.last.bytes;
    await this.acquire();
    try {
      const bytes = await this.fetchBlock(cid, signal);
      const actual = createHash("sha256").update(bytes).digest();
      if (!actual.equals(digest)) throw new IpfsBlockMismatchError(this.gateway, cid.toString());
      this.last = { cid: cid.toString(), bytes };
      return bytes;
    } finally {
      this.release();
    }
  }

  private async fetchBlock(cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
    const url = joinUrl(this.gateway, `/ipfs/${cid.toString()}`, { format: "raw" });
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signals = signal ? AbortSignal.any([timeout, signal]) : timeout;
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/vnd.ipld.raw" },
        signal: signals,
        redirect: "follow",
      });
      if (!response.ok) {
        const detail = ipfsErrorDetail(await response.text(), response.statusText || "no detail");
        throw new ServiceError(
          IPFS_GATEWAY_SERVICE,
          url,
          response.status,
          response.status === 404
            ? `it has no block ${cid.toString()} (${detail}): add the content to the IPFS node behind it, or use a gateway that has it.`
            : detail,
        );
      }
      const bytes = await readLimited(response, MAX_BLOCK_BYTES);
      if (bytes === undefined)
        throw new ServiceError(
          IPFS_GATEWAY_SERVICE,
          url,
          response.status,
          `it served more than ${MAX_BLOCK_BYTES} bytes for block ${cid.toString()}: check that it supports ?format=raw (trustless blocks).`,
        );
      return bytes;
    } catch (error) {
      if (error instanceof OpenPocoError) throw error;
      if (timeout.aborted)
        throw new ServiceTimeoutError(
          IPFS_GATEWAY_SERVICE,
          this.gateway,
          this.timeoutMs,
          "check that it is up and has the content, or set another gateway (chain.json's ipfsGateway, --ipfs-gateway).",
          error,
        );
      if (signal?.aborted) throw error;
      if (isNetworkError(error)) throw new ServiceUnavailableError(IPFS_GATEWAY_SERVICE, this.gateway, error);
      throw error;
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
