/** Result encryption for a beneficiary: a round trip, the archive's layout, and a wrong key refused clearly. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  ENCRYPTED_KEY_FILE,
  ENCRYPTED_RESULT_FILE,
  ResultDecryptionError,
  decryptResult,
  encryptResult,
  generateResultKeyPair,
  type ResultKeyPair,
} from "../../src/sdk/node/result-encryption";
import { unzipTo, zipFolder } from "../../src/sdk/node/zip";

describe("Result encryption @results", function () {
  this.timeout(120_000);
  let dir: string;
  let keys: ResultKeyPair;
  let other: ResultKeyPair;
  let zip: string;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-result-enc-"));
    [keys, other] = await Promise.all([generateResultKeyPair(), generateResultKeyPair()]);
    const out = path.join(dir, "iexec_out");
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "result.txt"), "hello ".repeat(5000));
    zip = path.join(dir, "result.zip");
    await zipFolder(out, zip);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("generates RSA-4096 PEM key pairs", function () {
    expect(keys.publicKey).to.match(/^-----BEGIN PUBLIC KEY-----/);
    expect(keys.privateKey).to.match(/^-----BEGIN PRIVATE KEY-----/);
    expect(keys.publicKey).to.not.equal(other.publicKey);
  });

  it("encrypts into aes-key.rsa and iexec_out.zip.aes, and decrypts back to the same zip", async function () {
    const encrypted = path.join(dir, "encrypted.zip");
    await encryptResult(zip, keys.publicKey, encrypted);
    const entries = await unzipTo(encrypted, path.join(dir, "layout"));
    expect(entries.sort()).to.deep.equal([ENCRYPTED_KEY_FILE, ENCRYPTED_RESULT_FILE].sort());
    expect(readFileSync(path.join(dir, "layout", ENCRYPTED_KEY_FILE))).to.have.length(512);
    // IV first, then whole blocks; nothing of the plain zip shows.
    const aes = readFileSync(path.join(dir, "layout", ENCRYPTED_RESULT_FILE));
    expect(aes.length % 16).to.equal(0);
    expect(aes.includes(Buffer.from("hello hello"))).to.equal(false);

    const decrypted = path.join(dir, "decrypted.zip");
    await decryptResult(encrypted, keys.privateKey, decrypted);
    expect(readFileSync(decrypted)).to.deep.equal(readFileSync(zip));
  });

  it("refuses a wrong private key with a clear error and writes nothing", async function () {
    const encrypted = path.join(dir, "encrypted-2.zip");
    await encryptResult(zip, keys.publicKey, encrypted);
    const out = path.join(dir, "wrong.zip");
    let caught: unknown;
    try {
      await decryptResult(encrypted, other.privateKey, out);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ResultDecryptionError);
    expect((caught as ResultDecryptionError).code).to.equal("RESULT_DECRYPTION_FAILED");
    expect((caught as Error).message).to.include("This private key does not open");
    expect(existsSync(out)).to.equal(false);
  });

  it("refuses to decrypt a zip that is not an encrypted result", async function () {
    let caught: unknown;
    try {
      await decryptResult(zip, keys.privateKey, path.join(dir, "plain.zip"));
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.include("is not an encrypted result");
  });
});
