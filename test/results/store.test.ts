/**
 * The result store against the in-process chain served over JSON-RPC: who may upload (an authorized worker
 * while the task is ACTIVE, only a winner once it is REVEALING, nobody once it is COMPLETED), who may
 * download (the requester or the beneficiary, with a fresh signature), and that a restart keeps the results.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Signer } from "ethers";
import { ResultStoreApp } from "../../src/results/app";
import { HttpResultStorage } from "../../src/worker/result-storage";
import {
  ResultsClient,
  ServiceError,
  SILENT_LOGGER,
  TaskStatus,
  computeResultHash,
  computeResultSeal,
  resultLocation,
  sha256OfFile,
  signAuthorization,
  signResultDownload,
  signResultUpload,
  type ChainConfig,
} from "../../src/sdk";
import { serveInProcessChain } from "../cli/harness";
import { contribute, initTask, makeDeal, taskSetup, taskStatus, type TaskSetup } from "../tasks/fixtures";

/** The ServiceError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ServiceError);
    return error as ServiceError;
  }
  throw new Error("expected a refusal");
}

describe("Result store @results", function () {
  let setup: TaskSetup;
  let served: { url: string; close(): Promise<void> };
  let chain: ChainConfig;
  let dir: string;
  let store: ResultStoreApp;
  let client: ResultsClient;
  let zip: string;
  const chainId = 31337n;

  const startStore = async () => {
    store = await ResultStoreApp.start({
      chain,
      dataDir: path.join(dir, "data"),
      port: 0,
      logger: SILENT_LOGGER,
    });
    client = new ResultsClient(store.url, chainId);
  };

  before(async function () {
    setup = await taskSetup();
    served = await serveInProcessChain();
    chain = { name: "test", host: served.url, id: chainId, hub: await setup.hub.getAddress() };
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-results-"));
    zip = path.join(dir, "result.zip");
    writeFileSync(zip, Buffer.from("PK\u0005\u0006" + "\0".repeat(18), "binary"));
    await startStore();
  });

  after(async function () {
    await store?.stop();
    await served?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function activeTask(options: Parameters<typeof makeDeal>[1] = {}): Promise<string> {
    return initTask(setup, await makeDeal(setup, options));
  }

  async function upload(worker: Signer, taskid: string, authorizedFor?: string) {
    const authorization = await signAuthorization(
      setup.scheduler,
      authorizedFor ?? (await worker.getAddress()),
      taskid,
    );
    return client.upload(taskid, zip, { signer: worker, authorization });
  }

  describe("uploads", function () {
    it("accepts an authorized worker's upload on an ACTIVE task, and the task finalizes with its location", async function () {
      const [worker] = setup.workers;
      const taskid = await activeTask();
      const uploaded = await upload(worker, taskid);
      expect(uploaded.sha256).to.equal(await sha256OfFile(zip));
      const location = resultLocation(ethers.hexlify(ethers.toUtf8Bytes(uploaded.results)));
      expect(location.storage).to.equal("openpoco");
      expect(location.url).to.equal(`${store.url}/results/${taskid}?chainId=31337`);

      const digest = uploaded.sha256;
      const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
      await (
        await setup.hub
          .connect(worker)
          .contributeAndFinalize(
            taskid,
            digest,
            ethers.toUtf8Bytes(uploaded.results),
            "0x",
            ethers.ZeroAddress,
            "0x",
            authorization,
          )
      ).wait();
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);

      // Completed: the stored result no longer changes.
      const late = await refusal(upload(worker, taskid));
      expect(late.status).to.equal(409);
      expect(late.message).to.include("is COMPLETED: its result can no longer be uploaded");
    });

    it("refuses an upload without the scheduler's authorization", async function () {
      const [worker] = setup.workers;
      const taskid = await activeTask();
      const sha256 = await sha256OfFile(zip);
      const response = await fetch(`${store.url}/results/${taskid}?chainId=31337`, {
        method: "PUT",
        headers: {
          "content-type": "application/zip",
          authorization: await signResultUpload(worker, chainId, taskid, sha256),
          "x-result-sha256": sha256,
        },
        body: readFileSync(zip),
      });
      expect(response.status).to.equal(403);
      expect(((await response.json()) as { error: string }).error).to.include(
        "has no authorization of the workerpool owner",
      );
    });

    it("refuses an authorization given to another worker", async function () {
      const [worker, other] = setup.workers;
      const taskid = await activeTask();
      const error = await refusal(upload(worker, taskid, other.address));
      expect(error.status).to.equal(403);
      expect(error.message).to.include(`Worker ${worker.address} has no authorization`);
    });

    it("refuses a bad signature: another body's hash, or another signer than the one claimed", async function () {
      const [worker, other] = setup.workers;
      const taskid = await activeTask();
      const sha256 = await sha256OfFile(zip);
      const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
      const put = (headers: Record<string, string>) =>
        fetch(`${store.url}/results/${taskid}?chainId=31337`, {
          method: "PUT",
          headers: {
            "content-type": "application/zip",
            "x-scheduler-authorization": authorization,
            ...headers,
          },
          body: readFileSync(zip),
        });
      // Signed for another body.
      const wrongHash = await put({
        authorization: await signResultUpload(worker, chainId, taskid, ethers.ZeroHash),
        "x-result-sha256": sha256,
      });
      expect(wrongHash.status).to.equal(401);
      expect(((await wrongHash.json()) as { error: string }).error).to.include("The signature is not");
      // Signed by `other` but claiming to be `worker`.
      const forged = (await signResultUpload(other, chainId, taskid, sha256)).replace(
        other.address,
        worker.address,
      );
      const wrongSigner = await put({ authorization: forged, "x-result-sha256": sha256 });
      expect(wrongSigner.status).to.equal(401);
      // A body that is not the signed one.
      const tampered = await fetch(`${store.url}/results/${taskid}?chainId=31337`, {
        method: "PUT",
        headers: {
          "content-type": "application/zip",
          "x-scheduler-authorization": authorization,
          authorization: await signResultUpload(worker, chainId, taskid, sha256),
          "x-result-sha256": sha256,
        },
        body: Buffer.from("not the signed zip"),
      });
      expect(tampered.status).to.equal(400);
      expect(((await tampered.json()) as { error: string }).error).to.include("not the signed");
      // Nothing was stored by any of them.
      const download = await refusal(
        client.download(taskid, path.join(dir, "none.zip"), { signer: setup.requester }),
      );
      expect(download.status).to.equal(404);
    });

    it("HttpResultStorage uploads for the worker agent, given the task's authorization", async function () {
      const [worker] = setup.workers;
      const taskid = await activeTask();
      const storage = new HttpResultStorage(store.url, chainId, worker);
      let missing: unknown;
      try {
        await storage.upload(taskid, zip);
      } catch (error) {
        missing = error;
      }
      expect((missing as Error).message).to.include("needs the scheduler's authorization");
      const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
      const results = await storage.upload(taskid, zip, { authorization });
      expect(JSON.parse(results)).to.deep.equal({
        storage: "openpoco",
        location: `${store.url}/results/${taskid}?chainId=31337`,
      });
    });

    it("accepts only a winner once the task is REVEALING", async function () {
      const [winner1, winner2, outsider] = setup.workers;
      const taskid = await activeTask({ trust: 3n });
      const digest = ethers.keccak256(ethers.toUtf8Bytes("consensus"));
      await (await contribute(setup, winner1, taskid, digest)).wait();
      await (await contribute(setup, winner2, taskid, digest)).wait();
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.REVEALING);
      expect((await setup.hub.viewTask(taskid)).consensusValue).to.equal(computeResultHash(taskid, digest));
      expect(computeResultSeal(winner1.address, taskid, digest)).to.not.equal(ethers.ZeroHash);

      const early = await refusal(upload(winner1, await activeTask({ trust: 3n })));
      expect(early.status, "an ACTIVE task of trust 3 has no agreed result yet").to.equal(403);
      expect(early.message).to.include("no consensus yet");
      const refused = await refusal(upload(outsider, taskid));
      expect(refused.status).to.equal(403);
      expect(refused.message).to.include("did not contribute the consensus");
      const uploaded = await upload(winner1, taskid);
      expect(uploaded.size).to.equal(readFileSync(zip).length);

      // The first result stays: the other winner cannot swap other bytes in, only send the same again.
      const other = path.join(dir, "other.zip");
      writeFileSync(other, "other bytes");
      const authorization = await signAuthorization(setup.scheduler, winner2.address, taskid);
      const swapped = await refusal(client.upload(taskid, other, { signer: winner2, authorization }));
      expect(swapped.status).to.equal(409);
      expect(swapped.message).to.include("already has a result");
      expect((await upload(winner2, taskid)).sha256).to.equal(uploaded.sha256);
      // A worker agent that meets the stored result finalizes with its location, the same for every uploader.
      const storage = new HttpResultStorage(store.url, chainId, winner2);
      expect(await storage.upload(taskid, other, { authorization })).to.equal(uploaded.results);
      const download = path.join(dir, "served.zip");
      await client.download(taskid, download, { signer: setup.requester });
      expect(readFileSync(download)).to.deep.equal(readFileSync(zip));
    });
  });

  describe("downloads", function () {
    let taskid: string;
    let beneficiary: Signer;

    before(async function () {
      beneficiary = setup.spare[0];
      taskid = await activeTask({ overrides: { request: { beneficiary: setup.spare[0].address } } });
      await upload(setup.workers[0], taskid);
    });

    it("gives the zip to the requester and to the beneficiary", async function () {
      for (const [name, signer] of [
        ["requester", setup.requester],
        ["beneficiary", beneficiary],
      ] as const) {
        const out = path.join(dir, `${name}.zip`);
        const size = await client.download(taskid, out, { signer });
        expect(size).to.equal(readFileSync(zip).length);
        expect(readFileSync(out)).to.deep.equal(readFileSync(zip));
      }
    });

    it("refuses a stranger, an unsigned request and a stale signature", async function () {
      const stranger = await refusal(
        client.download(taskid, path.join(dir, "s.zip"), { signer: setup.spare[1] }),
      );
      expect(stranger.status).to.equal(403);
      expect(stranger.message).to.include("is neither the requester nor the beneficiary");
      const unsigned = await refusal(client.download(taskid, path.join(dir, "u.zip")));
      expect(unsigned.status).to.equal(401);
      const old = BigInt(Math.floor(Date.now() / 1000) - 3600);
      const authorization = await signResultDownload(setup.requester, chainId, taskid, old);
      const stale = await refusal(client.download(taskid, path.join(dir, "o.zip"), { authorization }));
      expect(stale.status).to.equal(401);
      expect(stale.message).to.include("sign again with the current time");
    });

    it("keeps the results across a restart", async function () {
      await store.stop();
      await startStore();
      const out = path.join(dir, "after-restart.zip");
      await client.download(taskid, out, { signer: setup.requester });
      expect(readFileSync(out)).to.deep.equal(readFileSync(zip));
    });
  });
});
