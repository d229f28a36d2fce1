/**
 * The SMS's storage in SQLite (better-sqlite3, WAL): secrets encrypted by the vault (the database holds
 * IVs and ciphertexts, never a value), the enclave challenges of TEE tasks (their private keys sealed
 * the same way), the audit log of releases and refusals, and the signatures already used (replay
 * protection). Every value reaches SQL as a bound parameter.
 */
import type Database from "better-sqlite3";
import { openDatabase, type Migration } from "../server/database";
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

/**
 * What an audit row is about: a task's secrets to a worker, a task's enclave challenge to the
 * workerpool owner, a challenge's key to a development enclave, or the SMS's own start.
 */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
/** Every audit action, for the operator's filter. */
export const AUDIT_ACTIONS = ["secrets", "challenge", "enclave-key", "start"] as const;

/** One row of the audit log: names of what was released or withheld, never values. */
export interface AuditRecord {
  id: number;
  /** Unix time in ms. */
  time: number;
  action: AuditAction;
  taskid: string;
  /**
   * The worker the request named (as sent, when it was not a valid address); for a "challenge", the
   * signer of the request.
   */
  worker: string;
  /** The enclave the request named, "" for a plain request. */
  enclave: string;
  outcome: "released" | "refused";
  /** HTTP status of the answer. */
  status: number;
  /** Error code of a refusal (for example "ENCLAVE_REQUIRED"), "" for a release. */
  code: string;
  /** Names of the secrets released (for example "datasetKey", "requesterSecret:1=api-key"). */
  released: string[];
  /**
   * Names of the secrets the request asked for and did not get: those of the task's deal the SMS holds,
   * when the refusal came after the deal was read (else empty).
   */
  withheld: string[];
  /** Why a request was refused (or what was missing), empty when nothing to say. */
  reason: string;
}

/** Which rows of the audit log to read. */
export interface AuditFilter {
  taskid?: string;
  action?: AuditAction;
  outcome?: AuditRecord["outcome"];
  /** The newest `last` rows only (still oldest first). */
  last?: number;
}

/** Version 1: secrets, the audit log and the signatures already used. */
const V1 = `
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

/** Columns version 2 added to the audit log: older rows get the defaults. */
const AUDIT_COLUMNS_V2: Record<string, string> = {
  enclave: "TEXT NOT NULL DEFAULT ''",
  code: "TEXT NOT NULL DEFAULT ''",
  withheld: "TEXT NOT NULL DEFAULT '[]'",
};

/** Version 2, TEE: the audit log names the enclave, the refusal's code and the secrets withheld. */
function v2(db: Database.Database): void {
  const columns = new Set(
    (db.prepare("SELECT name FROM pragma_table_info('audit')").all() as { name: string }[]).map(
      (c) => c.name,
    ),
  );
  for (const [name, type] of Object.entries(AUDIT_COLUMNS_V2))
    if (!columns.has(name)) db.exec(`ALTER TABLE audit ADD COLUMN ${name} ${type}`);
}

/**
 * Version 3, enclave challenges: one key pair per TEE task (address, and the private key sealed by the
 * vault), and the action of each audit row (rows before it were all about secrets).
 */
const V3 = `
CREATE TABLE enclave_challenges (
  taskid TEXT PRIMARY KEY,
  dealid TEXT NOT NULL,
  address TEXT NOT NULL UNIQUE,
  iv BLOB NOT NULL,
  sealed BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
ALTER TABLE audit ADD COLUMN action TEXT NOT NULL DEFAULT 'secrets';
`;

/** Index `i` takes the database from version `i` to `i + 1` (see `openDatabase`). */
const MIGRATIONS: readonly Migration[] = [V1, v2, V3];

/** A task's enclave challenge as stored (the key stays sealed until `challengeKey`). */
export interface StoredChallenge {
  taskid: string;
  dealid: string;
  /** Checksummed address of the challenge key. */
  address: string;
  createdAt: number;
}

/** The vault's place of a challenge key: bound to the task, so a row moved to another task does not open. */
function challengePlace(taskid: string): string {
  return `challenge:${taskid.toLowerCase()}`;
}

interface AuditRow {
  id: number;
  time: number;
  action: string;
  taskid: string;
  worker: string;
  enclave: string;
  outcome: string;
  status: number;
  code: string;
  released: string;
  withheld: string;
  reason: string;
}

function auditOf(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    time: row.time,
    action: row.action as AuditAction,
    taskid: row.taskid,
    worker: row.worker,
    enclave: row.enclave,
    outcome: row.outcome as AuditRecord["outcome"],
    status: row.status,
    code: row.code,
    released: JSON.parse(row.released) as string[],
    withheld: JSON.parse(row.withheld) as string[],
    reason: row.reason,
  };
}

function readAudit(db: Database.Database, filter: AuditFilter): AuditRecord[] {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter.taskid !== undefined) {
    where.push("taskid = ?");
    values.push(filter.taskid.toLowerCase());
  }
  if (filter.action !== undefined) {
    where.push("action = ?");
    values.push(filter.action);
  }
  if (filter.outcome !== undefined) {
    where.push("outcome = ?");
    values.push(filter.outcome);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const rows = (
    filter.last === undefined
      ? db.prepare(`SELECT * FROM audit ${clause} ORDER BY id`).all(...values)
      : db
          .prepare(`SELECT * FROM audit ${clause} ORDER BY id DESC LIMIT ?`)
          .all(...values, filter.last)
          .reverse()
  ) as AuditRow[];
  return rows.map(auditOf);
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

  /**
   * Opens (or creates) the database `file` (":memory:" for a throwaway one). Throws
   * `StoreVersionError` when the file is from a newer SMS.
   */
  static open(file: string, vault: Vault): SmsStore {
    return new SmsStore(openDatabase(file, { owner: "SMS", migrations: MIGRATIONS }), vault);
  }

  /**
   * The audit log of the database `file`, read-only and without the master key: what an operator reads
   * (`openpoco sms audit`), also while the SMS runs. Throws `StoreVersionError` unless the file has
   * this SMS's version (an older one is upgraded by starting the SMS on it).
   */
  static readAuditLog(file: string, filter: AuditFilter = {}): AuditRecord[] {
    const db = openDatabase(file, { owner: "SMS", migrations: MIGRATIONS, readonly: true });
    try {
      return readAudit(db, filter);
    } finally {
      db.close();
    }
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

  /**
   * The enclave challenge of `taskid`: the stored one, else a new one made of `privateKey` (sealed by
   * the vault). Never a second key for a task: when two requests race, the first insert wins and both
   * get its address. `created` says whether this call stored the key.
   */
  challengeFor(
    taskid: string,
    dealid: string,
    privateKey: () => { address: string; privateKey: string },
    now = Date.now(),
  ): { challenge: StoredChallenge; created: boolean } {
    const id = taskid.toLowerCase();
    const existing = this.challenge(id);
    if (existing) return { challenge: existing, created: false };
    const key = privateKey();
    const { iv, sealed } = this.vault.seal(challengePlace(id), key.privateKey);
    const result = this.db
      .prepare(
        `INSERT INTO enclave_challenges (taskid, dealid, address, iv, sealed, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (taskid) DO NOTHING`,
      )
      .run(id, dealid.toLowerCase(), key.address, iv, sealed, now);
    return { challenge: this.challenge(id)!, created: result.changes === 1 };
  }

  /** The enclave challenge of `taskid`, or undefined when none was issued. */
  challenge(taskid: string): StoredChallenge | undefined {
    const row = this.db
      .prepare("SELECT taskid, dealid, address, created_at FROM enclave_challenges WHERE taskid = ?")
      .get(taskid.toLowerCase()) as
      { taskid: string; dealid: string; address: string; created_at: number } | undefined;
    return row
      ? { taskid: row.taskid, dealid: row.dealid, address: row.address, createdAt: row.created_at }
      : undefined;
  }

  /** How many enclave challenges are stored (for tests and the operator). */
  challengeCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM enclave_challenges").get() as { n: number }).n;
  }

  /** The decrypted private key of `taskid`'s challenge, or undefined. Only the key release calls this. */
  challengeKey(taskid: string): string | undefined {
    const id = taskid.toLowerCase();
    const row = this.db.prepare("SELECT iv, sealed FROM enclave_challenges WHERE taskid = ?").get(id) as
      { iv: Buffer; sealed: Buffer } | undefined;
    return row ? this.vault.open(challengePlace(id), row) : undefined;
  }

  /** Appends a row to the audit log (`action` defaults to "secrets"). */
  audit(entry: Omit<AuditRecord, "id" | "action"> & { action?: AuditAction }): void {
    this.db
      .prepare(
        `INSERT INTO audit (time, action, taskid, worker, enclave, outcome, status, code, released, withheld, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.time,
        entry.action ?? "secrets",
        entry.taskid.toLowerCase(),
        entry.worker,
        entry.enclave,
        entry.outcome,
        entry.status,
        entry.code,
        JSON.stringify(entry.released),
        JSON.stringify(entry.withheld),
        entry.reason,
      );
  }

  /** The audit log, oldest first (optionally of one task). */
  auditLog(taskid?: string): AuditRecord[] {
    return readAudit(this.db, { taskid });
  }

  /** The audit rows `filter` selects, oldest first. */
  auditRows(filter: AuditFilter): AuditRecord[] {
    return readAudit(this.db, filter);
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
