/**
 * Our Docker worker and TEE deals: it logs in as a plain worker, so the scheduler never hands it a TEE
 * task (the task waits, with its reason); and when a misconfigured scheduler does, the worker fails the
 * task with ENCLAVE_REQUIRED without asking the SMS for its secrets or running anything. The SMS's audit
 * log shows that nothing was asked. Needs the Docker engine (the worker clears its containers at start).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ZeroAddress } from "ethers";
import Fastify, { type FastifyInstance } from "fastify";
import { ethers } from "hardhat";
import { SchedulerClient, type WorkerReport } from "../../src/sdk/core/scheduler";
import { SILENT_LOGGER } from "../../src/sdk/core/logger";
import { SchedulerApp } from "../../src/scheduler";
import type { SmsApp } from "../../src/sms/app";
import { WorkerApp } from "../../src/worker/agent";
import { ensureDockerEngine } from "../docker/images";
import { QUIET, until } from "../scheduler/harness";
import { TEE_TAG, smsWorld, type SmsWorld } from "../sms/world";

describe("worker and TEE deals @docker", function () {
  this.timeout(180_000);
  let world: SmsWorld;
  let sms: SmsApp;
  let app: string;
  let dir: string;

  before(async function () {
    await ensureDockerEngine();
    world = await smsWorld();
    sms = await world.startSms();
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-worker-tee-"));
    app = await world.deployApp("tee-worker-app");
  });
  after(async function () {
    await sms?.stop();
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("is never handed a TEE task: the task waits for a TEE-capable worker and the SMS is never asked", async function () {
    const scheduler = await SchedulerApp.start({
      chain: world.chain,
      signer: world.wallets.scheduler.privateKey,
      workerpool: world.workerpool,
      dbFile: ":memory:",
      port: 0,
      tickMs: 50,
      pollingIntervalMs: 20,
      fromBlock: (await ethers.provider.getBlockNumber()) + 1,
      logger: QUIET,
      timings: { preferWindowMs: -1 },
    });
    const worker = await WorkerApp.start({
      chain: world.chain,
      signer: world.worker(0).privateKey,
      schedulerUrl: scheduler.url,
      dataDir: path.join(dir, "never"),
      smsUrl: sms.url,
      pollMs: 50,
    });
    try {
      const { taskid } = await world.makeTask({ app, tag: TEE_TAG });
      await until("the task active at the scheduler", () => scheduler.store.task(taskid)?.state === "active");
      const reader = new SchedulerClient(scheduler.url, world.worker(9));
      // The worker keeps polling (it is seen), and is still given nothing.
      const status = await until("the worker seen and the task waiting", async () => {
        const s = await reader.task(taskid);
        return s.waiting?.code === "TEE_WORKER_NEEDED" && s.waiting.message.includes("none of the 1 worker")
          ? s
          : undefined;
      });
      expect(status).to.deep.include({ tee: true, workers: 0, state: "active" });
      const seen = (await reader.status()).workers;
      expect(seen.map((w) => [w.address, w.enclave])).to.deep.equal([[worker.address, null]]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(scheduler.store.assignmentsOfTask(taskid)).to.deep.equal([]);
      expect(worker.store.get(taskid)).to.equal(undefined);
      expect(sms.store.auditLog(taskid)).to.deep.equal([]);
    } finally {
      await worker.stop();
      await scheduler.stop();
    }
  });

  it("given a TEE task by a misconfigured scheduler, fails it with ENCLAVE_REQUIRED without asking the SMS", async function () {
    const { dealid, taskid } = await world.makeTask({ app, tag: TEE_TAG });
    const authorization = await world.authorize(world.worker(1).address, taskid);
    const reports: { taskid: string; report: WorkerReport }[] = [];
    let handed = false;
    // A scheduler that hands the TEE task to anyone, with a plain authorization.
    const fake: FastifyInstance = Fastify();
    fake.get("/workers/challenge", async () => ({ ok: true, challenge: "0x" + "ab".repeat(32) }));
    fake.post("/workers/login", async () => ({ ok: true, token: "session" }));
    fake.post("/workers/poll", async () => {
      const assign = handed
        ? []
        : [{ taskid, dealid, idx: "0", authorization, enclaveChallenge: ZeroAddress }];
      handed = true;
      return { ok: true, assign, reveal: [], upload: [], forget: [] };
    });
    fake.post("/tasks/:taskid/report", async (request) => {
      reports.push({
        taskid: (request.params as { taskid: string }).taskid,
        report: request.body as WorkerReport,
      });
      return { ok: true };
    });
    const url = await fake.listen({ host: "127.0.0.1", port: 0 });
    const worker = await WorkerApp.start({
      chain: world.chain,
      signer: world.worker(1).privateKey,
      schedulerUrl: url,
      dataDir: path.join(dir, "misconfigured"),
      smsUrl: sms.url,
      pollMs: 50,
      logger: SILENT_LOGGER,
    });
    try {
      await until("the worker's failure report", () => reports.some((r) => r.report.event === "failed"));
      expect(reports.map((r) => r.taskid)).to.deep.equal([taskid]);
      const [{ report }] = reports;
      expect(report).to.deep.include({ event: "failed", code: "ENCLAVE_REQUIRED" });
      expect((report as { detail: string }).detail).to.contain(`tag ${TEE_TAG} asks for a TEE`);
      expect(worker.store.get(taskid)).to.deep.include({ state: "FAILED", failure: "ENCLAVE_REQUIRED" });
      expect(worker.store.get(taskid)?.resultDigest).to.equal(undefined);
      // Nothing was asked of the SMS: its audit log has no line for the task.
      expect(sms.store.auditLog(taskid)).to.deep.equal([]);
    } finally {
      await worker.stop();
      await fake.close();
    }
  });
});
