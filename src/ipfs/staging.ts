/**
 * The blocks of one add, written to a folder of their own and moved into the store only when the add
 * completes: an add refused for its size, or cut short by the client, leaves no block behind.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { multihashFileName } from "./block-file";

/** Renames done at once when committing: enough to keep the disk busy, few enough file handles. */
const COMMIT_CONCURRENCY = 32;

/** The staging folder of one add. */
export class BlockStaging {
  private constructor(
    /** The add's own folder. */
    readonly dir: string,
    private readonly blocksDir: string,
  ) {}

  /** A fresh staging folder under `stagingDir`. */
  static create(stagingDir: string, blocksDir: string): BlockStaging {
    return new BlockStaging(mkdtempSync(path.join(stagingDir, "add-")), blocksDir);
  }

  /**
   * Writes a block, named by its multihash's bytes, into the staging folder. Synchronous on
   * purpose: for files of 256 KiB the thread pool's hand-offs (open, write, close) cost about twice the
   * system time of the writes themselves (measured), and the add is bound by that CPU.
   */
  putBlock(multihash: Uint8Array, bytes: Uint8Array): void {
    writeFileSync(path.join(this.dir, multihashFileName(multihash)), bytes);
  }

  /** Moves every staged block into the store (a rename each: same filesystem), then drops the folder. */
  async commit(): Promise<void> {
    const names = await readdir(this.dir);
    for (let start = 0; start < names.length; start += COMMIT_CONCURRENCY) {
      await Promise.all(
        names
          .slice(start, start + COMMIT_CONCURRENCY)
          .map((name) => rename(path.join(this.dir, name), path.join(this.blocksDir, name))),
      );
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Drops every staged block. */
  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
