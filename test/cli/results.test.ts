/**
 * The result commands of the real binary against a result store running in this process: the signed
 * download checked against the on-chain digest and unzipped (`result download`, `task show --download`),
 * a tampered result refused with nothing left, and the beneficiary's keys and `result decrypt`.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { HDNodeWallet } from "ethers";
import { ResultStoreApp } from "../../src/results/app";
import { ResultsClient, SILENT_LOGGER, saveWallet, sha256OfFile, signAuthorization } from "../../src/sdk";
import { encryptResult } from "../../src/sdk/node/result-encryption";
import { zipFolder } from "../../src/sdk/node/zip";
import { initTask, makeDeal, taskSetup, type TaskSetup } from "../tasks/fixtures";
import { CliHarness } from "./harness";

const PASSWORD = "results";
/** The requester of the task fixtures is Hardhat's account 1. */
const REQUESTER_KEY = HDNodeWallet.fromPhrase(
  "test test test test test test test test test test test junk",
  undefined,
  "m/44'/60'/0'/0/1",
).privateKey;

describe("CLI result commands @cli", function () {
  this.timeout(180_000);
  let cli: CliHarness;
  let setup: TaskSetup;
  let store: ResultStoreApp;
  let keys: string[];
  let zip: string;

  before(async function () {
    cli = await CliHarness.start();
    setup = await taskSetup();
    expect(setup.requester.address).to.equal(new ethers.Wallet(REQUESTER_KEY).address);
    store = await ResultStoreApp.start({
      chain: { name: "test", host: cli.rpcUrl, id: 31337n, hub: cli.hub },
      dataDir: path.join(cli.dir, "store"),
      port: 0,
      logger: SILENT_LOGGER,
    });
    cli.writeChainJson({ resultProxy: store.url });
    const walletFile = await saveWallet(
      new ethers.Wallet(REQUESTER_KEY),
      PASSWORD,
      path.join(cli.dir, "keys"),
    );
    keys = ["--wallet-file", walletFile, "--password", PASSWORD];
    const out = path.join(cli.dir, "app-out");
    mkdirSync(out);
    writeFileSync(path.join(out, "result.txt"), "the answer is 42\n");
    zip = path.join(cli.dir, "app-result.zip");
    await zipFolder(out, zip);
  });

  after(async function () {
    await store?.stop();
    await cli?.stop();
  });

  /** A completed trust-1 task whose stored zip is `uploadZip` and whose on-chain digest is `digest`. */
  async function completedTask(uploadZip: string, digest?: string): Promise<string> {
    const taskid = await initTask(setup, await makeDeal(setup));
    const [worker] = setup.workers;
    const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
    const { results } = await new ResultsClient(store.url, 31337n).upload(taskid, uploadZip, {
      signer: worker,
      authorization,
    });
    await (
      await setup.hub
        .connect(worker)
        .contributeAndFinalize(
          taskid,
          digest ?? (await sha256OfFile(uploadZip)),
          ethers.toUtf8Bytes(results),
          "0x",
          ethers.ZeroAddress,
          "0x",
          authorization,
        )
    ).wait();
    return taskid;
  }

  it("result download verifies the result against the chain and unzips it", async function () {
    const taskid = await completedTask(zip);
    const run = await cli.raw(["result", "download", taskid, "--out", "downloaded", ...keys]);
    expect(run).to.include({
      resultPath: path.join(cli.dir, "downloaded"),
      verified: true,
      encrypted: false,
    });
    expect(run.files).to.deep.equal(["result.txt"]);
    expect(readFileSync(path.join(cli.dir, "downloaded", "result.txt"), "utf8")).to.equal(
      "the answer is 42\n",
    );
  });

  it("task show --download does the same into the task's folder", async function () {
    const taskid = await completedTask(zip);
    const run = await cli.raw(["task", "show", taskid, "--download", ...keys]);
    expect(run.task.status).to.equal("COMPLETED");
    expect(run.resultPath).to.equal(path.join(cli.dir, taskid));
    expect(readdirSync(path.join(cli.dir, taskid))).to.deep.equal(["result.txt"]);
  });

  it("refuses a result whose digest is not the chain's, leaving nothing on disk", async function () {
    const taskid = await completedTask(zip, ethers.keccak256(ethers.toUtf8Bytes("another result")));
    const before = readdirSync(cli.dir).sort();
    const error = await cli.rawError(["result", "download", taskid, "--out", "tampered", ...keys]);
    expect(error.code).to.equal("RESULT_DIGEST_MISMATCH");
    expect(error.message).to.include("not the on-chain");
    expect(readdirSync(cli.dir).sort()).to.deep.equal(before);
  });

  it("refuses a wallet that is neither requester nor beneficiary", async function () {
    const taskid = await completedTask(zip);
    const stranger = await saveWallet(ethers.Wallet.createRandom(), PASSWORD, path.join(cli.dir, "stranger"));
    const error = await cli.rawError([
      "result",
      "download",
      taskid,
      "--wallet-file",
      stranger,
      "--password",
      PASSWORD,
    ]);
    expect(error.message).to.include("(HTTP 403)");
    expect(error.message).to.include("is neither the requester nor the beneficiary");
    expect(readdirSync(cli.dir)).to.not.include(taskid);
  });

  it("keeps an encrypted result as downloaded, and result decrypt opens it with the generated key", async function () {
    const generated = await cli.raw(["result", "generate-encryption-keypair", ...keys]);
    const address = setup.requester.address;
    expect(generated.privateKeyFile).to.equal(
      path.join(cli.dir, ".secrets", "beneficiary", `${address}_key`),
    );
    expect(statSync(generated.privateKeyFile).mode & 0o777).to.equal(0o600);
    const again = await cli.rawError(["result", "generate-encryption-keypair", ...keys]);
    expect(again.message).to.include("already exists");

    const encrypted = path.join(cli.dir, "encrypted-upload.zip");
    await encryptResult(zip, readFileSync(generated.publicKeyFile, "utf8"), encrypted);
    const taskid = await completedTask(encrypted);
    const run = await cli.raw(["result", "download", taskid, "--out", "enc", ...keys]);
    expect(run).to.include({ encrypted: true, verified: true });
    expect(run.resultPath).to.equal(path.join(cli.dir, "enc", "encrypted-result.zip"));

    const decrypted = await cli.raw(["result", "decrypt", run.resultPath, "--out", "plain.zip", ...keys]);
    expect(decrypted.keyFile).to.equal(generated.privateKeyFile);
    expect(readFileSync(path.join(cli.dir, "plain.zip"))).to.deep.equal(readFileSync(zip));
  });
});
