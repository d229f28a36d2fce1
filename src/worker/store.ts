/**
 * The worker's journal: one row per task it was handed, with the step it reached and what it computed, in
 * SQLite. Each step is written before the next one starts, so a restarted worker knows what it already
 * did; the chain stays the judge of whether a contribution or a reveal happened (see agent.ts).
 */
import type Database from "better-sqlite3";
import type { TaskAssignment, WorkerFailureCode } from "../sdk/core/scheduler";
import { openDatabase, type Migration } from "../server/database";

/**
 * Where a task is, for this worker:
 * ASSIGNED → COMPUTED → CONTRIBUTED → REVEALED → UPLOADED → DONE, or FAILED (with a code) at any step.
 * Trust-1 tasks go from COMPUTED to DONE in one transaction (contributeAndFinalize).
 */
export type WorkerTaskState =
  "ASSIGNED" | "COMPUTED" | "CONTRIBUTED" | "REVEALED" | "UPLOADED" | "DONE" | "FAILED";

/** One task of the journal. */
export interface WorkerTask extends TaskAssignment {
  state: WorkerTaskState;
  resultDigest?: string;
  resultsCallback?: string;
  zipFile?: string;
  /** The error result's code when the app crashed or timed out (the task still contributes). */
  errorResult?: string;
  /** The task's `results` once uploaded. */
  results?: string;
  failure?: WorkerFailureCode;
  detail?: string;
  /** How many times the computation started (more than one after a restart mid-run). */
  runs: number;
  updatedAt: number;
}

/**
 * Version 1 of the journal. Journals written before it had a version hold exactly these tables, at
 * version 0: `IF NOT EXISTS` carries them over as they are.
 */
const V1 = `
CREATE TABLE IF NOT EXISTS tasks (
  taskid TEXT PRIMARY KEY,
  dealid TEXT NOT NULL,
  idx TEXT NOT NULL,
  authorization TEXT NOT NULL,
  enclave_challenge TEXT NOT NULL,
  state TEXT NOT NULL,
  result_digest TEXT,
  results_callback TEXT,
  zip_file TEXT,
  error_result TEXT,
  results TEXT,
  failure TEXT,
  detail TEXT,
  runs INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_state ON tasks(state);
`;

/** Index `i` takes the journal from version `i` to `i + 1` (see `openDatabase`). */
const MIGRATIONS: readonly Migration[] = [V1];

interface Row {
  taskid: string;
  dealid: string;
  idx: string;
  authorization: string;
  enclave_challenge: string;
  state: WorkerTaskState;
  result_digest: string | null;
  results_callback: string | null;
  zip_file: string | null;
  error_result: string | null;
  results: string | null;
  failure: string | null;
  detail: string | null;
  runs: number;
  updated_at: number;
}

function fromRow(row: Row): WorkerTask {
  return {
    taskid: row.taskid,
    dealid: row.dealid,
    idx: row.idx,
    authorization: row.authorization,
    enclaveChallenge: row.enclave_challenge,
    state: row.state,
    resultDigest: row.result_digest ?? undefined,
    resultsCallback: row.results_callback ?? undefined,
    zipFile: row.zip_file ?? undefined,
    errorResult: row.error_result ?? undefined,
    results: row.results ?? undefined,
    failure: (row.failure as WorkerFailureCode | null) ?? undefined,
    detail: row.detail ?? undefined,
    runs: row.runs,
    updatedAt: row.updated_at,
  };
}

/** What a step changes besides the state. */
export type WorkerTaskUpdate = Partial<
  Pick<
    WorkerTask,
    "resultDigest" | "resultsCallback" | "zipFile" | "errorResult" | "results" | "failure" | "detail"
  >
>;

const COLUMNS: Record<keyof WorkerTaskUpdate, string> = {
  resultDigest: "result_digest",
  resultsCallback: "results_callback",
  zipFile: "zip_file",
  errorResult: "error_result",
  results: "results",
  failure: "failure",
  detail: "detail",
};

/** The worker's SQLite journal. */
export class WorkerStore {
  private constructor(private readonly db: Database.Database) {}

  /**
   * Opens (or creates) the journal at `file`; ":memory:" for a throwaway one. Throws
   * `StoreVersionError` when the journal is from a newer worker.
   */
  static open(file: string): WorkerStore {
    return new WorkerStore(openDatabase(file, { owner: "worker", migrations: MIGRATIONS }));
  }

  /** Records a new assignment; returns false when the task was already known (a repeated instruction). */
  add(assignment: TaskAssignment, now = Date.now()): boolean {
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO tasks (taskid, dealid, idx, authorization, enclave_challenge, state, updated_at)
         VALUES (?, ?, ?, ?, ?, 'ASSIGNED', ?)`,
      )
      .run(
        assignment.taskid,
        assignment.dealid,
        assignment.idx,
        assignment.authorization,
        assignment.enclaveChallenge,
        now,
      );
    return info.changes === 1;
  }

  /** The task, if known. */
  get(taskid: string): WorkerTask | undefined {
    const row = this.db.prepare("SELECT * FROM tasks WHERE taskid = ?").get(taskid) as Row | undefined;
    return row && fromRow(row);
  }

  /** Tasks in one of `states`, oldest first. */
  inStates(...states: WorkerTaskState[]): WorkerTask[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM tasks WHERE state IN (${states.map(() => "?").join(",")}) ORDER BY updated_at, taskid`,
      )
      .all(...states) as Row[];
    return rows.map(fromRow);
  }

  /** Moves the task to `state`, with what the step produced. */
  update(taskid: string, state: WorkerTaskState, fields: WorkerTaskUpdate = {}, now = Date.now()): void {
    const names = Object.keys(fields) as (keyof WorkerTaskUpdate)[];
    const sets = names.map((name) => `${COLUMNS[name]} = ?`);
    this.db
      .prepare(
        `UPDATE tasks SET state = ?, updated_at = ?${sets.map((s) => `, ${s}`).join("")} WHERE taskid = ?`,
      )
      .run(state, now, ...names.map((name) => fields[name] ?? null), taskid);
  }

  /** Counts one more start of the computation. */
  countRun(taskid: string): number {
    this.db.prepare("UPDATE tasks SET runs = runs + 1 WHERE taskid = ?").run(taskid);
    return this.get(taskid)!.runs;
  }

  /** Count of tasks per state. */
  counts(): Record<string, number> {
    const rows = this.db.prepare("SELECT state, COUNT(*) AS n FROM tasks GROUP BY state").all() as {
      state: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  }

  close(): void {
    this.db.close();
  }
}
