/**
 * A read-only blockstore over any IPFS gateway that speaks the trustless block protocol
 * (`GET /ipfs/<cid>?format=raw`, `Accept: application/vnd.ipld.raw`): each block is fetched on its own and
 * hashed before anyone reads it, so a gateway (ours, a real kubo, a public one) cannot alter the content
 * without the download failing. The unixfs exporter walks the DAG over it.
 */
import { createHash } from "node:crypto";
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
