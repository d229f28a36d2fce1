/**
 * Reading through the UnixFS exporter: a `<cid>[/path]` resolved to the file it names, read whole or in
 * part, every block coming from the store's hash-checked reads. The exporter's own errors are turned
 * into ours (a missing link is a 404, a node that is not a file a 400).
 */
import { exporter, type ReadableStorage, type UnixFSEntry } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import { InvalidInputError, NotFoundError, OpenPocoError } from "../sdk/core/errors";
import type { FileBlockstore } from "./blockstore";
import { exporterPath, type CidPath } from "./cid-path";
import { MalformedDagError, readFileRange } from "./file-reader";

/** A file found at a path. */
export interface ResolvedFile {
  /** CID of the file's root block. */
  cid: CID;
  /** Bytes of the file. */
  size: number;
  /** The bytes from `offset`, `length` of them (all to the end when omitted). */
  read(offset?: number, length?: number): AsyncGenerator<Uint8Array>;
}

function translate(error: unknown, path: CidPath): unknown {
  if (error instanceof OpenPocoError) return error;
  const name = (error as Error | undefined)?.name;
  const shown = exporterPath(path);
  if (name === "NotFoundError")
    return new NotFoundError(`Nothing at /ipfs/${shown}: no such link in the DAG of ${path.cid}.`);
  if (name === "NoResolverError" || name === "NotUnixFSError" || name === "BadPathError")
    return new InvalidInputError(
      `/ipfs/${shown} is not UnixFS content this store can read (${(error as Error).message}).`,
    );
  return error;
}

/**
 * The entry at `path` (a file, a directory, a raw block...), one link at a time: the exporter alone
 * answers a file for `<file>/anything`, where only a directory can have a link.
 */
export async function resolveEntry(store: FileBlockstore, path: CidPath): Promise<UnixFSEntry> {
  const blocks = store as unknown as ReadableStorage;
  try {
    let entry = await exporter(path.cid, blocks);
    for (const segment of path.segments) {
      if (entry.type !== "directory")
        throw new NotFoundError(
          `Nothing at /ipfs/${exporterPath(path)}: ${entry.cid} is a ${entry.type}, it has no link "${segment}".`,
        );
      entry = await exporter(`${entry.cid}/${segment}`, blocks);
    }
    return entry;
  } catch (error) {
    throw translate(error, path);
  }
}

/** The file at `path`; throws InvalidInputError when it is a directory or not a file. */
export async function resolveFile(store: FileBlockstore, path: CidPath): Promise<ResolvedFile> {
  const entry = await resolveEntry(store, path);
  if (entry.type === "directory")
    throw new InvalidInputError(`/ipfs/${exporterPath(path)} is a directory: ask for a file in it.`);
  if (entry.type !== "file" && entry.type !== "raw" && entry.type !== "identity")
    throw new InvalidInputError(`/ipfs/${exporterPath(path)} is not a file (it is ${entry.type}).`);
  const size = Number(entry.size);
  return {
    cid: entry.cid,
    size,
    read: async function* (offset = 0, length?: number) {
      const end = length === undefined ? size : Math.min(size, offset + length);
      let sent = 0;
      try {
        for await (const chunk of readFileRange(store as unknown as ReadableStorage, entry, offset, end)) {
          sent += chunk.byteLength;
          yield chunk;
        }
      } catch (error) {
        throw translate(error, path);
      }
      if (sent !== Math.max(0, end - offset))
        throw new MalformedDagError(entry.cid, `${sent} bytes read where the root announces ${end - offset}`);
    },
  };
}
