/**
 * The seed's app-provider guide, command by command, with the real binary: init, wallet, app
 * init/checksum/deploy/show, orders for the app and an encrypted dataset, a workerpool, a deposit,
 * `order fill`, then `deal show` and `task show` as the task runs, completes, and as a deal expires.
 * Each step's --raw output is checked against the chain. (@cli: left out of the coverage run.)
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers, deployments } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { IHub, RLC } from "../../typechain-types";
import {
  LOCAL_CHAIN,
  TaskStatus,
  computeTaskId,
  decodeDatasetKey,
  decryptFile,
  hashOrder,
  hubDomain,
  parseOrder,
  signAuthorization,
} from "../../src/sdk";
import { CliHarness } from "./harness";
import type { Json } from "../json";

const PASSWORD = "correct horse battery staple";
const DIGEST = "f8a48dc5125fe762e3e35b9493291b8472a68782dd19d741a7e7aa062ef73dd6";

describe("@cli openpoco: the app provider's guide, step by step", function () {
  this.timeout(120_000);
  let cli: CliHarness;
  let hub: IHub;
  let rlc: RLC;
  let wallet: string;
  let keys: string[];
  let app: string;
  let dataset: string;
  let workerpool: string;
  let dealid: string;
  let taskid: string;

  const json = (file: string) => JSON.parse(readFileSync(path.join(cli.dir, file), "utf8"));
  const edit = (change: (iexec: Json) => void) => {
    const iexec = json("iexec.json");
    change(iexec);
    writeFileSync(path.join(cli.dir, "iexec.json"), JSON.stringify(iexec, null, 2));
  };

  before(async function () {
    cli = await CliHarness.start();
    hub = (await ethers.getContractAt("IHub", cli.hub)) as unknown as IHub;
    rlc = (await ethers.getContractAt("RLC", await hub.token())) as unknown as RLC;
    keys = ["--keystoredir", path.join(cli.dir, "keys"), "--password", PASSWORD];
  });
  after(async () => cli?.stop());

  it("deploys the hub where the built-in local chain expects it", async function () {
    expect((await deployments.get("Hub")).address).to.equal(LOCAL_CHAIN.hub);
  });

  it("init --skip-wallet writes iexec.json, chain.json and its companion, and no wallet", async function () {
    const out = await cli.raw(["init", "--skip-wallet", ...keys]);
    expect(out.files).to.deep.equal(["iexec.json", "chain.json", "chain.openpoco.json"]);
    expect(json("chain.json").default).to.equal("local");
    expect(json("iexec.json").buyConf.trust).to.equal("0");
    const error = await cli.rawError(["wallet", "show", ...keys]);
    expect(error.message).to.match(/No wallet found in .*keys: run `openpoco wallet create`/);
    cli.writeChainJson();
  });

  it("wallet import stores an encrypted keystore that unlocks to the same key", async function () {
    const [, , owner] = await ethers.getSigners();
    // Hardhat's default mnemonic: account #2's private key.
    const key = ethers.HDNodeWallet.fromPhrase(
      "test test test test test test test test test test test junk",
      undefined,
      "m/44'/60'/0'/0/2",
    ).privateKey;
    const out = await cli.raw(["wallet", "import", key, ...keys]);
    wallet = out.address;
    expect(wallet).to.equal(owner.address);
    const file = readFileSync(out.fileName, "utf8");
    expect(file).to.not.include(key.slice(2));
    expect((await ethers.Wallet.fromEncryptedJson(file, PASSWORD)).address).to.equal(wallet);
    // The deployer holds the RLC supply: fund the wallet like a faucet would.
    const [deployer] = await ethers.getSigners();
    await rlc.connect(deployer).transfer(wallet, 100n * 10n ** 9n);
    const shown = await cli.raw(["wallet", "show", ...keys]);
    expect(shown.balance.nRLC).to.equal((100n * 10n ** 9n).toString());
  });

  it("app init, app checksum and app deploy register the app with the image digest", async function () {
    const init = await cli.raw(["app", "init", ...keys]);
    expect(init.app.owner).to.equal(wallet);
    expect(init.app.type).to.equal("DOCKER");

    // A zero checksum is refused before any transaction.
    const refused = await cli.rawError(["app", "deploy", ...keys]);
    expect(refused.message).to.include('The app "checksum" is zero');

    // A fake Docker CLI stands for the local engine: it knows the image's repository digest.
    const bin = path.join(cli.dir, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "docker"), `#!/bin/sh\nprintf '["iexechub/nilearn@sha256:${DIGEST}"]'\n`);
    chmodSync(path.join(bin, "docker"), 0o755);
    const env = { DOCKER_BIN: path.join(bin, "docker") };
    const sum = await cli.raw(["app", "checksum", "iexechub/nilearn:1.0"], env);
    expect(sum.checksum).to.equal(`0x${DIGEST}`);

    edit((iexec) => {
      iexec.app.name = "Nilearn";
      iexec.app.multiaddr = "iexechub/nilearn:1.0";
    });
    const deployed = await cli.raw(["app", "deploy", "--from-image", ...keys], env);
    app = deployed.address;
    expect(json("iexec.json").app.checksum).to.equal(`0x${DIGEST}`);
    expect(json("deployed.json").app["31337"]).to.equal(app);
    const registry = await ethers.getContractAt("IRegistry", await hub.appregistry());
    expect(await registry.isRegistered(app)).to.equal(true);

    const again = await cli.rawError(["app", "deploy", ...keys]);
    expect(again.message).to.include(`already deployed at ${app}`);
  });

  it("app show and app count read the app back from the chain", async function () {
    const shown = await cli.raw(["app", "show", ...keys]);
    expect(shown.objAddress).to.equal(app);
    expect(shown.app).to.include({
      owner: wallet,
      name: "Nilearn",
      type: "DOCKER",
      multiaddr: "iexechub/nilearn:1.0",
    });
    expect(shown.app.checksum).to.equal(`0x${DIGEST}`);
    const byIndex = await cli.raw(["app", "show", "0", ...keys]);
    expect(byIndex.objAddress).to.equal(app);
    expect((await cli.raw(["app", "count", ...keys])).count).to.equal("1");
    const missing = await cli.rawError(["app", "show", "1", ...keys]);
    expect(missing.message).to.include("has 1 app(s), so there is no app #1");
  });

  it("order init and order sign --app sign the app order as the hub will check it", async function () {
    const init = await cli.raw(["order", "init", "--app", ...keys]);
    expect(init.apporder).to.include({ app, appprice: "0", volume: "1000000" });
    edit((iexec) => (iexec.order.apporder.appprice = "2"));
    const signed = await cli.raw(["order", "sign", "--app", ...keys]);
    const order = parseOrder("app", signed.apporder, "apporder");
    expect(order.appprice).to.equal(2n);
    const domain = hubDomain(31337n, cli.hub);
    const hash = hashOrder(domain, "app", order);
    expect(ethers.recoverAddress(hash, order.sign)).to.equal(wallet);
    expect(await hub.verifySignature(wallet, hash, order.sign)).to.equal(true);
    expect(json("orders.json")["31337"].apporder.sign).to.equal(order.sign);
  });

  it("market commands fail with the market's URL until the market runs", async function () {
    const unavailable = `The market API is unavailable at ${cli.deadUrl}: start it or set its URL in chain.json.`;
    expect((await cli.rawError(["order", "publish", "--app", ...keys])).message).to.equal(unavailable);
    expect((await cli.rawError(["order", "unpublish", "--app", ...keys])).message).to.equal(unavailable);
    expect((await cli.rawError(["orderbook", "app", app, ...keys])).message).to.equal(unavailable);
    expect((await cli.rawError(["app", "run", app, ...keys])).message).to.equal(unavailable);
  });

  it("dataset init --encrypted, encrypt and deploy register the encrypted dataset", async function () {
    const init = await cli.raw(["dataset", "init", "--encrypted", ...keys]);
    expect(init.dataset.owner).to.equal(wallet);
    const original = Buffer.from("faces at 12,40 and 200,31\n".repeat(1000));
    writeFileSync(path.join(cli.dir, "datasets/original/faces.csv"), original);
    const encrypted = await cli.raw(["dataset", "encrypt", ...keys]);
    expect(encrypted.encryptedFiles).to.have.length(1);
    const [file] = encrypted.encryptedFiles;
    expect(file.name).to.equal("faces.csv");
    expect(file.encryptedFile).to.equal(path.join(cli.dir, "datasets/encrypted/faces.csv.enc"));
    const bytes = readFileSync(file.encryptedFile);
    expect(file.checksum).to.equal(ethers.sha256(bytes));
    // The worker's decrypt helper gets the original back with the key the CLI saved.
    const key = decodeDatasetKey(readFileSync(path.join(cli.dir, ".secrets/datasets/faces.csv.key"), "utf8"));
    await decryptFile(file.encryptedFile, path.join(cli.dir, "decrypted.csv"), key);
    expect(readFileSync(path.join(cli.dir, "decrypted.csv")).equals(original)).to.equal(true);

    edit((iexec) => {
      iexec.dataset.name = "faces";
      iexec.dataset.multiaddr = "https://data.example.com/faces.csv.enc";
      iexec.dataset.checksum = file.checksum;
    });
    const deployed = await cli.raw(["dataset", "deploy", ...keys]);
    dataset = deployed.address;
    const smsDown = `The SMS is unavailable at ${cli.deadUrl}: start it or set its URL in chain.json.`;
    expect((await cli.rawError(["dataset", "push-secret", ...keys])).message).to.equal(smsDown);
    expect((await cli.rawError(["dataset", "check-secret", ...keys])).message).to.equal(smsDown);
    const shown = await cli.raw(["dataset", "show", ...keys]);
    expect(shown.dataset).to.include({ owner: wallet, name: "faces", checksum: file.checksum });
    expect((await cli.raw(["dataset", "count", ...keys])).count).to.equal("1");
  });

  it("order init and order sign --dataset --workerpool sign the remaining offers", async function () {
    const pool = await cli.raw(["workerpool", "init", ...keys]);
    expect(pool.workerpool.owner).to.equal(wallet);
    workerpool = (await cli.raw(["workerpool", "deploy", ...keys])).address;
    const shownPool = await cli.raw(["workerpool", "show", ...keys]);
    expect(shownPool.workerpool.workerStakeRatioPolicy).to.equal("30");

    const init = await cli.raw(["order", "init", "--dataset", "--workerpool", ...keys]);
    expect(init.datasetorder.dataset).to.equal(dataset);
    expect(init.workerpoolorder.workerpool).to.equal(workerpool);
    edit((iexec) => {
      iexec.order.datasetorder.datasetprice = "3";
      iexec.order.workerpoolorder.workerpoolprice = "10";
    });
    const signed = await cli.raw(["order", "sign", "--dataset", "--workerpool", ...keys]);
    expect(signed.datasetorder.datasetprice).to.equal("3");
    expect(signed.workerpoolorder.workerpoolprice).to.equal("10");
    const status = await cli.raw(["order", "show", "--workerpool", ...keys]);
    expect(status.workerpoolorder.remaining).to.equal("1");
  });

  it("order fill refuses, before any transaction, a deal the requester cannot pay", async function () {
    const nonce = await ethers.provider.getTransactionCount(wallet);
    const refused = await cli.rawError(["order", "fill", ...keys]);
    expect(refused.message).to.include("Not enough stake: the deal locks 0.000000015 RLC from the requester");
    expect(refused.message).to.include("`openpoco account deposit`");
    expect(await ethers.provider.getTransactionCount(wallet)).to.equal(nonce);
  });

  it("account deposit and account show move RLC into the escrow", async function () {
    const deposited = await cli.raw(["account", "deposit", "20", "RLC", ...keys]);
    expect(deposited.amount).to.equal("20000000000");
    const shown = await cli.raw(["account", "show", ...keys]);
    expect(shown.balance).to.deep.equal({ stake: "20000000000", locked: "0" });
    expect((await hub.viewAccount(wallet)).stake).to.equal(20n * 10n ** 9n);
  });

  it("order fill signs a request with the params and makes the deal", async function () {
    const filled = await cli.raw(["order", "fill", "--args", "--blur faces", ...keys]);
    dealid = filled.dealid;
    expect(filled.volume).to.equal("1");
    const deal = await hub.viewDeal(dealid);
    expect(deal.app.pointer).to.equal(app);
    expect(deal.dataset.pointer).to.equal(dataset);
    expect(deal.workerpool.pointer).to.equal(workerpool);
    expect(deal.requester).to.equal(wallet);
    expect(JSON.parse(deal.params)).to.deep.equal({ iexec_args: "--blur faces" });
    // 2 + 3 + 10 nRLC for the task, 3 nRLC (30% of 10) of scheduler stake.
    expect((await hub.viewAccount(wallet)).locked).to.equal(15n + 3n);
  });

  it("deal show lists the deal and its task", async function () {
    const shown = await cli.raw(["deal", "show", dealid, ...keys]);
    expect(shown.deal).to.include({ dealid, requester: wallet, botSize: "1", trust: "1" });
    expect(shown.deal.app).to.deep.equal({ pointer: app, owner: wallet, price: "2" });
    taskid = computeTaskId(dealid, 0n);
    expect(shown.tasks["0"]).to.include({ taskid, status: "UNSET", claimable: false });
    expect(shown.claimable).to.deep.equal([]);
  });

  it("task show follows the task as the workerpool runs it", async function () {
    const before = await cli.rawError(["task", "show", taskid, ...keys]);
    expect(before.message).to.include("is not initialized");

    await hub.initialize(dealid, 0);
    const active = await cli.raw(["task", "show", taskid, ...keys]);
    expect(active.task).to.include({ status: "ACTIVE", dealid, claimable: false });

    // The wallet owns the workerpool, so it authorizes a worker, which contributes and finalizes.
    const [deployer, , scheduler, worker] = await ethers.getSigners();
    // The worker stakes 30% of the workerpool price (3 nRLC).
    await rlc.connect(deployer).approve(cli.hub, 3n);
    await hub.connect(deployer).depositFor(3n, worker.address);
    const digest = ethers.keccak256(ethers.toUtf8Bytes("determinism"));
    // Finalized with a location in the result store (which does not run yet), as our workers do.
    const resultsText = JSON.stringify({
      storage: "openpoco",
      location: `${cli.deadUrl}/results/${taskid}?chainId=31337`,
    });
    const results = ethers.hexlify(ethers.toUtf8Bytes(resultsText));
    const authorization = await signAuthorization(scheduler, worker.address, taskid);
    await hub
      .connect(worker)
      .contributeAndFinalize(taskid, digest, results, "0x", ethers.ZeroAddress, "0x", authorization);
    const completed = await cli.raw(["task", "show", taskid, "--watch", "--interval-ms", "100", ...keys]);
    expect(completed.task).to.include({ status: "COMPLETED", resultDigest: digest, results });
    expect(completed.task.resultsText).to.equal(resultsText);
    expect(completed.task.contributors).to.deep.equal([worker.address]);
    expect(Number((await hub.viewTask(taskid)).status)).to.equal(TaskStatus.COMPLETED);

    // The result store does not exist yet: the download names it.
    const download = await cli.rawError(["task", "show", taskid, "--download", ...keys]);
    expect(download.message).to.equal(
      `The result store is unavailable at ${cli.deadUrl}: start it or set its URL in chain.json.`,
    );
  });

  it("result download names the result store while it does not run", async function () {
    const error = await cli.rawError(["result", "download", taskid, "--out", "result.zip", ...keys]);
    expect(error.message).to.equal(
      `The result store is unavailable at ${cli.deadUrl}: start it or set its URL in chain.json.`,
    );
    expect(readdirSync(cli.dir)).to.not.include("result.zip");
  });

  it("app run buys a run from orders given by hash, without the market", async function () {
    edit((iexec) => (iexec.order.workerpoolorder.volume = "1"));
    await cli.raw(["order", "sign", "--workerpool", ...keys]);
    const orders = json("orders.json")["31337"];
    const domain = hubDomain(31337n, cli.hub);
    const hash = (kind: "app" | "dataset" | "workerpool") =>
      hashOrder(domain, kind, parseOrder(kind, orders[`${kind}order`], kind));
    const run = await cli.raw([
      "app",
      "run",
      app,
      "--dataset",
      dataset,
      "--app-order",
      hash("app"),
      "--dataset-order",
      hash("dataset"),
      "--workerpool-order",
      hash("workerpool"),
      "--args",
      "--fast",
      "--input-files",
      "https://example.com/a.png,https://example.com/b.png",
      ...keys,
    ]);
    const deal = await hub.viewDeal(run.dealid);
    expect(deal.app.pointer).to.equal(app);
    expect(deal.dataset.pointer).to.equal(dataset);
    expect(JSON.parse(deal.params)).to.deep.equal({
      iexec_args: "--fast",
      iexec_input_files: ["https://example.com/a.png", "https://example.com/b.png"],
    });
  });

  it("category create, show and count, as the hub owner", async function () {
    const ownerKeys = ["--keystoredir", path.join(cli.dir, "owner-keys"), "--password", PASSWORD];
    const deployerKey = ethers.HDNodeWallet.fromPhrase(
      "test test test test test test test test test test test junk",
      undefined,
      "m/44'/60'/0'/0/0",
    ).privateKey;
    await cli.raw(["wallet", "import", deployerKey, ...ownerKeys]);
    const count = BigInt((await cli.raw(["category", "count"])).count);
    await cli.raw(["category", "init", ...ownerKeys]);
    edit((iexec) => (iexec.category = { name: "GPU", description: '{"gpu":true}', workClockTimeRef: "600" }));
    const notOwner = await cli.rawError(["category", "create", ...keys]);
    expect(notOwner.message).to.include(`${wallet} is not the owner allowed to do this`);
    const created = await cli.raw(["category", "create", ...ownerKeys]);
    expect(created.catid).to.equal(count.toString());
    const shown = await cli.raw(["category", "show", created.catid]);
    expect(shown.category).to.include({ name: "GPU", description: '{"gpu":true}', workClockTimeRef: "600" });
    expect((await cli.raw(["category", "count"])).count).to.equal((count + 1n).toString());
  });

  it("deal claim refunds a deal whose tasks missed their final deadline", async function () {
    const consumed = await cli.rawError(["order", "fill", ...keys]);
    expect(consumed.message).to.match(
      /The workerpool order 0x[0-9a-f]{64} is already fully consumed or cancelled/,
    );
    edit((iexec) => (iexec.order.workerpoolorder.volume = "2"));
    await cli.raw(["order", "sign", "--workerpool", ...keys]);
    const second = (await cli.raw(["order", "fill", ...keys])).dealid;
    const early = await cli.rawError(["deal", "claim", second, ...keys]);
    expect(early.message).to.match(/No task of deal 0x[0-9a-f]{64} can be claimed before/);

    const { stake, locked } = await hub.viewAccount(wallet);
    const shown = await cli.raw(["deal", "show", second, ...keys]);
    await time.increaseTo(BigInt(shown.deal.finalDeadline));
    const claimed = await cli.raw(["deal", "claim", second, ...keys]);
    expect(claimed.claimed).to.deep.equal([computeTaskId(second, 0n)]);
    expect(Number((await hub.viewTask(claimed.claimed[0])).status)).to.equal(TaskStatus.FAILED);
    // The requester gets its 15 nRLC back; its 3 nRLC of scheduler stake go to the kitty.
    const after = await hub.viewAccount(wallet);
    expect(after.locked).to.equal(locked - 18n);
    expect(after.stake).to.equal(stake + 15n);
    const done = await cli.rawError(["deal", "claim", second, ...keys]);
    expect(done.message).to.include("already completed or failed");
  });

  it("order cancel closes a signed order on chain", async function () {
    const before = await cli.raw(["order", "show", "--dataset", ...keys]);
    expect(BigInt(before.datasetorder.remaining)).to.be.greaterThan(0n);
    const cancelled = await cli.raw(["order", "cancel", "--dataset", ...keys]);
    expect(cancelled.datasetorder.orderHash).to.equal(before.datasetorder.orderHash);
    const after = await cli.raw(["order", "show", "--dataset", ...keys]);
    expect(after.datasetorder.remaining).to.equal("0");
    expect(await hub.viewConsumed(before.datasetorder.orderHash)).to.equal(1000000n);
  });
});
