/**
 * Enclave challenges of TEE tasks and the development enclave's key. The workerpool owner gets one
 * challenge per task (before the task is initialized; the same address on every later request), sealed
 * at rest; the development enclave of the authorized worker gets its key, which signs as the challenge.
 * Refused, each with an audit row and nothing created or released: a non-TEE deal, a requester other
 * than the workerpool owner, a stale or replayed request, an unknown deal or a task id that is not the
 * deal's, another worker's key request, a challenge the SMS did not issue, a key asked of an SMS without
 * the development mode, and the development mode itself on a chain that is not a development one.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { ethers, getNamedAccounts } from "hardhat";
import { Wallet, ZeroAddress, getBytes, solidityPackedKeccak256, verifyMessage } from "ethers";
import {
  DEV_ENCLAVE_DISABLED,
  DEV_ENCLAVE_WARNING,
  ENCLAVE_KEY_NOT_AUTHORIZED,
  NON_TEE_DEAL,
  ServiceError,
  SmsClient,
  UNKNOWN_ENCLAVE_CHALLENGE,
  OpenPoco,
  computeResultHash,
  computeResultSeal,
  computeTaskId,
  devEnclaveKeyRequestMessage,
  signDevEnclaveKeyRequest,
  signSmsChallenge,
  signEnclaveResult,
  signAuthorization,
  signTeeChallengeRequest,
} from "../../src/sdk";
import type { ServiceLogger } from "../../src/sdk/core/logger";
import { auditLine } from "../../src/cli/commands/sms";
import { SMS_DB_FILE, SmsApp } from "../../src/sms/app";
import { TeeDevChainError } from "../../src/sms/errors";
import { SmsStore, type AuditRecord } from "../../src/sms/store";
import { IHub__factory } from "../../typechain-types";
import { rejectionOf } from "../rejection";
import { TEE_TAG, smsWorld, type MadeTask, type SmsWorld } from "./world";

type Answer = { status: number; body: Record<string, unknown> };

async function post(url: string, body: unknown, signature?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(signature ? { Authorization: signature } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function expectRefused(answer: Answer, status: number, code: string, text: string): void {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
  expect(answer.body.ok).to.equal(false);
  expect(answer.body.code).to.equal(code);
  expect(String(answer.body.error)).to.contain(text);
  expect(answer.body).not.to.have.property("enclaveChallenge");
  expect(answer.body).not.to.have.property("privateKey");
}

/** A JSON-RPC proxy to `target` that says the chain is `chainId` (a chain that is not a development one). */
async function chainIdProxy(target: string, chainId: bigint): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as
          { id: number; method: string } | { id: number; method: string }[];
        const calls = Array.isArray(body) ? body : [body];
        const forwarded = (await (
          await fetch(target, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(calls),
          })
        ).json()) as { id: number; result?: unknown }[];
        const answers = forwarded.map((answer) =>
          calls.find((call) => call.id === answer.id)?.method === "eth_chainId"
            ? { ...answer, result: `0x${chainId.toString(16)}` }
            : answer,
        );
        response.setHeader("Content-Type", "application/json");
        response.end(JSON.stringify(Array.isArray(body) ? answers : answers[0]));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("SMS enclave challenges and the development enclave @sms", function () {
  this.timeout(180_000);
  let world: SmsWorld;
  /** The SMS in the development TEE mode. */
  let sms: SmsApp;
  let client: SmsClient;
  /** An SMS without a TEE mode. */
  let plainSms: SmsApp;
  let app: string;
  /** A TEE deal whose task 0 is not initialized. */
  let pending: MadeTask;
  /** A TEE deal whose task 0 is ACTIVE. */
  let active: MadeTask;
  /** A deal without the TEE bit, task 0 ACTIVE. */
  let plain: MadeTask;
  const challengeUrl = (base: string, taskid: string) => `${base}/tee/challenges/${taskid}`;
  const keyUrl = (base: string, taskid: string) => `${base}/tee/challenges/${taskid}/key`;
  const rows = (store: SmsStore, action: AuditRecord["action"], taskid?: string) =>
    store.auditLog(taskid).filter((row) => row.action === action);
  const last = (store: SmsStore): AuditRecord => store.auditLog().at(-1)!;

  before(async function () {
    world = await smsWorld();
    sms = await world.startSms(path.join(world.dir, "dev"), { tee: "dev" });
    plainSms = await world.startSms(path.join(world.dir, "plain"));
    client = new SmsClient(sms.url);
    app = await world.deployApp("challenge-app");
    pending = await world.makeTask({ app, tag: TEE_TAG, initialize: false });
    active = await world.makeTask({ app, tag: TEE_TAG });
    plain = await world.makeTask({ app });
  });
  after(async function () {
    await sms?.stop();
    await plainSms?.stop();
    await world?.close();
  });

  it("gives the workerpool owner one challenge per task before the task exists, the same on a second request, sealed at rest", async function () {
    await rejectionOf(world.clients.requester.tasks.show(pending.taskid), Error);
    const first = await client.taskEnclaveChallenge(world.wallets.scheduler, pending.dealid, 0n);
    const second = await client.taskEnclaveChallenge(world.wallets.scheduler, pending.dealid, 0n);
    expect(first.taskid).to.equal(pending.taskid);
    expect(second).to.deep.equal(first);
    expect(sms.store.challengeCount()).to.equal(1);
    // The stored key is the challenge's key, and the database holds it only sealed.
    const key = sms.store.challengeKey(pending.taskid)!;
    expect(new Wallet(key).address).to.equal(first.enclaveChallenge);
    const db = new Database(path.join(world.dir, "dev", SMS_DB_FILE), { readonly: true });
    try {
      const stored = db.prepare("SELECT * FROM enclave_challenges").all() as Record<string, unknown>[];
      expect(stored).to.have.length(1);
      expect(stored[0].address).to.equal(first.enclaveChallenge);
      const dump = stored.map((row) => Object.values(row).map(String).join("|")).join("\n");
      expect(dump).not.to.contain(key.slice(2));
      for (const value of Object.values(stored[0]))
        if (Buffer.isBuffer(value)) expect(value.toString("hex")).not.to.contain(key.slice(2));
    } finally {
      db.close();
    }
    const audit = rows(sms.store, "challenge", pending.taskid);
    expect(
      audit.map(({ outcome, status, worker, enclave, released, reason }) => ({
        outcome,
        status,
        worker,
        enclave,
        released,
        reason,
      })),
    ).to.deep.equal(
      ["new challenge", "existing challenge"].map((reason) => ({
        outcome: "released",
        status: 200,
        worker: world.wallets.scheduler.address,
        enclave: first.enclaveChallenge,
        released: ["enclaveChallenge"],
        reason,
      })),
    );
    expect(
      SmsStore.readAuditLog(path.join(world.dir, "dev", SMS_DB_FILE), { action: "challenge" }),
    ).to.deep.equal(audit);
    expect(auditLine(audit[0])).to.contain(
      `challenge task ${pending.taskid} requester ${world.wallets.scheduler.address}`,
    );
  });

  it("refuses a replayed and a stale signed challenge request, and audits both", async function () {
    const request = await signTeeChallengeRequest(world.wallets.scheduler, active.dealid, 0n);
    const first = await post(challengeUrl(sms.url, request.taskid), request.body, request.signature);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    const count = sms.store.challengeCount();
    expectRefused(
      await post(challengeUrl(sms.url, request.taskid), request.body, request.signature),
      401,
      "UNAUTHORIZED",
      "already used",
    );
    expect(last(sms.store)).to.include({
      action: "challenge",
      outcome: "refused",
      status: 401,
      code: "UNAUTHORIZED",
    });
    const stale = await signTeeChallengeRequest(
      world.wallets.scheduler,
      active.dealid,
      0n,
      Date.now() - 10 * 60_000,
    );
    expectRefused(
      await post(challengeUrl(sms.url, stale.taskid), stale.body, stale.signature),
      401,
      "UNAUTHORIZED",
      "sign a fresh one",
    );
    expect(last(sms.store)).to.include({
      action: "challenge",
      outcome: "refused",
      status: 401,
      code: "UNAUTHORIZED",
    });
    expect(sms.store.challengeCount()).to.equal(count);
  });

  it("refuses a challenge for a non-TEE deal and creates no key", async function () {
    const count = sms.store.challengeCount();
    const request = await signTeeChallengeRequest(world.wallets.scheduler, plain.dealid, 0n);
    expectRefused(
      await post(challengeUrl(sms.url, plain.taskid), request.body, request.signature),
      403,
      NON_TEE_DEAL,
      "a challenge for a non-TEE deal is refused",
    );
    expect(sms.store.challenge(plain.taskid)).to.equal(undefined);
    expect(sms.store.challengeCount()).to.equal(count);
    const row = last(sms.store);
    expect(row).to.include({
      action: "challenge",
      taskid: plain.taskid,
      outcome: "refused",
      status: 403,
      code: NON_TEE_DEAL,
    });
    expect(row.withheld).to.deep.equal(["enclaveChallenge"]);
    // The SDK's client says the same.
    const error = await rejectionOf(
      client.taskEnclaveChallenge(world.wallets.scheduler, plain.dealid, 0n),
      ServiceError,
    );
    expect(error.status).to.equal(403);
    expect(error.message).to.contain("not a TEE deal");
  });

  it("refuses a challenge to anyone but the deal's workerpool owner", async function () {
    const other = await world.makeTask({ app, tag: TEE_TAG, initialize: false });
    const count = sms.store.challengeCount();
    // The stranger signs the very message the owner is about to sign (same task, same timestamp).
    const timestamp = Date.now();
    const error = await rejectionOf(
      client.taskEnclaveChallenge(world.wallets.stranger, other.dealid, 0n, { timestamp }),
      ServiceError,
    );
    expect(error.status).to.equal(403);
    expect(error.message).to.contain(
      `signed by ${world.wallets.stranger.address}, not by ${world.wallets.scheduler.address}`,
    );
    expect(sms.store.challenge(other.taskid)).to.equal(undefined);
    expect(sms.store.challengeCount()).to.equal(count);
    expect(last(sms.store)).to.include({
      action: "challenge",
      taskid: other.taskid,
      worker: world.wallets.stranger.address,
      outcome: "refused",
      status: 403,
      code: "FORBIDDEN",
    });
    // The refused request used nothing up: the owner's own request of that timestamp is answered.
    const owned = await client.taskEnclaveChallenge(world.wallets.scheduler, other.dealid, 0n, { timestamp });
    expect(owned.enclaveChallenge).to.equal(sms.store.challenge(other.taskid)?.address);
  });

  it("refuses an unknown deal, a task id that is not keccak256(dealid, idx), and an index outside the deal", async function () {
    const count = sms.store.challengeCount();
    const unknown = "0x" + "ab".repeat(32);
    const error = await rejectionOf(
      client.taskEnclaveChallenge(world.wallets.scheduler, unknown, 0n),
      ServiceError,
    );
    expect(error.status).to.equal(404);
    expect(error.message).to.contain(`No deal ${unknown}`);
    expect(last(sms.store)).to.include({
      action: "challenge",
      outcome: "refused",
      status: 404,
      code: "NOT_FOUND",
    });

    const mismatched = await signTeeChallengeRequest(world.wallets.scheduler, pending.dealid, 1n);
    expectRefused(
      await post(challengeUrl(sms.url, active.taskid), mismatched.body, mismatched.signature),
      400,
      "INVALID_INPUT",
      `is not task 1 of deal ${pending.dealid}`,
    );
    expect(last(sms.store)).to.include({ action: "challenge", taskid: active.taskid, code: "INVALID_INPUT" });

    const outside = await signTeeChallengeRequest(world.wallets.scheduler, pending.dealid, 5n);
    expect(outside.taskid).to.equal(computeTaskId(pending.dealid, 5n));
    expectRefused(
      await post(challengeUrl(sms.url, outside.taskid), outside.body, outside.signature),
      400,
      "INVALID_INPUT",
      "not 5",
    );
    expect(sms.store.challengeCount()).to.equal(count);
  });

  it("releases the challenge's key to the authorized worker's development enclave: it signs as the challenge", async function () {
    const { enclaveChallenge } = await client.taskEnclaveChallenge(
      world.wallets.scheduler,
      active.dealid,
      0n,
    );
    const worker = world.worker(0);
    const authorization = await world.authorize(worker.address, active.taskid, enclaveChallenge);
    const key = await client.devEnclaveKey(worker, active.taskid, enclaveChallenge, authorization);
    expect(key).to.include({ taskid: active.taskid, enclaveChallenge, warning: DEV_ENCLAVE_WARNING });
    const enclave = new Wallet(key.privateKey);
    expect(enclave.address).to.equal(enclaveChallenge);
    const resultHash = "0x" + "12".repeat(32);
    const resultSeal = "0x" + "34".repeat(32);
    const signature = await signEnclaveResult(enclave, resultHash, resultSeal);
    const signed = getBytes(solidityPackedKeccak256(["bytes32", "bytes32"], [resultHash, resultSeal]));
    expect(verifyMessage(signed, signature)).to.equal(enclaveChallenge);

    const row = last(sms.store);
    expect(row).to.include({
      action: "enclave-key",
      taskid: active.taskid,
      worker: worker.address,
      enclave: enclaveChallenge,
      outcome: "released",
      status: 200,
      reason: DEV_ENCLAVE_WARNING,
    });
    expect(row.released).to.deep.equal(["enclaveKey"]);
    expect(JSON.stringify(sms.store.auditLog())).not.to.contain(key.privateKey.slice(2));
  });

  it("the released key signs a TEE contribution the hub accepts; once the task is COMPLETED no key goes out", async function () {
    const task = await world.makeTask({ app, tag: TEE_TAG });
    const { enclaveChallenge } = await client.taskEnclaveChallenge(world.wallets.scheduler, task.dealid, 0n);
    const worker = world.worker(5);
    const authorization = await world.authorize(worker.address, task.taskid, enclaveChallenge);
    const key = await client.devEnclaveKey(worker, task.taskid, enclaveChallenge, authorization);
    const resultDigest = "0x" + "cd".repeat(32);
    const enclaveSign = await signEnclaveResult(
      new Wallet(key.privateKey),
      computeResultHash(task.taskid, resultDigest),
      computeResultSeal(worker.address, task.taskid, resultDigest),
    );
    const poco = await OpenPoco.connect({
      chain: world.chain,
      signer: worker.privateKey,
      pollingIntervalMs: 50,
    });
    try {
      await poco.work.contributeAndFinalize({
        taskid: task.taskid,
        resultDigest,
        authorization,
        enclaveChallenge,
        enclaveSign,
        results: '{"storage":"none"}',
      });
    } finally {
      poco.close();
    }
    expect((await world.clients.requester.tasks.show(task.taskid)).statusName).to.equal("COMPLETED");
    const error = await rejectionOf(
      client.devEnclaveKey(worker, task.taskid, enclaveChallenge, authorization),
      ServiceError,
    );
    expect(error.status).to.equal(403);
    expect(error.message).to.contain("is COMPLETED, not ACTIVE");
    expect(last(sms.store)).to.include({
      action: "enclave-key",
      taskid: task.taskid,
      outcome: "refused",
      status: 403,
    });
  });

  it("refuses a dev-enclave key request for another worker's task, and a replayed key request", async function () {
    const { enclaveChallenge } = await client.taskEnclaveChallenge(
      world.wallets.scheduler,
      active.dealid,
      0n,
    );
    const owner = world.worker(0);
    const thief = world.worker(1);
    const authorization = await world.authorize(owner.address, active.taskid, enclaveChallenge);
    const stolen = await signDevEnclaveKeyRequest(thief, active.taskid, enclaveChallenge, authorization);
    expectRefused(
      await post(keyUrl(sms.url, active.taskid), stolen.body, stolen.signature),
      403,
      ENCLAVE_KEY_NOT_AUTHORIZED,
      "a dev-enclave key request for another worker's task",
    );
    expect(last(sms.store)).to.include({
      action: "enclave-key",
      worker: thief.address,
      enclave: enclaveChallenge,
      outcome: "refused",
      status: 403,
      code: ENCLAVE_KEY_NOT_AUTHORIZED,
    });
    // Naming the authorized worker does not help when another wallet signs the request.
    const timestamp = Date.now();
    const impersonation = {
      body: { worker: owner.address, timestamp, authorization, enclaveChallenge },
      signature: await signSmsChallenge(
        thief,
        devEnclaveKeyRequestMessage(active.taskid, owner.address, enclaveChallenge, timestamp),
      ),
    };
    expectRefused(
      await post(keyUrl(sms.url, active.taskid), impersonation.body, impersonation.signature),
      401,
      "UNAUTHORIZED",
      `signed by ${thief.address}, not by the worker ${owner.address}`,
    );
    expect(last(sms.store)).to.include({ action: "enclave-key", worker: owner.address, status: 401 });
    // The owner's authorization of another task does not open this one either.
    const elsewhere = await world.authorize(thief.address, pending.taskid, enclaveChallenge);
    const error = await rejectionOf(
      client.devEnclaveKey(thief, active.taskid, enclaveChallenge, elsewhere),
      ServiceError,
    );
    expect(error.status).to.equal(403);
    expect(last(sms.store).code).to.equal(ENCLAVE_KEY_NOT_AUTHORIZED);

    const request = await signDevEnclaveKeyRequest(owner, active.taskid, enclaveChallenge, authorization);
    const first = await post(keyUrl(sms.url, active.taskid), request.body, request.signature);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expectRefused(
      await post(keyUrl(sms.url, active.taskid), request.body, request.signature),
      401,
      "UNAUTHORIZED",
      "already used",
    );
    expect(last(sms.store)).to.include({
      action: "enclave-key",
      outcome: "refused",
      status: 401,
      code: "UNAUTHORIZED",
    });
  });

  it("wants the hub's TEE broker's authorization for the key once the hub has a broker", async function () {
    const { enclaveChallenge } = await client.taskEnclaveChallenge(
      world.wallets.scheduler,
      active.dealid,
      0n,
    );
    const { deployer } = await getNamedAccounts();
    const hub = IHub__factory.connect(world.chain.hub, await ethers.getSigner(deployer));
    const broker = world.wallets.stranger;
    await (await hub.setTeeBroker(broker.address)).wait();
    try {
      const worker = world.worker(6);
      const bySchedulerAuth = await world.authorize(worker.address, active.taskid, enclaveChallenge);
      const refused = await rejectionOf(
        client.devEnclaveKey(worker, active.taskid, enclaveChallenge, bySchedulerAuth),
        ServiceError,
      );
      expect(refused.status).to.equal(403);
      expect(refused.message).to.contain(`signed by ${broker.address} (the hub's TEE broker)`);
      expect(last(sms.store)).to.include({ action: "enclave-key", code: ENCLAVE_KEY_NOT_AUTHORIZED });
      const byBroker = await signAuthorization(broker, worker.address, active.taskid, enclaveChallenge);
      const key = await client.devEnclaveKey(worker, active.taskid, enclaveChallenge, byBroker);
      expect(new Wallet(key.privateKey).address).to.equal(enclaveChallenge);
    } finally {
      await (await hub.setTeeBroker(ZeroAddress)).wait();
    }
  });

  it("refuses the key of a challenge the SMS did not issue for the task", async function () {
    const worker = world.worker(2);
    const foreign = Wallet.createRandom().address;
    const authorization = await world.authorize(worker.address, active.taskid, foreign);
    const request = await signDevEnclaveKeyRequest(worker, active.taskid, foreign, authorization);
    expectRefused(
      await post(keyUrl(sms.url, active.taskid), request.body, request.signature),
      403,
      UNKNOWN_ENCLAVE_CHALLENGE,
      `did not issue enclave challenge ${foreign}`,
    );
    expect(last(sms.store)).to.include({
      action: "enclave-key",
      enclave: foreign,
      code: UNKNOWN_ENCLAVE_CHALLENGE,
    });
    // A task with no challenge at all.
    const other = await world.makeTask({ app, tag: TEE_TAG });
    const forOther = await world.authorize(worker.address, other.taskid, foreign);
    const error = await rejectionOf(
      client.devEnclaveKey(worker, other.taskid, foreign, forOther),
      ServiceError,
    );
    expect(error.status).to.equal(403);
    expect(error.message).to.contain(`did not issue enclave challenge ${foreign} for task ${other.taskid}`);
    // The refusal names no challenge address: only the workerpool owner learns a task's challenge.
    expect(error.message).not.to.match(/its challenge is/);
  });

  it("refuses the key of a task not initialized on chain yet, though its challenge exists", async function () {
    const { enclaveChallenge } = await client.taskEnclaveChallenge(
      world.wallets.scheduler,
      pending.dealid,
      0n,
    );
    const worker = world.worker(4);
    const authorization = await world.authorize(worker.address, pending.taskid, enclaveChallenge);
    const error = await rejectionOf(
      client.devEnclaveKey(worker, pending.taskid, enclaveChallenge, authorization),
      ServiceError,
    );
    expect(error.status).to.equal(404);
    expect(last(sms.store)).to.include({
      action: "enclave-key",
      taskid: pending.taskid,
      worker: worker.address,
      outcome: "refused",
      status: 404,
      code: "NOT_FOUND",
    });
    expect(
      rows(sms.store, "enclave-key", pending.taskid).filter((row) => row.outcome === "released"),
    ).to.deep.equal([]);
  });

  it("an SMS without --tee dev issues challenges but refuses every key: a real TEE needs attestation", async function () {
    const plainClient = new SmsClient(plainSms.url);
    const { enclaveChallenge } = await plainClient.taskEnclaveChallenge(
      world.wallets.scheduler,
      active.dealid,
      0n,
    );
    const worker = world.worker(3);
    const authorization = await world.authorize(worker.address, active.taskid, enclaveChallenge);
    const request = await signDevEnclaveKeyRequest(worker, active.taskid, enclaveChallenge, authorization);
    expectRefused(
      await post(keyUrl(plainSms.url, active.taskid), request.body, request.signature),
      403,
      DEV_ENCLAVE_DISABLED,
      "a real TEE enclave needs attestation",
    );
    expect(last(plainSms.store)).to.include({
      action: "enclave-key",
      worker: worker.address,
      outcome: "refused",
      status: 403,
      code: DEV_ENCLAVE_DISABLED,
    });
    expect(rows(plainSms.store, "enclave-key").filter((row) => row.outcome === "released")).to.deep.equal([]);
  });

  it("refuses --tee dev on a chain that is not a development one unless --tee-dev-on-any-chain, and warns when it runs", async function () {
    const proxy = await chainIdProxy(world.chain.host, 1n);
    const warnings: string[] = [];
    const logger: ServiceLogger = {
      info: () => undefined,
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
    };
    try {
      const chain = { ...world.chain, host: proxy.url, id: 1n };
      const dataDir = path.join(world.dir, "mainnet-like");
      const error = await rejectionOf(
        world.startSms(dataDir, { chain, tee: "dev", logger }),
        TeeDevChainError,
      );
      expect(error.message).to.contain("not a local development chain");
      expect(error.message).to.contain("--tee-dev-on-any-chain");
      const audit = SmsStore.readAuditLog(path.join(dataDir, SMS_DB_FILE));
      expect(audit).to.have.length(1);
      expect(audit[0]).to.include({ action: "start", outcome: "refused", code: "TEE_DEV_CHAIN" });
      expect(auditLine(audit[0])).to.contain("SMS start");

      const forced = await world.startSms(dataDir, { chain, tee: "dev", teeDevOnAnyChain: true, logger });
      await forced.stop();
      expect(warnings.at(-1)).to.contain("not a development chain").and.to.contain(DEV_ENCLAVE_WARNING);
      const local = await world.startSms(path.join(world.dir, "local-dev"), { tee: "dev", logger });
      await local.stop();
      expect(warnings.at(-1)).to.contain(`chain 31337: ${DEV_ENCLAVE_WARNING}`);
    } finally {
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});
