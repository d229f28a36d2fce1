/**
 * The scheduler store's version 3 (what requesters read): a version-2 database is upgraded in place, its
 * deals wait for their requester to be read again, and its tasks are served with what the older store
 * knew (a replicate per assignment). Then the history, replicate updates, logs and claim round-trip.
 * (@scheduler)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { SchedulerStore } from "../../src/scheduler";
import { workerpoolTaskView } from "../../src/scheduler/task-view";
import type { SchedulerTaskStatus } from "../../src/sdk/core/scheduler";

const TASK = "0x" + "aa".repeat(32);
const DEAL = "0x" + "dd".repeat(32);
const WORKER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const REQUESTER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function statusOf(taskid: string): SchedulerTaskStatus {
  return {
    taskid,
    dealid: DEAL,
    idx: "0",
    state: "active",
    tag: null,
    tee: false,
    workers: 1,
    waiting: null,
  };
}

describe("@scheduler scheduler store v3", function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-scheduler-v3-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("upgrades a version-2 database: requesters to read again, replicates from the assignments", () => {
    const file = path.join(dir, "scheduler.sqlite");
    // A version-2 scheduler's tables, as its migrations left them.
    const db = new Database(file);
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE deals (dealid TEXT PRIMARY KEY, trust TEXT NOT NULL, botFirst TEXT NOT NULL,
        botSize TEXT NOT NULL, finalDeadline TEXT NOT NULL);
      CREATE TABLE tasks (taskid TEXT PRIMARY KEY, dealid TEXT NOT NULL, idx TEXT NOT NULL,
        trust TEXT NOT NULL, state TEXT NOT NULL, chainStatus INTEGER NOT NULL DEFAULT 0,
        contributionDeadline TEXT NOT NULL DEFAULT '0', revealDeadline TEXT NOT NULL DEFAULT '0',
        finalDeadline TEXT NOT NULL, consensus TEXT NOT NULL DEFAULT '',
        revealCounter TEXT NOT NULL DEFAULT '0', winnerCounter TEXT NOT NULL DEFAULT '0',
        failure TEXT, uploader TEXT, uploadAskedAt INTEGER, uploadSentAt INTEGER,
        results TEXT, resultsCallback TEXT, seq INTEGER NOT NULL, tag TEXT);
      CREATE TABLE assignments (taskid TEXT NOT NULL, worker TEXT NOT NULL, authorization TEXT NOT NULL,
        score TEXT NOT NULL, state TEXT NOT NULL, chainStatus INTEGER NOT NULL DEFAULT 0, resultHash TEXT,
        failure TEXT, revealSentAt INTEGER, forgotten INTEGER NOT NULL DEFAULT 0, assignedAt INTEGER NOT NULL,
        enclaveChallenge TEXT NOT NULL DEFAULT '0x0000000000000000000000000000000000000000',
        PRIMARY KEY (taskid, worker));
      CREATE TABLE upload_attempts (taskid TEXT NOT NULL, worker TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (taskid, worker));
      CREATE TABLE workers (address TEXT PRIMARY KEY, score TEXT NOT NULL, lastSeen INTEGER NOT NULL, enclave TEXT);
      CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, action TEXT NOT NULL,
        taskids TEXT NOT NULL, txHash TEXT, detail TEXT);
      INSERT INTO deals (dealid, trust, botFirst, botSize, finalDeadline) VALUES ('${DEAL}', '1', '0', '1', '100');
      INSERT INTO tasks (taskid, dealid, idx, trust, state, finalDeadline, seq, tag)
        VALUES ('${TASK}', '${DEAL}', '0', '1', 'active', '100', 1, '0x${"00".repeat(32)}');
      INSERT INTO assignments (taskid, worker, authorization, score, state, failure, assignedAt)
        VALUES ('${TASK}', '${WORKER}', '0x12', '0', 'failed', 'APP_IMAGE_PULL_FAILED', 5000);
    `);
    db.pragma("user_version = 2");
    db.close();

    const store = SchedulerStore.open(file);
    try {
      expect(store.dealsWithoutRequester()).to.deep.equal([DEAL]);
      expect(store.dealRequester(DEAL)).to.equal(null);
      const task = store.task(TASK)!;
      expect(task.claimTx).to.equal(null);
      const view = workerpoolTaskView(store, task, statusOf(TASK), 50n);
      expect(view.currentStatus).to.equal("INITIALIZED");
      expect(view.replicates).to.deep.equal([
        {
          walletAddress: WORKER,
          currentStatus: "FAILED",
          statusUpdateList: [
            { status: "FAILED", date: new Date(5000).toISOString(), modifier: "POOL_MANAGER" },
          ],
          appExitCode: null,
        },
      ]);
      // Past the final deadline (chain time 100) the requester is told when the refund comes.
      const late = workerpoolTaskView(store, task, statusOf(TASK), 100n);
      expect(late.currentStatus).to.equal("FINAL_DEADLINE_REACHED");
      expect(late.refund).to.deep.equal({ claimableAt: 100, claimTx: null });

      store.setDealRequester(DEAL, REQUESTER);
      expect(store.dealsWithoutRequester()).to.deep.equal([]);
      expect(store.dealRequester(DEAL)).to.equal(REQUESTER);
      store.noteTaskStatus(TASK, "INITIALIZED", 1000);
      store.noteTaskStatus(TASK, "INITIALIZED", 9000);
      expect(store.taskStatuses(TASK)).to.deep.equal([{ status: "INITIALIZED", at: 1000 }]);
      store.setComputeLogs(TASK, WORKER, "out", "err", 1);
      store.setComputeLogs(TASK, WORKER, "out 2", "err 2", 2);
      expect(store.computeLogs(TASK)).to.deep.equal([
        { worker: WORKER, stdout: "out 2", stderr: "err 2", at: 2 },
      ]);
      store.setClaimTx(TASK, "0x" + "cc".repeat(32));
      expect(store.task(TASK)?.claimTx).to.equal("0x" + "cc".repeat(32));
    } finally {
      store.close();
    }
    const reopened = new Database(file);
    expect(reopened.pragma("user_version", { simple: true })).to.equal(3);
    reopened.close();
  });
});
