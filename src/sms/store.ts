/**
 * The SMS's storage in SQLite (better-sqlite3, WAL): secrets encrypted by the vault (the database holds
 * IVs and ciphertexts, never a value), the audit log of releases and refusals, and the worker signatures
 * already used (replay protection). Every value reaches SQL as a bound parameter.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { OpenPocoError } from "../sdk/errors";
import type { Vault } from "./vault";

/** What a secret belongs to: a dataset's key, an account's named secret, an app developer's secret. */
export type SecretKind = "web3" | "web2" | "app";

/** Where a secret is stored. */
export interface SecretPlace {
  kind: SecretKind;
  /** Checksummed address: the dataset (web3), the owner account (web2), the app (app). */
  owner: string;
  /** Secret name (web2), index (app), "" (web3). */
  name: string;
}

/** One row of the audit log: names of what was released, never values. */
export interface AuditRecord {
  id: number;
  /** Unix time in ms. */
  time: number;
  taskid: string;
  worker: string;
  outcome: "released" | "refused";
  /** HTTP status of the answer. */
  status: number;
  /** Names of the secrets released (for example "datasetKey", "requesterSecret:1=api-key"). */
  released: string[];
  /** Why a request was refused (or what was missing), empty when nothing to say. */
  reason: string;
}

/** Thrown when the database was written by a newer SMS. */
export class SmsStoreVersionError extends OpenPocoError {
  constructor(file: string, found: number, known: number) {
    super(
      "STORE_VERSION_UNKNOWN",
      `The SMS database ${file} has schema version ${found}, newer than this SMS's ${known}: upgrade the SMS or use another data folder.`,
    );
  }
}

const SCHEMA_VERSION = 1;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS secrets (
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  iv BLOB NOT NULL,
  sealed BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (kind, owner, name)
);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  taskid TEXT NOT NULL,
  worker TEXT NOT NULL,
  outcome TEXT NOT NULL,
  status INTEGER NOT NULL,
  released TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS used_signatures (
  message TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
`;

interface AuditRow {
  id: number;
  time: number;
  taskid: string;
  worker: string;
  outcome: string;
  status: number;
  released: string;
  reason: string;
}

function placeText(place: SecretPlace): string {
  return `${place.kind}:${place.owner}:${place.name}`;
}

/** The SMS's database. */
export class SmsStore {
  private constructor(
    private readonly db: Database.Database,
    private readonly vault: Vault,
  ) {}

  /** Opens (or creates) the database `file` (":memory:" for a throwaway one). */
  static open(file: string, vault: Vault): SmsStore {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new SmsStoreVersionError(file, version, SCHEMA_VERSION);
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return new SmsStore(db, vault);
  }

  /** True when a secret is stored at `place`. */
  has(place: SecretPlace): boolean {
    return !!this.db
      .prepare("SELECT 1 FROM secrets WHERE kind = ? AND owner = ? AND name = ?")
      .get(place.kind, place.owner, place.name);
  }

  /** Stores a new secret; false (nothing written) when one is already there. */
  insert(place: SecretPlace, value: string, now = Date.now()): boolean {
    const { iv, sealed } = this.vault.seal(placeText(place), value);
    const result = this.db
      .prepare(
        `INSERT INTO secrets (kind, owner, name, iv, sealed, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(place.kind, place.owner, place.name, iv, sealed, now, now);
    return result.changes === 1;
  }

  /** Replaces an existing secret; false (nothing written) when there is none. */
  update(place: SecretPlace, value: string, now = Date.now()): boolean {
    const { iv, sealed } = this.vault.seal(placeText(place), value);
    const result = this.db
      .prepare(
        "UPDATE secrets SET iv = ?, sealed = ?, updated_at = ? WHERE kind = ? AND owner = ? AND name = ?",
      )
      .run(iv, sealed, now, place.kind, place.owner, place.name);
    return result.changes === 1;
  }

  /** The decrypted secret at `place`, or undefined. Only the release rules call this. */
  read(place: SecretPlace): string | undefined {
    const row = this.db
      .prepare("SELECT iv, sealed FROM secrets WHERE kind = ? AND owner = ? AND name = ?")
      .get(place.kind, place.owner, place.name) as { iv: Buffer; sealed: Buffer } | undefined;
    return row ? this.vault.open(placeText(place), row) : undefined;
  }

  /**
   * Records that the signed message `message` was used, valid until `expiresAt` (ms); false when it
   * already was (a replay). Expired entries are purged on the way.
   */
  useSignature(message: string, expiresAt: number, now = Date.now()): boolean {
    this.db.prepare("DELETE FROM used_signatures WHERE expires_at < ?").run(now);
    const result = this.db
      .prepare("INSERT INTO used_signatures (message, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
      .run(message.toLowerCase(), expiresAt);
    return result.changes === 1;
  }

  /** Appends a row to the audit log. */
  audit(entry: Omit<AuditRecord, "id">): void {
    this.db
      .prepare(
        "INSERT INTO audit (time, taskid, worker, outcome, status, released, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        entry.time,
        entry.taskid.toLowerCase(),
        entry.worker,
        entry.outcome,
        entry.status,
        JSON.stringify(entry.released),
        entry.reason,
      );
  }

  /** The audit log, oldest first (optionally of one task). */
  auditLog(taskid?: string): AuditRecord[] {
    const rows = (
      taskid === undefined
        ? this.db.prepare("SELECT * FROM audit ORDER BY id").all()
        : this.db.prepare("SELECT * FROM audit WHERE taskid = ? ORDER BY id").all(taskid.toLowerCase())
    ) as AuditRow[];
    return rows.map((row) => ({
      ...row,
      outcome: row.outcome as AuditRecord["outcome"],
      released: JSON.parse(row.released) as string[],
    }));
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
