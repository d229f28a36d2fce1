/**
 * IPFS end to end on the real Docker engine: an encrypted dataset registered at `/ipfs/<cid>` (binary
 * multiaddr, as the official SDK writes it) runs on a worker that fetches it through the gateway; results
 * asked on IPFS (`iexec_result_storage_provider: ipfs`) are added to the IPFS node, finalized with
 * `{"storage":"ipfs","location":"/ipfs/<cid>"}` and fetched back by `fetchResultZip`; a worker without an
 * IPFS node refuses such a task before running it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Wallet, toUtf8String } from "ethers";
import { IDataset__factory } from "../../typechain-types";
import { startIpfsNode, type IpfsNode } from "../../src/ipfs/server";
import {
  InvalidInputError,
  IpfsClient,
  RESULT_ENCRYPTION_KEY_NAME,
  SmsClient,
  computeTaskId,
  decryptResult,
  encodeDatasetKey,
  encodeMultiaddr,
  encryptFile,
  fetchResultZip,
  generateDatasetKey,
  generateResultKeyPair,
  ipfsResultsText,
  unzipTo,
} from "../../src/sdk";
import { SILENT_LOGGER } from "../../src/sdk/core/logger";
import type { WorkerApp } from "../../src/worker/agent";
import { computeResultDigest } from "../../src/worker/result-digest";
import { rejection } from "../rejection";
import {
  accountKey,
  buyExecution,
  deployApp,
  deployDataset,
  stackWorld,
  startScheduler,
  startServices,
  startWorker,
  waitForTask,
  type StackWorld,
  type WorldServices,
} from "./world";

const IPFS_PARAMS = { iexec_result_storage_provider: "ipfs" };

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("IPFS datasets and results on workers @docker", function () {
  this.timeout(300_000);
  let world: StackWorld;
  let services: WorldServices;
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;
  let node: IpfsNode;
  let worker: WorkerApp | undefined;
  let dir: string;

  before(async function () {
    world = await stackWorld({ workers: 2 });
    services = await startServices(world);
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-ipfs-e2e-"));
    node = await startIpfsNode({ dataDir: path.join(dir, "ipfs"), port: 0, logger: SILENT_LOGGER });
    // As the stack writes chain.json: the node's one URL is both its RPC API and its gateway.
    world.chain = { ...world.chain, ipfsNode: node.url, ipfsGateway: node.url };
    scheduler = await startScheduler(world);
  });

  after(async function () {
    await worker?.stop();
    await scheduler?.stop();
    await node?.close();
    await services?.stop();
    await world?.close();
  });

  /** The task's result zip fetched from where its results say, checked against the on-chain digest. */
  async function fetchedResult(taskid: string, label: string): Promise<{ zip: string; location: string }> {
    const task = await world.requester.tasks.show(taskid);
    const location = toUtf8String(task.results);
    const zip = path.join(dir, `${label}.zip`);
    const fetched = await fetchResultZip(task.results, taskid, zip, {
      chainId: world.chain.id!,
      ipfsGateway: world.chain.ipfsGateway,
      resultProxy: world.chain.resultProxy,
    });
    expect(fetched.storage).to.equal("ipfs");
    return { zip, location };
  }

  it("runs an encrypted /ipfs/ dataset and puts the result on IPFS, finalized with its CID", async function () {
    worker = await startWorker(world, 0, scheduler.url);
    // The dataset owner encrypts the file, adds it to IPFS and registers /ipfs/<cid>.
    const plain = "name,face\nalice,0.93\n";
    writeFileSync(path.join(dir, "faces.csv"), plain);
    const key = generateDatasetKey();
    const { checksum } = await encryptFile(path.join(dir, "faces.csv"), path.join(dir, "faces.csv.enc"), key);
    const ipfs = new IpfsClient({ nodeUrl: node.url, gatewayUrl: node.url });
    const { cid: datasetCid } = await ipfs.addFile(path.join(dir, "faces.csv.enc"));
    // A multiaddr workers could not fetch is refused before any transaction.
    for (const bad of ["ftp://example.com/faces.csv.enc", "/ipfs/QmNotACid"]) {
      const refused = await rejection(deployDataset(world, "faces-bad", bad, checksum));
      expect(refused, bad).to.be.instanceOf(InvalidInputError);
    }
    const dataset = await deployDataset(world, "faces-ipfs", `/ipfs/${datasetCid}`, checksum);
    // On chain the multiaddr is binary, as the official SDK writes it; the SDK reads it back as text.
    const raw = await IDataset__factory.connect(
      dataset,
      world.requester.context.provider,
    ).m_datasetMultiaddr();
    expect(raw).to.equal(encodeMultiaddr(`/ipfs/${datasetCid}`));
    expect(raw.slice(0, 6)).to.equal("0xa503");
    expect((await world.requester.assets.showDataset(dataset)).multiaddr).to.equal(`/ipfs/${datasetCid}`);
    await new SmsClient(world.chain.sms!).pushDatasetSecret(
      new Wallet(accountKey(2)),
      dataset,
      encodeDatasetKey(key),
    );

    const { app } = await deployApp(
      world,
      "ipfs-dataset-reader",
      'cat "/iexec_in/$IEXEC_DATASET_FILENAME" > /iexec_out/seen.csv; echo "$IEXEC_DATASET_ADDRESS" > /iexec_out/determinism.iexec',
    );
    const dealid = await buyExecution(world, { app, dataset, params: JSON.stringify(IPFS_PARAMS) });
    const taskid = computeTaskId(dealid, 0n);
    const done = await waitForTask(world.requester, taskid);
    expect(done.statusName, worker.store.get(taskid)?.detail).to.equal("COMPLETED");

    const { zip, location } = await fetchedResult(taskid, "dataset-result");
    const resultCid = JSON.parse(location).location.slice("/ipfs/".length);
    expect(location).to.equal(ipfsResultsText(resultCid));
    const unzipped = path.join(dir, "dataset-result");
    await unzipTo(zip, unzipped);
    expect(readFileSync(path.join(unzipped, "seen.csv"), "utf8")).to.equal(plain);
    expect((await computeResultDigest(unzipped, zip)).resultDigest).to.equal(done.resultDigest.toLowerCase());
    // Nothing was sent to the result store: the result lives on IPFS only.
    expect(services.results.service.store.get(world.chain.id!, taskid)).to.equal(undefined);
  });

  it("adds a result encrypted for the beneficiary when the request asks: only their key opens it", async function () {
    const beneficiary = new Wallet(accountKey(5));
    const keys = await generateResultKeyPair();
    await new SmsClient(world.chain.sms!).pushWeb2Secret(
      beneficiary,
      RESULT_ENCRYPTION_KEY_NAME,
      keys.publicKey,
    );
    const { app } = await deployApp(
      world,
      "ipfs-secretive",
      "echo classified > /iexec_out/report.txt; echo ok > /iexec_out/determinism.iexec",
    );
    const dealid = await buyExecution(world, {
      app,
      beneficiary: beneficiary.address,
      params: JSON.stringify({ ...IPFS_PARAMS, iexec_result_encryption: true }),
    });
    const taskid = computeTaskId(dealid, 0n);
    expect((await waitForTask(world.requester, taskid)).statusName).to.equal("COMPLETED");
    const { zip } = await fetchedResult(taskid, "encrypted-result");
    // What IPFS holds is not readable as the result: it must be decrypted first.
    const decrypted = path.join(dir, "decrypted.zip");
    await decryptResult(zip, keys.privateKey, decrypted);
    await unzipTo(decrypted, path.join(dir, "decrypted"));
    expect(readFileSync(path.join(dir, "decrypted", "report.txt"), "utf8")).to.equal("classified\n");
  });

  it("puts the result on IPFS through the scheduler's upload step too (trust 2: contribute, reveal, upload)", async function () {
    const { app } = await deployApp(
      world,
      "ipfs-trusted",
      "echo consensus > /iexec_out/out.txt; echo consensus > /iexec_out/determinism.iexec",
    );
    const dealid = await buyExecution(world, { app, trust: 2n, params: JSON.stringify(IPFS_PARAMS) });
    const taskid = computeTaskId(dealid, 0n);
    const done = await waitForTask(world.requester, taskid);
    expect(done.statusName).to.equal("COMPLETED");
    // Not finalized by the worker itself: it contributed, revealed, then uploaded when the scheduler asked.
    expect(worker!.store.get(taskid)?.state).to.be.oneOf(["UPLOADED", "DONE"]);
    const { zip } = await fetchedResult(taskid, "trusted-result");
    const unzipped = path.join(dir, "trusted-result");
    await unzipTo(zip, unzipped);
    expect(readFileSync(path.join(unzipped, "out.txt"), "utf8")).to.equal("consensus\n");
    expect((await computeResultDigest(unzipped, zip)).resultDigest).to.equal(done.resultDigest.toLowerCase());
  });

  it("a worker without an IPFS node refuses an IPFS-result task before running it: RESULT_STORAGE_UNAVAILABLE", async function () {
    await worker?.stop();
    worker = await startWorker(world, 1, scheduler.url, { chain: { ...world.chain, ipfsNode: undefined } });
    const { app } = await deployApp(world, "ipfs-unreachable", "echo ran > /iexec_out/determinism.iexec");
    const dealid = await buyExecution(world, { app, params: JSON.stringify(IPFS_PARAMS) });
    const taskid = computeTaskId(dealid, 0n);
    await until(() => worker!.store.get(taskid)?.state === "FAILED");
    const failed = worker.store.get(taskid)!;
    expect(failed.failure).to.equal("RESULT_STORAGE_UNAVAILABLE");
    expect(failed.detail).to.include("ipfsNode");
    // Refused before the app ran: no result, no contribution.
    expect(failed.resultDigest).to.equal(undefined);
    expect((await world.requester.tasks.show(taskid)).contributors).to.deep.equal([]);
  });
});
