/**
 * TEE tasks and the scheduler: a worker declares an enclave at login (proven by the enclave key's
 * signature); a task of a TEE deal (tag bit 0) is never handed to a plain worker, waits with its reason
 * on `GET /tasks/{taskid}` until a TEE-capable worker polls, and then goes to it with an authorization
 * naming its enclave, which the hub accepts. Non-TEE tasks are handed out as before (zero enclave), also
 * to TEE-capable workers. A hub TEE broker other than the scheduler keeps TEE tasks from everyone.
 * A version-1 database gains the new columns, and the deals' tags are read again. (@scheduler)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { Wallet, ZeroAddress, getBytes, verifyMessage, type Signer } from "ethers";
import { ethers } from "hardhat";
import { schedulerEnclaveMessage, schedulerLoginMessage } from "../../src/sdk/core/scheduler";
import {
  ContributionStatus,
  authorizationMessage,
  computeResultHash,
  computeResultSeal,
  computeTaskId,
  digestOf,
  signEnclaveResult,
} from "../../src/sdk/core/tasks";
import { SchedulerStore } from "../../src/scheduler";
import { makeDeal, type MadeDeal } from "../tasks/fixtures";
import { SchedulerHarness, keyOf, stateOf, type SimWorker } from "./harness";

/** The tag the official SDK puts on every order: TEE (bit 0) and TDX (bit 3). */
const TEE_TAG = ethers.toBeHex(9n, 32);
const RESULTS = '{"storage":"ipfs","location":"/ipfs/QmRwwTz9Chq4Y7F7ReKKcx1GV6s3H7egmNGrku9XrwiDa8"}';

describe("@scheduler TEE tasks", function () {
  this.timeout(120_000);
  let h: SchedulerHarness;

  before(async () => {
    h = await SchedulerHarness.start();
  });
  after(async () => h?.stop());

  const makeTeeDeal = (volume = 1n): Promise<MadeDeal> =>
    makeDeal(h.setup, {
      trust: 1n,
      volume,
      overrides: { app: { tag: TEE_TAG }, workerpool: { tag: TEE_TAG }, request: { tag: TEE_TAG } },
    });

  /** Polls `times` times and returns every task id handed out. */
  async function pollMany(worker: SimWorker, times = 3): Promise<string[]> {
    const got: string[] = [];
    for (let i = 0; i < times; i++) got.push(...(await worker.poll(1)).assign.map((a) => a.taskid));
    return got;
  }

  it("keeps a TEE task from plain workers, says why, and gives it to a TEE-capable worker whose contribution the hub accepts", async () => {
    const app = await h.scheduler();
    const deal = await makeTeeDeal();
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await stateOf(app, taskid, "active");
    expect(app.store.task(taskid)?.tag).to.equal(TEE_TAG);

    const plain = [await h.worker(app, 0), await h.worker(app, 1)];
    for (const worker of plain) expect(await pollMany(worker)).to.deep.equal([]);
    expect(app.store.assignmentsOfTask(taskid)).to.deep.equal([]);
    const waiting = await plain[0].client.task(taskid);
    expect(waiting).to.deep.include({
      taskid,
      dealid: deal.dealid,
      idx: deal.botFirst.toString(),
      state: "active",
      tag: TEE_TAG,
      tee: true,
      workers: 0,
    });
    expect(waiting.waiting?.code).to.equal("TEE_WORKER_NEEDED");
    expect(waiting.waiting?.message).to.contain(
      "runs only on a worker with an enclave, and none of the 2 worker(s) seen",
    );
    const status = await plain[0].client.status();
    expect(status.workers.map((w) => ({ address: w.address, enclave: w.enclave }))).to.have.deep.members(
      plain.map((w) => ({ address: w.address, enclave: null })),
    );
    expect(status.workers).to.have.length(2);

    const enclave = Wallet.createRandom();
    const tee = await h.worker(app, 2, enclave);
    const answer = await tee.poll(1);
    expect(answer.assign.map((a) => [a.taskid, a.enclaveChallenge])).to.deep.equal([
      [taskid, enclave.address],
    ]);
    const { authorization } = answer.assign[0];
    expect(
      verifyMessage(getBytes(authorizationMessage(tee.address, taskid, enclave.address)), authorization),
    ).to.equal(h.setup.scheduler.address);
    expect(app.store.assignment(taskid, tee.address)).to.deep.include({
      enclaveChallenge: enclave.address,
      authorization,
      state: "assigned",
    });
    expect((await tee.client.task(taskid)).waiting).to.equal(null);
    expect((await tee.client.task(taskid)).workers).to.equal(1);
    expect((await tee.client.status()).workers.find((w) => w.address === tee.address)?.enclave).to.equal(
      enclave.address,
    );
    // The plain workers still get nothing, before and after.
    for (const worker of plain) expect(await pollMany(worker, 2)).to.deep.equal([]);

    // The enclave signs the commitment: the hub accepts the contribution, no run was wasted.
    const digest = digestOf("computed in an enclave");
    await tee.poco.work.contributeAndFinalize({
      taskid,
      resultDigest: digest,
      authorization,
      enclaveChallenge: enclave.address,
      enclaveSign: await signEnclaveResult(
        enclave,
        computeResultHash(taskid, digest),
        computeResultSeal(tee.address, taskid, digest),
      ),
      results: RESULTS,
    });
    await stateOf(app, taskid, "completed");
    const contribution = await tee.poco.work.contribution(taskid, tee.address);
    expect(contribution.status).to.equal(ContributionStatus.PROVED);
    expect(contribution.enclaveChallenge).to.equal(enclave.address);
    expect(app.store.assignmentsOfTask(taskid).map((a) => a.worker)).to.deep.equal([tee.address]);
    await h.stopScheduler(app);
  });

  it("hands non-TEE tasks out as before, with the zero enclave, to plain and TEE-capable workers", async () => {
    const app = await h.scheduler();
    const deal = await makeDeal(h.setup, { trust: 1n, volume: 2n });
    const taskids = [0n, 1n].map((i) => computeTaskId(deal.dealid, deal.botFirst + i));
    for (const taskid of taskids) await stateOf(app, taskid, "active");
    expect(app.store.task(taskids[0])?.tag).to.equal(ethers.ZeroHash);
    const plain = await h.worker(app, 0);
    const tee = await h.worker(app, 2, Wallet.createRandom());
    const first = (await plain.poll(1)).assign;
    const second = (await tee.poll(1)).assign;
    expect([...first, ...second].map((a) => [a.taskid, a.enclaveChallenge])).to.deep.equal([
      [taskids[0], ZeroAddress],
      [taskids[1], ZeroAddress],
    ]);
    expect(
      verifyMessage(getBytes(authorizationMessage(tee.address, taskids[1])), second[0].authorization),
    ).to.equal(h.setup.scheduler.address);
    expect((await plain.client.task(taskids[0])).tee).to.equal(false);
    await h.stopScheduler(app);
  });

  it("refuses an enclave declaration its key did not sign; a login without one makes the worker plain again", async () => {
    const app = await h.scheduler();
    const worker = new Wallet(keyOf(h.setup.workers[3].address));
    const enclave = Wallet.createRandom();
    const login = async (enclaveSigner?: Signer) => {
      const challenge = (
        (await (await fetch(`${app.url}/workers/challenge?address=${worker.address}`)).json()) as {
          challenge: string;
        }
      ).challenge;
      const body: Record<string, unknown> = {
        address: worker.address,
        challenge,
        signature: await worker.signMessage(schedulerLoginMessage(worker.address, challenge)),
      };
      if (enclaveSigner)
        body.enclave = {
          address: enclave.address,
          signature: await enclaveSigner.signMessage(
            schedulerEnclaveMessage(worker.address, enclave.address, challenge),
          ),
        };
      const response = await fetch(`${app.url}/workers/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    const forged = await login(Wallet.createRandom());
    expect(forged.status).to.equal(401);
    expect(forged.json.error).to.contain(`not by enclave ${enclave.address}`);
    expect(app.store.worker(worker.address)).to.equal(undefined);
    expect((await login(enclave)).status).to.equal(200);
    expect(app.store.worker(worker.address)?.enclave).to.equal(enclave.address);
    expect((await login()).status).to.equal(200);
    expect(app.store.worker(worker.address)?.enclave).to.equal(null);
    await h.stopScheduler(app);
  });

  it("keeps TEE tasks from every worker while the hub's TEE broker is someone else", async () => {
    const app = await h.scheduler();
    const broker = h.setup.spare[0];
    await (await h.setup.hub.setTeeBroker(broker.address)).wait();
    try {
      const deal = await makeTeeDeal();
      const taskid = computeTaskId(deal.dealid, deal.botFirst);
      await stateOf(app, taskid, "active");
      const tee = await h.worker(app, 4, Wallet.createRandom());
      expect(await pollMany(tee)).to.deep.equal([]);
      const status = await tee.client.task(taskid);
      expect(status.waiting?.code).to.equal("TEE_BROKER_SIGNS");
      expect(status.waiting?.message).to.contain(`TEE broker ${broker.address}`);
      await (await h.setup.hub.setTeeBroker(ZeroAddress)).wait();
      await app.tickNow();
      expect(await pollMany(tee, 1)).to.deep.equal([taskid]);
    } finally {
      await (await h.setup.hub.setTeeBroker(ZeroAddress)).wait();
      await h.stopScheduler(app);
    }
  });

  it("upgrades a version-1 database: tags read again, plain workers, zero enclaves", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-scheduler-v1-"));
    try {
      const file = path.join(dir, "scheduler.sqlite");
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
          results TEXT, resultsCallback TEXT, seq INTEGER NOT NULL);
        CREATE TABLE assignments (taskid TEXT NOT NULL, worker TEXT NOT NULL, authorization TEXT NOT NULL,
          score TEXT NOT NULL, state TEXT NOT NULL, chainStatus INTEGER NOT NULL DEFAULT 0, resultHash TEXT,
          failure TEXT, revealSentAt INTEGER, forgotten INTEGER NOT NULL DEFAULT 0, assignedAt INTEGER NOT NULL,
          PRIMARY KEY (taskid, worker));
        CREATE TABLE upload_attempts (taskid TEXT NOT NULL, worker TEXT NOT NULL, at INTEGER NOT NULL,
          PRIMARY KEY (taskid, worker));
        CREATE TABLE workers (address TEXT PRIMARY KEY, score TEXT NOT NULL, lastSeen INTEGER NOT NULL);
        CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, action TEXT NOT NULL,
          taskids TEXT NOT NULL, txHash TEXT, detail TEXT);
        INSERT INTO meta (key, value) VALUES ('schema', '1');
        INSERT INTO tasks (taskid, dealid, idx, trust, state, finalDeadline, seq)
          VALUES ('0x${"aa".repeat(32)}', '0x${"dd".repeat(32)}', '0', '1', 'active', '100', 1);
        INSERT INTO assignments (taskid, worker, authorization, score, state, assignedAt)
          VALUES ('0x${"aa".repeat(32)}', '${h.setup.workers[0].address}', '0x12', '0', 'assigned', 5);
        INSERT INTO workers (address, score, lastSeen) VALUES ('${h.setup.workers[0].address}', '0', 5);
      `);
      db.close();
      const store = SchedulerStore.open(file);
      try {
        const taskid = "0x" + "aa".repeat(32);
        const dealid = "0x" + "dd".repeat(32);
        expect(store.task(taskid)?.tag).to.equal(null);
        expect(store.dealsWithoutTag()).to.deep.equal([dealid]);
        expect(store.worker(h.setup.workers[0].address)?.enclave).to.equal(null);
        expect(store.assignment(taskid, h.setup.workers[0].address)?.enclaveChallenge).to.equal(ZeroAddress);
        store.setDealTag(dealid, TEE_TAG);
        expect(store.task(taskid)?.tag).to.equal(TEE_TAG);
        expect(store.dealsWithoutTag()).to.deep.equal([]);
      } finally {
        store.close();
      }
      // Opened again: already at the current version, nothing to migrate.
      SchedulerStore.open(file).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
