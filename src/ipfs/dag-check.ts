/**
 * The check behind pin/add: every block of a DAG is read (and so hash-checked) once, links followed
 * from a set of the CIDs already seen. Reading the file's content instead would read a block once per
 * link to it: a small DAG linking one big file many times would make a pin read the file many times.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { exporter, type ReadableStorage, type UnixFSEntry } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import type { FileBlockstore } from "./blockstore";

/** The CIDs an entry's block links to (dag-pb nodes only: raw and identity blocks have none). */
function linksOf(entry: UnixFSEntry): CID[] {
  if (entry.type !== "file" && entry.type !== "directory") return [];
  return entry.node.Links.map((link) => link.Hash);
}

/**
 * Reads every block reachable from `root` (already read: resolving it read its block) once, each
 * checked against its CID by the store, letting other requests run between blocks. Throws the store's
 * errors: NotFoundError for a block it does not hold, BlockHashMismatchError for a corrupted one.
 */
export async function checkWholeDag(store: FileBlockstore, root: UnixFSEntry): Promise<void> {
  const blocks = store as unknown as ReadableStorage;
  const seen = new Set<string>([root.cid.toString()]);
  const pending: CID[] = [];
  const follow = (entry: UnixFSEntry) => {
    for (const link of linksOf(entry)) {
      const key = link.toString();
      if (seen.has(key)) continue;
      seen.add(key);
      pending.push(link);
    }
  };
  follow(root);
  for (let cid = pending.pop(); cid !== undefined; cid = pending.pop()) {
    await nextTurn();
    // The exporter reads the one block the CID names (through the store's checked reads) and decodes it.
    follow(await exporter(cid, blocks));
  }
}
