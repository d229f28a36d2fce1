/**
 * Secrets of TEE deals (tag bit 0, as the official SDK makes every deal): released only to an
 * enclave-bearing worker of the task, proven by the scheduler's authorization naming the enclave, the
 * worker's signature and the enclave key's signature of the same fresh request. Plain workers, forged or
 * absent enclave proofs, authorizations of another task or another worker are refused with a code, and
 * each refusal leaves an audit row naming what was withheld; nothing is released to them. Non-TEE
 * tasks keep the plain request. The audit log reads back from the data folder without the master key.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { Wallet, ZeroAddress, type HDNodeWallet, type Signer } from "ethers";
import { ethers, getNamedAccounts } from "hardhat";
import {
  ENCLAVE_PROOF_INVALID,
  ENCLAVE_REQUIRED,
  ServiceError,
  SmsClient,
  buildParams,
  encodeDatasetKey,
  enclaveTaskSecretsChallenge,
  generateDatasetKey,
  signAuthorization,
  signSmsChallenge,
  signTaskSecretsRequest,
  type TaskSecretsRequest,
} from "../../src/sdk";
import { SMS_DB_FILE, type SmsApp } from "../../src/sms/app";
import { SmsStore, type AuditRecord } from "../../src/sms/store";
import { Vault } from "../../src/sms/vault";
import { auditLine } from "../../src/cli/commands/sms";
import { IHub__factory } from "../../typechain-types";
import { rejectionOf } from "../rejection";
import { TEE_TAG, smsWorld, type MadeTask, type SmsWorld } from "./world";

type Answer = { status: number; body: Record<string, unknown> };

async function post(
  url: string,
  taskid: string,
  body: TaskSecretsRequest | Record<string, unknown>,
  signature?: string,
): Promise<Answer> {
  const response = await fetch(`${url}/tasks/${taskid}/secrets`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(signature ? { Authorization: signature } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** An enclave request whose two signatures are made by the given keys (a forged one when they differ). */
async function enclaveRequest(
  worker: HDNodeWallet,
  taskid: string,
  authorization: string,
  enclave: string,
  enclaveSigner: Signer | undefined,
): Promise<{ body: Record<string, unknown>; signature: string }> {
  const timestamp = Date.now();
  const challenge = enclaveTaskSecretsChallenge(taskid, worker.address, enclave, timestamp);
  const body: Record<string, unknown> = {
    worker: worker.address,
    timestamp,
    authorization,
    enclaveChallenge: enclave,
  };
  if (enclaveSigner) body.enclaveSignature = await signSmsChallenge(enclaveSigner, challenge);
  return { body, signature: await signSmsChallenge(worker, challenge) };
}

describe("SMS secrets of TEE deals @sms", function () {
  this.timeout(180_000);
  let world: SmsWorld;
  let sms: SmsApp;
  let client: SmsClient;
  let datasetKey: string;
  /** The dataset of the deals. */
  let datasetOfDeals: string;
  /** A TEE deal with a dataset, an app developer secret and a requester secret. */
  let tee: MadeTask;
  /** Another TEE deal of the same assets. */
  let otherTee: MadeTask;
  /** A plain deal of the same assets. */
  let plain: MadeTask;
  const enclave = Wallet.createRandom();
  const otherEnclave = Wallet.createRandom();
  /** What a TEE request may obtain from the TEE deal: the names the refusals withhold. */
  const AT_STAKE = ["datasetKey", "appSecret", "requesterSecret:1=tee-token"];
  const values = () => [datasetKey, "tee-developer-secret", "tee-requester-token"];

  const refusals = (taskid: string): AuditRecord[] =>
    sms.store.auditLog(taskid).filter((row) => row.outcome === "refused");
  const releases = (taskid: string): AuditRecord[] =>
    sms.store.auditLog(taskid).filter((row) => row.outcome === "released");

  /** Checks a refused answer: status, code, no secret in the body. */
  function expectRefused(answer: Answer, status: number, code: string, text: string | RegExp): void {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
    expect(answer.body.ok).to.equal(false);
    expect(answer.body.code).to.equal(code);
    if (typeof text === "string") expect(String(answer.body.error)).to.contain(text);
    else expect(String(answer.body.error)).to.match(text);
    for (const value of values()) expect(JSON.stringify(answer.body)).not.to.contain(value);
  }

  before(async function () {
    world = await smsWorld();
    // Enclave requests are answered only in a TEE mode: the development one here (see the last tests).
    sms = await world.startSms(undefined, { tee: "dev" });
    client = new SmsClient(sms.url);
    const app = await world.deployApp("tee-app");
    const dataset = await world.deployDataset("tee-data");
    datasetOfDeals = dataset;
    datasetKey = encodeDatasetKey(generateDatasetKey());
    await client.pushDatasetSecret(world.wallets.datasetOwner, dataset, datasetKey);
    await client.pushAppSecret(world.wallets.appOwner, app, "tee-developer-secret");
    await client.pushRequesterSecret(world.wallets.requester, "tee-token", "tee-requester-token");
    const params = buildParams({ secrets: { "1": "tee-token" } });
    tee = await world.makeTask({ app, dataset, params, tag: TEE_TAG });
    otherTee = await world.makeTask({ app, dataset, params, tag: TEE_TAG });
    plain = await world.makeTask({ app, dataset, params });
    expect((await world.clients.requester.deals.view(tee.dealid)).tag).to.equal(TEE_TAG);
  });
  after(async function () {
    await sms?.stop();
    await world?.close();
  });

  it("refuses the dataset key of a TEE deal to two plain workers, audits each refusal, releases nothing", async function () {
    for (const worker of [world.worker(0), world.worker(1)]) {
      // The scheduler's plain authorization (no enclave), as a plain worker holds for a non-TEE task.
      const authorization = await world.authorize(worker.address, tee.taskid);
      // Over the wire: 403 with the code, and no secret in the answer.
      const request = await signTaskSecretsRequest(worker, tee.taskid, authorization);
      expectRefused(
        await post(sms.url, tee.taskid, request.body, request.signature),
        403,
        ENCLAVE_REQUIRED,
        "names no enclave",
      );
      // The same through the SDK's client, as our worker would ask.
      const error = await rejectionOf(client.taskSecrets(worker, tee.taskid, authorization), ServiceError);
      expect(error.status).to.equal(403);
      expect(error.message).to.contain(`belongs to TEE deal ${tee.dealid} (tag ${TEE_TAG})`);
      expect(error.message).to.contain("this request names no enclave");
      expect(error.message).to.contain("Run the task on a TEE-capable worker");
    }
    const rows = refusals(tee.taskid);
    expect(rows).to.have.length(4);
    expect(
      rows.map(({ worker, enclave, status, code, released, withheld }) => ({
        worker,
        enclave,
        status,
        code,
        released,
        withheld,
      })),
    ).to.deep.equal(
      [0, 0, 1, 1].map((i) => ({
        worker: world.worker(i).address,
        enclave: "",
        status: 403,
        code: ENCLAVE_REQUIRED,
        released: [],
        withheld: AT_STAKE,
      })),
    );
    for (const row of rows) {
      expect(row.reason).to.contain("names no enclave");
      expect(row.time).to.be.within(Date.now() - 120_000, Date.now());
    }
    expect(releases(tee.taskid)).to.deep.equal([]);
    const log = JSON.stringify(sms.store.auditLog());
    for (const value of values()) expect(log).not.to.contain(value);
  });

  it("refuses forged and absent enclave proofs, another task's and another worker's authorization", async function () {
    const worker = world.worker(2);
    const stranger = world.worker(3);
    const before = refusals(tee.taskid).length;
    const own = await world.authorize(worker.address, tee.taskid, enclave.address);

    // The enclave's signature made by another key.
    const forged = await enclaveRequest(worker, tee.taskid, own, enclave.address, otherEnclave);
    expectRefused(
      await post(sms.url, tee.taskid, forged.body, forged.signature),
      403,
      ENCLAVE_PROOF_INVALID,
      `is by ${otherEnclave.address}, not by enclave ${enclave.address}`,
    );
    // No enclave signature at all, or one that is not a signature.
    const absent = await enclaveRequest(worker, tee.taskid, own, enclave.address, undefined);
    expectRefused(
      await post(sms.url, tee.taskid, absent.body, absent.signature),
      403,
      ENCLAVE_PROOF_INVALID,
      "carries no enclaveSignature",
    );
    const garbled = await enclaveRequest(worker, tee.taskid, own, enclave.address, undefined);
    garbled.body.enclaveSignature = "0x1234";
    expectRefused(
      await post(sms.url, tee.taskid, garbled.body, garbled.signature),
      403,
      ENCLAVE_PROOF_INVALID,
      "not a valid signature",
    );
    // The worker's own authorization on another TEE task, with its real enclave.
    const otherTask = await world.authorize(worker.address, otherTee.taskid, enclave.address);
    const error = await rejectionOf(
      client.taskSecrets(worker, tee.taskid, otherTask, { enclave }),
      ServiceError,
    );
    expect(error.status).to.equal(403);
    expect(error.message).to.contain(`Worker ${worker.address} is not authorized on task ${tee.taskid}`);
    // Another worker's authorization, even with that worker's enclave key.
    const borrowed = await rejectionOf(
      client.taskSecrets(stranger, tee.taskid, own, { enclave }),
      ServiceError,
    );
    expect(borrowed.status).to.equal(403);
    expect(borrowed.message).to.contain(`Worker ${stranger.address} is not authorized`);
    // A plain authorization (naming no enclave) with an enclave proof: the enclave was not named.
    const plainAuthorization = await world.authorize(worker.address, tee.taskid);
    const unnamed = await rejectionOf(
      client.taskSecrets(worker, tee.taskid, plainAuthorization, { enclave }),
      ServiceError,
    );
    expect(unnamed.status).to.equal(403);
    expect(unnamed.message).to.contain(`with enclave ${enclave.address}`);
    // An authorization the worker signed itself.
    const selfSigned = await signAuthorization(worker, worker.address, tee.taskid, enclave.address);
    const own403 = await rejectionOf(
      client.taskSecrets(worker, tee.taskid, selfSigned, { enclave }),
      ServiceError,
    );
    expect(own403.status).to.equal(403);
    expect(own403.message).to.contain(`must be signed by ${world.wallets.scheduler.address}`);

    const rows = refusals(tee.taskid).slice(before);
    expect(
      rows.map(({ worker: w, enclave: e, status, code, released, withheld }) => ({
        w,
        e,
        status,
        code,
        released,
        withheld,
      })),
    ).to.deep.equal([
      ...[0, 1, 2].map(() => ({
        w: worker.address,
        e: enclave.address,
        status: 403,
        code: ENCLAVE_PROOF_INVALID,
        released: [],
        withheld: AT_STAKE,
      })),
      ...[worker, stranger, worker, worker].map((w) => ({
        w: w.address,
        e: enclave.address,
        status: 403,
        code: "FORBIDDEN",
        released: [],
        withheld: AT_STAKE,
      })),
    ]);
    expect(releases(tee.taskid)).to.deep.equal([]);
    expect(releases(otherTee.taskid)).to.deep.equal([]);
  });

  it("releases every secret of the TEE deal to the enclave-bearing worker of that task, once per request", async function () {
    const worker = world.worker(4);
    const authorization = await world.authorize(worker.address, tee.taskid, enclave.address);
    const secrets = await client.taskSecrets(worker, tee.taskid, authorization, { enclave });
    expect(secrets).to.deep.equal({
      datasetKey,
      appSecret: "tee-developer-secret",
      requesterSecrets: { "1": "tee-requester-token" },
      missing: [],
    });
    const [row] = releases(tee.taskid);
    expect(releases(tee.taskid)).to.have.length(1);
    expect(row).to.deep.include({
      worker: worker.address,
      enclave: enclave.address,
      outcome: "released",
      status: 200,
      code: "",
      reason: "",
    });
    expect(row.released).to.deep.equal(AT_STAKE);
    expect(row.withheld).to.deep.equal([]);
    // The same signed request again is a replay.
    const request = await signTaskSecretsRequest(worker, tee.taskid, authorization, Date.now(), enclave);
    expect((await post(sms.url, tee.taskid, request.body, request.signature)).status).to.equal(200);
    const replay = await post(sms.url, tee.taskid, request.body, request.signature);
    expect(replay.status).to.equal(401);
    expect(replay.body.code).to.equal("UNAUTHORIZED");
    expect(replay.body).not.to.have.property("datasetKey");
  });

  it("keeps the plain request for a non-TEE deal, and accepts an enclave request there too", async function () {
    const worker = world.worker(0);
    const secrets = await client.taskSecrets(
      worker,
      plain.taskid,
      await world.authorize(worker.address, plain.taskid),
    );
    expect(secrets.datasetKey).to.equal(datasetKey);
    const viaEnclave = await client.taskSecrets(
      worker,
      plain.taskid,
      await world.authorize(worker.address, plain.taskid, enclave.address),
      { enclave },
    );
    expect(viaEnclave).to.deep.equal(secrets);
    expect(releases(plain.taskid).map(({ worker: w, enclave: e, code }) => ({ w, e, code }))).to.deep.equal([
      { w: worker.address, e: "", code: "" },
      { w: worker.address, e: enclave.address, code: "" },
    ]);
    expect(refusals(plain.taskid)).to.deep.equal([]);
  });

  it("wants the TEE broker's authorization for an enclave once the hub has one", async function () {
    const { deployer } = await getNamedAccounts();
    const hub = IHub__factory.connect(world.chain.hub, await ethers.getSigner(deployer));
    const broker = world.wallets.stranger;
    await (await hub.setTeeBroker(broker.address)).wait();
    try {
      const worker = world.worker(5);
      const bySchedulerAuth = await world.authorize(worker.address, tee.taskid, enclave.address);
      const refused = await rejectionOf(
        client.taskSecrets(worker, tee.taskid, bySchedulerAuth, { enclave }),
        ServiceError,
      );
      expect(refused.status).to.equal(403);
      expect(refused.message).to.contain(`must be signed by ${broker.address}, the hub's TEE broker`);
      const byBroker = await signAuthorization(broker, worker.address, tee.taskid, enclave.address);
      const secrets = await client.taskSecrets(worker, tee.taskid, byBroker, { enclave });
      expect(secrets.datasetKey).to.equal(datasetKey);
      // A plain request on a plain deal is still the workerpool owner's to authorize.
      const plainSecrets = await client.taskSecrets(
        worker,
        plain.taskid,
        await world.authorize(worker.address, plain.taskid),
      );
      expect(plainSecrets.datasetKey).to.equal(datasetKey);
    } finally {
      await (await hub.setTeeBroker(ZeroAddress)).wait();
    }
  });

  it("without a TEE mode, releases no TEE deal's secret, even to an enclave its workerpool owner authorized", async function () {
    // The attack this closes: a workerpool owner names a key of its own as the enclave, authorizes it,
    // and would read the dataset's key. Only a TEE mode's verifier may accept an enclave.
    const noTee = await world.startSms(path.join(world.dir, "sms-no-tee"));
    try {
      const noTeeClient = new SmsClient(noTee.url);
      await noTeeClient.pushDatasetSecret(world.wallets.datasetOwner, datasetOfDeals, datasetKey);
      const worker = world.worker(6);
      const ownKey = Wallet.createRandom();
      const authorization = await world.authorize(worker.address, tee.taskid, ownKey.address);
      const request = await signTaskSecretsRequest(worker, tee.taskid, authorization, Date.now(), ownKey);
      const answer = await post(noTee.url, tee.taskid, request.body, request.signature);
      expectRefused(answer, 403, "DEV_ENCLAVE_DISABLED", "releases the TEE deal's secrets (task");
      const audit = noTee.store.auditLog(tee.taskid);
      expect(audit.map((row) => [row.worker, row.enclave, row.outcome, row.code])).to.deep.equal([
        [worker.address, ownKey.address, "refused", "DEV_ENCLAVE_DISABLED"],
      ]);
      expect(audit[0].released).to.deep.equal([]);
      expect(audit[0].withheld).to.include("datasetKey");
    } finally {
      await noTee.stop();
    }
  });

  it("the operator reads the audit log from the data folder, without the master key", async function () {
    const file = path.join(world.dir, "sms", SMS_DB_FILE);
    const refused = SmsStore.readAuditLog(file, { taskid: tee.taskid, outcome: "refused" });
    expect(refused).to.deep.equal(refusals(tee.taskid));
    expect(SmsStore.readAuditLog(file, { last: 2 })).to.deep.equal(sms.store.auditLog().slice(-2));
    const line = auditLine(refused[0]);
    expect(line).to.contain(`refused 403 ${ENCLAVE_REQUIRED} task ${tee.taskid}`);
    expect(line).to.contain(`worker ${world.worker(0).address} withheld [${AT_STAKE.join(", ")}]`);
    expect(line).to.contain("names no enclave");
  });

  it("keeps the audit log of a version-1 database, adding the new columns (action: secrets)", async function () {
    const file = path.join(world.dir, "v1", SMS_DB_FILE);
    mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.exec(`CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,
      taskid TEXT NOT NULL, worker TEXT NOT NULL, outcome TEXT NOT NULL, status INTEGER NOT NULL,
      released TEXT NOT NULL, reason TEXT NOT NULL)`);
    db.prepare(
      "INSERT INTO audit (time, taskid, worker, outcome, status, released, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(1, plain.taskid, world.worker(0).address, "released", 200, '["datasetKey"]', "");
    db.pragma("user_version = 1");
    db.close();
    expect(() => SmsStore.readAuditLog(file)).to.throw(/schema version 1.*start the SMS on it once/);
    const store = SmsStore.open(file, new Vault(Buffer.alloc(32, 7)));
    try {
      expect(store.auditLog()).to.deep.equal([
        {
          id: 1,
          time: 1,
          action: "secrets",
          taskid: plain.taskid,
          worker: world.worker(0).address,
          enclave: "",
          outcome: "released",
          status: 200,
          code: "",
          released: ["datasetKey"],
          withheld: [],
          reason: "",
        },
      ]);
    } finally {
      store.close();
    }
    expect(SmsStore.readAuditLog(file)).to.have.length(1);
  });
});
