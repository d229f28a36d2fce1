/**
 * Result encryption for a beneficiary: iExec's format by default (the AES key wrapped with RSAES-PKCS1-v1_5),
 * OAEP on request, decryption that recognizes both, a wrong key refused clearly, and the forms of public key
 * the clients store in the SMS read alike while anything else is refused.
 */
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { InvalidInputError } from "../../src/sdk/core/errors";
import {
  DATASET_KEY_BYTES,
  decryptFile,
  encryptFile,
  generateDatasetKey,
} from "../../src/sdk/node/encryption";
import {
  ENCRYPTED_KEY_FILE,
  ENCRYPTED_RESULT_FILE,
  RESULT_ENCRYPTION_PADDING_PARAM,
  ResultDecryptionError,
  decryptResult,
  encodeResultPublicKey,
  encryptResult,
  generateResultKeyPair,
  readResultPrivateKey,
  readResultPublicKey,
  resultKeyPaddingOf,
  type ResultKeyPair,
} from "../../src/sdk/node/result-encryption";
import { unzipTo, zipFolder } from "../../src/sdk/node/zip";
import { rejection, rejectionOf } from "../rejection";

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function rsaPair(bits: number): ResultKeyPair {
  return generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

function refusal(read: () => unknown): InvalidInputError {
  try {
    read();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error("expected a refusal");
}

describe("Result encryption @results", function () {
  this.timeout(120_000);
  let dir: string;
  let keys: ResultKeyPair;
  let other: ResultKeyPair;
  let zip: string;

  /** The encrypted result's two entries, unzipped. */
  async function layout(encrypted: string): Promise<{ entries: string[]; wrapped: Buffer; aes: Buffer }> {
    const into = mkdtempSync(path.join(dir, "layout-"));
    const entries = await unzipTo(encrypted, into);
    return {
      entries,
      wrapped: readFileSync(path.join(into, ENCRYPTED_KEY_FILE)),
      aes: readFileSync(path.join(into, ENCRYPTED_RESULT_FILE)),
    };
  }

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
    expect(readResultPublicKey(keys.publicKey).asymmetricKeyDetails?.modulusLength).to.equal(4096);
  });

  it("encrypts in iExec's format by default: the AES key in a PKCS#1 v1.5 block, IV + AES-256-CBC after", async function () {
    const encrypted = path.join(dir, "default.zip");
    await encryptResult(zip, keys.publicKey, encrypted);
    const { entries, wrapped, aes } = await layout(encrypted);
    expect(entries.sort()).to.deep.equal([ENCRYPTED_KEY_FILE, ENCRYPTED_RESULT_FILE].sort());
    expect(wrapped).to.have.length(512);
    // Raw RSA shows the PKCS#1 v1.5 block: 00 02, non-zero padding, 00, then the 32-byte AES key.
    const block = privateDecrypt({ key: keys.privateKey, padding: constants.RSA_NO_PADDING }, wrapped);
    expect([...block.subarray(0, 2)]).to.deep.equal([0x00, 0x02]);
    expect(block.indexOf(0x00, 2)).to.equal(block.length - DATASET_KEY_BYTES - 1);
    const aesKey = block.subarray(block.length - DATASET_KEY_BYTES);
    // That key and the IV in front open the archive as a dataset would be opened.
    expect(aes.length % 16).to.equal(0);
    expect(aes.includes(Buffer.from("hello hello"))).to.equal(false);
    writeFileSync(path.join(dir, "default.aes"), aes);
    await decryptFile(path.join(dir, "default.aes"), path.join(dir, "default-by-hand.zip"), aesKey);
    expect(readFileSync(path.join(dir, "default-by-hand.zip"))).to.deep.equal(readFileSync(zip));

    const decrypted = path.join(dir, "default-decrypted.zip");
    await decryptResult(encrypted, keys.privateKey, decrypted);
    expect(readFileSync(decrypted)).to.deep.equal(readFileSync(zip));
  });

  it("wraps the AES key with OAEP/SHA-256 when asked, and decrypts that too", async function () {
    const encrypted = path.join(dir, "oaep.zip");
    await encryptResult(zip, keys.publicKey, encrypted, { padding: "oaep" });
    const { wrapped } = await layout(encrypted);
    const aesKey = privateDecrypt(
      { key: keys.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      wrapped,
    );
    expect(aesKey).to.have.length(DATASET_KEY_BYTES);
    const decrypted = path.join(dir, "oaep-decrypted.zip");
    await decryptResult(encrypted, keys.privateKey, decrypted);
    expect(readFileSync(decrypted)).to.deep.equal(readFileSync(zip));
  });

  it("opens a result encrypted by hand in the official layout (a PKCS#1 v1.5 block made with another tool's key)", async function () {
    // The layout written independently of encryptResult: what an iExec worker's post-compute uploads.
    const pair = rsaPair(2048);
    const aesKey = generateDatasetKey();
    const content = path.join(dir, "by-hand");
    await encryptFile(zip, path.join(content, ENCRYPTED_RESULT_FILE), aesKey);
    writeFileSync(
      path.join(content, ENCRYPTED_KEY_FILE),
      publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING }, aesKey),
    );
    await zipFolder(content, path.join(dir, "by-hand.zip"));
    const decrypted = path.join(dir, "by-hand-decrypted.zip");
    await decryptResult(path.join(dir, "by-hand.zip"), pair.privateKey, decrypted);
    expect(readFileSync(decrypted)).to.deep.equal(readFileSync(zip));
  });

  for (const padding of ["pkcs1", "oaep"] as const) {
    it(`refuses a wrong private key (${padding}) with a clear error and writes nothing`, async function () {
      const encrypted = path.join(dir, `wrong-${padding}.zip`);
      await encryptResult(zip, keys.publicKey, encrypted, { padding });
      const out = path.join(dir, `wrong-${padding}-out.zip`);
      const caught = await rejectionOf(
        decryptResult(encrypted, other.privateKey, out),
        ResultDecryptionError,
      );
      expect(caught.code).to.equal("RESULT_DECRYPTION_FAILED");
      expect(caught.message).to.include("This private key does not open");
      expect(existsSync(out)).to.equal(false);
    });
  }

  it("takes the private key as PEM or base64 of it, and refuses a public key given as the private one", async function () {
    const encrypted = path.join(dir, "b64.zip");
    await encryptResult(zip, keys.publicKey, encrypted);
    const out = path.join(dir, "b64-out.zip");
    await decryptResult(encrypted, base64(keys.privateKey), out);
    expect(readFileSync(out)).to.deep.equal(readFileSync(zip));
    expect(readResultPrivateKey(keys.privateKey).asymmetricKeyType).to.equal("rsa");
    const wrongFile = path.join(dir, "pub-as-private.zip");
    const caught = await rejectionOf(decryptResult(encrypted, keys.publicKey, wrongFile), InvalidInputError);
    expect(caught.message).to.include("not an RSA private key");
    expect(existsSync(wrongFile)).to.equal(false);
  });

  it("refuses to decrypt a zip that is not an encrypted result", async function () {
    const caught = await rejection(decryptResult(zip, keys.privateKey, path.join(dir, "plain.zip")));
    expect(caught.message).to.include("is not an encrypted result");
  });

  describe("the public key as stored in the SMS", function () {
    it("reads a PEM, base64 of a PEM (one line or wrapped), and a PKCS#1 RSA PUBLIC KEY alike", function () {
      const spki = readResultPublicKey(keys.publicKey).export({ type: "spki", format: "der" });
      const pkcs1 = readResultPublicKey(keys.publicKey).export({ type: "pkcs1", format: "pem" }).toString();
      const wrapped = base64(keys.publicKey).replace(/.{76}/g, "$&\n");
      for (const form of [
        keys.publicKey,
        `\n  ${keys.publicKey}\n`,
        base64(keys.publicKey),
        wrapped,
        pkcs1,
        base64(pkcs1),
      ])
        expect(readResultPublicKey(form).export({ type: "spki", format: "der" })).to.deep.equal(spki);
    });

    it("pushes base64 of the SPKI PEM: the official clients' form", function () {
      const encoded = encodeResultPublicKey(keys.publicKey);
      expect(encoded).to.equal(base64(keys.publicKey));
      expect(encoded.startsWith("LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0")).to.equal(true);
      expect(refusal(() => encodeResultPublicKey("not a key")).message).to.include("neither a PEM");
    });

    it("refuses what is not an RSA public key of at least 2048 bits, saying what it is", function () {
      const ec = generateKeyPairSync("ec", {
        namedCurve: "P-256",
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
      });
      const small = rsaPair(1024);
      const cases: [string, string][] = [
        ["", "neither a PEM"],
        ["-----RSA PUBLIC-----", "neither a PEM"],
        ["hello world", "neither a PEM"],
        [base64("hello world"), "neither a PEM"],
        [keys.privateKey, "private key"],
        [base64(keys.privateKey), "private key"],
        [ec.publicKey, "ec key, not RSA"],
        [small.publicKey, "1024 bits"],
        ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", '"CERTIFICATE"'],
        ["-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----", "does not parse"],
      ];
      for (const [stored, why] of cases)
        expect(refusal(() => readResultPublicKey(stored)).message, JSON.stringify(stored)).to.include(why);
    });

    it("writes nothing when the key cannot encrypt", async function () {
      const out = path.join(dir, "refused.zip");
      await rejectionOf(encryptResult(zip, "garbage", out), InvalidInputError);
      expect(existsSync(out)).to.equal(false);
    });
  });

  it("reads the padding from the request params: pkcs1 by default, oaep on request, nothing else", function () {
    expect(resultKeyPaddingOf({})).to.equal("pkcs1");
    expect(resultKeyPaddingOf({ [RESULT_ENCRYPTION_PADDING_PARAM]: "oaep" })).to.equal("oaep");
    expect(resultKeyPaddingOf({ [RESULT_ENCRYPTION_PADDING_PARAM]: "OAEP" })).to.equal("oaep");
    expect(resultKeyPaddingOf({ [RESULT_ENCRYPTION_PADDING_PARAM]: "pkcs1" })).to.equal("pkcs1");
    expect(
      refusal(() => resultKeyPaddingOf({ [RESULT_ENCRYPTION_PADDING_PARAM]: "rot13" })).message,
    ).to.include(RESULT_ENCRYPTION_PADDING_PARAM);
    refusal(() => resultKeyPaddingOf({ [RESULT_ENCRYPTION_PADDING_PARAM]: 1 }));
  });
});
