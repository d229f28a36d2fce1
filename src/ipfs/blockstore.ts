/**
 * Blocks as files under `<dataDir>/blocks`, named by their multihash. Every read is hash-checked against
 * the CID before the bytes leave this class, so a corrupted file is an error, never content. Adds write
 * their blocks into a staging folder of their own and move them in only once complete (see staging.ts).
 */
import { mkdirSync, readFile, rmSync } from "node:fs";
import { access, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CID } from "multiformats/cid";
import { NotFoundError } from "../sdk/core/errors";
import { IDENTITY, assertVerifiable, blockFileName, blockMatches } from "./block-file";
import { BlockHashMismatchError } from "./errors";
import { BlockStaging } from "./staging";

let tempCounter = 0;

/** The block files of one node. */
export class FileBlockstore {
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
   * The block's bytes, checked against the CID. Throws NotFoundError when it is not stored, and
   * BlockHashMismatchError when its file does not hash to the CID.
   */
  async read(cid: CID): Promise<Uint8Array> {
    assertVerifiable(cid);
    if (cid.multihash.code === IDENTITY) return cid.multihash.digest;
    const file = this.fileOf(cid);
    let bytes: Buffer;
    try {
      // The callback API: fs/promises' file handles cost several times more per small file.
      bytes = await new Promise<Buffer>((resolve, reject) =>
        readFile(file, (error, data) => (error ? reject(error) : resolve(data))),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        throw new NotFoundError(`Block ${cid} is not in this store: add the content first.`);
      throw error;
    }
    if (!blockMatches(cid, bytes)) throw new BlockHashMismatchError(cid.toString(), file);
    return bytes;
  }

  /** The blockstore interface the exporter reads through: one verified chunk. */
  async *get(cid: CID): AsyncGenerator<Uint8Array> {
    yield await this.read(cid);
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
