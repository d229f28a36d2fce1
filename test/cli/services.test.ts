/**
 * The commands that talk to the market and the SMS, run by the real binary against stubs that speak
 * the official APIs (challenge authentication, published-order answers, secret pushes): publish,
 * orderbook, show by hash, `app run` picking orders from the market, unpublish, push/check-secret.
 * (@cli)
 */
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { IHub, RLC } from "../../typechain-types";
import {
  challengeText,
  challengeTypedData,
  hashChallenge,
  hashOrder,
  hubDomain,
  parseMarketAuthorization,
  parseOrder,
  recoverChallengeSigner,
  recoverSmsSigner,
  web3SecretChallenge,
  type OrderKind,
} from "../../src/sdk";
import { sendJson, startStub, type Stub } from "../sdk/stub-server";
import { CliHarness } from "./harness";

const CHAIN_ID = 31337n;
const ENDPOINT_KIND: Record<string, OrderKind> = {
  "/apporders": "app",
  "/datasetorders": "dataset",
  "/workerpoolorders": "workerpool",
  "/requestorders": "request",
};

interface Published {
  kind: OrderKind;
  orderHash: string;
  order: Record<string, string>;
  signer: string;
}

/** An in-memory market: one-use challenges, signature checks, filters on the asset fields. */
async function marketStub(hub: string) {
  const challenges = new Map<string, string>();
  const orders: Published[] = [];
  let counter = 0;
  const stub = await startStub((req, res) => {
    if (req.path === "/challenge") {
      const text = challengeText(`c${++counter}`);
      challenges.set(hashChallenge(CHAIN_ID, text), text);
      return sendJson(res, 200, { ok: true, data: challengeTypedData(CHAIN_ID, text) });
    }
    const [, endpoint, hash] = /^(\/\w+orders)(?:\/(0x[0-9a-f]{64}))?$/.exec(req.path) ?? [];
    const kind = ENDPOINT_KIND[endpoint];
    if (!kind) return sendJson(res, 404, { ok: false, error: "not found" });
    let caller = "";
    if (req.method !== "GET") {
      const {
        hash: challengeHash,
        signature,
        address,
      } = parseMarketAuthorization(String(req.headers.authorization));
      const text = challenges.get(challengeHash);
      challenges.delete(challengeHash);
      if (!text || recoverChallengeSigner(CHAIN_ID, text, signature) !== address)
        return sendJson(res, 401, { ok: false, error: "Authorization check failed" });
      caller = address;
    }
    const answer = (entry: Published) => ({
      orderHash: entry.orderHash,
      chainId: Number(CHAIN_ID),
      order: entry.order,
      remaining: Number(entry.order.volume),
      status: "open",
      signer: entry.signer,
      publicationTimestamp: "2026-11-21T00:00:00.000Z",
    });
    if (req.method === "POST") {
      const { order } = JSON.parse(req.body);
      const orderHash = hashOrder(hubDomain(CHAIN_ID, hub), kind, parseOrder(kind, order, "order"));
      const signer = ethers.recoverAddress(orderHash, order.sign);
      orders.push({ kind, orderHash, order, signer });
      return sendJson(res, 200, { ok: true, published: answer(orders[orders.length - 1]) });
    }
    if (req.method === "PUT") {
      const { target, orderHash } = JSON.parse(req.body);
      const index = orders.findIndex((o) => o.orderHash === orderHash && o.signer === caller);
      if (target !== "unpublish_orderHash" || index < 0)
        return sendJson(res, 404, { ok: false, error: "order not found" });
      orders.splice(index, 1);
      return sendJson(res, 200, { ok: true, unpublished: [orderHash] });
    }
    if (hash) {
      const found = orders.find((o) => o.kind === kind && o.orderHash === hash);
      return found
        ? sendJson(res, 200, { ok: true, ...answer(found) })
        : sendJson(res, 404, { ok: false, error: "not found" });
    }
    const matching = orders.filter(
      (o) =>
        o.kind === kind &&
        ["app", "dataset", "workerpool"].every(
          (f) => !req.query.get(f) || kind !== f || o.order[f] === req.query.get(f),
        ),
    );
    return sendJson(res, 200, { ok: true, orders: matching.map(answer), count: matching.length });
  });
  return { stub, orders };
}

/** An in-memory SMS: dataset secrets, pushed once by a signature of the dataset owner. */
async function smsStub(owner: string) {
  const secrets = new Map<string, string>();
  const stub = await startStub((req, res) => {
    const dataset = ethers.getAddress(req.query.get("secretAddress") ?? ethers.ZeroAddress);
    if (req.path !== "/secrets/web3") return sendJson(res, 404, { ok: false });
    if (req.method === "HEAD") {
      res.writeHead(secrets.has(dataset) ? 204 : 404);
      return res.end();
    }
    const signer = recoverSmsSigner(
      web3SecretChallenge(dataset, req.body),
      String(req.headers.authorization),
    );
    if (signer !== owner) return sendJson(res, 401, { ok: false, error: "not the owner" });
    if (secrets.has(dataset)) return sendJson(res, 409, { ok: false, error: "exists" });
    secrets.set(dataset, req.body);
    res.writeHead(204);
    res.end();
  });
  return { stub, secrets };
}

describe("@cli openpoco: market and SMS commands against services that answer", function () {
  this.timeout(120_000);
  let cli: CliHarness;
  let hub: IHub;
  let market: Awaited<ReturnType<typeof marketStub>>;
  let sms: Awaited<ReturnType<typeof smsStub>>;
  let wallet: string;
  let app: string;
  let dataset: string;
  const stubs: Stub[] = [];
  const keys = () => ["--keystoredir", path.join(cli.dir, "keys"), "--password", "pw"];
  const iexec = () => JSON.parse(readFileSync(path.join(cli.dir, "iexec.json"), "utf8"));
  const saveIexec = (value: unknown) =>
    writeFileSync(path.join(cli.dir, "iexec.json"), JSON.stringify(value));

  before(async function () {
    cli = await CliHarness.start();
    hub = (await ethers.getContractAt("IHub", cli.hub)) as unknown as IHub;
    const [deployer, , , , owner] = await ethers.getSigners();
    wallet = owner.address;
    market = await marketStub(cli.hub);
    sms = await smsStub(wallet);
    stubs.push(market.stub, sms.stub);
    await cli.raw(["init", "--skip-wallet"]);
    cli.writeChainJson({ iexecGateway: market.stub.url, sms: sms.stub.url });
    const key = ethers.HDNodeWallet.fromPhrase(
      "test test test test test test test test test test test junk",
      undefined,
      "m/44'/60'/0'/0/4",
    ).privateKey;
    await cli.raw(["wallet", "import", key, ...keys()]);
    const rlc = (await ethers.getContractAt("RLC", await hub.token())) as unknown as RLC;
    await rlc.connect(deployer).transfer(wallet, 10n ** 10n);
    await cli.raw(["account", "deposit", "10", "RLC", ...keys()]);

    // An app, an encrypted dataset and a workerpool, with their orders signed.
    await cli.raw(["app", "init", ...keys()]);
    await cli.raw(["dataset", "init", "--encrypted", ...keys()]);
    await cli.raw(["workerpool", "init", ...keys()]);
    mkdirSync(path.join(cli.dir, "datasets/original"), { recursive: true });
    writeFileSync(path.join(cli.dir, "datasets/original/model.bin"), "weights");
    const [encrypted] = (await cli.raw(["dataset", "encrypt", ...keys()])).encryptedFiles;
    const project = iexec();
    project.app.checksum = "0x" + "ab".repeat(32);
    project.dataset.checksum = encrypted.checksum;
    saveIexec(project);
    app = (await cli.raw(["app", "deploy", ...keys()])).address;
    dataset = (await cli.raw(["dataset", "deploy", ...keys()])).address;
    await cli.raw(["workerpool", "deploy", ...keys()]);
    await cli.raw(["order", "init", "--app", "--dataset", "--workerpool", ...keys()]);
    // Three runs: the default storage, IPFS in the clear (warned), IPFS encrypted.
    const withOrders = iexec();
    withOrders.order.workerpoolorder.volume = "3";
    saveIexec(withOrders);
    await cli.raw(["order", "sign", "--app", "--dataset", "--workerpool", ...keys()]);
  });
  after(async () => {
    for (const stub of stubs) await stub.close();
    await cli?.stop();
  });

  it("order publish posts each signed order with a one-use challenge signature", async function () {
    const published = await cli.raw(["order", "publish", "--app", "--dataset", "--workerpool", ...keys()]);
    expect(market.orders.map((o) => o.kind)).to.deep.equal(["app", "dataset", "workerpool"]);
    for (const entry of market.orders) {
      expect(entry.signer).to.equal(wallet);
      expect(published[`${entry.kind}order`].orderHash).to.equal(entry.orderHash);
    }
    const challenges = market.stub.requests.filter((r) => r.path === "/challenge");
    expect(challenges).to.have.length(3);
    expect(challenges[0].query.get("chainId")).to.equal("31337");
    expect(challenges[0].query.get("address")).to.equal(wallet);
  });

  it("orderbook and order show read the market", async function () {
    const book = await cli.raw(["orderbook", "app", app]);
    expect(book.count).to.equal(1);
    expect(book.orders[0].order.app).to.equal(app);
    const request = market.stub.requests[market.stub.requests.length - 1];
    expect(request.path).to.equal("/apporders");
    expect(request.query.get("app")).to.equal(app);
    expect(request.query.get("chainId")).to.equal("31337");
    const hash = market.orders[1].orderHash;
    const shown = await cli.raw(["order", "show", "--dataset", hash]);
    expect(shown.datasetorder.orderHash).to.equal(hash);
    expect(shown.datasetorder.order.dataset).to.equal(dataset);
  });

  it("app run picks the market's orders, signs a request and makes the deal", async function () {
    const run = await cli.raw(["app", "run", app, "--dataset", dataset, "--args", "predict", ...keys()]);
    const deal = await hub.viewDeal(run.dealid);
    expect(deal.app.pointer).to.equal(app);
    expect(deal.dataset.pointer).to.equal(dataset);
    expect(deal.requester).to.equal(wallet);
    expect(JSON.parse(deal.params)).to.deep.equal({ iexec_args: "predict" });
    const asked = market.stub.requests.filter((r) => r.method === "GET").map((r) => r.path);
    expect(asked).to.include.members(["/apporders", "/datasetorders", "/workerpoolorders"]);
  });

  it("app run --storage ipfs asks for IPFS and warns that the unencrypted result will be public", async function () {
    const run = await cli.raw(["app", "run", app, "--dataset", dataset, "--storage", "ipfs", ...keys()]);
    const deal = await hub.viewDeal(run.dealid);
    expect(JSON.parse(deal.params)).to.deep.equal({ iexec_result_storage_provider: "ipfs" });
    expect(run.publicResult).to.equal(true);
    expect(run.warning).to.include("PUBLIC").and.include("--encrypt-result");
    const human = await cli.run([
      "app",
      "run",
      app,
      "--dataset",
      dataset,
      "--storage",
      "ipfs",
      "--encrypt-result",
      ...keys(),
    ]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stderr, "no warning for an encrypted result").to.not.include("PUBLIC");
    const dealid = /deal (0x[0-9a-f]{64})/.exec(human.stdout)![1];
    expect(JSON.parse((await hub.viewDeal(dealid)).params)).to.deep.equal({
      iexec_result_encryption: true,
      iexec_result_storage_provider: "ipfs",
    });
  });

  it("app run refuses an unknown --storage before looking for orders", async function () {
    const before = market.stub.requests.length;
    const error = await cli.rawError(["app", "run", app, "--storage", "dropbox", ...keys()]);
    expect(error.message).to.include("--storage must be one of openpoco, ipfs");
    expect(market.stub.requests.length, "the market was not asked").to.equal(before);
  });

  it("order unpublish removes the order from the market", async function () {
    const hash = market.orders[0].orderHash;
    const out = await cli.raw(["order", "unpublish", "--app", ...keys()]);
    expect(out.apporder.orderHashes).to.deep.equal([hash]);
    expect(market.orders.map((o) => o.kind)).to.deep.equal(["dataset", "workerpool"]);
    const book = await cli.raw(["orderbook", "app", app]);
    expect(book.count).to.equal(0);
  });

  it("dataset push-secret gives the key to the SMS once; check-secret sees it", async function () {
    expect((await cli.raw(["dataset", "check-secret"])).isSecretSet).to.equal(false);
    await cli.raw(["dataset", "push-secret", ...keys()]);
    const key = readFileSync(path.join(cli.dir, ".secrets/datasets/model.bin.key"), "utf8").trim();
    expect(sms.secrets.get(dataset)).to.equal(key);
    expect((await cli.raw(["dataset", "check-secret"])).isSecretSet).to.equal(true);
    const again = await cli.rawError(["dataset", "push-secret", ...keys()]);
    expect(again.message).to.include("already exists and dataset secrets are not updatable");
  });
});
