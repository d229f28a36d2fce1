/**
 * The add path: the bytes streamed into kubo's file DAG (file-dag.ts), its blocks staged and moved into
 * the store only when the whole content was read and fit the limit.
 */
import { CID } from "multiformats/cid";
import type { FileBlockstore } from "./blockstore";
import { AddTooLargeError } from "./errors";
import { FileDagBuilder } from "./file-dag";

/** What an add stored. */
export interface AddResult {
  cid: CID;
  /** Bytes of the file. */
  bytes: number;
  /** Bytes of all the DAG's blocks (kubo's `Size`). */
  dagSize: bigint;
}

/**
 * Imports `content` into `store`. Throws AddTooLargeError as soon as more than `maxBytes` went by. On
 * any failure (too large, the stream failing, a bad body) no block of this add is left in the store.
 */
export async function addContent(
  store: FileBlockstore,
  content: AsyncIterable<Uint8Array>,
  options: { maxBytes: number },
): Promise<AddResult> {
  const staging = store.beginAdd();
  try {
    const dag = new FileDagBuilder((multihash, block) => staging.putBlock(multihash, block));
    let bytes = 0;
    for await (const piece of content) {
      bytes += piece.byteLength;
      if (bytes > options.maxBytes) throw new AddTooLargeError(options.maxBytes);
      dag.write(piece);
    }
    const built = dag.finish();
    await staging.commit();
    return { cid: CID.decode(built.rootMultihash), bytes: built.fileSize, dagSize: BigInt(built.dagSize) };
  } catch (error) {
    await staging.discard();
    throw error;
  }
}
