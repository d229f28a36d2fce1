/**
 * The worker's result encryption (src/worker/result-encryption.ts, what WorkerApp calls): the key as the
 * SMS releases it in every form the clients push, refused with RESULT_ENCRYPTION_KEY_UNUSABLE otherwise, and
 * the padding the request asks for.
 */
import { constants, generateKeyPairSync, privateDecrypt } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { decryptResult, encodeResultPublicKey } from "../../src/sdk/node/result-encryption";
import { unzipTo, zipFolder } from "../../src/sdk/node/zip";
import {
  ENCRYPTED_RESULT_ZIP,
  checkResultEncryption,
  encryptTaskResult,
} from "../../src/worker/result-encryption";
import { TaskFailure } from "../../src/worker/task-failure";

const pair = () =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });

function failure(check: () => unknown): TaskFailure {
  try {
    check();
  } catch (error) {
    expect(error).to.be.instanceOf(TaskFailure);
    return error as TaskFailure;
  }
  throw new Error("expected a TaskFailure");
}

describe("Worker result encryption @results", function () {
  this.timeout(60_000);
  let dir: string;
  let zip: string;
  const keys = pair();

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-worker-enc-"));
    mkdirSync(path.join(dir, "out"));
    writeFileSync(path.join(dir, "out", "answer.txt"), "42\n");
    zip = path.join(dir, "task", "result.zip");
    mkdirSync(path.dirname(zip));
    await zipFolder(path.join(dir, "out"), zip);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the key as the official clients push it (base64 of the PEM), as a PEM, and as openpoco pushes it", async function () {
    for (const stored of [
      Buffer.from(keys.publicKey).toString("base64"),
      keys.publicKey,
      encodeResultPublicKey(keys.publicKey),
    ]) {
      const encryption = checkResultEncryption(stored, { iexec_result_encryption: true });
      expect(encryption.padding).to.equal("pkcs1");
      const encrypted = await encryptTaskResult(zip, encryption);
      expect(encrypted).to.equal(path.join(dir, "task", ENCRYPTED_RESULT_ZIP));
      const out = path.join(dir, "decrypted.zip");
      await decryptResult(encrypted, keys.privateKey, out);
      expect(readFileSync(out)).to.deep.equal(readFileSync(zip));
      rmSync(out);
    }
  });

  it("wraps with OAEP when the request asks", async function () {
    const encryption = checkResultEncryption(keys.publicKey, { iexec_result_encryption_padding: "oaep" });
    const encrypted = await encryptTaskResult(zip, encryption);
    const entries = await unzipTo(encrypted, path.join(dir, "oaep"));
    expect(entries).to.include("aes-key.rsa");
    const wrapped = readFileSync(path.join(dir, "oaep", "aes-key.rsa"));
    const key = privateDecrypt(
      { key: keys.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      wrapped,
    );
    expect(key).to.have.length(32);
  });

  it("refuses any other key, and an unknown padding, with RESULT_ENCRYPTION_KEY_UNUSABLE and the reason", function () {
    const cases: [string, Record<string, unknown>, string][] = [
      ["-----RSA PUBLIC-----", {}, "neither a PEM"],
      [Buffer.from("hello").toString("base64"), {}, "neither a PEM"],
      [keys.privateKey, {}, "private key"],
      [keys.publicKey, { iexec_result_encryption_padding: "none" }, "iexec_result_encryption_padding"],
    ];
    for (const [stored, params, why] of cases) {
      const caught = failure(() => checkResultEncryption(stored, params));
      expect(caught.failure).to.equal("RESULT_ENCRYPTION_KEY_UNUSABLE");
      expect(caught.detail).to.match(/^The beneficiary's result-encryption key cannot encrypt: /);
      expect(caught.detail).to.include(why);
    }
  });
});
