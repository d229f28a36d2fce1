/**
 * The requester's side of the scheduler (iExec's workerpool API shape): GET /tasks/{taskid} with the
 * task's history and replicates after a fatal failure two workers report (who must fix it, the refund,
 * the claim and the requester's money back), after an app error (exit code), and the app logs served to
 * the deal's requester alone with a one-use signed challenge; CORS on the requester's routes only.
 * (@scheduler)
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import type * as EthersLib from "ethers";
import type * as IExecLib from "iexec";
import { Wallet, type Signer } from "ethers";
import { ServiceError } from "../../src/sdk/core/errors";
import { computeTaskId, digestOf } from "../../src/sdk/core/tasks";
import {
  APP_LOG_LIMIT_BYTES,
  WorkerpoolApiClient,
  logsChallengeText,
  type WorkerpoolTask,
} from "../../src/sdk/core/workerpool-api";
import { hashChallenge, type ChallengeTypedData } from "../../src/sdk/core/market/auth";
import { CHALLENGE_DOMAIN_NAME, CHALLENGE_DOMAIN_VERSION } from "../../src/sdk/core/market/auth";
import type { SchedulerApp } from "../../src/scheduler";
import { escrowOf, makeDeal, timeTravelTo } from "../tasks/fixtures";
import { SchedulerHarness, keyOf, stateOf, until, type SimWorker } from "./harness";

// A real `import()`: ts-node compiles to CommonJS, where `import()` becomes `require()`, which cannot load
// the ESM-only official SDK.
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;

/** A Compass that knows one workerpool's API URL, as the official SDK asks it. */
async function fakeCompass(workerpool: string, apiUrl: string): Promise<{ url: string; close(): void }> {
  const server = createServer((request, response) => {
    const known = request.url === `/31337/workerpools/${workerpool}`;
    response.writeHead(known ? 200 : 404, { "content-type": "application/json" });
    response.end(JSON.stringify(known ? { apiUrl } : { error: "unknown workerpool" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const RESULTS = '{"storage":"ipfs","location":"/ipfs/QmRwwTz9Chq4Y7F7ReKKcx1GV6s3H7egmNGrku9XrwiDa8"}';

async function get(
  url: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, { method, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : {} };
}

/**
 * The Authorization header for a served challenge as the official SDK builds it, naming `address`
 * (which may differ from the signer, to forge).
 */
async function signServedChallenge(
  signer: Signer,
  typed: ChallengeTypedData,
  address: string,
): Promise<string> {
  const { EIP712Domain: _domain, ...types } = typed.types;
  const signature = await signer.signTypedData(typed.domain, types, typed.message);
  return `${hashChallenge(BigInt(typed.domain.chainId), typed.message.challenge)}_${signature}_${address}`;
}

/** Serves `body` as the answer to every request, counting the requests; for hostile-API tests. */
async function hostileApi(
  body: unknown,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("@scheduler workerpool task API", function () {
  this.timeout(120_000);
  let h: SchedulerHarness;

  before(async () => {
    h = await SchedulerHarness.start();
  });
  after(async () => h?.stop());

  const api = (app: SchedulerApp) => new WorkerpoolApiClient(app.url);

  /** A trust-1 task whose worker ran an app that exited `exitCode`, sent `logs`, and finalized. */
  async function crashedTask(exitCode: number, logs: { stdout: string; stderr: string }) {
    const app = await h.scheduler();
    const deal = await makeDeal(h.setup, { trust: 1n });
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await stateOf(app, taskid, "active");
    const worker = await h.worker(app, 0);
    const [assignment] = (await worker.poll(1)).assign;
    const digest = digestOf(`error.json of exit ${exitCode}`);
    await worker.client.report(taskid, {
      event: "computed",
      resultDigest: digest,
      error: "APP_CRASHED",
      exitCode,
    });
    await worker.client.sendLogs(taskid, logs);
    const sent = await worker.poco.work.contributeAndFinalize({
      taskid,
      resultDigest: digest,
      authorization: assignment.authorization,
      results: RESULTS,
    });
    await worker.client.report(taskid, { event: "finalized", txHash: sent.txHash });
    await stateOf(app, taskid, "completed");
    return { app, taskid, worker };
  }

  it("a fatal failure two workers report: status FAILED with history, replicates, who fixes it, then the refund claimed", async () => {
    const app = await h.scheduler();
    const deal = await makeDeal(h.setup, { trust: 1n, volume: 2n });
    const [fatal, local] = [0n, 1n].map((i) => computeTaskId(deal.dealid, deal.botFirst + i));
    await stateOf(app, local, "active");
    const w: SimWorker[] = [];
    for (let n = 0; n < 3; n++) w.push(await h.worker(app, n));
    for (const worker of w.slice(0, 2)) {
      expect((await worker.poll(1)).assign.map((a) => a.taskid)).to.deep.equal([fatal]);
      await worker.client.report(fatal, {
        event: "failed",
        code: "APP_CHECKSUM_MISMATCH",
        detail: `image digest differs (${worker.address})`,
      });
    }
    expect((await w[2].poll(1)).assign.map((a) => a.taskid)).to.deep.equal([local]);
    await w[2].client.report(local, {
      event: "failed",
      code: "APP_IMAGE_PULL_FAILED",
      detail: "registry down",
    });

    const finalDeadline = (await h.setup.hub.viewTask(fatal)).finalDeadline;
    const task = await api(app).task(fatal);
    expect(task).to.include({
      ok: true,
      taskid: fatal,
      chainTaskId: fatal,
      chainDealId: deal.dealid.toLowerCase(),
      taskIndex: Number(deal.botFirst),
      currentStatus: "FAILED",
      state: "active",
    });
    expect(task.waiting?.code).to.equal("GIVEN_UP");
    expect(task.dateStatusList.map((s) => s.status)).to.deep.equal(["RECEIVED", "INITIALIZED", "FAILED"]);
    for (const change of task.dateStatusList) expect(Date.parse(change.date)).to.be.greaterThan(0);
    expect(task.replicates.map((r) => r.walletAddress)).to.deep.equal([w[0].address, w[1].address]);
    for (const [i, replicate] of task.replicates.entries()) {
      expect(replicate.currentStatus).to.equal("FAILED");
      expect(replicate.appExitCode).to.equal(null);
      expect(replicate.statusUpdateList.map((u) => [u.status, u.modifier])).to.deep.equal([
        ["CREATED", "POOL_MANAGER"],
        ["FAILED", "WORKER"],
      ]);
      expect(replicate.statusUpdateList[1].details).to.deep.equal({
        cause: "APP_CHECKSUM_MISMATCH",
        detail: `image digest differs (${w[i].address})`,
      });
    }
    expect(task.failure).to.deep.include({
      code: "APP_CHECKSUM_MISMATCH",
      party: "app owner",
      witnesses: 2,
      detail: `image digest differs (${w[0].address})`,
    });
    expect(task.failure?.fix).to.match(/checksum|digest/i);
    expect(task.appError).to.equal(null);
    expect(task.refund).to.deep.equal({ claimableAt: Number(finalDeadline), claimTx: null });

    // A worker's own failure does not give the task up, but the requester sees its cause.
    const other = await api(app).task(local);
    expect(other.currentStatus).to.equal("INITIALIZED");
    expect(other.failure).to.equal(null);
    expect(other.refund).to.equal(null);
    expect(other.replicates[0].statusUpdateList[1]).to.deep.include({
      status: "FAILED",
      details: { cause: "APP_IMAGE_PULL_FAILED", detail: "registry down" },
    });

    // At the final deadline the scheduler claims both: the requester's locked price comes back to its stake.
    const view = await h.setup.hub.viewDeal(deal.dealid);
    const price = view.app.price + view.dataset.price + view.workerpool.price;
    const before = await escrowOf(h.setup, h.setup.requester.address);
    await timeTravelTo(finalDeadline);
    await stateOf(app, fatal, "failed");
    await stateOf(app, local, "failed");
    const after = await escrowOf(h.setup, h.setup.requester.address);
    expect(before.locked - after.locked).to.equal(2n * price);
    expect(after.stake - before.stake).to.equal(2n * price);
    const [claim] = app.store.journalEntries("claim");
    expect(claim.txHash).to.match(/^0x[0-9a-f]{64}$/);
    const claimed = await api(app).task(fatal);
    expect(claimed.currentStatus).to.equal("FAILED");
    expect(claimed.refund).to.deep.equal({ claimableAt: Number(finalDeadline), claimTx: claim.txHash });
    const expired = await api(app).task(local);
    expect(expired.currentStatus).to.equal("FINAL_DEADLINE_REACHED");
    expect(expired.dateStatusList.map((s) => s.status)).to.deep.equal([
      "RECEIVED",
      "INITIALIZED",
      "FINAL_DEADLINE_REACHED",
    ]);
    expect(expired.refund?.claimTx).to.equal(claim.txHash);
    await h.stopScheduler(app);
  });

  it("an app error: COMPLETED with appError and the exit code; the logs go to the requester alone", async () => {
    const { app, taskid, worker } = await crashedTask(3, {
      stdout: "hello on stdout\n",
      stderr: "boom on stderr\n",
    });

    const task = await api(app).task(taskid);
    expect(task.currentStatus).to.equal("COMPLETED");
    expect(task.dateStatusList.map((s) => s.status)).to.deep.equal(["RECEIVED", "INITIALIZED", "COMPLETED"]);
    expect(task.appError).to.deep.equal({ code: "APP_CRASHED", exitCode: 3 });
    expect(task.failure).to.equal(null);
    expect(task.refund).to.equal(null);
    const [replicate] = task.replicates;
    expect(replicate.appExitCode).to.equal(3);
    expect(replicate.currentStatus).to.equal("COMPLETED");
    expect(replicate.statusUpdateList.map((u) => u.status)).to.deep.equal([
      "CREATED",
      "COMPUTED",
      "CONTRIBUTED",
      "REVEALED",
      "COMPLETED",
    ]);
    expect(replicate.statusUpdateList[1].details).to.deep.equal({ cause: "APP_CRASHED", exitCode: 3 });

    // The requester reads the logs with a signed challenge.
    const requester = new Wallet(keyOf(h.setup.requester.address));
    const logs = await api(app).logs(taskid, requester, 31337n, h.setup.workerpool);
    expect(logs).to.deep.equal([
      { walletAddress: worker.address, stdout: "hello on stdout\n", stderr: "boom on stderr\n" },
    ]);

    // Anyone else, with a good signature of their own: 403, and nothing of the logs.
    const stranger = new Wallet(keyOf(h.setup.workers[3].address));
    const refused = await api(app)
      .logs(taskid, stranger, 31337n, h.setup.workerpool)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).to.be.instanceOf(ServiceError);
    expect((refused as ServiceError).status).to.equal(403);
    expect((refused as ServiceError).message)
      .to.match(/Only the requester/)
      .and.not.match(/hello/);

    const challenge = async (address: string, chainId = "31337") =>
      get(`${app.url}/tasks/logs/challenge?chainId=${chainId}&address=${address}`);
    const authorization = async (signer: Signer, address: string) =>
      signServedChallenge(signer, (await challenge(address)).json as unknown as ChallengeTypedData, address);
    const logsUrl = `${app.url}/tasks/${taskid}/logs`;

    // A challenge serves once.
    const once = await authorization(requester, requester.address);
    expect((await get(logsUrl, { Authorization: once })).status).to.equal(200);
    const reused = await get(logsUrl, { Authorization: once });
    expect(reused.status).to.equal(401);
    expect(reused.json.error).to.match(/used or expired challenge/);
    expect(reused.json).to.not.have.property("computeLogsList");

    // Signed by another key while naming the requester: 401.
    const forged = await authorization(stranger, requester.address);
    const badSignature = await get(logsUrl, { Authorization: forged });
    expect(badSignature.status).to.equal(401);
    expect(badSignature.json.error).to.match(/signed by .* not by/);
    // Nor does the forged attempt leave its challenge usable.
    expect((await get(logsUrl, { Authorization: forged })).status).to.equal(401);

    // No header, a malformed one: 401; an unknown task: 404; another chain: 400.
    expect((await get(logsUrl)).status).to.equal(401);
    expect((await get(logsUrl, { Authorization: "nope" })).status).to.equal(401);
    const unknown = await get(`${app.url}/tasks/0x${"ab".repeat(32)}/logs`, {
      Authorization: await authorization(requester, requester.address),
    });
    expect(unknown.status).to.equal(404);
    const otherChain = await challenge(requester.address, "1");
    expect(otherChain.status).to.equal(400);
    expect(otherChain.json.error).to.match(/chain 31337/);

    // Logs are sent only by a worker given the task.
    const outsider = await h.worker(app, 4);
    const foreign = await outsider.client.sendLogs(taskid, { stdout: "fake", stderr: "" }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((foreign as ServiceError).status).to.equal(403);
    expect(await api(app).logs(taskid, requester, 31337n, h.setup.workerpool)).to.deep.equal(logs);

    // Both streams at their limit fit the route (beyond the other routes' 64 KiB), the latest run replacing.
    const full = { stdout: "o".repeat(APP_LOG_LIMIT_BYTES), stderr: "\u0001".repeat(APP_LOG_LIMIT_BYTES) };
    await worker.client.sendLogs(taskid, full);
    expect(await api(app).logs(taskid, requester, 31337n, h.setup.workerpool)).to.deep.equal([
      { walletAddress: worker.address, ...full },
    ]);
    await h.stopScheduler(app);
  });

  it("answers CORS on the requester's routes and their preflight, not on worker routes", async () => {
    const app = await h.scheduler();
    const deal = await makeDeal(h.setup, { trust: 1n });
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await until("the deal read", () => app.store.task(taskid) !== undefined);
    const task = await get(`${app.url}/tasks/${taskid}`, { Origin: "http://explorer.test" });
    expect(task.status).to.equal(200);
    expect(task.headers.get("access-control-allow-origin")).to.equal("*");
    expect((task.json as unknown as WorkerpoolTask).currentStatus).to.be.oneOf(["RECEIVED", "INITIALIZED"]);
    const challenge = await get(
      `${app.url}/tasks/logs/challenge?chainId=31337&address=${h.setup.requester.address}`,
    );
    expect(challenge.headers.get("access-control-allow-origin")).to.equal("*");
    const refused = await get(`${app.url}/tasks/${taskid}/logs`);
    expect(refused.status).to.equal(401);
    expect(refused.headers.get("access-control-allow-origin")).to.equal("*");
    const preflight = await get(
      `${app.url}/tasks/${taskid}/logs`,
      { Origin: "http://explorer.test" },
      "OPTIONS",
    );
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
    expect(preflight.headers.get("access-control-allow-headers")).to.match(/Authorization/);
    const worker = await get(`${app.url}/workers/challenge?address=${h.setup.workers[0].address}`);
    expect(worker.status).to.equal(200);
    expect(worker.headers.get("access-control-allow-origin")).to.equal(null);
    await h.stopScheduler(app);
  });

  it("the official SDK reads the task and, as its requester, the logs through Compass", async () => {
    const { app, taskid, worker } = await crashedTask(7, { stdout: "out 7\n", stderr: "err 7\n" });

    const compass = await fakeCompass(h.setup.workerpool, app.url);
    const lib = (await importEsm("iexec")) as typeof IExecLib;
    const esm = (await importEsm("ethers")) as typeof EthersLib;
    const provider = new esm.JsonRpcProvider(h.chain.host, undefined, {
      cacheTimeout: -1,
      pollingInterval: 50,
    });
    const connect = (key: string) =>
      new lib.IExec(
        { ethProvider: new esm.Wallet(key, provider) },
        { hubAddress: h.chain.hub, compassURL: compass.url, confirms: 1 },
      );
    try {
      const info = await connect(keyOf(h.setup.requester.address)).task.fetchOffchainInfo(taskid);
      expect(info.task.status).to.equal("COMPLETED");
      expect(info.task.statusHistory.map((s: { status: string }) => s.status)).to.deep.equal([
        "RECEIVED",
        "INITIALIZED",
        "COMPLETED",
      ]);
      expect(info.replicates).to.have.length(1);
      expect(info.replicates[0]).to.include({ worker: worker.address, exitCode: 7, status: "COMPLETED" });
      const logs = await connect(keyOf(h.setup.requester.address)).task.fetchLogs(taskid);
      expect(logs).to.deep.equal([{ worker: worker.address, stdout: "out 7\n", stderr: "err 7\n" }]);
    } finally {
      provider.destroy();
      compass.close();
    }
    await h.stopScheduler(app);
  });
  it("signs only a logs challenge naming the task's workerpool: an order, the market's login or another pool's challenge is refused unsigned", async () => {
    const requester = new Wallet(keyOf(h.setup.requester.address));
    const taskid = "0x" + "cd".repeat(32);
    const domain = { name: CHALLENGE_DOMAIN_NAME, version: CHALLENGE_DOMAIN_VERSION, chainId: "31337" };
    const challengeType = { Challenge: [{ name: "challenge", type: "string" }] };
    const nonce = "ab".repeat(32);
    const hostile = [
      // A request order in the hub's domain: signing it would let the API spend the requester's escrow.
      {
        types: {
          RequestOrder: [
            { name: "app", type: "address" },
            { name: "appmaxprice", type: "uint256" },
          ],
        },
        domain: {
          name: "iExecODB",
          version: "5.0.0",
          chainId: "31337",
          verifyingContract: h.setup.workerpool,
        },
        primaryType: "RequestOrder",
        message: { app: h.setup.workerpool, appmaxprice: "1000000000" },
      },
      // The market's own login challenge, relayed.
      {
        types: challengeType,
        domain,
        primaryType: "Challenge",
        message: { challenge: `Sign this message to log into iExec Gateway: ${"ab".repeat(16)}` },
      },
      // Another workerpool's logs challenge, relayed.
      {
        types: challengeType,
        domain,
        primaryType: "Challenge",
        message: { challenge: logsChallengeText(requester.address, nonce) },
      },
      // The right text on another chain.
      {
        types: challengeType,
        domain: { ...domain, chainId: "1" },
        primaryType: "Challenge",
        message: { challenge: logsChallengeText(h.setup.workerpool, nonce) },
      },
    ];
    for (const body of hostile) {
      const api = await hostileApi(body);
      try {
        const refused = await new WorkerpoolApiClient(api.url)
          .logs(taskid, requester, 31337n, h.setup.workerpool)
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(refused, JSON.stringify(body.message)).to.be.instanceOf(ServiceError);
        expect((refused as ServiceError).message).to.match(/nothing was signed/);
        expect(api.requests, "only the challenge was asked for; no signature left").to.have.length(1);
        expect(api.requests[0]).to.match(/^GET \/tasks\/logs\/challenge\?/);
      } finally {
        await api.close();
      }
    }
  });
  it("refuses a logs upload without a session, or for a task not its own, before reading the body", async () => {
    const app = await h.scheduler();
    const deal = await makeDeal(h.setup, { trust: 1n });
    const taskid = computeTaskId(deal.dealid, deal.botFirst);
    await until("the deal read", () => app.store.task(taskid) !== undefined);
    const outsider = await h.worker(app, 5);
    await outsider.poll(0); // logs in: a valid session, but the task is not assigned to it
    const token = (outsider.client as unknown as { token: string }).token;
    // Headers announcing 10 MB, and no body sent: an answer proves the body was not waited for.
    const answer = (authorization?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${app.url}/tasks/${taskid}/logs`, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "Content-Length": String(10_000_000),
            ...(authorization ? { Authorization: authorization } : {}),
          },
        });
        req.on("response", (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on("error", (error) => (req.destroyed ? undefined : reject(error)));
        req.setTimeout(5_000, () => reject(new Error("the scheduler waited for the body")));
        req.flushHeaders();
      });
    expect(await answer()).to.equal(401);
    expect(await answer(`Bearer ${token}`)).to.equal(403);
    expect(app.store.assignmentsOfTask(taskid)).to.deep.equal([]);
    await h.stopScheduler(app);
  });
});
