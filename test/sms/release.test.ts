/**
 * Release of a task's secrets to its worker (`POST /tasks/{taskid}/secrets`, `SmsClient.taskSecrets`):
 * an authorized worker on an ACTIVE task gets its own deal's secrets and nothing else; every refusal
 * (no or foreign authorization, another deal's task, finished or claimable task, bad, stale or replayed
 * signature) is a clear 4xx; every answer leaves an audit row naming what went out, never the values.
 */
import { expect } from "chai";
import {
  OpenPoco,
  RESULT_ENCRYPTION_KEY_NAME,
  ServiceError,
  SmsClient,
  buildParams,
  encodeDatasetKey,
  generateDatasetKey,
  signAuthorization,
  signTaskSecretsRequest,
  type TaskSecretsRequest,
} from "../../src/sdk";
import type { SmsApp } from "../../src/sms/app";
import { rejectionOf } from "../rejection";
import { increaseChainTime, smsWorld, type MadeTask, type SmsWorld } from "./world";

/** Posts a signed request as it is, for replays and hand-made bodies. */
async function post(
  url: string,
  taskid: string,
  body: TaskSecretsRequest | Record<string, unknown>,
  signature?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/tasks/${taskid}/secrets`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(signature ? { Authorization: signature } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("SMS release of task secrets @sms", function () {
  this.timeout(180_000);
  let world: SmsWorld;
  let sms: SmsApp;
  let client: SmsClient;
  let app: string;
  let dataset: string;
  let datasetKey: string;
  /** Deal A: dataset, app with a developer secret, two requester secrets, result encryption. */
  let taskA: MadeTask;
  /** Deal B: another app, no dataset, another requester. */
  let taskB: MadeTask;

  const workerA = () => world.worker(0);
  const workerB = () => world.worker(1);

  before(async function () {
    world = await smsWorld();
    sms = await world.startSms();
    client = new SmsClient(sms.url);
    app = await world.deployApp("secret-app");
    dataset = await world.deployDataset("secret-data");
    datasetKey = encodeDatasetKey(generateDatasetKey());
    await client.pushDatasetSecret(world.wallets.datasetOwner, dataset, datasetKey);
    await client.pushAppSecret(world.wallets.appOwner, app, "developer-secret");
    await client.pushRequesterSecret(world.wallets.requester, "api-key", "requester-api-key");
    await client.pushWeb2Secret(world.wallets.requester, "token", "requester-token");
    await client.pushWeb2Secret(world.wallets.requester, RESULT_ENCRYPTION_KEY_NAME, "-----RSA PUBLIC-----");
    // The stranger has a secret of the same name: it must never go to deal A.
    await client.pushRequesterSecret(world.wallets.stranger, "api-key", "stranger-api-key");
    taskA = await world.makeTask({
      app,
      dataset,
      params: buildParams({ secrets: { "1": "api-key", "2": "token" }, resultEncryption: true }),
    });
    const otherApp = await world.deployApp("plain-app");
    taskB = await world.makeTask({
      app: otherApp,
      requester: "stranger",
      params: buildParams({ secrets: { "1": "api-key" } }),
    });
  });
  after(async function () {
    await sms?.stop();
    await world?.close();
  });

  it("an authorized worker on an ACTIVE task gets exactly its deal's secrets, audited by name", async function () {
    const authorization = await world.authorize(workerA().address, taskA.taskid);
    const secrets = await client.taskSecrets(workerA(), taskA.taskid, authorization);
    expect(secrets).to.deep.equal({
      datasetKey,
      appSecret: "developer-secret",
      requesterSecrets: { "1": "requester-api-key", "2": "requester-token" },
      resultEncryptionKey: "-----RSA PUBLIC-----",
      missing: [],
    });
    const rows = sms.store.auditLog(taskA.taskid);
    const last = rows[rows.length - 1];
    expect(last).to.deep.include({ outcome: "released", status: 200, worker: workerA().address, reason: "" });
    expect(last.released).to.deep.equal([
      "datasetKey",
      "appSecret",
      "requesterSecret:1=api-key",
      "requesterSecret:2=token",
      "resultEncryptionKey",
    ]);
    expect(JSON.stringify(rows)).not.to.contain("requester-api-key").and.not.to.contain(datasetKey);
  });

  it("a worker of another deal gets only that deal's secrets, and nothing of deal A", async function () {
    const authorization = await world.authorize(workerB().address, taskB.taskid);
    const secrets = await client.taskSecrets(workerB(), taskB.taskid, authorization);
    expect(secrets).to.deep.equal({ requesterSecrets: { "1": "stranger-api-key" }, missing: [] });
    // Its authorization is for task B: asking for task A with it is refused.
    const error = await rejectionOf(client.taskSecrets(workerB(), taskA.taskid, authorization), ServiceError);
    expect(error.status).to.equal(403);
    expect(error.message).to.contain("not authorized");
  });

  it("refuses a worker without the scheduler's authorization, or with another worker's", async function () {
    const selfSigned = await signAuthorization(workerB(), workerB().address, taskA.taskid);
    const own = await rejectionOf(client.taskSecrets(workerB(), taskA.taskid, selfSigned), ServiceError);
    expect(own.status).to.equal(403);
    expect(own.message).to.contain(world.wallets.scheduler.address);
    const forA = await world.authorize(workerA().address, taskA.taskid);
    const borrowed = await rejectionOf(client.taskSecrets(workerB(), taskA.taskid, forA), ServiceError);
    expect(borrowed.status).to.equal(403);
    // Claiming to be worker A with worker A's authorization needs worker A's key.
    const request = await signTaskSecretsRequest(workerB(), taskA.taskid, forA);
    const impostor = await post(
      sms.url,
      taskA.taskid,
      { ...request.body, worker: workerA().address },
      request.signature,
    );
    expect(impostor.status).to.equal(401);
    expect(impostor.body).to.deep.include({ ok: false });
    expect(String(impostor.body.error)).to.contain("not by the worker");
    const noAuthorization = await post(sms.url, taskA.taskid, {
      worker: workerB().address,
      timestamp: Date.now(),
    });
    expect(noAuthorization.status).to.equal(400);
    expect(String(noAuthorization.body.error)).to.contain("authorization");
    const unsigned = await post(sms.url, taskA.taskid, request.body);
    expect(unsigned.status).to.equal(401);
    const rows = sms.store.auditLog(taskA.taskid).filter((row) => row.outcome === "refused");
    expect(rows.length).to.be.greaterThanOrEqual(5);
    expect(rows.every((row) => row.released.length === 0)).to.equal(true);
    expect(rows.map((row) => row.status)).to.include.members([403, 401, 400]);
  });

  it("refuses stale, future and replayed signatures", async function () {
    const authorization = await world.authorize(workerA().address, taskA.taskid);
    const stale = await rejectionOf(
      client.taskSecrets(workerA(), taskA.taskid, authorization, { timestamp: Date.now() - 6 * 60_000 }),
      ServiceError,
    );
    expect(stale.status).to.equal(401);
    expect(stale.message).to.contain("sign a fresh one");
    const future = await rejectionOf(
      client.taskSecrets(workerA(), taskA.taskid, authorization, { timestamp: Date.now() + 6 * 60_000 }),
      ServiceError,
    );
    expect(future.status).to.equal(401);
    const request = await signTaskSecretsRequest(workerA(), taskA.taskid, authorization);
    const first = await post(sms.url, taskA.taskid, request.body, request.signature);
    expect(first.status).to.equal(200);
    expect(first.body.datasetKey).to.equal(datasetKey);
    const replay = await post(sms.url, taskA.taskid, request.body, request.signature);
    expect(replay.status).to.equal(401);
    expect(String(replay.body.error)).to.contain("already used");
    expect(replay.body).not.to.have.property("datasetKey");
  });

  it("answers 404 for a task that does not exist, 400 for a malformed id", async function () {
    const unknown = "0x" + "ab".repeat(32);
    const authorization = await world.authorize(workerA().address, unknown);
    const error = await rejectionOf(client.taskSecrets(workerA(), unknown, authorization), ServiceError);
    expect(error.status).to.equal(404);
    const malformed = await post(sms.url, "0x1234", {
      worker: workerA().address,
      timestamp: Date.now(),
      authorization,
    });
    expect(malformed.status).to.equal(400);
  });

  it("names what the deal needs but was never pushed", async function () {
    const bare = await world.deployDataset("no-key");
    const task = await world.makeTask({
      app,
      dataset: bare,
      params: buildParams({ secrets: { "1": "absent" } }),
    });
    const secrets = await client.taskSecrets(
      workerA(),
      task.taskid,
      await world.authorize(workerA().address, task.taskid),
    );
    expect(secrets).to.deep.equal({
      appSecret: "developer-secret",
      requesterSecrets: {},
      missing: ["datasetKey", "requesterSecret:1"],
    });
  });

  it("a restart keeps the secrets releasable and the audit log", async function () {
    const before = sms.store.auditLog().length;
    await sms.stop();
    sms = await world.startSms();
    client = new SmsClient(sms.url);
    expect(await client.checkDatasetSecret(dataset)).to.equal(true);
    const secrets = await client.taskSecrets(
      workerA(),
      taskA.taskid,
      await world.authorize(workerA().address, taskA.taskid),
    );
    expect(secrets.datasetKey).to.equal(datasetKey);
    expect(sms.store.auditLog().length).to.equal(before + 1);
  });

  it("refuses a COMPLETED task", async function () {
    const task = await world.makeTask({ app, dataset });
    const authorization = await world.authorize(workerA().address, task.taskid);
    expect((await client.taskSecrets(workerA(), task.taskid, authorization)).datasetKey).to.equal(datasetKey);
    const worker = await OpenPoco.connect({
      chain: world.chain,
      signer: workerA().privateKey,
      pollingIntervalMs: 50,
    });
    try {
      await worker.work.contributeAndFinalize({
        taskid: task.taskid,
        resultDigest: "0x" + "cd".repeat(32),
        authorization,
        results: '{"storage":"none"}',
      });
    } finally {
      worker.close();
    }
    const error = await rejectionOf(client.taskSecrets(workerA(), task.taskid, authorization), ServiceError);
    expect(error.status).to.equal(403);
    expect(error.message).to.contain("COMPLETED");
    const last = sms.store.auditLog(task.taskid).pop()!;
    expect(last).to.deep.include({ outcome: "refused", status: 403 });
  });

  it("refuses a task past its final deadline, and once claimed (last: it moves the chain's clock)", async function () {
    const task = await world.makeTask({ app, dataset });
    const authorization = await world.authorize(workerA().address, task.taskid);
    await increaseChainTime(10 * 300 + 60);
    const late = await rejectionOf(client.taskSecrets(workerA(), task.taskid, authorization), ServiceError);
    expect(late.status).to.equal(403);
    expect(late.message).to.contain("final deadline");
    await world.clients.requester.work.claim([task.taskid]);
    const claimed = await rejectionOf(
      client.taskSecrets(workerA(), task.taskid, authorization),
      ServiceError,
    );
    expect(claimed.status).to.equal(403);
    expect(claimed.message).to.contain("FAILED");
    // Deal A's task is past its deadline too now: nothing goes out for it either.
    const a = await rejectionOf(
      client.taskSecrets(workerA(), taskA.taskid, await world.authorize(workerA().address, taskA.taskid)),
      ServiceError,
    );
    expect(a.status).to.equal(403);
  });
});
