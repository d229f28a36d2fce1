/**
 * The add path: bytes streamed into the UnixFS importer with kubo's defaults (CIDv0, 256 KiB chunks,
 * dag-pb leaves, balanced layout, a single chunk kept as one node), blocks staged and moved into the
 * store only when the whole content was read and fit the limit.
 */
import { importFile, type ImporterOptions } from "ipfs-unixfs-importer";
import type { CID } from "multiformats/cid";
import type { FileBlockstore } from "./blockstore";
import { AddTooLargeError } from "./errors";

/** Importer options that give the CIDs `ipfs add` gives with kubo's defaults. */
export const KUBO_IMPORT_OPTIONS: ImporterOptions = {
  profile: "unixfs-v0-2015",
  cidVersion: 0,
  rawLeaves: false,
  reduceSingleLeafToSelf: true,
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

/** Passes `content` through, throwing AddTooLargeError as soon as more than `maxBytes` went by. */
async function* limited(content: AsyncIterable<Uint8Array>, maxBytes: number, count: { bytes: number }) {
  for await (const chunk of content) {
    count.bytes += chunk.byteLength;
    if (count.bytes > maxBytes) throw new AddTooLargeError(maxBytes);
    yield chunk;
  }
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
      { content: limited(content, options.maxBytes, count) },
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
