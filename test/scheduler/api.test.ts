/**
 * The scheduler's worker API over HTTP: challenge login (bad signature, reused or foreign challenge),
 * bearer sessions (401), body validation (400), reports on someone else's task (403), status and
 * version; and a scheduler stopped and restarted on the same SQLite file mid-deal that finishes the
 * deal without initializing or finalizing twice. (@scheduler)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { schedulerLoginMessage, type SchedulerStatus } from "../../src/sdk/core/scheduler";
import { TaskStatus, computeTaskId, digestOf } from "../../src/sdk/core/tasks";
import type { SchedulerApp } from "../../src/scheduler";
import { makeDeal } from "../tasks/fixtures";
import { SchedulerHarness, keyOf, until } from "./harness";

async function call(
  url: string,
  method: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("@scheduler scheduler API and restart", function () {
  this.timeout(120_000);
  let h: SchedulerHarness;
  let dir: string;

  before(async () => {
    h = await SchedulerHarness.start();
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-scheduler-"));
  });
  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const stateOf = (app: SchedulerApp, taskid: string, state: string) =>
    until(`task ${taskid} ${state}`, async () => {
      await app.tickNow();
      return app.store.task(taskid)?.state === state;
    });

  it("logs in by signed one-use challenge and guards every worker route", async () => {
    const app = await h.scheduler();
    const worker = new Wallet(keyOf(h.setup.workers[0].address));
    const stranger = new Wallet(keyOf(h.setup.workers[1].address));
    const challenge = async (address = worker.address) =>
      (await call(`${app.url}/workers/challenge?address=${address}`, "GET")).json.challenge as string;
    const login = async (c: string, signer = worker, address = worker.address) =>
      call(`${app.url}/workers/login`, "POST", {
        address,
        challenge: c,
        signature: await signer.signMessage(schedulerLoginMessage(address, c)),
      });

    // Signed by another key: refused, and the challenge is used up.
    const c1 = await challenge();
    const forged = await login(c1, stranger);
    expect(forged.status).to.equal(401);
    expect(forged.json.error).to.match(/not .* sign with the worker's key/);
    expect((await login(c1)).status).to.equal(401);
    // A good login works once; the same challenge again does not.
    const c2 = await challenge();
    const ok = await login(c2);
    expect(ok.status).to.equal(200);
    const token = ok.json.token as string;
    expect(token).to.be.a("string").with.length.greaterThan(20);
    const reused = await login(c2);
    expect(reused.status).to.equal(401);
    expect(reused.json.error).to.match(/challenge/);
    // A challenge issued to someone else does not log this worker in.
    expect((await login(await challenge(stranger.address))).status).to.equal(401);
    // Bad inputs are 400 with a message.
    expect((await call(`${app.url}/workers/challenge?address=nope`, "GET")).status).to.equal(400);
    const badLogin = await call(`${app.url}/workers/login`, "POST", { address: worker.address });
    expect(badLogin.status).to.equal(400);
    expect(badLogin.json.error).to.match(/challenge/);

    // Sessions: none, unknown → 401; a bad body with a good token → 400.
    expect((await call(`${app.url}/workers/poll`, "POST", { slots: 1 })).status).to.equal(401);
    expect((await call(`${app.url}/workers/poll`, "POST", { slots: 1 }, "forged")).status).to.equal(401);
    const badPoll = await call(`${app.url}/workers/poll`, "POST", { slots: -1 }, token);
    expect(badPoll.status).to.equal(400);
    expect(badPoll.json.error).to.match(/slots/);
    const polled = await call(`${app.url}/workers/poll`, "POST", { slots: 0 }, token);
    expect(polled.status).to.equal(200);
    expect(polled.json).to.include.keys("assign", "reveal", "upload", "forget");

    // Reports: only on one's own tasks, with a well-formed body.
    const deal = await makeDeal(h.setup, { trust: 1n });
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await stateOf(app, taskid, "active");
    const mine = await call(`${app.url}/workers/poll`, "POST", { slots: 1 }, token);
    expect((mine.json.assign as { taskid: string }[]).map((a) => a.taskid)).to.deep.equal([taskid]);
    const strangerClient = await h.worker(app, 1);
    const foreign = await strangerClient.client
      .report(taskid, { event: "failed", code: "WORKER_ERROR", detail: "not mine" })
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(foreign?.message).to.match(/HTTP 403.*not assigned/);
    const report = (body: unknown, t = token) => call(`${app.url}/tasks/${taskid}/report`, "POST", body, t);
    expect((await report({ event: "contributed", txHash: "0x" + "00".repeat(32) }, "")).status).to.equal(401);
    const badEvent = await report({ event: "exploded" });
    expect(badEvent.status).to.equal(400);
    const badCode = await report({ event: "failed", code: "NOT_A_CODE", detail: "" });
    expect(badCode.status).to.equal(400);
    expect(badCode.json.error).to.match(/code/);
    expect((await report({ event: "computed", resultDigest: digestOf("x") })).status).to.equal(200);
    expect(
      (await call(`${app.url}/tasks/0x12/report`, "POST", { event: "finalized" }, token)).status,
    ).to.equal(400);

    const status = (await call(`${app.url}/status`, "GET")).json as unknown as SchedulerStatus;
    expect(status.workerpool).to.equal(h.setup.workerpool);
    expect(status.chainId).to.equal("31337");
    expect(status.tasks.active).to.equal(1);
    expect(status.workers.map((w) => w.address)).to.include(worker.address);
    expect(status.workers.find((w) => w.address === worker.address)?.busy).to.equal(1);
    expect((await call(`${app.url}/version`, "GET")).json.version).to.match(/scheduler/);
    await h.stopScheduler(app);
  });

  it("refuses to run a workerpool its key does not own", async () => {
    const error = await h.scheduler({ signer: keyOf(h.setup.requester.address) }).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(error?.code).to.equal("NOT_WORKERPOOL_OWNER");
  });

  it("resumes after a restart on the same file: no second initialize, one finalize", async () => {
    const dbFile = path.join(dir, "scheduler.sqlite");
    let app = await h.scheduler({ dbFile });
    const deal = await makeDeal(h.setup, { trust: 3n, volume: 2n });
    const taskids = [0n, 1n].map((i) => computeTaskId(deal.dealid, deal.botFirst + i));
    await stateOf(app, taskids[1], "active");
    const [a, b] = [await h.worker(app, 0), await h.worker(app, 1)];
    const assigned = [(await a.poll(1)).assign[0], (await b.poll(1)).assign[0]];
    expect(assigned.map((x) => x.taskid)).to.deep.equal([taskids[0], taskids[0]]);
    await h.stopScheduler(app);

    // While the scheduler is down, both contribute: the task reaches consensus.
    const digest = digestOf("restart");
    const [a2, b2] = [a, b].map((w) => w.address);
    app = await h.scheduler({ dbFile });
    const [ra, rb] = [await h.worker(app, 0), await h.worker(app, 1)];
    expect([ra.address, rb.address]).to.deep.equal([a2, b2]);
    // The answers to the polls before the restart may have been lost: the new process sends them at
    // once, not a resend period later, and only once.
    const resent = [(await ra.poll(0)).assign, (await rb.poll(0)).assign];
    expect(resent.map((list) => list.map((x) => x.authorization))).to.deep.equal([
      [assigned[0].authorization],
      [assigned[1].authorization],
    ]);
    expect((await ra.poll(0)).assign).to.deep.equal([]);
    await ra.poco.work.contribute({
      taskid: taskids[0],
      resultDigest: digest,
      authorization: assigned[0].authorization,
    });
    await rb.poco.work.contribute({
      taskid: taskids[0],
      resultDigest: digest,
      authorization: assigned[1].authorization,
    });
    await stateOf(app, taskids[0], "revealing");
    // Workers log in again (their sessions died with the old process) and are told to reveal.
    for (const w of [ra, rb]) {
      expect((await w.poll(0)).reveal).to.deep.equal([taskids[0]]);
      await w.reveal(taskids[0], digest);
    }
    const uploader = await until("an uploader", async () => {
      await app.tickNow();
      return app.store.task(taskids[0])?.uploader ?? undefined;
    });
    const chosen = uploader === ra.address ? ra : rb;
    expect((await chosen.poll(0)).upload).to.deep.equal([taskids[0]]);
    await chosen.client.report(taskids[0], {
      event: "uploaded",
      results: "ipfs://restart",
      resultsCallback: "0x",
    });
    await stateOf(app, taskids[0], "completed");

    // Restart once more after the finalize: nothing is sent twice.
    await h.stopScheduler(app);
    app = await h.scheduler({ dbFile });
    await app.tickNow();
    await app.tickNow();
    expect(app.store.task(taskids[0])?.state).to.equal("completed");
    const inits = app.store.journalEntries("initialize");
    expect(inits).to.have.length(1);
    expect(inits[0].taskids).to.deep.equal(taskids);
    expect(app.store.journalEntries("finalize").map((e) => e.taskids)).to.deep.equal([[taskids[0]]]);
    await h.stopScheduler(app);
    expect(Number((await h.setup.hub.viewTask(taskids[0])).status)).to.equal(TaskStatus.COMPLETED);
    expect(Number((await h.setup.hub.viewTask(taskids[1])).status)).to.equal(TaskStatus.ACTIVE);
  });
});
