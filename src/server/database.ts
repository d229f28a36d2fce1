/**
 * How every service opens its SQLite database (better-sqlite3): the folder is created, the file is
 * in WAL mode with a busy timeout, and its schema is brought to the code's version by numbered
 * migrations. `PRAGMA user_version` is the one record of a database's version: migration `i` takes
 * it from `i` to `i + 1`, in one transaction with the version bump, so a failing migration leaves
 * the database as it was before that migration. A database newer than the code is refused before
 * anything is written to it.
 *
 * Databases written before their store recorded `user_version` (version 0 with tables in it) are
 * carried over by the store: either its first migration only creates what is missing (the worker
 * journal, the result index), or `legacyVersion` reads the version where the store kept it (the
 * scheduler's `meta` row) and `user_version` takes it over.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { OpenPocoError } from "../sdk/core/errors";

/** A step of a schema: SQL statements, or code for what SQL alone cannot say. */
export type Migration = string | ((db: Database.Database) => void);

/** Where a store kept its version before `user_version`, and how to drop that record. */
export interface LegacyVersion {
  /** The version recorded the old way, undefined when there is none. Reads only. */
  read(db: Database.Database): number | undefined;
  /** Removes the old record, in the transaction where `user_version` takes its value. */
  forget(db: Database.Database): void;
}

export interface OpenDatabaseOptions {
  /** What the database is, for messages: "market", "scheduler", "SMS"... */
  owner: string;
  /** Index `i` takes the database from version `i` to `i + 1`; the code's version is the length. */
  migrations: readonly Migration[];
  /** For databases whose `user_version` is 0: the version they recorded some other way. */
  legacyVersion?: LegacyVersion;
  /**
   * `synchronous`: NORMAL (the default) may lose the last commits on a power cut, never the file's
   * consistency; FULL syncs every commit before it returns.
   */
  synchronous?: "NORMAL" | "FULL";
  /** Milliseconds a statement waits for another connection's lock; 5000 by default. */
  busyTimeoutMs?: number;
  /** More pragmas for this store, set after the common ones ("foreign_keys = ON", ...). */
  pragmas?: readonly string[];
  /**
   * Opens an existing file read-only, for a reader beside the running service: nothing is
   * migrated, and a database older than the code is refused too (with what to do).
   */
  readonly?: boolean;
}

/** Thrown when a database was written by a version of its store this code does not know. */
export class StoreVersionError extends OpenPocoError {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
    owner: string,
  ) {
    const what =
      found > known
        ? `newer than this ${owner}'s ${known}: upgrade the ${owner} or use another data folder`
        : found < known
          ? `older than this ${owner}'s ${known}: start the ${owner} on it once to upgrade it, then read it again`
          : `unknown to this ${owner} (version ${known}): use another data folder`;
    super("STORE_VERSION", `The ${owner} database ${file} has schema version ${found}, ${what}.`);
  }
}

/** Thrown when a migration fails; the database stays at the version before it. */
export class StoreMigrationError extends OpenPocoError {
  constructor(file: string, owner: string, from: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      "STORE_MIGRATION",
      `Upgrading the ${owner} database ${file} from schema version ${from} to ${from + 1} failed (${reason}): it was left at version ${from}; fix the cause or restore a backup, then start again.`,
      { cause },
    );
  }
}

/** The version recorded in `user_version`. */
export function schemaVersion(db: Database.Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * Opens `file` (":memory:" for a database gone on close), creating it and its folder when
 * missing, and brings it to `migrations.length`. Throws `StoreVersionError` for a newer database,
 * leaving it untouched, and `StoreMigrationError` when a migration fails.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions): Database.Database {
  const { owner, migrations, legacyVersion, readonly = false } = options;
  const memory = file === ":memory:";
  if (!memory && !readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = readonly ? new Database(file, { readonly: true, fileMustExist: true }) : new Database(file);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    let version = schemaVersion(db);
    const legacy = version === 0 ? legacyVersion?.read(db) : undefined;
    if (legacy !== undefined) version = legacy;
    const known = migrations.length;
    if (!Number.isSafeInteger(version) || version < 0 || version > known || (readonly && version < known))
      throw new StoreVersionError(file, version, known, owner);
    if (readonly) return db;

    if (!memory) db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
    for (const pragma of options.pragmas ?? []) db.pragma(pragma);

    if (legacy !== undefined && legacyVersion !== undefined)
      db.transaction(() => {
        legacyVersion.forget(db);
        setVersion(db, legacy);
      })();
    for (let from = version; from < known; from++) {
      const migration = migrations[from];
      try {
        db.transaction(() => {
          if (typeof migration === "string") db.exec(migration);
          else migration(db);
          setVersion(db, from + 1);
        })();
      } catch (error) {
        throw new StoreMigrationError(file, owner, from, error);
      }
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function setVersion(db: Database.Database, version: number): void {
  if (!Number.isSafeInteger(version) || version < 0)
    throw new OpenPocoError(
      "STORE_VERSION",
      `A schema version must be a non-negative integer, got ${version}.`,
    );
  // user_version takes no bound parameter; the value is an integer checked above.
  db.pragma(`user_version = ${version}`);
}
