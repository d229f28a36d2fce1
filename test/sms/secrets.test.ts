/**
 * The SMS's push and check paths, driven by the SDK's official client (`SmsClient`) and by raw requests
 * for what the client never sends: owners only (read on chain), set-once dataset keys, web2 updates,
 * app secrets, values encrypted at rest, and a restart on the same folder keeping everything.
 */
import { readFileSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import type { Signer } from "ethers";
import {
  SecretExistsError,
  ServiceError,
  SmsClient,
  encodeDatasetKey,
  generateDatasetKey,
  signSmsChallenge,
  web2SecretChallenge,
  web3SecretChallenge,
} from "../../src/sdk";
import type { SmsApp } from "../../src/sms/app";
import { rejectionOf } from "../rejection";
import { smsWorld, type SmsWorld } from "./world";

/** A raw request to the SMS: status and parsed body (if any). */
async function raw(
  url: string,
  method: string,
  options: { text?: string; authorization?: string } = {},
): Promise<{ status: number; body: { ok?: boolean; error?: string } }> {
  const headers: Record<string, string> = {};
  if (options.text !== undefined) headers["Content-Type"] = "text/plain";
  if (options.authorization) headers.Authorization = options.authorization;
  const response = await fetch(url, { method, headers, body: options.text });
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : JSON.parse(text) };
}

async function web3Authorization(signer: Signer, dataset: string, value: string) {
  return signSmsChallenge(signer, web3SecretChallenge(dataset, value));
}

describe("SMS secrets @sms", function () {
  this.timeout(120_000);
  let world: SmsWorld;
  let sms: SmsApp;
  let client: SmsClient;

  before(async function () {
    world = await smsWorld();
    sms = await world.startSms();
    client = new SmsClient(sms.url);
  });
  after(async function () {
    await sms?.stop();
    await world?.close();
  });

  it("the dataset owner pushes its key once; the check sees it; a second push is 409", async function () {
    const dataset = await world.deployDataset("owned");
    const key = encodeDatasetKey(generateDatasetKey());
    expect(await client.checkDatasetSecret(dataset)).to.equal(false);
    await client.pushDatasetSecret(world.wallets.datasetOwner, dataset, key);
    expect(await client.checkDatasetSecret(dataset)).to.equal(true);
    const again = await rejectionOf(
      client.pushDatasetSecret(world.wallets.datasetOwner, dataset, encodeDatasetKey(generateDatasetKey())),
      SecretExistsError,
    );
    expect(again.message).to.contain("not updatable");
    const url = `${sms.url}/secrets/web3?secretAddress=${dataset}`;
    const other = encodeDatasetKey(generateDatasetKey());
    const conflict = await raw(url, "POST", {
      text: other,
      authorization: await web3Authorization(world.wallets.datasetOwner, dataset, other),
    });
    expect(conflict.status).to.equal(409);
    expect(conflict.body).to.deep.include({ ok: false });
    expect(conflict.body.error).to.contain("already set");
  });

  it("refuses a dataset key from anyone but the owner, signed over another value, or not a key", async function () {
    const dataset = await world.deployDataset("guarded");
    const key = encodeDatasetKey(generateDatasetKey());
    const error = await rejectionOf(
      client.pushDatasetSecret(world.wallets.stranger, dataset, key),
      ServiceError,
    );
    expect(error.status).to.equal(401);
    const url = `${sms.url}/secrets/web3?secretAddress=${dataset}`;
    // The owner's signature, but of another value than the body.
    const other = encodeDatasetKey(generateDatasetKey());
    const swapped = await raw(url, "POST", {
      text: key,
      authorization: await web3Authorization(world.wallets.datasetOwner, dataset, other),
    });
    expect(swapped.status).to.equal(401);
    expect(swapped.body.error).to.contain("not the owner");
    const missing = await raw(url, "POST", { text: key });
    expect(missing.status).to.equal(401);
    expect(missing.body.error).to.contain("No Authorization header");
    const garbage = await raw(url, "POST", { text: key, authorization: "0x1234" });
    expect(garbage.status).to.equal(401);
    const notAKey = "not-base64!";
    const bad = await raw(url, "POST", {
      text: notAKey,
      authorization: await web3Authorization(world.wallets.datasetOwner, dataset, notAKey),
    });
    expect(bad.status).to.equal(400);
    expect(bad.body.error).to.contain("dataset key");
    expect(await client.checkDatasetSecret(dataset)).to.equal(false);
    // An address that is no dataset: 404 naming it.
    const nowhere = Wallet.createRandom().address;
    const unknown = await raw(`${sms.url}/secrets/web3?secretAddress=${nowhere}`, "POST", {
      text: key,
      authorization: await web3Authorization(world.wallets.datasetOwner, nowhere, key),
    });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error).to.contain(nowhere);
    const invalid = await raw(`${sms.url}/secrets/web3?secretAddress=0x12`, "HEAD");
    expect(invalid.status).to.equal(400);
  });

  it("web2 secrets: POST creates, a second POST is 409, PUT replaces, PUT of a missing one is 404", async function () {
    const requester = world.wallets.requester;
    expect(await client.pushWeb2Secret(requester, "my-token", "v1")).to.deep.equal({
      isPushed: true,
      isUpdated: false,
    });
    expect(await client.checkWeb2Secret(requester.address, "my-token")).to.equal(true);
    expect(await client.checkWeb2Secret(requester.address, "other")).to.equal(false);
    expect(await client.checkWeb2Secret(world.wallets.stranger.address, "my-token")).to.equal(false);
    await rejectionOf(client.pushWeb2Secret(requester, "my-token", "v2"), SecretExistsError);
    expect(await client.pushWeb2Secret(requester, "my-token", "v3", { update: true })).to.deep.equal({
      isPushed: true,
      isUpdated: true,
    });
    const url = (name: string) =>
      `${sms.url}/secrets/web2?ownerAddress=${requester.address}&secretName=${name}`;
    const sign = (name: string, value: string) =>
      signSmsChallenge(requester, web2SecretChallenge(requester.address, name, value));
    const duplicate = await raw(url("my-token"), "POST", {
      text: "v4",
      authorization: await sign("my-token", "v4"),
    });
    expect(duplicate.status).to.equal(409);
    const absent = await raw(url("nothing"), "PUT", { text: "v", authorization: await sign("nothing", "v") });
    expect(absent.status).to.equal(404);
    expect(absent.body.error).to.contain("POST");
    // Someone else cannot write the requester's secret, even with a valid signature of their own.
    const stolen = await raw(url("my-token"), "PUT", {
      text: "evil",
      authorization: await signSmsChallenge(
        world.wallets.stranger,
        web2SecretChallenge(requester.address, "my-token", "evil"),
      ),
    });
    expect(stolen.status).to.equal(401);
    expect(stolen.body.error).to.contain(world.wallets.stranger.address);
    const tooLarge = "x".repeat(4097);
    const large = await raw(url("big"), "POST", {
      text: tooLarge,
      authorization: await sign("big", tooLarge),
    });
    expect(large.status).to.equal(400);
    expect(large.body.error).to.contain("4096 bytes");
    const huge = await raw(url("huge"), "POST", { text: "x".repeat(100_000), authorization: "0x" });
    expect(huge.status).to.equal(413);
  });

  it("app secrets: the app owner pushes once at /apps/{app}/secrets/1; others are refused", async function () {
    const app = await world.deployApp("with-secret");
    expect(await client.checkAppSecret(app)).to.equal(false);
    await rejectionOf(client.pushAppSecret(world.wallets.stranger, app, "dev-secret"), ServiceError);
    expect(await client.checkAppSecret(app)).to.equal(false);
    await client.pushAppSecret(world.wallets.appOwner, app, "dev-secret");
    expect(await client.checkAppSecret(app)).to.equal(true);
    await rejectionOf(client.pushAppSecret(world.wallets.appOwner, app, "another"), SecretExistsError);
  });

  it("requester secrets at /requesters/{address}/secrets/{name} are set once and checked", async function () {
    const stranger = world.wallets.stranger;
    expect(await client.checkRequesterSecret(stranger.address, "pw")).to.equal(false);
    await client.pushRequesterSecret(stranger, "pw", "hunter2");
    expect(await client.checkRequesterSecret(stranger.address, "pw")).to.equal(true);
    // The same namespace as the web2 secrets of the account.
    expect(await client.checkWeb2Secret(stranger.address, "pw")).to.equal(true);
    await rejectionOf(client.pushRequesterSecret(stranger, "pw", "again"), SecretExistsError);
  });

  it("no path answers a secret's value", async function () {
    const answer = await fetch(
      `${sms.url}/secrets/web2?ownerAddress=${world.wallets.requester.address}&secretName=my-token`,
    );
    expect(answer.status).to.equal(404);
    expect(await answer.text()).not.to.contain("v3");
    const head = await fetch(
      `${sms.url}/secrets/web2?ownerAddress=${world.wallets.requester.address}&secretName=my-token`,
      {
        method: "HEAD",
      },
    );
    expect(head.status).to.equal(204);
    expect(await head.text()).to.equal("");
  });

  it("stores values encrypted: their bytes are nowhere in the database files; the key file is 0600", async function () {
    const marker = `needle-${Wallet.createRandom().address}`;
    await client.pushWeb2Secret(world.wallets.requester, "marker", marker);
    const dataDir = path.join(world.dir, "sms");
    const files = ["sms.sqlite", "sms.sqlite-wal"].map((f) => path.join(dataDir, f)).filter(existsSync);
    expect(files.length).to.be.greaterThan(0);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(bytes.includes(Buffer.from("marker"))).to.equal(true); // the name is stored in clear
    expect(bytes.includes(Buffer.from(marker))).to.equal(false);
    expect(bytes.includes(Buffer.from("hunter2"))).to.equal(false);
    expect(statSync(path.join(dataDir, "master.key")).mode & 0o777).to.equal(0o600);
  });

  it("a restart on the same folder keeps every secret", async function () {
    await sms.stop();
    sms = await world.startSms();
    client = new SmsClient(sms.url);
    expect(await client.checkWeb2Secret(world.wallets.requester.address, "my-token")).to.equal(true);
    expect(await client.checkRequesterSecret(world.wallets.stranger.address, "pw")).to.equal(true);
    expect(
      sms.store.read({ kind: "web2", owner: world.wallets.requester.address, name: "my-token" }),
    ).to.equal("v3");
  });
});
