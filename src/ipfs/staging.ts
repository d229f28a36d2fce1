/**
 * The blocks of one add, written to a folder of their own and moved into the store only when the add
 * completes: an add refused for its size, or cut short by the client, leaves no block behind.
 * Writes run behind the import (a few at a time), so hashing the next chunks overlaps the disk.
 */
import { mkdtempSync, writeFile } from "node:fs";
import { readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { CID } from "multiformats/cid";
import { blockFileName } from "./block-file";

/** Renames done at once when committing: enough to keep the disk busy, few enough file handles. */
const COMMIT_CONCURRENCY = 32;
/** Block writes in flight before `put` waits: bounds the memory of an add (16 × 256 KiB). */
const WRITES_IN_FLIGHT = 16;

/** The staging folder of one add. */
export class BlockStaging {
  private readonly writing = new Set<Promise<void>>();
  private failure: unknown;

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
   * Starts writing a block into the staging folder (the importer's blockstore interface); waits only
   * when enough writes are already in flight. A failed write fails a later put, or the commit.
   */
  async put(cid: CID, bytes: Uint8Array): Promise<CID> {
    if (this.failure) throw this.failure;
    // The callback API: fs/promises' file handles cost several times more per small file.
    const write: Promise<void> = new Promise<void>((resolve, reject) =>
      writeFile(path.join(this.dir, blockFileName(cid)), bytes, (error) =>
        error ? reject(error) : resolve(),
      ),
    ).then(
      () => void this.writing.delete(write),
      (error: unknown) => {
        this.writing.delete(write);
        this.failure ??= error;
      },
    );
    this.writing.add(write);
    while (this.writing.size >= WRITES_IN_FLIGHT) await Promise.race(this.writing);
    return cid;
  }

  /** Waits for the writes in flight; throws the first that failed. */
  private async settle(): Promise<void> {
    await Promise.all(this.writing);
    if (this.failure) throw this.failure;
  }

  /** Moves every staged block into the store (a rename each: same filesystem), then drops the folder. */
  async commit(): Promise<void> {
    await this.settle();
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

  /** Drops every staged block (after the writes in flight end, so none lands after the folder is gone). */
  async discard(): Promise<void> {
    await Promise.allSettled(this.writing);
    await rm(this.dir, { recursive: true, force: true });
  }
}
