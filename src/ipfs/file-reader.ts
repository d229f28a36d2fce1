/**
 * Reads a UnixFS file's bytes in order with backpressure: the exporter's own `content()` pushes every
 * block into a queue as fast as the disk gives them, whatever the reader's pace, so a slow client of
 * a large file would hold the file in memory. Here a block is read only when the bytes before it were
 * taken, with a few blocks read ahead. Blocks are decoded by the exporter (each through the store's
 * hash-checked reads); this file only follows links by the block sizes the UnixFS nodes record.
 */
import { exporter, type ReadableStorage, type UnixFSEntry } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import { OpenPocoError } from "../sdk/core/errors";

/** Blocks read ahead of the one being sent: keeps the disk busy, holds at most this × 256 KiB. */
const READ_AHEAD = 4;

/** A DAG whose nodes do not add up (sizes and links disagree, a leaf of an unknown kind). */
export class MalformedDagError extends OpenPocoError {
  constructor(cid: CID, detail: string) {
    super("MALFORMED_DAG", `The DAG of ${cid} is malformed (${detail}): it cannot be read as a file.`);
  }
}

/** The bytes of `entry` in [start, end), in order. `entry` is a file, raw or identity node. */
export async function* readFileRange(
  blocks: ReadableStorage,
  entry: UnixFSEntry,
  start: number,
  end: number,
): AsyncGenerator<Uint8Array> {
  if (end <= start) return;
  if (entry.type === "raw" || entry.type === "identity") {
    yield entry.node.subarray(start, end);
    return;
  }
  if (entry.type !== "file") throw new MalformedDagError(entry.cid, `a ${entry.type} inside a file`);
  const { unixfs, node } = entry;
  let position = 0;
  if (unixfs.data && unixfs.data.length > 0) {
    const data = unixfs.data;
    if (start < data.length) yield data.subarray(start, Math.min(end, data.length));
    position = data.length;
  }
  if (node.Links.length !== unixfs.blockSizes.length)
    throw new MalformedDagError(entry.cid, "links and block sizes disagree");
  // The children holding bytes of [start, end), with their offsets.
  const wanted: { cid: CID; from: number; size: number }[] = [];
  for (let i = 0; i < node.Links.length && position < end; i++) {
    const size = Number(unixfs.blockSizes[i]);
    if (position + size > start)
      wanted.push({ cid: node.Links[i].Hash as unknown as CID, from: position, size });
    position += size;
  }
  const ahead: Promise<UnixFSEntry>[] = [];
  let next = 0;
  const fill = () => {
    while (next < wanted.length && ahead.length < READ_AHEAD) {
      const read = exporter(wanted[next++].cid, blocks);
      read.catch(() => undefined); // Awaited in order below; a failure there is the one reported.
      ahead.push(read);
    }
  };
  for (const child of wanted) {
    fill();
    const childEntry = await ahead.shift()!;
    yield* readFileRange(
      blocks,
      childEntry,
      Math.max(0, start - child.from),
      Math.min(child.size, end - child.from),
    );
  }
}
