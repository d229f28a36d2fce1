import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  createDecryptStream,
  createEncryptStream,
  decodeDatasetKey,
  decryptFile,
  DecryptionError,
  encodeDatasetKey,
  encryptDatasets,
  encryptFile,
  generateDatasetKey,
} from "../../src/sdk/node/encryption";
import { InvalidInputError, OpenPocoError } from "../../src/sdk/core/errors";
import { unzipTo } from "../../src/sdk/node/zip";
import { readTree, writeTree } from "./tree";
import { rejection } from "../rejection";

const OPENSSL = "/usr/bin/openssl";
// Fixed key and IV for the tests that must not depend on randomness (wrong-key detection is a padding check).
const FIXED_KEY = Buffer.from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex");
const FIXED_IV = Buffer.from("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", "hex");

/** Runs `openssl enc -aes-256-cbc` (PKCS#7 padding is its default) with `options` from `input` to `output`. */
function opensslEnc(options: string[], input: string, output: string): void {
  execFileSync(OPENSSL, ["enc", "-aes-256-cbc", ...options, "-in", input, "-out", output]);
}

function sha256(bytes: Buffer): string {
  return `0x${createHash("sha256").update(bytes).digest("hex")}`;
}

function expectThrow(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

/** Encrypts `plain` through createEncryptStream, with a fixed IV, entirely in memory. */
async function encryptInMemory(plain: Buffer, key: Buffer, iv: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = createEncryptStream(key, iv);
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  await pipeline(Readable.from([plain]), stream);
  return Buffer.concat(chunks);
}

describe("SDK dataset encryption", function () {
  let tmp: string;

  beforeEach(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "openpoco-enc-"));
  });

  afterEach(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("keys", function () {
    it("generates 32 random bytes and round-trips them through base64", function () {
      const key = generateDatasetKey();
      expect(key.length).to.equal(32);
      expect(generateDatasetKey().equals(key)).to.equal(false);
      const text = encodeDatasetKey(key);
      expect(text).to.match(/^[A-Za-z0-9+/]{43}=$/);
      expect(decodeDatasetKey(text).equals(key)).to.equal(true);
      // A key file edited by hand often ends with a newline.
      expect(decodeDatasetKey(`${text}\n`).equals(key)).to.equal(true);
      expect(decodeDatasetKey(`${text}\r\n`).equals(key)).to.equal(true);
    });

    it("rejects key text that is not base64 of exactly 32 bytes", function () {
      const cases: [string, RegExp][] = [
        ["", /empty/],
        ["   \n", /empty/],
        ["not base64 at all!", /not valid base64/],
        [`${FIXED_KEY.toString("base64").slice(0, -1)}`, /not valid base64/],
        [FIXED_KEY.toString("hex"), /decodes to 48 bytes/],
        [randomBytes(16).toString("base64"), /decodes to 16 bytes instead of 32/],
        [randomBytes(33).toString("base64"), /decodes to 33 bytes/],
        [FIXED_KEY.toString("base64url"), /not valid base64/],
      ];
      for (const [text, message] of cases) {
        const error = expectThrow(() => decodeDatasetKey(text));
        expect(error, JSON.stringify(text)).to.be.instanceOf(InvalidInputError);
        expect((error as OpenPocoError).code).to.equal("INVALID_INPUT");
        expect(error.message, JSON.stringify(text)).to.match(message);
      }
    });

    it("rejects keys of the wrong length when encoding or encrypting", async function () {
      expect(expectThrow(() => encodeDatasetKey(randomBytes(31)))).to.be.instanceOf(InvalidInputError);
      fs.writeFileSync(path.join(tmp, "in"), "x");
      const error = await rejection(
        encryptFile(path.join(tmp, "in"), path.join(tmp, "out"), randomBytes(16)),
      );
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.match(/32 bytes/);
      expect(fs.existsSync(path.join(tmp, "out"))).to.equal(false);
    });
  });

  describe("encryptFile / decryptFile", function () {
    const sizes: [string, number][] = [
      ["an empty file", 0],
      ["1 byte", 1],
      ["15 bytes", 15],
      ["16 bytes", 16],
      ["17 bytes", 17],
      ["3 MiB + 5 bytes", 3 * 1024 * 1024 + 5],
    ];
    for (const [label, size] of sizes) {
      it(`round-trips ${label}, matches openssl both ways, and checksums the output`, async function () {
        const plain = randomBytes(size);
        const input = path.join(tmp, "plain.bin");
        const encrypted = path.join(tmp, "out", "plain.bin.enc");
        fs.writeFileSync(input, plain);
        const key = generateDatasetKey();

        const { checksum, size: encryptedSize } = await encryptFile(input, encrypted, key);
        const bytes = fs.readFileSync(encrypted);
        // IV + the plaintext padded up to the next whole block (a full block of padding when aligned).
        expect(bytes.length).to.equal(16 + (Math.floor(size / 16) + 1) * 16);
        expect(encryptedSize).to.equal(BigInt(bytes.length));
        expect(checksum).to.equal(sha256(bytes));
        expect(checksum).to.match(/^0x[0-9a-f]{64}$/);

        const decrypted = path.join(tmp, "back.bin");
        await decryptFile(encrypted, decrypted, key);
        expect(fs.readFileSync(decrypted).equals(plain)).to.equal(true);

        // openssl decrypts ours: the IV is the first 16 bytes, the rest is plain AES-256-CBC + PKCS#7.
        const cipherOnly = path.join(tmp, "cipher-only.bin");
        fs.writeFileSync(cipherOnly, bytes.subarray(16));
        const byOpenssl = path.join(tmp, "by-openssl.bin");
        const iv = bytes.subarray(0, 16).toString("hex");
        const hexKey = key.toString("hex");
        opensslEnc(["-d", "-K", hexKey, "-iv", iv], cipherOnly, byOpenssl);
        expect(fs.readFileSync(byOpenssl).equals(plain)).to.equal(true);

        // Ours decrypts openssl's, once its IV is put in front.
        const opensslIv = randomBytes(16);
        const opensslCipher = path.join(tmp, "openssl-cipher.bin");
        opensslEnc(["-K", hexKey, "-iv", opensslIv.toString("hex")], input, opensslCipher);
        const opensslFile = path.join(tmp, "openssl.enc");
        fs.writeFileSync(opensslFile, Buffer.concat([opensslIv, fs.readFileSync(opensslCipher)]));
        const fromOpenssl = path.join(tmp, "from-openssl.bin");
        await decryptFile(opensslFile, fromOpenssl, key);
        expect(fs.readFileSync(fromOpenssl).equals(plain)).to.equal(true);

        // No temporary file is left next to the outputs.
        expect(fs.readdirSync(path.join(tmp, "out"))).to.deep.equal(["plain.bin.enc"]);
      });
    }

    it("uses a fresh IV each time, so the same file encrypts to different bytes", async function () {
      const input = path.join(tmp, "plain");
      fs.writeFileSync(input, "same content");
      const first = await encryptFile(input, path.join(tmp, "a.enc"), FIXED_KEY);
      const second = await encryptFile(input, path.join(tmp, "b.enc"), FIXED_KEY);
      expect(first.checksum).to.not.equal(second.checksum);
    });

    it("fails with DECRYPTION_FAILED and no output on a wrong key", async function () {
      const encrypted = path.join(tmp, "data.enc");
      fs.writeFileSync(
        encrypted,
        await encryptInMemory(Buffer.from("some dataset content"), FIXED_KEY, FIXED_IV),
      );
      const wrongKey = Buffer.from(FIXED_KEY);
      wrongKey[0] ^= 1;
      const output = path.join(tmp, "plain");
      const error = await rejection(decryptFile(encrypted, output, wrongKey));
      expect(error).to.be.instanceOf(DecryptionError);
      expect((error as OpenPocoError).code).to.equal("DECRYPTION_FAILED");
      expect(error.message).to.include(encrypted);
      expect(error.message).to.match(/key is wrong or the file is corrupted/);
      expect(fs.readdirSync(tmp)).to.deep.equal(["data.enc"]);
    });

    it("fails with DECRYPTION_FAILED on corrupted padding", async function () {
      const bytes = await encryptInMemory(Buffer.alloc(32, 7), FIXED_KEY, FIXED_IV);
      // Flipping the last byte of the second-to-last block flips the last plaintext byte, the padding length.
      bytes[bytes.length - 17] ^= 0xff;
      const encrypted = path.join(tmp, "data.enc");
      fs.writeFileSync(encrypted, bytes);
      const error = await rejection(decryptFile(encrypted, path.join(tmp, "plain"), FIXED_KEY));
      expect((error as OpenPocoError).code).to.equal("DECRYPTION_FAILED");
      expect(fs.readdirSync(tmp)).to.deep.equal(["data.enc"]);
    });

    it("fails with DECRYPTION_FAILED and no output on a truncated file", async function () {
      const full = await encryptInMemory(randomBytes(100), FIXED_KEY, FIXED_IV);
      expect(full.length).to.equal(16 + 112);
      // Shorter than IV + one block, or not a whole number of blocks.
      for (const length of [0, 1, 15, 16, 31, 20, full.length - 1, full.length - 15]) {
        const encrypted = path.join(tmp, "data.enc");
        fs.writeFileSync(encrypted, full.subarray(0, length));
        const error = await rejection(decryptFile(encrypted, path.join(tmp, "plain"), FIXED_KEY));
        expect(error, `length ${length}`).to.be.instanceOf(DecryptionError);
        expect((error as OpenPocoError).code).to.equal("DECRYPTION_FAILED");
        expect(error.message).to.match(/truncated/);
        expect(error.message).to.include(`${length} bytes`);
        expect(fs.readdirSync(tmp)).to.deep.equal(["data.enc"]);
      }
    });

    it("rejects a missing input with InvalidInputError", async function () {
      const encryptError = await rejection(
        encryptFile(path.join(tmp, "nope"), path.join(tmp, "o"), FIXED_KEY),
      );
      expect(encryptError).to.be.instanceOf(InvalidInputError);
      const decryptError = await rejection(
        decryptFile(path.join(tmp, "nope"), path.join(tmp, "o"), FIXED_KEY),
      );
      expect(decryptError).to.be.instanceOf(InvalidInputError);
      expect(fs.readdirSync(tmp)).to.deep.equal([]);
    });
  });

  describe("createDecryptStream", function () {
    it("decrypts input arriving in small chunks that split the IV", async function () {
      const plain = randomBytes(1000);
      const encrypted = await encryptInMemory(plain, FIXED_KEY, FIXED_IV);
      const pieces: Buffer[] = [];
      for (let at = 0; at < encrypted.length; at += 7) pieces.push(encrypted.subarray(at, at + 7));
      const out: Buffer[] = [];
      const stream = createDecryptStream(FIXED_KEY);
      stream.on("data", (chunk: Buffer) => out.push(chunk));
      await pipeline(Readable.from(pieces), stream);
      expect(Buffer.concat(out).equals(plain)).to.equal(true);
    });

    it("fails the pipeline with DECRYPTION_FAILED on truncated input", async function () {
      const encrypted = await encryptInMemory(randomBytes(40), FIXED_KEY, FIXED_IV);
      const stream = createDecryptStream(FIXED_KEY);
      stream.resume();
      const error = await rejection(pipeline(Readable.from([encrypted.subarray(0, 40)]), stream));
      expect((error as OpenPocoError).code).to.equal("DECRYPTION_FAILED");
    });
  });

  describe("encryptDatasets", function () {
    it("encrypts a file and a zipped folder, with keys that decrypt them back", async function () {
      const root = path.join(tmp, "project");
      const original = path.join(root, "datasets", "original");
      const csv = randomBytes(50_000);
      writeTree(original, {
        "data.csv": csv,
        "images/a.png": randomBytes(3000),
        "images/nested/b.txt": "hello",
        ".DS_Store": "ignored",
      });

      const results = await encryptDatasets(root);
      expect(results.map((r) => r.name)).to.deep.equal(["data.csv", "images.zip"]);
      expect(fs.readdirSync(path.join(root, "datasets", "encrypted")).sort()).to.deep.equal([
        "data.csv.enc",
        "images.zip.enc",
      ]);
      expect(fs.readdirSync(path.join(root, ".secrets", "datasets")).sort()).to.deep.equal([
        "data.csv.key",
        "images.zip.key",
      ]);
      // Nothing was written into original/.
      expect(fs.readdirSync(original).sort()).to.deep.equal([".DS_Store", "data.csv", "images"]);

      for (const result of results) {
        expect(result.encrypted).to.equal(path.join(root, "datasets", "encrypted", `${result.name}.enc`));
        expect(result.keyFile).to.equal(path.join(root, ".secrets", "datasets", `${result.name}.key`));
        const bytes = fs.readFileSync(result.encrypted);
        expect(result.checksum).to.equal(sha256(bytes));
        expect(result.size).to.equal(BigInt(bytes.length));
        expect(fs.statSync(result.keyFile).mode & 0o777).to.equal(0o600);
      }
      expect(results[0].original).to.equal(path.join(original, "data.csv"));
      expect(results[1].original).to.equal(path.join(original, "images"));

      const csvKey = decodeDatasetKey(fs.readFileSync(results[0].keyFile, "utf8"));
      await decryptFile(results[0].encrypted, path.join(tmp, "data.csv"), csvKey);
      expect(fs.readFileSync(path.join(tmp, "data.csv")).equals(csv)).to.equal(true);

      const zipKey = decodeDatasetKey(fs.readFileSync(results[1].keyFile, "utf8"));
      await decryptFile(results[1].encrypted, path.join(tmp, "images.zip"), zipKey);
      const files = await unzipTo(path.join(tmp, "images.zip"), path.join(tmp, "images"));
      expect(files).to.deep.equal(["a.png", "nested/b.txt"]);
      expect(readTree(path.join(tmp, "images"))).to.deep.equal(readTree(path.join(original, "images")));
    });

    it("says how to start when datasets/original/ is missing or empty", async function () {
      const root = path.join(tmp, "project");
      fs.mkdirSync(root);
      const missing = await rejection(encryptDatasets(root));
      expect(missing).to.be.instanceOf(InvalidInputError);
      expect(missing.message).to.include("openpoco dataset init --encrypted");

      writeTree(path.join(root, "datasets", "original"), { ".gitkeep": "" });
      const empty = await rejection(encryptDatasets(root));
      expect(empty).to.be.instanceOf(InvalidInputError);
      expect(empty.message).to.include("openpoco dataset init --encrypted");
      expect(fs.existsSync(path.join(root, ".secrets"))).to.equal(false);
      expect(fs.existsSync(path.join(root, "datasets", "encrypted"))).to.equal(false);
    });

    it("leaves no key and no encrypted file for a dataset that fails", async function () {
      const root = path.join(tmp, "project");
      const original = path.join(root, "datasets", "original");
      writeTree(original, { "a.txt": "first", "b/inside.txt": "second" });
      // A symbolic link makes zipping folder b fail, after a.txt was done.
      fs.symlinkSync("/etc/hostname", path.join(original, "b", "link"));
      const error = await rejection(encryptDatasets(root));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.match(/symbolic link/);
      expect(fs.readdirSync(path.join(root, "datasets", "encrypted"))).to.deep.equal(["a.txt.enc"]);
      expect(fs.readdirSync(path.join(root, ".secrets", "datasets"))).to.deep.equal(["a.txt.key"]);
    });

    it("removes a dataset's encrypted file when its key cannot take its place", async function () {
      const root = path.join(tmp, "project");
      writeTree(path.join(root, "datasets", "original"), { "a.txt": "first", "b.txt": "second" });
      // A folder where b.txt's key goes makes the very last step (placing the key) fail.
      const keyDir = path.join(root, ".secrets", "datasets", "b.txt.key");
      fs.mkdirSync(keyDir, { recursive: true });
      fs.writeFileSync(path.join(keyDir, "occupied"), "");
      const error = await rejection(encryptDatasets(root));
      expect((error as OpenPocoError).code).to.equal("FILE_SYSTEM_ERROR");
      expect(error.message).to.include("b.txt");
      expect(fs.readdirSync(path.join(root, "datasets", "encrypted"))).to.deep.equal(["a.txt.enc"]);
      expect(fs.readdirSync(path.join(root, ".secrets", "datasets")).sort()).to.deep.equal([
        "a.txt.key",
        "b.txt.key",
      ]);
      expect(fs.readdirSync(keyDir)).to.deep.equal(["occupied"]);
    });

    it("replaces the outputs of an earlier run with a new key", async function () {
      const root = path.join(tmp, "project");
      writeTree(path.join(root, "datasets", "original"), { "a.txt": "content" });
      const [first] = await encryptDatasets(root);
      const firstKey = fs.readFileSync(first.keyFile, "utf8");
      const [second] = await encryptDatasets(root);
      expect(fs.readFileSync(second.keyFile, "utf8")).to.not.equal(firstKey);
      expect(second.checksum).to.not.equal(first.checksum);
      const key = decodeDatasetKey(fs.readFileSync(second.keyFile, "utf8"));
      await decryptFile(second.encrypted, path.join(tmp, "a.txt"), key);
      expect(fs.readFileSync(path.join(tmp, "a.txt"), "utf8")).to.equal("content");
      expect(fs.readdirSync(path.join(root, "datasets", "encrypted"))).to.deep.equal(["a.txt.enc"]);
      expect(fs.readdirSync(path.join(root, ".secrets", "datasets"))).to.deep.equal(["a.txt.key"]);
    });

    it("refuses a file and a folder that would get the same name", async function () {
      const root = path.join(tmp, "project");
      writeTree(path.join(root, "datasets", "original"), { "x.zip": "file", "x/inside": "folder" });
      const error = await rejection(encryptDatasets(root));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.include("x.zip");
      expect(fs.existsSync(path.join(root, ".secrets"))).to.equal(false);
    });
  });
});
