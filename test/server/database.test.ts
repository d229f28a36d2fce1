/**
 * `openDatabase`, the one way the services open SQLite: a fresh file gets its folder, WAL and every
 * migration once, in order; a newer database is refused and left as it was; a failing migration
 * leaves no trace of itself. Then the stores on it: databases the stores wrote before `user_version`
 * was theirs (the scheduler's `meta` row, the unversioned worker journal and result index) open with
 * their data, and the worker journal and the result index keep their rows and version over a reopen.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database from "better-sqlite3";
import { ResultFileStore } from "../../src/results/store";
import { SchedulerStore } from "../../src/scheduler/store";
import {
  StoreMigrationError,
  StoreVersionError,
  openDatabase,
  schemaVersion,
  type Migration,
} from "../../src/server/database";
import { SmsStore } from "../../src/sms/store";
import { Vault } from "../../src/sms/vault";
import { WorkerStore } from "../../src/worker/store";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const WORKER = "0x1111111111111111111111111111111111111111";
const TASK = "0x" + "aa".repeat(32);
const DEAL = "0x" + "dd".repeat(32);

const tempDirs: string[] = [];
/** A fresh temporary folder, removed after the tests. */
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openpoco-database-"));
  tempDirs.push(dir);
  return dir;
}

/** The version and table names of the database `file`, read without writing. */
function inspect(file: string): { version: number; tables: string[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    return { version: schemaVersion(db), tables };
  } finally {
    db.close();
  }
}

/** Migrations that log their index into table `log` when they run. */
function logged(count: number): Migration[] {
  return Array.from({ length: count }, (_, i) => (db: Database.Database) => {
    if (i === 0) db.exec("CREATE TABLE log (step INTEGER NOT NULL)");
    db.prepare("INSERT INTO log (step) VALUES (?)").run(i);
  });
}

function steps(db: Database.Database): number[] {
  return db.prepare("SELECT step FROM log ORDER BY rowid").pluck().all() as number[];
}

/** The error `work` throws. */
function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("openDatabase", () => {
  after(() => {
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("creates a fresh file and its folders, in WAL, with every migration", () => {
    const file = path.join(tempDir(), "a", "b", "fresh.sqlite");
    const db = openDatabase(file, {
      owner: "test",
      migrations: ["CREATE TABLE one (x INTEGER)", "CREATE TABLE two (y TEXT)"],
    });
    try {
      expect(db.pragma("journal_mode", { simple: true })).to.equal("wal");
      expect(db.pragma("synchronous", { simple: true })).to.equal(1); // NORMAL
      expect(db.pragma("busy_timeout", { simple: true })).to.equal(5000);
      expect(schemaVersion(db)).to.equal(2);
    } finally {
      db.close();
    }
    expect(inspect(file)).to.deep.equal({ version: 2, tables: ["one", "two"] });
  });

  it("takes a synchronous mode, a busy timeout and the store's own pragmas", () => {
    const db = openDatabase(path.join(tempDir(), "options.sqlite"), {
      owner: "test",
      migrations: [],
      synchronous: "FULL",
      busyTimeoutMs: 250,
      pragmas: ["foreign_keys = ON"],
    });
    try {
      expect(db.pragma("synchronous", { simple: true })).to.equal(2); // FULL
      expect(db.pragma("busy_timeout", { simple: true })).to.equal(250);
      expect(db.pragma("foreign_keys", { simple: true })).to.equal(1);
    } finally {
      db.close();
    }
  });

  it("opens ':memory:' databases, migrated", () => {
    const db = openDatabase(":memory:", { owner: "test", migrations: logged(3) });
    try {
      expect(steps(db)).to.deep.equal([0, 1, 2]);
      expect(schemaVersion(db)).to.equal(3);
    } finally {
      db.close();
    }
  });

  it("applies migrations in order, once: a reopen runs only the new ones", () => {
    const file = path.join(tempDir(), "steps.sqlite");
    let db = openDatabase(file, { owner: "test", migrations: logged(2) });
    expect(steps(db)).to.deep.equal([0, 1]);
    db.close();

    db = openDatabase(file, { owner: "test", migrations: logged(2) });
    expect(steps(db)).to.deep.equal([0, 1]);
    expect(schemaVersion(db)).to.equal(2);
    db.close();

    db = openDatabase(file, { owner: "test", migrations: logged(4) });
    try {
      expect(steps(db)).to.deep.equal([0, 1, 2, 3]);
      expect(schemaVersion(db)).to.equal(4);
    } finally {
      db.close();
    }
  });

  it("refuses a newer database with StoreVersionError and leaves the file untouched", () => {
    const dir = tempDir();
    const file = path.join(dir, "newer.sqlite");
    const raw = new Database(file);
    raw.exec("CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (42)");
    raw.pragma("user_version = 7");
    raw.close();
    const before = fs.readFileSync(file);
    let ran = false;
    const error = thrown(() =>
      openDatabase(file, {
        owner: "test",
        migrations: [
          () => {
            ran = true;
          },
          "CREATE TABLE two (y TEXT)",
        ],
      }),
    );
    expect(error).to.be.instanceOf(StoreVersionError);
    const refusal = error as StoreVersionError;
    expect(refusal.code).to.equal("STORE_VERSION");
    expect(refusal).to.include({ file, found: 7, known: 2 });
    expect(refusal.message).to.contain(file);
    expect(refusal.message).to.match(/schema version 7, newer than this test's 2: upgrade the test/);
    expect(ran).to.equal(false);
    expect(fs.readFileSync(file).equals(before)).to.equal(true);
    expect(fs.readdirSync(dir)).to.deep.equal(["newer.sqlite"]);
  });

  it("rolls a failing migration back entirely, keeping the ones before it", () => {
    const file = path.join(tempDir(), "failing.sqlite");
    const migrations: Migration[] = [
      "CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (1)",
      // Half of this runs before the error: none of it may stay.
      "CREATE TABLE half (x INTEGER); INSERT INTO kept VALUES (2); INSERT INTO missing VALUES (3)",
      "CREATE TABLE never (x INTEGER)",
    ];
    const error = thrown(() => openDatabase(file, { owner: "test", migrations }));
    expect(error).to.be.instanceOf(StoreMigrationError);
    expect((error as StoreMigrationError).code).to.equal("STORE_MIGRATION");
    expect((error as StoreMigrationError).message).to.match(
      /from schema version 1 to 2 failed.*no such table: missing/,
    );
    expect(inspect(file)).to.deep.equal({ version: 1, tables: ["kept"] });

    // A migration in code that throws after writing is undone the same way.
    const codeFile = path.join(tempDir(), "failing-code.sqlite");
    expect(
      thrown(() =>
        openDatabase(codeFile, {
          owner: "test",
          migrations: [
            (db) => {
              db.exec("CREATE TABLE half (x INTEGER)");
              throw new Error("boom");
            },
          ],
        }),
      ),
    ).to.be.instanceOf(StoreMigrationError);
    expect(inspect(codeFile)).to.deep.equal({ version: 0, tables: [] });

    // Fixed, the same file goes on from where it stopped.
    const db = openDatabase(file, {
      owner: "test",
      migrations: [migrations[0], "CREATE TABLE half (x INTEGER)"],
    });
    try {
      expect(db.prepare("SELECT x FROM kept").pluck().all()).to.deep.equal([1]);
      expect(schemaVersion(db)).to.equal(2);
    } finally {
      db.close();
    }
  });

  it("reads read-only only a database of the code's own version", () => {
    const file = path.join(tempDir(), "readonly.sqlite");
    openDatabase(file, { owner: "test", migrations: ["CREATE TABLE one (x INTEGER)"] }).close();
    const db = openDatabase(file, {
      owner: "test",
      migrations: ["CREATE TABLE one (x INTEGER)"],
      readonly: true,
    });
    expect(db.readonly).to.equal(true);
    db.close();
    const older = thrown(() =>
      openDatabase(file, {
        owner: "test",
        migrations: ["CREATE TABLE one (x INTEGER)", "SELECT 1"],
        readonly: true,
      }),
    );
    expect(older).to.be.instanceOf(StoreVersionError);
    expect((older as Error).message).to.match(
      /schema version 1, older than this test's 2: start the test on it once/,
    );
    expect(inspect(file).version).to.equal(1);
  });
});

describe("Stores on openDatabase", () => {
  after(() => {
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("carries over a scheduler database versioned by its meta row", () => {
    const file = path.join(tempDir(), "scheduler.sqlite");
    // As the scheduler wrote it before user_version: version 2 in meta, user_version 0.
    const raw = new Database(file);
    raw.pragma("journal_mode = WAL");
    raw.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE deals (dealid TEXT PRIMARY KEY, trust TEXT NOT NULL, botFirst TEXT NOT NULL,
        botSize TEXT NOT NULL, finalDeadline TEXT NOT NULL);
      CREATE TABLE tasks (taskid TEXT PRIMARY KEY, dealid TEXT NOT NULL, idx TEXT NOT NULL, trust TEXT NOT NULL,
        tag TEXT, state TEXT NOT NULL, chainStatus INTEGER NOT NULL DEFAULT 0,
        contributionDeadline TEXT NOT NULL DEFAULT '0', revealDeadline TEXT NOT NULL DEFAULT '0',
        finalDeadline TEXT NOT NULL, consensus TEXT NOT NULL DEFAULT '',
        revealCounter TEXT NOT NULL DEFAULT '0', winnerCounter TEXT NOT NULL DEFAULT '0',
        failure TEXT, uploader TEXT, uploadAskedAt INTEGER, uploadSentAt INTEGER,
        results TEXT, resultsCallback TEXT, seq INTEGER NOT NULL);
      CREATE INDEX tasks_state ON tasks (state, seq);
      CREATE TABLE assignments (taskid TEXT NOT NULL, worker TEXT NOT NULL, authorization TEXT NOT NULL,
        score TEXT NOT NULL, state TEXT NOT NULL, chainStatus INTEGER NOT NULL DEFAULT 0, resultHash TEXT,
        failure TEXT, revealSentAt INTEGER, forgotten INTEGER NOT NULL DEFAULT 0, assignedAt INTEGER NOT NULL,
        enclaveChallenge TEXT NOT NULL DEFAULT '${ZERO_ADDRESS}', PRIMARY KEY (taskid, worker));
      CREATE INDEX assignments_worker ON assignments (worker, forgotten);
      CREATE TABLE upload_attempts (taskid TEXT NOT NULL, worker TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (taskid, worker));
      CREATE TABLE workers (address TEXT PRIMARY KEY, score TEXT NOT NULL, lastSeen INTEGER NOT NULL, enclave TEXT);
      CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, action TEXT NOT NULL,
        taskids TEXT NOT NULL, txHash TEXT, detail TEXT);
      INSERT INTO meta (key, value) VALUES ('schema', '2'), ('cursor', '41');
      INSERT INTO tasks (taskid, dealid, idx, trust, tag, state, finalDeadline, seq)
        VALUES ('${TASK}', '${DEAL}', '0', '1', '0x${"00".repeat(31)}01', 'active', '100', 1);
      INSERT INTO workers (address, score, lastSeen, enclave) VALUES ('${WORKER}', '3', 5, NULL);
    `);
    raw.close();

    for (let open = 0; open < 2; open++) {
      const store = SchedulerStore.open(file);
      try {
        expect(store.cursor()).to.equal(41);
        expect(store.task(TASK)?.tag).to.equal("0x" + "00".repeat(31) + "01");
        expect(store.worker(WORKER)?.score).to.equal(3n);
      } finally {
        store.close();
      }
      expect(inspect(file).version).to.equal(3);
    }
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare("SELECT key FROM meta ORDER BY key").pluck().all()).to.deep.equal(["cursor"]);
    } finally {
      db.close();
    }
  });

  it("refuses a scheduler database whose meta row or user_version is newer, untouched", () => {
    const dir = tempDir();
    const byMeta = path.join(dir, "meta3.sqlite");
    let raw = new Database(byMeta);
    raw.exec(
      "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '4')",
    );
    raw.close();
    const before = fs.readFileSync(byMeta);
    const error = thrown(() => SchedulerStore.open(byMeta));
    expect(error).to.be.instanceOf(StoreVersionError);
    expect((error as Error).message)
      .to.contain("scheduler database")
      .and.contain("schema version 4");
    expect(fs.readFileSync(byMeta).equals(before)).to.equal(true);

    const byPragma = path.join(dir, "user4.sqlite");
    raw = new Database(byPragma);
    raw.pragma("user_version = 4");
    raw.close();
    expect(() => SchedulerStore.open(byPragma)).to.throw(StoreVersionError, /newer than this scheduler's 3/);
  });

  it("opens an SMS database of the current version and refuses a newer one", () => {
    const file = path.join(tempDir(), "sms.sqlite");
    const vault = new Vault(Buffer.alloc(32, 7));
    SmsStore.open(file, vault).close();
    expect(inspect(file)).to.deep.equal({
      version: 3,
      tables: ["audit", "enclave_challenges", "secrets", "used_signatures"],
    });
    SmsStore.open(file, vault).close();
    expect(SmsStore.readAuditLog(file)).to.deep.equal([]);

    const raw = new Database(file);
    raw.pragma("user_version = 4");
    raw.close();
    expect(() => SmsStore.open(file, vault)).to.throw(StoreVersionError, /newer than this SMS's 3/);
    expect(() => SmsStore.readAuditLog(file)).to.throw(StoreVersionError, /newer than this SMS's 3/);
  });

  it("keeps the worker journal over a reopen, at version 1, and carries an unversioned one over", () => {
    const dir = tempDir();
    const file = path.join(dir, "worker", "worker.sqlite");
    const assignment = {
      taskid: TASK,
      dealid: DEAL,
      idx: "0",
      authorization: "0x12",
      enclaveChallenge: ZERO_ADDRESS,
    };
    let store = WorkerStore.open(file);
    expect(store.add(assignment, 10)).to.equal(true);
    store.update(TASK, "COMPUTED", { resultDigest: "0x" + "01".repeat(32) }, 11);
    store.close();
    expect(inspect(file)).to.deep.equal({ version: 1, tables: ["tasks"] });

    store = WorkerStore.open(file);
    try {
      expect(store.add(assignment, 12)).to.equal(false);
      expect(store.get(TASK)).to.include({
        state: "COMPUTED",
        resultDigest: "0x" + "01".repeat(32),
        updatedAt: 11,
      });
    } finally {
      store.close();
    }
    expect(inspect(file).version).to.equal(1);

    // A journal written before it had a version: same table, user_version 0.
    const old = path.join(dir, "old-worker.sqlite");
    const raw = new Database(old);
    raw.exec(`CREATE TABLE tasks (taskid TEXT PRIMARY KEY, dealid TEXT NOT NULL, idx TEXT NOT NULL,
      authorization TEXT NOT NULL, enclave_challenge TEXT NOT NULL, state TEXT NOT NULL, result_digest TEXT,
      results_callback TEXT, zip_file TEXT, error_result TEXT, results TEXT, failure TEXT, detail TEXT,
      runs INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL);
      CREATE INDEX tasks_state ON tasks(state);
      INSERT INTO tasks (taskid, dealid, idx, authorization, enclave_challenge, state, runs, updated_at)
        VALUES ('${TASK}', '${DEAL}', '0', '0x12', '${ZERO_ADDRESS}', 'CONTRIBUTED', 1, 20);`);
    raw.close();
    store = WorkerStore.open(old);
    try {
      expect(store.get(TASK)).to.include({ state: "CONTRIBUTED", runs: 1, updatedAt: 20 });
    } finally {
      store.close();
    }
    expect(inspect(old)).to.deep.equal({ version: 1, tables: ["tasks"] });

    fs.writeFileSync(path.join(dir, "newer.sqlite"), "");
    const newer = new Database(path.join(dir, "newer.sqlite"));
    newer.pragma("user_version = 2");
    newer.close();
    expect(() => WorkerStore.open(path.join(dir, "newer.sqlite"))).to.throw(
      StoreVersionError,
      /worker database .* schema version 2, newer than this worker's 1/,
    );
  });

  it("keeps the result index over a reopen, at version 1, and carries an unversioned one over", async () => {
    const dataDir = tempDir();
    const sha256 = "0x" + "ab".repeat(32);
    const result = { chainId: 31337n, taskid: TASK, sha256, size: 3, worker: WORKER, uploadedAt: 7 };
    let store = ResultFileStore.open(dataDir);
    const temp = store.tempPath();
    fs.writeFileSync(temp, "zip");
    await store.put(result, temp);
    store.close();
    const index = path.join(dataDir, "results.sqlite");
    expect(inspect(index)).to.deep.equal({ version: 1, tables: ["results"] });

    store = ResultFileStore.open(dataDir);
    try {
      expect(store.get(31337n, TASK)).to.deep.equal(result);
      expect(fs.readFileSync(store.filePath(sha256), "utf8")).to.equal("zip");
    } finally {
      store.close();
    }
    expect(inspect(index).version).to.equal(1);

    // An index written before it had a version: same table, user_version 0.
    const oldDir = tempDir();
    const raw = new Database(path.join(oldDir, "results.sqlite"));
    raw.exec(`CREATE TABLE results (chain_id TEXT NOT NULL, taskid TEXT NOT NULL, sha256 TEXT NOT NULL,
      size INTEGER NOT NULL, worker TEXT NOT NULL, uploaded_at INTEGER NOT NULL, PRIMARY KEY (chain_id, taskid));
      INSERT INTO results VALUES ('31337', '${TASK}', '${sha256}', 3, '${WORKER}', 7);`);
    raw.close();
    fs.mkdirSync(path.join(oldDir, "files"));
    fs.writeFileSync(path.join(oldDir, "files", `${"ab".repeat(32)}.zip`), "zip");
    store = ResultFileStore.open(oldDir);
    try {
      expect(store.get(31337n, TASK)).to.deep.equal(result);
      expect(fs.existsSync(store.filePath(sha256))).to.equal(true);
    } finally {
      store.close();
    }
    expect(inspect(path.join(oldDir, "results.sqlite")).version).to.equal(1);
  });
});
