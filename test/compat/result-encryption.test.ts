/**
 * Result encryption between the official iExec clients (npm `iexec` 9.0.1: its SDK and its CLI) and our
 * stack, on the real path: keys pushed to our SMS, our scheduler and worker running the app in Docker and
 * encrypting its result, our result store serving it. Official keys and decryption open what our worker
 * encrypts; our keys and decryption work with the official push; a key the workers cannot use fails the
 * task before the app runs. A result our worker puts on IPFS (`iexec_result_storage_provider: "ipfs"`, the
 * official SDK's default) is what `IExec.task.fetchResults` and `iexec task show --download` get.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { Wallet } from "ethers";
import { ResultsClient, computeTaskId, decryptResult, unzipTo } from "../../src/sdk";
import type { WorkerApp } from "../../src/worker/agent";
import { rejection } from "../rejection";
import {
  accountKey,
  buyExecution,
  deployApp,
  runCli,
  stackWorld,
  startScheduler,
  startServices,
  startWorker,
  waitForTask,
  walletFileFor,
  writeChainJson,
  type StackWorld,
  type WorldServices,
} from "../stack/world";
import { iexecOptions, loadEsmEthers, loadIExec, type IExec, type IExecModule } from "./world";

const run = promisify(execFile);
const IEXEC_CLI = path.resolve(__dirname, "../../node_modules/iexec/dist/esm/cli/cmd/iexec.js");
const REPORT = "classified\n";
const ENCRYPT = { iexec_result_encryption: true };

/** A 2048-bit RSA pair in PEM, made outside both clients. */
const rsaPair = () =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });

/** Runs the official `iexec` CLI with `--raw` in `cwd`; returns its JSON answer. */
async function iexecCli(cwd: string, args: string[]): Promise<{ ok: boolean; [key: string]: unknown }> {
  const { stdout } = await run(process.execPath, [IEXEC_CLI, ...args, "--raw"], { cwd }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
  );
  return JSON.parse(stdout) as { ok: boolean };
}

describe("result encryption with the official iexec clients @compat @docker", function () {
  this.timeout(300_000);
  let world: StackWorld;
  let services: WorldServices;
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;
  let worker: WorkerApp;
  let iexecLib: IExecModule;
  let connectIExec: (key: string) => Promise<IExec>;
  let app: string;
  let dir: string;

  /** Buys a task of the app for `beneficiary` with `params`, waits for its end and returns its id. */
  async function runTask(beneficiary: string, params: object): Promise<string> {
    const dealid = await buyExecution(world, { app, beneficiary, params: JSON.stringify(params) });
    const taskid = computeTaskId(dealid, 0n);
    await waitForTask(world.requester, taskid);
    return taskid;
  }

  /** The encrypted result of a completed task, downloaded by its beneficiary. */
  async function download(taskid: string, beneficiary: Wallet): Promise<string> {
    expect((await world.requester.tasks.show(taskid)).statusName).to.equal("COMPLETED");
    const file = path.join(dir, `${taskid.slice(2, 10)}.zip`);
    await new ResultsClient(world.chain.resultProxy!, world.chain.id!).download(taskid, file, {
      signer: beneficiary,
    });
    return file;
  }

  /** The report.txt inside a plain result zip. */
  async function report(zip: Buffer | string): Promise<string> {
    const file = typeof zip === "string" ? zip : path.join(dir, "plain.zip");
    if (typeof zip !== "string") writeFileSync(file, zip);
    const out = mkdtempSync(path.join(dir, "out-"));
    await unzipTo(file, out);
    return readFileSync(path.join(out, "report.txt"), "utf8");
  }

  before(async function () {
    world = await stackWorld({ workers: 1 });
    services = await startServices(world);
    scheduler = await startScheduler(world);
    worker = await startWorker(world, 0, scheduler.url);
    ({ app } = await deployApp(
      world,
      "secretive",
      `printf '${REPORT.trim()}\\n' > /iexec_out/report.txt; echo ok > /iexec_out/determinism.iexec`,
    ));
    dir = mkdtempSync(path.join(world.dir, "encryption-"));
    iexecLib = await loadIExec();
    const esm = await loadEsmEthers();
    connectIExec = async (key) => {
      const provider = new esm.JsonRpcProvider(world.chain.host, undefined, { cacheTimeout: -1 });
      return new iexecLib.IExec({ ethProvider: new esm.Wallet(key, provider) }, iexecOptions(world.chain));
    };
  });

  after(async function () {
    await worker?.stop();
    await scheduler?.stop();
    await services?.stop();
    await world?.close();
  });

  it("official CLI keypair, official SDK push: our worker's result opens with `iexec result decrypt` and utils.decryptResult", async function () {
    const beneficiary = new Wallet(accountKey(5));
    const project = path.join(dir, "official");
    mkdirSync(project);
    const generated = await iexecCli(project, [
      "result",
      "generate-encryption-keypair",
      "--wallet-address",
      beneficiary.address,
    ]);
    expect(generated.ok, JSON.stringify(generated)).to.equal(true);
    const keyDir = path.join(project, ".secrets", "beneficiary");
    const privateKeyFile = String(generated.privateKeyFile);
    const publicKey = readFileSync(path.join(keyDir, String(generated.publicKeyFile)), "utf8");
    // What `iexec result push-encryption-key` sends: base64 of the .pub file's PEM.
    const iexec = await connectIExec(beneficiary.privateKey);
    await iexec.result.pushResultEncryptionKey(Buffer.from(publicKey).toString("base64"));
    expect(await iexec.result.checkResultEncryptionKeyExists(beneficiary.address)).to.equal(true);

    const encrypted = await download(await runTask(beneficiary.address, ENCRYPT), beneficiary);
    const privateKey = readFileSync(path.join(keyDir, privateKeyFile), "utf8");
    const opened = await iexecLib.utils.decryptResult(readFileSync(encrypted), privateKey);
    expect(await report(Buffer.from(opened))).to.equal(REPORT);

    const decrypted = await iexecCli(project, [
      "result",
      "decrypt",
      encrypted,
      "--beneficiary-key-file",
      privateKeyFile,
      "--force",
    ]);
    expect(decrypted.ok, JSON.stringify(decrypted)).to.equal(true);
    expect(await report(path.join(project, "results.zip"))).to.equal(REPORT);

    // Our decryption opens it too, and a wrong key gets the same clear refusals as before.
    const ours = path.join(dir, "official-ours.zip");
    await decryptResult(encrypted, privateKey, ours);
    expect(await report(ours)).to.equal(REPORT);
    const stranger = rsaPair();
    const wrong = await rejection(decryptResult(encrypted, stranger.privateKey, path.join(dir, "no.zip")));
    expect((wrong as { code?: string }).code).to.equal("RESULT_DECRYPTION_FAILED");
    expect(wrong.message).to.include("This private key does not open");
    expect(existsSync(path.join(dir, "no.zip"))).to.equal(false);
    const officialWrong = await rejection(
      iexecLib.utils.decryptResult(readFileSync(encrypted), stranger.privateKey),
    );
    expect(officialWrong.message).to.equal("Failed to decrypt results key with beneficiary key");
  });

  it("official SDK WebCrypto keys (its documented browser route): pushed as a CryptoKey, opened with the CryptoKey", async function () {
    const beneficiary = new Wallet(accountKey(6));
    const { publicKey, privateKey } = await globalThis.crypto.subtle.generateKey(
      { name: "RSA-OAEP", modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["encrypt", "decrypt"],
    );
    const iexec = await connectIExec(beneficiary.privateKey);
    await iexec.result.pushResultEncryptionKey(publicKey);
    const encrypted = await download(await runTask(beneficiary.address, ENCRYPT), beneficiary);
    const opened = await iexecLib.utils.decryptResult(readFileSync(encrypted), privateKey);
    expect(await report(Buffer.from(opened))).to.equal(REPORT);
  });

  it("our keypair (`openpoco result generate-encryption-keypair`), official push: `openpoco result decrypt` opens it", async function () {
    const key = accountKey(7);
    const beneficiary = new Wallet(key);
    const project = path.join(dir, "ours");
    mkdirSync(project);
    writeChainJson(project, world.chain);
    const generated = await runCli(world, project, ["result", "generate-encryption-keypair"], key);
    expect(generated.ok, JSON.stringify(generated)).to.equal(true);
    const iexec = await connectIExec(key);
    await iexec.result.pushResultEncryptionKey(readFileSync(generated.publicKeyFile, "utf8"));
    const checked = await runCli(world, project, ["result", "check-encryption-key"], key);
    expect(checked.isEncryptionKeySet, JSON.stringify(checked)).to.equal(true);

    const encrypted = await download(await runTask(beneficiary.address, ENCRYPT), beneficiary);
    const out = path.join(project, "results.zip");
    const decrypted = await runCli(world, project, ["result", "decrypt", encrypted, "--out", out], key);
    expect(decrypted.ok, JSON.stringify(decrypted)).to.equal(true);
    expect(await report(out)).to.equal(REPORT);
    // The official decryption opens it as well: the format is iExec's.
    const opened = await iexecLib.utils.decryptResult(
      readFileSync(encrypted),
      readFileSync(generated.privateKeyFile, "utf8"),
    );
    expect(await report(Buffer.from(opened))).to.equal(REPORT);
  });

  it("our push is what the official clients push, and OAEP on request opens only with openpoco", async function () {
    const key = accountKey(7);
    const beneficiary = new Wallet(key);
    const project = path.join(dir, "ours");
    const pushed = await runCli(world, project, ["result", "push-encryption-key", "--force-update"], key);
    expect(pushed.ok, JSON.stringify(pushed)).to.equal(true);
    expect(pushed.isUpdated).to.equal(true);
    const iexec = await connectIExec(key);
    expect(await iexec.result.checkResultEncryptionKeyExists(beneficiary.address)).to.equal(true);

    const taskid = await runTask(beneficiary.address, {
      ...ENCRYPT,
      iexec_result_encryption_padding: "oaep",
    });
    const encrypted = await download(taskid, beneficiary);
    const privateKey = readFileSync(
      path.join(project, ".secrets", "beneficiary", `${beneficiary.address}_key`),
      "utf8",
    );
    const official = await rejection(iexecLib.utils.decryptResult(readFileSync(encrypted), privateKey));
    expect(official.message).to.equal("Failed to decrypt results key with beneficiary key");
    const out = path.join(dir, "oaep.zip");
    await decryptResult(encrypted, privateKey, out);
    expect(await report(out)).to.equal(REPORT);
  });

  it("a result our worker put on IPFS: IExec.task.fetchResults and `iexec task show --download` get it", async function () {
    const requester = accountKey(4);
    const taskid = await runTask(new Wallet(requester).address, { iexec_result_storage_provider: "ipfs" });
    const task = await world.requester.tasks.show(taskid);
    expect(task.statusName).to.equal("COMPLETED");
    const results = JSON.parse(task.resultsText!) as { storage: string; location: string };
    expect(results.storage).to.equal("ipfs");
    const stored = Buffer.from(
      await (await fetch(`${world.chain.ipfsGateway}${results.location}`)).arrayBuffer(),
    );

    // The official SDK, through its ipfsGatewayURL (our node).
    const fetched = await (await connectIExec(requester)).task.fetchResults(taskid);
    const official = Buffer.from(await fetched.arrayBuffer());
    expect(official.equals(stored), "fetchResults gives the bytes on IPFS").to.equal(true);
    expect(await report(official)).to.equal(REPORT);

    // The official CLI, with its own chain.json (it refuses our extra keys) and a keystore.
    const project = path.join(dir, "official-ipfs");
    mkdirSync(project);
    const { chain } = world;
    writeFileSync(
      path.join(project, "chain.json"),
      JSON.stringify({
        default: "local",
        chains: {
          local: {
            id: String(chain.id),
            host: chain.host,
            hub: chain.hub,
            sms: chain.sms,
            iexecGateway: chain.iexecGateway,
            ipfsGateway: chain.ipfsGateway,
          },
        },
      }),
    );
    const walletFile = await walletFileFor(world, requester);
    const shown = await iexecCli(project, [
      "task",
      "show",
      taskid,
      "--download",
      "ipfs-result",
      "--keystoredir",
      path.dirname(walletFile),
      "--wallet-file",
      path.basename(walletFile),
      "--password",
      "e2e",
    ]);
    expect(shown.ok, JSON.stringify(shown)).to.equal(true);
    expect(shown.resultPath).to.equal(path.join(project, "ipfs-result.zip"));
    expect(readFileSync(path.join(project, "ipfs-result.zip")).equals(stored)).to.equal(true);

    // Ours gets it too, checked against the on-chain digest.
    const ours = path.join(dir, "ours-ipfs");
    mkdirSync(ours);
    writeChainJson(ours, world.chain);
    const downloaded = await runCli(world, ours, ["result", "download", taskid, "--out", "out"], requester);
    expect(downloaded).to.include({ ok: true, storage: "ipfs", verified: true });
    expect(readFileSync(path.join(ours, "out", "report.txt"), "utf8")).to.equal(REPORT);
  });

  it("fails the task before the app runs when the beneficiary's key cannot encrypt", async function () {
    const beneficiary = new Wallet(accountKey(8));
    const iexec = await connectIExec(beneficiary.privateKey);
    // Our CLI refuses to push such a key at all (here a private key), and pushes nothing.
    const project = path.join(dir, "refused");
    mkdirSync(project);
    writeChainJson(project, world.chain);
    const privateFile = path.join(project, "private.pem");
    writeFileSync(privateFile, rsaPair().privateKey);
    const refused = await runCli(
      world,
      project,
      ["result", "push-encryption-key", "--secret-path", privateFile],
      beneficiary.privateKey,
    );
    expect(refused.ok).to.equal(false);
    expect(JSON.stringify(refused)).to.include("is a private key");
    expect(await iexec.result.checkResultEncryptionKeyExists(beneficiary.address)).to.equal(false);
    // The official SDK stores any string that is not a PEM as is ("assumed base64").
    await iexec.result.pushResultEncryptionKey("bm90IGEga2V5");
    const dealid = await buyExecution(world, {
      app,
      beneficiary: beneficiary.address,
      params: JSON.stringify(ENCRYPT),
    });
    const taskid = computeTaskId(dealid, 0n);
    await waitForTask(world.requester, taskid, 60_000, () => worker.store.get(taskid)?.state === "FAILED");
    const failed = worker.store.get(taskid)!;
    expect(failed.state).to.equal("FAILED");
    expect(failed.failure).to.equal("RESULT_ENCRYPTION_KEY_UNUSABLE");
    expect(failed.detail).to.include("neither a PEM public key nor base64 of one");
    // The app never started (no run counted) and nothing was contributed.
    expect(failed.runs).to.equal(0);
    expect((await world.requester.tasks.show(taskid)).contributors).to.deep.equal([]);
  });
});
