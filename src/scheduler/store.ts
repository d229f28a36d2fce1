/**
 * The scheduler's state in SQLite (better-sqlite3; a file, or ":memory:" for tests): the notice cursor,
 * the deals and their tasks with the scheduler's view of each, the assignments handed to workers, the
 * upload attempts, the registered workers (with the enclave of the TEE-capable ones) and a journal of
 * what was sent on chain. The chain stays the
 * judge: after a restart the scheduler reloads this and re-reads each open task's status before acting.
 * Amounts and deadlines are stored as decimal text and read back as bigints.
 */
import type Database from "better-sqlite3";
import { ContributionStatus, TaskStatus } from "../sdk/core/tasks";
import { openDatabase, type LegacyVersion, type Migration } from "../server/database";

/** Where a task is in the scheduler's life cycle. */
export type TaskState = "pending" | "active" | "revealing" | "completed" | "failed";

/** States of tasks that still need the scheduler. */
export const OPEN_STATES: readonly TaskState[] = ["pending", "active", "revealing"];

/** A deal of the workerpool. */
export interface DealRecord {
  dealid: string;
  /** The deal's tag (bytes32 hex): bit 0 makes its tasks TEE tasks. */
  tag: string;
  trust: bigint;
  botFirst: bigint;
  botSize: bigint;
  finalDeadline: bigint;
  /** Who bought the deal: the one address that may read its tasks' app logs. */
  requester: string;
}

/** A task and what the scheduler knows of it (the chain fields as last read). */
export interface TaskRecord {
  taskid: string;
  dealid: string;
  idx: bigint;
  trust: bigint;
  /** The deal's tag; null when not read yet (tasks recorded before the scheduler kept tags). */
  tag: string | null;
  state: TaskState;
  chainStatus: TaskStatus;
  contributionDeadline: bigint;
  revealDeadline: bigint;
  finalDeadline: bigint;
  consensus: string;
  revealCounter: bigint;
  winnerCounter: bigint;
  /** A failure every worker would meet (bad app or dataset checksum): no more workers are tried. */
  failure: string | null;
  uploader: string | null;
  /** When the uploader was chosen (ms). */
  uploadAskedAt: number | null;
  /** When the upload instruction was last delivered (ms). */
  uploadSentAt: number | null;
  results: string | null;
  resultsCallback: string | null;
  /** The transaction that claimed the task (refunding its requester), once sent. */
  claimTx: string | null;
}

/** Who changed a replicate's status: the worker's report, or the scheduler reading the chain. */
export type ReplicateModifier = "WORKER" | "POOL_MANAGER";

/** One status change of an assignment, as the task API shows it. */
export interface ReplicateUpdateRecord {
  taskid: string;
  worker: string;
  status: string;
  at: number;
  modifier: ReplicateModifier;
  cause: string | null;
  detail: string | null;
  exitCode: number | null;
}

/** The end of a worker's app output for a task. */
export interface ComputeLogsRecord {
  worker: string;
  stdout: string;
  stderr: string;
  at: number;
}

/** Life of one assignment, as far as the scheduler can tell. */
export type AssignmentState = "assigned" | "contributed" | "revealed" | "failed";

/** A task handed to a worker. */
export interface AssignmentRecord {
  taskid: string;
  worker: string;
  authorization: string;
  /** The enclave the authorization names (the zero address outside TEE). */
  enclaveChallenge: string;
  /** The worker's score when assigned: the weight it contributes with. */
  score: bigint;
  state: AssignmentState;
  chainStatus: ContributionStatus;
  resultHash: string | null;
  failure: string | null;
  revealSentAt: number | null;
  forgotten: boolean;
  assignedAt: number;
}

/** A registered worker. */
export interface WorkerRecord {
  address: string;
  score: bigint;
  lastSeen: number;
  /** The enclave it proved at its last login (TEE-capable), null for a plain worker. */
  enclave: string | null;
}

/** One line of the journal: an action sent on chain. */
export interface JournalEntry {
  id: number;
  at: number;
  action: string;
  taskids: string[];
  txHash: string | null;
  detail: string | null;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Version 1: the scheduler's first schema. */
const V1 = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deals (
  dealid TEXT PRIMARY KEY, trust TEXT NOT NULL, botFirst TEXT NOT NULL, botSize TEXT NOT NULL,
  finalDeadline TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
  taskid TEXT PRIMARY KEY, dealid TEXT NOT NULL, idx TEXT NOT NULL, trust TEXT NOT NULL,
  state TEXT NOT NULL, chainStatus INTEGER NOT NULL DEFAULT 0,
  contributionDeadline TEXT NOT NULL DEFAULT '0', revealDeadline TEXT NOT NULL DEFAULT '0',
  finalDeadline TEXT NOT NULL, consensus TEXT NOT NULL DEFAULT '',
  revealCounter TEXT NOT NULL DEFAULT '0', winnerCounter TEXT NOT NULL DEFAULT '0',
  failure TEXT, uploader TEXT, uploadAskedAt INTEGER, uploadSentAt INTEGER,
  results TEXT, resultsCallback TEXT, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_state ON tasks (state, seq);
CREATE TABLE IF NOT EXISTS assignments (
  taskid TEXT NOT NULL, worker TEXT NOT NULL, authorization TEXT NOT NULL, score TEXT NOT NULL,
  state TEXT NOT NULL, chainStatus INTEGER NOT NULL DEFAULT 0, resultHash TEXT, failure TEXT,
  revealSentAt INTEGER, forgotten INTEGER NOT NULL DEFAULT 0, assignedAt INTEGER NOT NULL,
  PRIMARY KEY (taskid, worker));
CREATE INDEX IF NOT EXISTS assignments_worker ON assignments (worker, forgotten);
CREATE TABLE IF NOT EXISTS upload_attempts (
  taskid TEXT NOT NULL, worker TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (taskid, worker));
CREATE TABLE IF NOT EXISTS workers (address TEXT PRIMARY KEY, score TEXT NOT NULL, lastSeen INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, action TEXT NOT NULL,
  taskids TEXT NOT NULL, txHash TEXT, detail TEXT);
`;

/** Version 2, TEE tasks: deal tags (read again from the chain, null until then) and enclaves. */
const V2 = `
ALTER TABLE tasks ADD COLUMN tag TEXT;
ALTER TABLE assignments ADD COLUMN enclaveChallenge TEXT NOT NULL DEFAULT '${ZERO_ADDRESS}';
ALTER TABLE workers ADD COLUMN enclave TEXT;
`;

/**
 * Version 3, what requesters read: each task's status history, each replicate's status updates (with
 * the worker's failure cause and the app's exit code), the app logs per worker, the deal's requester
 * (who may read the logs) and the transaction that claimed a task.
 */
const V3 = `
ALTER TABLE deals ADD COLUMN requester TEXT;
ALTER TABLE tasks ADD COLUMN claimTx TEXT;
CREATE TABLE task_statuses (
  taskid TEXT NOT NULL, status TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (taskid, status));
CREATE TABLE replicate_updates (
  id INTEGER PRIMARY KEY AUTOINCREMENT, taskid TEXT NOT NULL, worker TEXT NOT NULL, status TEXT NOT NULL,
  at INTEGER NOT NULL, modifier TEXT NOT NULL, cause TEXT, detail TEXT, exitCode INTEGER,
  UNIQUE (taskid, worker, status));
CREATE TABLE compute_logs (
  taskid TEXT NOT NULL, worker TEXT NOT NULL, stdout TEXT NOT NULL, stderr TEXT NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (taskid, worker));
`;

/** Index `i` takes the database from version `i` to `i + 1` (see `openDatabase`). */
const MIGRATIONS: readonly Migration[] = [V1, V2, V3];

/**
 * Until `user_version`, the scheduler kept its schema version in the `meta` row 'schema' (1 or 2):
 * such a database keeps its version, now in `user_version`, and loses the row.
 */
const META_VERSION: LegacyVersion = {
  read(db) {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (table === undefined) return undefined;
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as Row | undefined;
    return row === undefined ? undefined : Number(row.value);
  },
  forget(db) {
    db.prepare("DELETE FROM meta WHERE key = 'schema'").run();
  },
};

type Row = Record<string, unknown>;

const big = (value: unknown) => BigInt(value as string);
const num = (value: unknown) => (value === null ? null : Number(value));
const str = (value: unknown) => (value === null ? null : String(value));

function taskOf(row: Row): TaskRecord {
  return {
    taskid: String(row.taskid),
    dealid: String(row.dealid),
    idx: big(row.idx),
    trust: big(row.trust),
    tag: str(row.tag),
    state: row.state as TaskState,
    chainStatus: Number(row.chainStatus) as TaskStatus,
    contributionDeadline: big(row.contributionDeadline),
    revealDeadline: big(row.revealDeadline),
    finalDeadline: big(row.finalDeadline),
    consensus: String(row.consensus),
    revealCounter: big(row.revealCounter),
    winnerCounter: big(row.winnerCounter),
    failure: str(row.failure),
    uploader: str(row.uploader),
    uploadAskedAt: num(row.uploadAskedAt),
    uploadSentAt: num(row.uploadSentAt),
    results: str(row.results),
    resultsCallback: str(row.resultsCallback),
    claimTx: str(row.claimTx),
  };
}

function assignmentOf(row: Row): AssignmentRecord {
  return {
    taskid: String(row.taskid),
    worker: String(row.worker),
    authorization: String(row.authorization),
    enclaveChallenge: String(row.enclaveChallenge),
    score: big(row.score),
    state: row.state as AssignmentState,
    chainStatus: Number(row.chainStatus) as ContributionStatus,
    resultHash: str(row.resultHash),
    failure: str(row.failure),
    revealSentAt: num(row.revealSentAt),
    forgotten: Number(row.forgotten) === 1,
    assignedAt: Number(row.assignedAt),
  };
}

function workerOf(row: Row): WorkerRecord {
  return {
    address: String(row.address),
    score: big(row.score),
    lastSeen: Number(row.lastSeen),
    enclave: str(row.enclave),
  };
}

/** Task ids are kept lowercase, worker addresses checksummed (as ethers gives them). */
export class SchedulerStore {
  private constructor(private readonly db: Database.Database) {}

  /**
   * Opens (creating when needed) the database at `file`; ":memory:" for a throwaway one. Throws
   * `StoreVersionError` when the file is from a newer scheduler.
   */
  static open(file: string): SchedulerStore {
    return new SchedulerStore(
      openDatabase(file, {
        owner: "scheduler",
        migrations: MIGRATIONS,
        legacyVersion: META_VERSION,
        // What the scheduler sent on chain is journaled here: each commit is on disk when it returns.
        synchronous: "FULL",
      }),
    );
  }

  close(): void {
    this.db.close();
  }

  /** Runs `work` in one SQLite transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** Last block whose notices were read, or undefined before the first sync. */
  cursor(): number | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'cursor'").get() as Row | undefined;
    return row === undefined ? undefined : Number(row.value);
  }

  setCursor(block: number): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES ('cursor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(String(block));
  }

  hasDeal(dealid: string): boolean {
    return this.db.prepare("SELECT 1 FROM deals WHERE dealid = ?").get(dealid.toLowerCase()) !== undefined;
  }

  /** Records a deal and its tasks (as pending, RECEIVED at `now`) unless known. */
  addDeal(deal: DealRecord, taskids: string[], now = Date.now()): void {
    this.transaction(() => {
      const inserted = this.db
        .prepare(
          "INSERT OR IGNORE INTO deals (dealid, trust, botFirst, botSize, finalDeadline, requester) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(
          deal.dealid.toLowerCase(),
          String(deal.trust),
          String(deal.botFirst),
          String(deal.botSize),
          String(deal.finalDeadline),
          deal.requester,
        );
      if (inserted.changes === 0) return;
      const seq = (this.db.prepare("SELECT COALESCE(MAX(seq), 0) AS seq FROM tasks").get() as Row)
        .seq as number;
      const insert = this.db.prepare(
        "INSERT OR IGNORE INTO tasks (taskid, dealid, idx, trust, tag, state, finalDeadline, seq) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
      );
      taskids.forEach((taskid, i) =>
        insert.run(
          taskid.toLowerCase(),
          deal.dealid.toLowerCase(),
          String(deal.botFirst + BigInt(i)),
          String(deal.trust),
          deal.tag.toLowerCase(),
          String(deal.finalDeadline),
          seq + i + 1,
        ),
      );
      for (const taskid of taskids) this.noteTaskStatus(taskid, "RECEIVED", now);
    });
  }

  /** The requester of `dealid`; null when unknown (a deal recorded before the scheduler kept it). */
  dealRequester(dealid: string): string | null {
    const row = this.db.prepare("SELECT requester FROM deals WHERE dealid = ?").get(dealid.toLowerCase()) as
      Row | undefined;
    return row === undefined ? null : str(row.requester);
  }

  /** Deals recorded without their requester. */
  dealsWithoutRequester(): string[] {
    return (this.db.prepare("SELECT dealid FROM deals WHERE requester IS NULL").all() as Row[]).map((row) =>
      String(row.dealid),
    );
  }

  setDealRequester(dealid: string, requester: string): void {
    this.db.prepare("UPDATE deals SET requester = ? WHERE dealid = ?").run(requester, dealid.toLowerCase());
  }

  /** Records that the task reached `status` at `now` (ms); a status already reached keeps its first time. */
  noteTaskStatus(taskid: string, status: string, now: number): void {
    this.db
      .prepare("INSERT OR IGNORE INTO task_statuses (taskid, status, at) VALUES (?, ?, ?)")
      .run(taskid.toLowerCase(), status, now);
  }

  /** The statuses the task reached, oldest first. */
  taskStatuses(taskid: string): { status: string; at: number }[] {
    return (
      this.db
        .prepare("SELECT status, at FROM task_statuses WHERE taskid = ? ORDER BY at, rowid")
        .all(taskid.toLowerCase()) as Row[]
    ).map((row) => ({ status: String(row.status), at: Number(row.at) }));
  }

  /** Records a replicate's status change; a status already reached keeps its first record. */
  noteReplicate(update: ReplicateUpdateRecord): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO replicate_updates (taskid, worker, status, at, modifier, cause, detail, exitCode)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        update.taskid.toLowerCase(),
        update.worker,
        update.status,
        update.at,
        update.modifier,
        update.cause,
        update.detail,
        update.exitCode,
      );
  }

  /** The replicates' status changes of a task, oldest first. */
  replicateUpdates(taskid: string): ReplicateUpdateRecord[] {
    return (
      this.db
        .prepare("SELECT * FROM replicate_updates WHERE taskid = ? ORDER BY id")
        .all(taskid.toLowerCase()) as Row[]
    ).map((row) => ({
      taskid: String(row.taskid),
      worker: String(row.worker),
      status: String(row.status),
      at: Number(row.at),
      modifier: row.modifier as ReplicateModifier,
      cause: str(row.cause),
      detail: str(row.detail),
      exitCode: num(row.exitCode),
    }));
  }

  /** Keeps the last app output `worker` sent for the task (a later run replaces it). */
  setComputeLogs(taskid: string, worker: string, stdout: string, stderr: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO compute_logs (taskid, worker, stdout, stderr, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(taskid, worker) DO UPDATE SET stdout = excluded.stdout, stderr = excluded.stderr, at = excluded.at`,
      )
      .run(taskid.toLowerCase(), worker, stdout, stderr, now);
  }

  /** The app outputs the workers sent for the task, first sent first. */
  computeLogs(taskid: string): ComputeLogsRecord[] {
    return (
      this.db
        .prepare("SELECT worker, stdout, stderr, at FROM compute_logs WHERE taskid = ? ORDER BY at, worker")
        .all(taskid.toLowerCase()) as Row[]
    ).map((row) => ({
      worker: String(row.worker),
      stdout: String(row.stdout),
      stderr: String(row.stderr),
      at: Number(row.at),
    }));
  }

  /** Records the transaction that claimed the task. */
  setClaimTx(taskid: string, txHash: string): void {
    this.db.prepare("UPDATE tasks SET claimTx = ? WHERE taskid = ?").run(txHash, taskid.toLowerCase());
  }

  task(taskid: string): TaskRecord | undefined {
    const row = this.db.prepare("SELECT * FROM tasks WHERE taskid = ?").get(taskid.toLowerCase()) as
      Row | undefined;
    return row && taskOf(row);
  }

  /** Tasks in the given states, oldest first. */
  tasksIn(states: readonly TaskState[]): TaskRecord[] {
    const marks = states.map(() => "?").join(", ");
    return (
      this.db.prepare(`SELECT * FROM tasks WHERE state IN (${marks}) ORDER BY seq`).all(...states) as Row[]
    ).map(taskOf);
  }

  /** Deals of open tasks whose tag is not known yet. */
  dealsWithoutTag(): string[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT dealid FROM tasks WHERE tag IS NULL AND state IN (${OPEN_STATES.map(() => "?").join(", ")})`,
      )
      .all(...OPEN_STATES) as Row[];
    return rows.map((row) => String(row.dealid));
  }

  /** Records the tag of a deal's tasks. */
  setDealTag(dealid: string, tag: string): void {
    this.db.prepare("UPDATE tasks SET tag = ? WHERE dealid = ?").run(tag.toLowerCase(), dealid.toLowerCase());
  }

  /** Count of tasks per state. */
  taskCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const row of this.db.prepare("SELECT state, COUNT(*) AS n FROM tasks GROUP BY state").all() as Row[])
      counts[String(row.state)] = Number(row.n);
    return counts;
  }

  /** Writes the chain's view of a task and the state that follows from it. */
  updateTaskChain(
    taskid: string,
    state: TaskState,
    chain: {
      status: TaskStatus;
      contributionDeadline: bigint;
      revealDeadline: bigint;
      finalDeadline: bigint;
      consensus: string;
      revealCounter: bigint;
      winnerCounter: bigint;
    },
  ): void {
    this.db
      .prepare(
        `UPDATE tasks SET state = ?, chainStatus = ?, contributionDeadline = ?, revealDeadline = ?, finalDeadline = ?,
         consensus = ?, revealCounter = ?, winnerCounter = ? WHERE taskid = ?`,
      )
      .run(
        state,
        chain.status,
        String(chain.contributionDeadline),
        String(chain.revealDeadline),
        String(chain.finalDeadline),
        chain.consensus.toLowerCase(),
        String(chain.revealCounter),
        String(chain.winnerCounter),
        taskid.toLowerCase(),
      );
  }

  setTaskFailure(taskid: string, code: string): void {
    this.db.prepare("UPDATE tasks SET failure = ? WHERE taskid = ?").run(code, taskid.toLowerCase());
  }

  /** Chooses `worker` to upload (null to choose none) and remembers the attempt. */
  setUploader(taskid: string, worker: string | null, now: number): void {
    const id = taskid.toLowerCase();
    this.transaction(() => {
      this.db
        .prepare("UPDATE tasks SET uploader = ?, uploadAskedAt = ?, uploadSentAt = NULL WHERE taskid = ?")
        .run(worker, worker === null ? null : now, id);
      if (worker !== null)
        this.db
          .prepare(
            "INSERT INTO upload_attempts (taskid, worker, at) VALUES (?, ?, ?) ON CONFLICT(taskid, worker) DO UPDATE SET at = excluded.at",
          )
          .run(id, worker, now);
    });
  }

  markUploadSent(taskid: string, now: number): void {
    this.db.prepare("UPDATE tasks SET uploadSentAt = ? WHERE taskid = ?").run(now, taskid.toLowerCase());
  }

  /** When each worker was last asked to upload the task's result (ms). */
  uploadAttempts(taskid: string): Map<string, number> {
    const rows = this.db
      .prepare("SELECT worker, at FROM upload_attempts WHERE taskid = ?")
      .all(taskid.toLowerCase()) as Row[];
    return new Map(rows.map((row) => [String(row.worker), Number(row.at)]));
  }

  /** Stores (or clears, with null) the result location an uploader reported. */
  setResults(taskid: string, results: string | null, resultsCallback: string | null): void {
    this.db
      .prepare("UPDATE tasks SET results = ?, resultsCallback = ? WHERE taskid = ?")
      .run(results, resultsCallback, taskid.toLowerCase());
  }

  /** Records an assignment (its authorization, naming `enclaveChallenge`, follows once signed). */
  addAssignment(
    taskid: string,
    worker: string,
    score: bigint,
    now: number,
    enclaveChallenge: string = ZERO_ADDRESS,
  ): void {
    this.db
      .prepare(
        "INSERT INTO assignments (taskid, worker, authorization, score, state, assignedAt, enclaveChallenge) VALUES (?, ?, '', ?, 'assigned', ?, ?)",
      )
      .run(taskid.toLowerCase(), worker, String(score), now, enclaveChallenge);
  }

  setAuthorization(taskid: string, worker: string, authorization: string): void {
    this.db
      .prepare("UPDATE assignments SET authorization = ? WHERE taskid = ? AND worker = ?")
      .run(authorization, taskid.toLowerCase(), worker);
  }

  /** Removes an assignment whose authorization could not be signed. */
  dropAssignment(taskid: string, worker: string): void {
    this.db
      .prepare("DELETE FROM assignments WHERE taskid = ? AND worker = ?")
      .run(taskid.toLowerCase(), worker);
  }

  assignment(taskid: string, worker: string): AssignmentRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM assignments WHERE taskid = ? AND worker = ?")
      .get(taskid.toLowerCase(), worker) as Row | undefined;
    return row && assignmentOf(row);
  }

  assignmentsOfTask(taskid: string): AssignmentRecord[] {
    return (
      this.db
        .prepare("SELECT * FROM assignments WHERE taskid = ? ORDER BY assignedAt")
        .all(taskid.toLowerCase()) as Row[]
    ).map(assignmentOf);
  }

  /** The worker's assignments not forgotten yet. */
  assignmentsOfWorker(worker: string): AssignmentRecord[] {
    return (
      this.db
        .prepare("SELECT * FROM assignments WHERE worker = ? AND forgotten = 0 ORDER BY assignedAt")
        .all(worker) as Row[]
    ).map(assignmentOf);
  }

  setAssignmentState(
    taskid: string,
    worker: string,
    state: AssignmentState,
    failure: string | null = null,
  ): void {
    this.db
      .prepare(
        "UPDATE assignments SET state = ?, failure = COALESCE(?, failure) WHERE taskid = ? AND worker = ?",
      )
      .run(state, failure, taskid.toLowerCase(), worker);
  }

  /** Writes a contribution as read on chain, inserting it when the store lost its assignment. */
  setContribution(
    taskid: string,
    worker: string,
    chainStatus: ContributionStatus,
    resultHash: string,
    score: bigint,
    now: number,
  ): void {
    const id = taskid.toLowerCase();
    const state: AssignmentState =
      chainStatus === ContributionStatus.PROVED
        ? "revealed"
        : chainStatus === ContributionStatus.UNSET
          ? "assigned"
          : "contributed";
    this.db
      .prepare(
        `INSERT INTO assignments (taskid, worker, authorization, score, state, chainStatus, resultHash, assignedAt)
         VALUES (?, ?, '', ?, ?, ?, ?, ?)
         ON CONFLICT(taskid, worker) DO UPDATE SET chainStatus = excluded.chainStatus, resultHash = excluded.resultHash,
         state = excluded.state`,
      )
      .run(id, worker, String(score), state, chainStatus, resultHash.toLowerCase(), now);
  }

  markRevealSent(taskid: string, worker: string, now: number): void {
    this.db
      .prepare("UPDATE assignments SET revealSentAt = ? WHERE taskid = ? AND worker = ?")
      .run(now, taskid.toLowerCase(), worker);
  }

  markForgotten(taskid: string, worker: string): void {
    this.db
      .prepare("UPDATE assignments SET forgotten = 1 WHERE taskid = ? AND worker = ?")
      .run(taskid.toLowerCase(), worker);
  }

  /** Registers a worker or refreshes its score and its enclave (null: a plain worker). */
  upsertWorker(address: string, score: bigint, now: number, enclave: string | null = null): void {
    this.db
      .prepare(
        "INSERT INTO workers (address, score, lastSeen, enclave) VALUES (?, ?, ?, ?) ON CONFLICT(address) DO UPDATE SET score = excluded.score, lastSeen = excluded.lastSeen, enclave = excluded.enclave",
      )
      .run(address, String(score), now, enclave);
  }

  setWorkerScore(address: string, score: bigint): void {
    this.db.prepare("UPDATE workers SET score = ? WHERE address = ?").run(String(score), address);
  }

  touchWorker(address: string, now: number): void {
    this.db.prepare("UPDATE workers SET lastSeen = ? WHERE address = ?").run(now, address);
  }

  worker(address: string): WorkerRecord | undefined {
    const row = this.db.prepare("SELECT * FROM workers WHERE address = ?").get(address) as Row | undefined;
    return row && workerOf(row);
  }

  /** Workers seen since `since` (ms). */
  workersSeenSince(since: number): WorkerRecord[] {
    return (
      this.db.prepare("SELECT * FROM workers WHERE lastSeen >= ? ORDER BY address").all(since) as Row[]
    ).map(workerOf);
  }

  /** Count of the worker's assignments of open tasks. */
  busy(worker: string): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM assignments a JOIN tasks t ON t.taskid = a.taskid
         WHERE a.worker = ? AND a.state != 'failed' AND t.state IN ('active', 'revealing')`,
      )
      .get(worker) as Row;
    return Number(row.n);
  }

  /** Appends what was sent on chain. */
  journal(
    action: string,
    taskids: string[],
    txHash: string | null,
    detail: string | null = null,
    now = Date.now(),
  ): void {
    this.db
      .prepare("INSERT INTO journal (at, action, taskids, txHash, detail) VALUES (?, ?, ?, ?, ?)")
      .run(now, action, JSON.stringify(taskids.map((t) => t.toLowerCase())), txHash, detail);
  }

  /** The journal, oldest first, optionally of one action. */
  journalEntries(action?: string): JournalEntry[] {
    const rows = (
      action === undefined
        ? this.db.prepare("SELECT * FROM journal ORDER BY id").all()
        : this.db.prepare("SELECT * FROM journal WHERE action = ? ORDER BY id").all(action)
    ) as Row[];
    return rows.map((row) => ({
      id: Number(row.id),
      at: Number(row.at),
      action: String(row.action),
      taskids: JSON.parse(String(row.taskids)) as string[],
      txHash: str(row.txHash),
      detail: str(row.detail),
    }));
  }
}
