/**
 * The add path: bytes streamed into the UnixFS importer with kubo's defaults (CIDv0, 256 KiB chunks,
 * dag-pb leaves, balanced layout, a single chunk kept as one node), blocks staged and moved into the
 * store only when the whole content was read and fit the limit.
 */
import { importFile, type ImporterOptions, type InProgressImportResult } from "ipfs-unixfs-importer";
import { balanced, type FileLayout } from "ipfs-unixfs-importer/layout";
import type { CID } from "multiformats/cid";
import type { FileBlockstore } from "./blockstore";
import { AddTooLargeError } from "./errors";

/** kubo's widest node of the balanced layout. */
const MAX_CHILDREN_PER_NODE = 174;

/**
 * Leaves as the layout gets them, without their bytes: the importer keeps each leaf's UnixFS (with the
 * chunk in it) until its parent node is built, 174 chunks (43 MiB) later. The parent needs only the
 * size, kept as the leaf's block size. The first leaf keeps its bytes: a file of one chunk is that leaf.
 */
async function* withoutLeafBytes(
  leaves: AsyncIterable<InProgressImportResult> | Iterable<InProgressImportResult>,
) {
  let first = true;
  for await (const leaf of leaves) {
    const unixfs = leaf.unixfs;
    if (!first && unixfs?.data) {
      unixfs.blockSizes = [BigInt(unixfs.data.length)];
      unixfs.data = undefined;
    }
    first = false;
    yield leaf;
  }
}

/** kubo's balanced layout over leaves that no longer hold their bytes. */
const leanBalanced: FileLayout = (source, reduce) =>
  balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE })(withoutLeafBytes(source), reduce);

/** Importer options that give the CIDs `ipfs add` gives with kubo's defaults. */
export const KUBO_IMPORT_OPTIONS: ImporterOptions = {
  profile: "unixfs-v0-2015",
  cidVersion: 0,
  rawLeaves: false,
  reduceSingleLeafToSelf: true,
  layout: leanBalanced,
  // The importer takes chunks in batches of this many, then hashes and writes a batch at once: 2 MiB
  // held per add, several writes in flight.
  blockWriteConcurrency: 8,
};

/** What an add stored. */
export interface AddResult {
  cid: CID;
  /** Bytes of the file. */
  bytes: number;
  /** Bytes of all the DAG's blocks (kubo's `Size`). */
  dagSize: bigint;
}

/** kubo's chunk size. */
const CHUNK_BYTES = 256 * 1024;

/**
 * `content` cut into chunks of exactly 256 KiB (the last one shorter), throwing AddTooLargeError as soon
 * as more than `maxBytes` went by. Each byte is copied once, here: the importer's chunker then takes
 * the chunks as they are instead of gathering them itself.
 */
async function* limitedChunks(
  content: AsyncIterable<Uint8Array>,
  maxBytes: number,
  count: { bytes: number },
) {
  let chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  let filled = 0;
  for await (const piece of content) {
    count.bytes += piece.byteLength;
    if (count.bytes > maxBytes) throw new AddTooLargeError(maxBytes);
    let offset = 0;
    while (offset < piece.byteLength) {
      const taken = Math.min(CHUNK_BYTES - filled, piece.byteLength - offset);
      chunk.set(piece.subarray(offset, offset + taken), filled);
      filled += taken;
      offset += taken;
      if (filled === CHUNK_BYTES) {
        yield chunk;
        chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield chunk.subarray(0, filled);
}

/**
 * Imports `content` into `store`. On any failure (too large, the stream failing, a bad body) no block of
 * this add is left in the store.
 */
export async function addContent(
  store: FileBlockstore,
  content: AsyncIterable<Uint8Array>,
  options: { maxBytes: number },
): Promise<AddResult> {
  const staging = store.beginAdd();
  const count = { bytes: 0 };
  try {
    const result = await importFile(
      { content: limitedChunks(content, options.maxBytes, count) },
      staging,
      KUBO_IMPORT_OPTIONS,
    );
    await staging.commit();
    return { cid: result.cid, bytes: count.bytes, dagSize: result.size };
  } catch (error) {
    await staging.discard();
    throw error;
  }
}
