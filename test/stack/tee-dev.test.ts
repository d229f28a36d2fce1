/**
 * The development TEE mode end to end on the real Docker engine: a TEE+TDX deal (the tag the official
 * SDK puts on every order) runs on a `tee: "dev"` worker. The scheduler hands it the task with an
 * authorization naming its enclave; the SMS releases the deal's dataset key to the enclave's signed
 * request (audited with the enclave's address); the hub accepts the contribution only with the
 * enclave's signature; the result goes to IPFS although the request did not ask. A plain worker of the
 * same pool is never given the task. The development mode is refused on chains that are not local
 * development chains unless the operator names the risk, and the enclave key survives a restart.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Wallet, toUtf8String } from "ethers";
import {
  InvalidInputError,
  IpfsClient,
  SmsClient,
  computeTaskId,
  encodeDatasetKey,
  encryptFile,
  fetchResultZip,
  generateDatasetKey,
  unzipTo,
} from "../../src/sdk";
import { DEV_ENCLAVE_WARNING, assertTeeDevAllowed, teeNotice } from "../../src/sdk/core/tee-dev";
import type { WorkerApp } from "../../src/worker/agent";
import { DEV_ENCLAVE_KEY_FILE, openDevEnclave } from "../../src/worker/dev-enclave";
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

/** TEE (bit 0) and TDX (bit 3): the official SDK's tag on every order. */
const TDX_TAG = "0x" + "0".repeat(62) + "09";

describe("development TEE mode @docker", function () {
  this.timeout(300_000);
  let world: StackWorld;
  let services: WorldServices;
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;
  const workers: WorkerApp[] = [];
  let dir: string;

  before(async function () {
    world = await stackWorld({ workers: 2 });
    services = await startServices(world);
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-tee-dev-"));
    scheduler = await startScheduler(world);
  });

  after(async function () {
    for (const worker of workers) await worker.stop();
    await scheduler?.stop();
    await services?.stop();
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs a TDX-tagged deal with its encrypted dataset in the dev enclave, result on IPFS", async function () {
    // A plain worker first: it polls the same scheduler and must never be given the TEE task.
    const plain = await startWorker(world, 1, scheduler.url);
    workers.push(plain);
    const teeWorker = await startWorker(world, 0, scheduler.url, { tee: "dev" });
    workers.push(teeWorker);
    const enclave = teeWorker.enclaveAddress!;
    expect(enclave).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(enclave).to.not.equal(teeWorker.address);

    const secretText = "name,face\nalice,0.93\n";
    writeFileSync(path.join(dir, "faces.csv"), secretText);
    const key = generateDatasetKey();
    const { checksum } = await encryptFile(path.join(dir, "faces.csv"), path.join(dir, "faces.csv.enc"), key);
    // As the official CLI's `dataset push` does: the encrypted file on IPFS, registered at /ipfs/<cid>.
    const ipfs = new IpfsClient({ nodeUrl: services.ipfs.url, gatewayUrl: services.ipfs.url });
    const { cid } = await ipfs.addFile(path.join(dir, "faces.csv.enc"));
    const dataset = await deployDataset(world, "faces-tee", `/ipfs/${cid}`, checksum);
    await new SmsClient(world.chain.sms!).pushDatasetSecret(
      new Wallet(accountKey(2)),
      dataset,
      encodeDatasetKey(key),
    );
    const { app } = await deployApp(
      world,
      "tee-dataset-reader",
      'cat "/iexec_in/$IEXEC_DATASET_FILENAME" > /iexec_out/seen.csv; echo tee > /iexec_out/determinism.iexec',
    );
    // No iexec_result_storage_provider: a TEE result goes to IPFS anyway.
    const dealid = await buyExecution(world, { app, dataset, tag: TDX_TAG });
    const taskid = computeTaskId(dealid, 0n);
    const done = await waitForTask(world.requester, taskid);
    expect(done.statusName, teeWorker.store.get(taskid)?.detail).to.equal("COMPLETED");

    // The contribution on chain names the enclave: the hub checked the enclave's signature of it.
    const contribution = await world.requester.work.contribution(taskid, teeWorker.address);
    expect(contribution.enclaveChallenge).to.equal(enclave);
    expect(plain.store.get(taskid)).to.equal(undefined);
    // The SMS released the dataset key to the enclave's request, and says so in its audit log.
    const audit = services.sms.store.auditLog(taskid);
    expect(audit.map((entry) => [entry.worker, entry.enclave, entry.outcome])).to.deep.equal([
      [teeWorker.address, enclave, "released"],
    ]);
    expect(audit[0].released).to.include("datasetKey");

    // The result is on IPFS, and holds what the app read from the decrypted dataset.
    const location = JSON.parse(toUtf8String(done.results)) as { storage: string; location: string };
    expect(location.storage).to.equal("ipfs");
    const zip = path.join(dir, "tee-result.zip");
    await fetchResultZip(done.results, taskid, zip, {
      chainId: world.chain.id!,
      ipfsGateway: services.ipfs.url,
      resultProxy: world.chain.resultProxy,
    });
    await unzipTo(zip, path.join(dir, "tee-result"));
    expect(readFileSync(path.join(dir, "tee-result", "seen.csv"), "utf8")).to.equal(secretText);
    expect(services.results.service.store.get(world.chain.id!, taskid)).to.equal(undefined);
  });

  it("is refused on a chain that is not a local development chain, unless the risk is named", function () {
    for (const chainId of [1n, 134n, 421614n]) {
      const refused = (() => {
        try {
          assertTeeDevAllowed(chainId, false);
          return undefined;
        } catch (error) {
          return error;
        }
      })();
      expect(refused, String(chainId)).to.be.instanceOf(InvalidInputError);
      expect((refused as Error).message)
        .to.contain(DEV_ENCLAVE_WARNING)
        .and.contain("--tee-dev-on-any-chain");
      expect(() => assertTeeDevAllowed(chainId, true)).to.not.throw();
    }
    expect(() => assertTeeDevAllowed(31337n, false)).to.not.throw();
    expect(() => assertTeeDevAllowed(1337n, false)).to.not.throw();
  });

  it("is named in outputs about TEE deals on development chains only", function () {
    expect(teeNotice(TDX_TAG, 31337n)).to.equal(`TEE task in a ${DEV_ENCLAVE_WARNING}`);
    expect(teeNotice("0x" + "0".repeat(63) + "1", 1337n)).to.contain(DEV_ENCLAVE_WARNING);
    // A standard deal, and a TEE deal on another chain (whatever enclave its pool runs): nothing said.
    expect(teeNotice("0x" + "0".repeat(64), 31337n)).to.equal(undefined);
    expect(teeNotice(TDX_TAG, 134n)).to.equal(undefined);
  });

  it("keeps its enclave key across restarts, and names a damaged key file instead of replacing it", async function () {
    const data = path.join(dir, "enclave-data");
    const first = openDevEnclave(data);
    expect(openDevEnclave(data).address).to.equal(first.address);
    const file = path.join(data, DEV_ENCLAVE_KEY_FILE);
    expect(JSON.parse(readFileSync(file, "utf8")).warning).to.equal(DEV_ENCLAVE_WARNING);
    writeFileSync(file, "{not json");
    const refused = await rejection(Promise.resolve().then(() => openDevEnclave(data)));
    expect(refused).to.be.instanceOf(InvalidInputError);
    expect((refused as Error).message).to.contain(file);
    // Nothing was overwritten: the damaged file is the operator's to look at.
    expect(readFileSync(file, "utf8")).to.equal("{not json");
    // A key file others may read is not the enclave's alone: refused, left as it is.
    rmSync(file);
    const made = openDevEnclave(data);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    chmodSync(file, 0o644);
    const shared = await rejection(Promise.resolve().then(() => openDevEnclave(data)));
    expect((shared as Error).message).to.contain("chmod 600");
    chmodSync(file, 0o600);
    expect(openDevEnclave(data).address).to.equal(made.address);
  });
});
