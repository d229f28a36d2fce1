import { expect } from "chai";
import { Wallet, concat, getBytes, keccak256, toUtf8Bytes, verifyMessage } from "ethers";
import {
  SecretExistsError,
  SmsClient,
  appSecretChallenge,
  recoverSmsSigner,
  requesterSecretChallenge,
  web2SecretChallenge,
  web3SecretChallenge,
} from "../../src/sdk/node/sms";
import { InvalidInputError, ServiceError, ServiceUnavailableError } from "../../src/sdk/core/errors";
import { closedPortUrl, sendJson, startStub } from "./stub-server";
import type { Recorded, Stub } from "./stub-server";
import { rejection } from "../rejection";

const DATASET = "0x5555555555555555555555555555555555555555";
const APP = "0x6666666666666666666666666666666666666666";

// Reference challenge built independently: the hash of the bytes of each part, concatenated.
const h = (text: string) => keccak256(toUtf8Bytes(text));
const reference = (...parts: string[]) => keccak256(concat(parts.map((p) => getBytes(p))));

/** An SMS stub that stores secrets in memory and answers like the official one (204, 404, 409). */
async function smsStub() {
  const stored = new Set<string>();
  const stub = await startStub((req: Recorded, res) => {
    const key = `${req.path}?${req.query.toString()}`;
    if (req.method === "HEAD") {
      res.writeHead(stored.has(key) ? 204 : 404);
      return res.end();
    }
    if (req.method === "POST" && stored.has(key))
      return sendJson(res, 409, { error: ["Secret already exists"] });
    stored.add(key);
    res.writeHead(204);
    res.end();
  });
  return { stub, stored };
}

describe("SDK SMS client", function () {
  let stub: Stub | undefined;

  afterEach(async function () {
    await stub?.close();
    stub = undefined;
  });

  it("challenges pack the address as 20 bytes between the hashes", function () {
    expect(web3SecretChallenge(DATASET, "key")).to.equal(reference(h("IEXEC_SMS_DOMAIN"), DATASET, h("key")));
    expect(web2SecretChallenge(APP, "name", "v")).to.equal(
      reference(h("IEXEC_SMS_DOMAIN"), APP, h("name"), h("v")),
    );
    expect(appSecretChallenge(APP, "v")).to.equal(reference(h("IEXEC_SMS_DOMAIN"), APP, h("1"), h("v")));
    expect(requesterSecretChallenge(APP, "n", "v")).to.equal(web2SecretChallenge(APP, "n", "v"));
    // The checksum case of the address does not change the challenge.
    expect(web3SecretChallenge(DATASET.toLowerCase(), "key")).to.equal(web3SecretChallenge(DATASET, "key"));
  });

  it("pushDatasetSecret posts the secret as text with a personal signature of the web3 challenge", async function () {
    const wallet = Wallet.createRandom();
    const s = await smsStub();
    stub = s.stub;
    const client = new SmsClient(stub.url);
    expect(await client.checkDatasetSecret(DATASET)).to.equal(false);
    await client.pushDatasetSecret(wallet, DATASET, "aes-key-base64");
    expect(await client.checkDatasetSecret(DATASET)).to.equal(true);
    const post = stub.requests.find((r) => r.method === "POST") as Recorded;
    expect(post.path).to.equal("/secrets/web3");
    expect(Object.fromEntries(post.query)).to.deep.equal({ secretAddress: DATASET });
    expect(post.body).to.equal("aes-key-base64");
    expect(post.headers["content-type"]).to.equal("text/plain");
    const challenge = web3SecretChallenge(DATASET, "aes-key-base64");
    expect(verifyMessage(getBytes(challenge), String(post.headers.authorization))).to.equal(wallet.address);
    expect(recoverSmsSigner(challenge, String(post.headers.authorization))).to.equal(wallet.address);
    expect(stub.requests.filter((r) => r.method === "HEAD").map((r) => r.path)).to.deep.equal([
      "/secrets/web3",
      "/secrets/web3",
    ]);
  });

  it("pushing an existing dataset secret says secrets are not updatable", async function () {
    const wallet = Wallet.createRandom();
    const s = await smsStub();
    stub = s.stub;
    const client = new SmsClient(stub.url);
    await client.pushDatasetSecret(wallet, DATASET, "k1");
    const error = await rejection(client.pushDatasetSecret(wallet, DATASET, "k2"));
    expect(error).to.be.instanceOf(SecretExistsError);
    expect(error.message).to.contain("not updatable");
  });

  it("a 401 names the wallet and the fix", async function () {
    const wallet = Wallet.createRandom();
    stub = await startStub((_req, res) => sendJson(res, 401, { error: ["Invalid authorization"] }));
    const error = await rejection(new SmsClient(stub.url).pushDatasetSecret(wallet, DATASET, "k"));
    expect(error).to.be.instanceOf(ServiceError);
    expect(error.message).to.contain(wallet.address).and.contain("owner");
  });

  it("pushWeb2Secret creates with POST, refuses to overwrite, and replaces with PUT on update", async function () {
    const wallet = Wallet.createRandom();
    const s = await smsStub();
    stub = s.stub;
    const client = new SmsClient(stub.url);
    expect(await client.pushWeb2Secret(wallet, "my-key", "v1")).to.deep.equal({
      isPushed: true,
      isUpdated: false,
    });
    expect(await rejection(client.pushWeb2Secret(wallet, "my-key", "v2"))).to.be.instanceOf(
      SecretExistsError,
    );
    expect(await client.pushWeb2Secret(wallet, "my-key", "v3", { update: true })).to.deep.equal({
      isPushed: true,
      isUpdated: true,
    });
    expect(await client.checkWeb2Secret(wallet.address, "my-key")).to.equal(true);
    expect(await client.checkWeb2Secret(wallet.address, "other")).to.equal(false);
    const writes = stub.requests.filter((r) => r.method !== "HEAD");
    expect(writes.map((r) => r.method)).to.deep.equal(["POST", "PUT"]);
    for (const [write, value] of [
      [writes[0], "v1"],
      [writes[1], "v3"],
    ] as const) {
      expect(write.path).to.equal("/secrets/web2");
      expect(Object.fromEntries(write.query)).to.deep.equal({
        ownerAddress: wallet.address,
        secretName: "my-key",
      });
      expect(write.body).to.equal(value);
      const challenge = web2SecretChallenge(wallet.address, "my-key", value);
      expect(recoverSmsSigner(challenge, String(write.headers.authorization))).to.equal(wallet.address);
    }
  });

  it("pushAppSecret and checkAppSecret use the official app paths", async function () {
    const wallet = Wallet.createRandom();
    stub = await startStub((req, res) => {
      res.writeHead(req.method === "HEAD" ? 404 : 204);
      res.end();
    });
    const client = new SmsClient(stub.url);
    await client.pushAppSecret(wallet, APP, "app-secret");
    expect(await client.checkAppSecret(APP)).to.equal(false);
    const [post, head] = stub.requests;
    expect([post.method, post.path]).to.deep.equal(["POST", `/apps/${APP}/secrets/1`]);
    expect(post.body).to.equal("app-secret");
    expect(
      recoverSmsSigner(appSecretChallenge(APP, "app-secret"), String(post.headers.authorization)),
    ).to.equal(wallet.address);
    expect([head.method, head.path]).to.deep.equal(["HEAD", `/apps/${APP}/secrets`]);
  });

  it("pushRequesterSecret and checkRequesterSecret use /requesters/{address}/secrets/{name}", async function () {
    const wallet = Wallet.createRandom();
    const s = await smsStub();
    stub = s.stub;
    const client = new SmsClient(stub.url);
    await client.pushRequesterSecret(wallet, "api_key-1", "token");
    expect(await client.checkRequesterSecret(wallet.address, "api_key-1")).to.equal(true);
    const post = stub.requests.find((r) => r.method === "POST") as Recorded;
    expect(post.path).to.equal(`/requesters/${wallet.address}/secrets/api_key-1`);
    const challenge = requesterSecretChallenge(wallet.address, "api_key-1", "token");
    expect(recoverSmsSigner(challenge, String(post.headers.authorization))).to.equal(wallet.address);
    expect(await rejection(client.pushRequesterSecret(wallet, "api_key-1", "again"))).to.be.instanceOf(
      SecretExistsError,
    );
    expect(await rejection(client.pushRequesterSecret(wallet, "bad name!", "x"))).to.be.instanceOf(
      InvalidInputError,
    );
  });

  it("refuses secrets larger than 4096 bytes and invalid addresses", async function () {
    const client = new SmsClient("http://127.0.0.1:1");
    const wallet = Wallet.createRandom();
    expect(await rejection(client.pushDatasetSecret(wallet, DATASET, "x".repeat(4097)))).to.be.instanceOf(
      InvalidInputError,
    );
    expect(await rejection(client.checkDatasetSecret("0x12"))).to.be.instanceOf(InvalidInputError);
  });

  it("an unreachable SMS gives ServiceUnavailableError naming its URL", async function () {
    const url = await closedPortUrl();
    const client = new SmsClient(url);
    for (const call of [
      () => client.checkDatasetSecret(DATASET),
      () => client.pushDatasetSecret(Wallet.createRandom(), DATASET, "k"),
      () => client.pushWeb2Secret(Wallet.createRandom(), "n", "v"),
    ]) {
      const error = await rejection(call());
      expect(error).to.be.instanceOf(ServiceUnavailableError);
      expect(error.message).to.contain(url).and.contain("SMS");
    }
  });
});
