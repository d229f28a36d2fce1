/**
 * Datasets, secrets and results end to end, on the real Docker engine: the seed's encrypted dataset
 * walkthrough with the `openpoco` CLI (the dataset pushed to the stack's IPFS node, the result put on IPFS
 * and downloaded from there), the SMS releasing the key to the task's worker only, the result store
 * serving results to the requester (and, encrypted, to the beneficiary), and datasets refused before
 * anything runs when tampered with or unsafe to extract.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import {
  RESULT_ENCRYPTION_KEY_NAME,
  MarketClient,
  ResultsClient,
  ServiceError,
  SmsClient,
  computeTaskId,
  decryptResult,
  generateResultKeyPair,
  unzipTo,
  zipFolder,
} from "../../src/sdk";
import type { WorkerApp } from "../../src/worker/agent";
import { rejection } from "../rejection";
import { writeTree, zipWithEntryName } from "../sdk/tree";
import {
  accountKey,
  buyExecution,
  deployApp,
  deployDataset,
  runCli,
  signOffers,
  stackWorld,
  startScheduler,
  startServices,
  startWorker,
  waitForTask,
  writeChainJson,
  type StackWorld,
  type WorldServices,
} from "./world";

const sha256 = (data: Buffer | string) => "0x" + createHash("sha256").update(data).digest("hex");

/** Serves the files of a folder over HTTP, as a dataset owner's web server would. */
async function serveFolder(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    try {
      const body = readFileSync(path.join(dir, path.basename(req.url ?? "")));
      res.writeHead(200, { "Content-Length": body.length }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("datasets, secrets and results @docker", function () {
  this.timeout(300_000);
  let world: StackWorld;
  let services: WorldServices;
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;
  let worker: WorkerApp;
  let served: { url: string; server: Server };
  let servedDir: string;

  before(async function () {
    world = await stackWorld({ workers: 1 });
    services = await startServices(world);
    scheduler = await startScheduler(world);
    worker = await startWorker(world, 0, scheduler.url);
    servedDir = mkdtempSync(path.join(os.tmpdir(), "openpoco-served-"));
    served = await serveFolder(servedDir);
  });

  after(async function () {
    served?.server.close();
    await worker?.stop();
    await scheduler?.stop();
    await services?.stop();
    await world?.close();
  });

  it("runs the seed's encrypted dataset walkthrough: only the task's worker gets the key, the app reads the plain file", async function () {
    // The dataset owner, with the CLI as the seed's guide goes.
    const project = path.join(world.dir, "dataset-project");
    mkdirSync(project, { recursive: true });
    const owner = accountKey(2);
    expect((await runCli(world, project, ["init", "--skip-wallet"], owner)).ok).to.equal(true);
    writeChainJson(project, world.chain);
    expect((await runCli(world, project, ["dataset", "init", "--encrypted"], owner)).ok).to.equal(true);
    const plain = "name,face\nalice,0.93\n";
    writeFileSync(path.join(project, "datasets/original/faces.csv"), plain);
    const encrypted = await runCli(world, project, ["dataset", "encrypt"], owner);
    const [file] = encrypted.encryptedFiles;
    // The encrypted file goes to the stack's IPFS node: iexec.json gets /ipfs/<cid> and the checksum.
    const pushed = await runCli(world, project, ["dataset", "push"], owner);
    expect(pushed.ok, JSON.stringify(pushed)).to.equal(true);
    expect(pushed.multiaddr).to.match(/^\/ipfs\/Qm[1-9A-HJ-NP-Za-km-z]{44}$/);
    expect(pushed.checksum).to.equal(file.checksum);
    const iexec = JSON.parse(readFileSync(path.join(project, "iexec.json"), "utf8"));
    iexec.dataset = { ...iexec.dataset, name: "faces" };
    writeFileSync(path.join(project, "iexec.json"), JSON.stringify(iexec, null, 2));
    const deployed = await runCli(world, project, ["dataset", "deploy"], owner);
    expect(deployed.ok, JSON.stringify(deployed)).to.equal(true);
    expect((await runCli(world, project, ["dataset", "push-secret"], owner)).ok).to.equal(true);
    expect((await runCli(world, project, ["dataset", "check-secret"], owner)).isSecretSet).to.equal(true);
    const shown = await runCli(world, project, ["dataset", "show", deployed.address], owner);
    expect(shown.dataset.multiaddr, "the binary multiaddr on chain reads back as text").to.equal(
      pushed.multiaddr,
    );

    // An app that reads its dataset, whose owner and the workerpool's publish their offers on the market.
    const { app } = await deployApp(
      world,
      "dataset-reader",
      'cat "/iexec_in/$IEXEC_DATASET_FILENAME" > /iexec_out/seen.csv; echo "$IEXEC_DATASET_ADDRESS" > /iexec_out/determinism.iexec',
    );
    const offers = await signOffers(world, { app });
    const market = new MarketClient(world.chain.iexecGateway!, world.chain.id!);
    await market.publish("app", offers.app, world.appOwner.context.signer!);
    await market.publish("workerpool", offers.workerpool, world.scheduler.context.signer!);
    // The dataset owner's order, with the CLI: init, sign, publish.
    for (const step of ["init", "sign", "publish"]) {
      const answer = await runCli(world, project, ["order", step, "--dataset"], owner);
      expect(answer.ok, `order ${step} --dataset: ${JSON.stringify(answer)}`).to.equal(true);
    }

    // The requester runs the app on the dataset, its result to IPFS: app run picks the market's orders,
    // makes the deal, warns that the (unencrypted) result will be public, and waits.
    const requesterProject = path.join(world.dir, "requester-project");
    writeChainJson(requesterProject, world.chain);
    const run = await runCli(
      world,
      requesterProject,
      [
        "app",
        "run",
        app,
        "--dataset",
        deployed.address,
        "--workerpool",
        world.workerpool,
        "--storage",
        "ipfs",
        "--watch",
      ],
      accountKey(4),
    );
    expect(run.ok, JSON.stringify(run)).to.equal(true);
    expect(run.publicResult).to.equal(true);
    const taskid = computeTaskId(run.dealid, 0n);
    expect(run.tasks["0"]).to.deep.equal({ taskid, status: "COMPLETED" });
    const results = JSON.parse((await world.requester.tasks.show(taskid)).resultsText!);
    expect(results.storage).to.equal("ipfs");
    expect(results.location).to.match(/^\/ipfs\/Qm/);

    // The requester downloads it from IPFS; the CLI checks the digest and unzips.
    const out = path.join(requesterProject, "result");
    const downloaded = await runCli(
      world,
      requesterProject,
      ["result", "download", taskid, "--out", out],
      accountKey(4),
    );
    expect(downloaded.ok, JSON.stringify(downloaded)).to.equal(true);
    expect(downloaded).to.include({ storage: "ipfs", verified: true });
    expect(readFileSync(path.join(out, "seen.csv"), "utf8")).to.equal(plain);

    // The SMS released the key once, to this worker, for this task.
    const audit = services.sms.store.auditLog(taskid);
    expect(audit.map((row) => [row.worker.toLowerCase(), row.outcome])).to.deep.equal([
      [worker.address.toLowerCase(), "released"],
    ]);
    expect(audit[0].released).to.include("datasetKey");
  });

  it("refuses a dataset whose bytes are not its checksum: DATASET_BAD_CHECKSUM, nothing contributed", async function () {
    writeFileSync(path.join(servedDir, "genuine.csv"), "genuine\n");
    const dataset = await deployDataset(world, "tampered", `${served.url}/genuine.csv`, sha256("genuine\n"));
    writeFileSync(path.join(servedDir, "genuine.csv"), "tampered\n");
    const { app } = await deployApp(world, "reader-2", "cat /iexec_in/* > /iexec_out/determinism.iexec");
    const dealid = await buyExecution(world, { app, dataset });
    const taskid = computeTaskId(dealid, 0n);
    await until(() => worker.store.get(taskid)?.state === "FAILED");
    expect(worker.store.get(taskid)!.failure).to.equal("DATASET_BAD_CHECKSUM");
    expect((await world.requester.tasks.show(taskid)).contributors).to.deep.equal([]);
  });

  it("extracts a zip dataset for an app that asks, and refuses a zip-slip archive: DATASET_BAD_ARCHIVE", async function () {
    const { app } = await deployApp(
      world,
      "unzipper",
      'ls -R "$IEXEC_DATASET_FOLDER" > /iexec_out/listing.txt; cat "$IEXEC_DATASET_FOLDER/data/a.txt" > /iexec_out/determinism.iexec',
      { labels: { "org.openpoco.dataset-unzip": "true" } },
    );
    // A safe archive: extracted into /iexec_in/dataset.
    const source = mkdtempSync(path.join(os.tmpdir(), "openpoco-zipped-"));
    writeTree(source, { "data/a.txt": "inside the archive\n" });
    await zipFolder(source, path.join(servedDir, "good.zip"));
    const good = await deployDataset(
      world,
      "good-zip",
      `${served.url}/good.zip`,
      sha256(readFileSync(path.join(servedDir, "good.zip"))),
    );
    const okTask = computeTaskId(await buyExecution(world, { app, dataset: good }), 0n);
    const done = await waitForTask(world.requester, okTask);
    expect(done.statusName).to.equal("COMPLETED");
    expect(done.resultDigest).to.equal(sha256("inside the archive\n"));

    // An archive with an entry escaping the folder: refused before the app runs.
    await zipWithEntryName("../evil.txt", path.join(servedDir, "slip.zip"));
    const slip = await deployDataset(
      world,
      "slip-zip",
      `${served.url}/slip.zip`,
      sha256(readFileSync(path.join(servedDir, "slip.zip"))),
    );
    const badTask = computeTaskId(await buyExecution(world, { app, dataset: slip }), 0n);
    await until(() => worker.store.get(badTask)?.state === "FAILED");
    const failed = worker.store.get(badTask)!;
    expect(failed.failure).to.equal("DATASET_BAD_ARCHIVE");
    expect(failed.detail).to.match(/escape/);
    expect((await world.requester.tasks.show(badTask)).contributors).to.deep.equal([]);
  });

  it("encrypts the result for the beneficiary: only the beneficiary's key opens it, strangers cannot download it", async function () {
    const beneficiary = new Wallet(accountKey(5));
    const keys = await generateResultKeyPair();
    await new SmsClient(world.chain.sms!).pushWeb2Secret(
      beneficiary,
      RESULT_ENCRYPTION_KEY_NAME,
      keys.publicKey,
    );
    const { app } = await deployApp(
      world,
      "secretive",
      "echo classified > /iexec_out/report.txt; echo ok > /iexec_out/determinism.iexec",
    );
    const dealid = await buyExecution(world, {
      app,
      beneficiary: beneficiary.address,
      params: JSON.stringify({ iexec_result_encryption: true }),
    });
    const taskid = computeTaskId(dealid, 0n);
    expect((await waitForTask(world.requester, taskid)).statusName).to.equal("COMPLETED");

    const store = new ResultsClient(world.chain.resultProxy!, world.chain.id!);
    const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-encrypted-"));
    const encryptedZip = path.join(dir, "encrypted.zip");
    await store.download(taskid, encryptedZip, { signer: beneficiary });
    const decrypted = path.join(dir, "result.zip");
    await decryptResult(encryptedZip, keys.privateKey, decrypted);
    await unzipTo(decrypted, path.join(dir, "result"));
    expect(readFileSync(path.join(dir, "result", "report.txt"), "utf8")).to.equal("classified\n");

    const other = await generateResultKeyPair();
    const wrongKey = await rejection(
      decryptResult(encryptedZip, other.privateKey, path.join(dir, "nope.zip")),
    );
    expect((wrongKey as { code?: string }).code).to.equal("RESULT_DECRYPTION_FAILED");
    const stranger = await rejection(
      store.download(taskid, path.join(dir, "stranger.zip"), { signer: new Wallet(accountKey(6)) }),
    );
    expect(stranger).to.be.instanceOf(ServiceError);
    expect((stranger as ServiceError).status).to.equal(403);
  });
});
