/**
 * Blocks as files under `<dataDir>/blocks`, named by their multihash. Every read is hash-checked against
 * the CID before the bytes leave this class, so a corrupted file is an error, never content. Adds write
 * their blocks into a staging folder of their own and move them in only once complete (see staging.ts).
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { access, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CID } from "multiformats/cid";
import { NotFoundError } from "../sdk/core/errors";
import { IDENTITY, assertVerifiable, blockFileName, blockMatches } from "./block-file";
import { BlockHashMismatchError } from "./errors";
import { BlockStaging } from "./staging";

let tempCounter = 0;

/** The shared read buffer's size: the largest block IPFS nodes exchange (bitswap's 2 MiB). */
const READ_BUFFER_BYTES = 2 * 1024 * 1024;

/** The file's bytes, read into `buffer` when they fit (a view of it), else into a buffer of their own. */
function readInto(file: string, buffer: Buffer): Buffer {
  const fd = openSync(file, "r");
  try {
    let size = 0;
    for (;;) {
      const read = readSync(fd, buffer, size, buffer.length - size, size);
      if (read === 0) return buffer.subarray(0, size);
      size += read;
      if (size === buffer.length) break;
    }
  } finally {
    closeSync(fd);
  }
  return readFileSync(file);
}

/** The block files of one node. */
export class FileBlockstore {
  /** Buffer of the exporter's reads, reused (see `get`). */
  private readonly readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);

  private constructor(
    /** Folder of the block files. */
    readonly blocksDir: string,
    /** Folder of the adds in progress, one sub-folder each. */
    readonly stagingDir: string,
  ) {}

  /** Opens (creating) the store under `dataDir`; staged blocks of adds cut short by a crash are dropped. */
  static open(dataDir: string): FileBlockstore {
    const blocksDir = path.join(dataDir, "blocks");
    const stagingDir = path.join(dataDir, "staging");
    mkdirSync(blocksDir, { recursive: true });
    rmSync(stagingDir, { recursive: true, force: true });
    mkdirSync(stagingDir, { recursive: true });
    return new FileBlockstore(blocksDir, stagingDir);
  }

  /** Path of the file of `cid`'s block. */
  fileOf(cid: CID): string {
    return path.join(this.blocksDir, blockFileName(cid));
  }

  /** True when the block is stored (not checked: reading it checks it). */
  async has(cid: CID): Promise<boolean> {
    if (cid.multihash.code === IDENTITY) return true;
    try {
      await access(this.fileOf(cid));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Reads a block's file, through `into` when it fits (the buffer is then reused by the next read),
   * and checks the bytes against the CID. Throws NotFoundError when it is not stored, and
   * BlockHashMismatchError when its file does not hash to the CID.
   */
  private readChecked(cid: CID, into?: Buffer): Uint8Array {
    assertVerifiable(cid);
    if (cid.multihash.code === IDENTITY) return cid.multihash.digest;
    const file = this.fileOf(cid);
    let bytes: Buffer;
    try {
      // Synchronous on purpose: for files of 256 KiB the thread pool's hand-offs cost more CPU than
      // the read itself (measured: about twice the system time).
      bytes = into ? readInto(file, into) : readFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        throw new NotFoundError(`Block ${cid} is not in this store: add the content first.`);
      throw error;
    }
    if (!blockMatches(cid, bytes)) throw new BlockHashMismatchError(cid.toString(), file);
    return bytes;
  }

  /** The block's bytes, checked against the CID (see readChecked for the errors); they are the caller's. */
  async read(cid: CID): Promise<Uint8Array> {
    return this.readChecked(cid);
  }

  /**
   * The blockstore interface the exporter reads through: one verified chunk. The exporter copies it at
   * once (it-to-buffer), synchronously, so one shared buffer serves every read and no garbage is made.
   */
  *get(cid: CID): Generator<Uint8Array> {
    yield this.readChecked(cid, this.readBuffer);
  }

  /** Stores one block outside an add: written to a temporary file, then renamed into place. */
  async put(cid: CID, bytes: Uint8Array): Promise<CID> {
    assertVerifiable(cid);
    if (!blockMatches(cid, bytes)) throw new BlockHashMismatchError(cid.toString(), "(put)");
    const file = this.fileOf(cid);
    const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, file);
    return cid;
  }

  /** Starts an add: its blocks go to a staging folder until `commit`. */
  beginAdd(): BlockStaging {
    return BlockStaging.create(this.stagingDir, this.blocksDir);
  }
}
