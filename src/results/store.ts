/**
 * The result store's storage: zips in a folder named by their SHA-256, and a SQLite index of which zip
 * is each task's. A zip is fully written (temporary file, then rename) before the index row that names
 * it is written, so a row always has its file; a file left without a row (a crash between the two) is
 * garbage that the next start removes.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import type Database from "better-sqlite3";
import { fileSystemError, tempPathNextTo } from "../sdk/node/files";
import { openDatabase, type Migration } from "../server/database";

/** A stored result. */
export interface StoredResult {
  chainId: bigint;
  taskid: string;
  /** `0x` + SHA-256 hex of the zip. */
  sha256: string;
  size: number;
  /** The worker that uploaded it. */
  worker: string;
  /** Unix time of the upload, in milliseconds. */
  uploadedAt: number;
}

interface Row {
  chain_id: string;
  taskid: string;
  sha256: string;
  size: number;
  worker: string;
  uploaded_at: number;
}

function fromRow(row: Row): StoredResult {
  return {
    chainId: BigInt(row.chain_id),
    taskid: row.taskid,
    sha256: row.sha256,
    size: row.size,
    worker: row.worker,
    uploadedAt: row.uploaded_at,
  };
}

/**
 * Version 1 of the index. Indexes written before it had a version hold exactly this table, at
 * version 0: `IF NOT EXISTS` carries them over as they are.
 */
const V1 = `
CREATE TABLE IF NOT EXISTS results (
  chain_id TEXT NOT NULL, taskid TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
  worker TEXT NOT NULL, uploaded_at INTEGER NOT NULL, PRIMARY KEY (chain_id, taskid));
`;

/** Index `i` takes the index from version `i` to `i + 1` (see `openDatabase`). */
const MIGRATIONS: readonly Migration[] = [V1];

/** Zips in `<dataDir>/files`, the index in `<dataDir>/results.sqlite`. */
export class ResultFileStore {
  private constructor(
    private readonly db: Database.Database,
    readonly filesDir: string,
  ) {}

  /**
   * Opens (creating) the store in `dataDir` and removes what an interrupted upload left. Throws
   * `StoreVersionError` when the index is from a newer result store.
   */
  static open(dataDir: string): ResultFileStore {
    const filesDir = path.join(path.resolve(dataDir), "files");
    mkdirSync(filesDir, { recursive: true });
    const db = openDatabase(path.join(path.resolve(dataDir), "results.sqlite"), {
      owner: "result store",
      migrations: MIGRATIONS,
      // An upload is acknowledged once its row is written: the row is on disk by then.
      synchronous: "FULL",
    });
    const store = new ResultFileStore(db, filesDir);
    store.removeGarbage();
    return store;
  }

  private removeGarbage(): void {
    const used = new Set(
      (this.db.prepare("SELECT DISTINCT sha256 FROM results").all() as { sha256: string }[]).map((r) =>
        this.fileName(r.sha256),
      ),
    );
    for (const name of readdirSync(this.filesDir))
      if (!used.has(name)) rmSync(path.join(this.filesDir, name), { force: true });
  }

  private fileName(sha256: string): string {
    return `${sha256.slice(2).toLowerCase()}.zip`;
  }

  /** Path of the zip whose hash is `sha256`. */
  filePath(sha256: string): string {
    return path.join(this.filesDir, this.fileName(sha256));
  }

  /** A temporary path in the files folder, for a zip being received. */
  tempPath(): string {
    return tempPathNextTo(path.join(this.filesDir, "upload"));
  }

  /** The result of `taskid`, if stored. */
  get(chainId: bigint, taskid: string): StoredResult | undefined {
    const row = this.db
      .prepare("SELECT * FROM results WHERE chain_id = ? AND taskid = ?")
      .get(chainId.toString(), taskid.toLowerCase()) as Row | undefined;
    return row && fromRow(row);
  }

  /** Makes the fully written `tempFile` the result of the task, replacing an older one. */
  async put(result: StoredResult, tempFile: string): Promise<StoredResult> {
    const target = this.filePath(result.sha256);
    try {
      await rename(tempFile, target);
    } catch (error) {
      await rm(tempFile, { force: true });
      throw fileSystemError("store the result", target, error);
    }
    const previous = this.get(result.chainId, result.taskid);
    const stored = { ...result, taskid: result.taskid.toLowerCase() };
    this.db
      .prepare(
        `INSERT INTO results (chain_id, taskid, sha256, size, worker, uploaded_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (chain_id, taskid) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
         worker = excluded.worker, uploaded_at = excluded.uploaded_at`,
      )
      .run(
        stored.chainId.toString(),
        stored.taskid,
        stored.sha256,
        stored.size,
        stored.worker,
        stored.uploadedAt,
      );
    if (previous && previous.sha256 !== stored.sha256) {
      const users = this.db
        .prepare("SELECT COUNT(*) AS n FROM results WHERE sha256 = ?")
        .get(previous.sha256) as {
        n: number;
      };
      if (users.n === 0) await rm(this.filePath(previous.sha256), { force: true });
    }
    return stored;
  }

  close(): void {
    this.db.close();
  }
}
