/** The SMS's encryption at rest: the master key file (0600, 32 bytes) and AES-256-GCM per secret. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { MasterKeyError, SecretCorruptedError } from "../../src/sms/errors";
import { IV_BYTES, MASTER_KEY_BYTES, Vault, loadMasterKey } from "../../src/sms/vault";
import { SmsApp } from "../../src/sms/app";

describe("SMS vault @sms", function () {
  let dir: string;

  beforeEach(function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-vault-"));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates the master key on first use with mode 0600 and reads the same key back", function () {
    const file = path.join(dir, "nested", "master.key");
    const key = loadMasterKey(file);
    expect(key.length).to.equal(MASTER_KEY_BYTES);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(readFileSync(file).equals(key)).to.equal(true);
    expect(loadMasterKey(file).equals(key)).to.equal(true);
  });

  it("refuses a key file readable by others, or of the wrong length, naming the fix", function () {
    const file = path.join(dir, "master.key");
    loadMasterKey(file);
    chmodSync(file, 0o644);
    expect(() => loadMasterKey(file))
      .to.throw(MasterKeyError)
      .with.property("message")
      .that.contains("0644")
      .and.contains("chmod 600");
    const short = path.join(dir, "short.key");
    writeFileSync(short, Buffer.alloc(31, 7), { mode: 0o600 });
    expect(() => loadMasterKey(short))
      .to.throw(MasterKeyError)
      .with.property("message")
      .that.contains("31 bytes");
  });

  it("SmsApp.start refuses a bad master key before anything else", async function () {
    const file = path.join(dir, "master.key");
    writeFileSync(file, Buffer.alloc(MASTER_KEY_BYTES, 1), { mode: 0o640 });
    chmodSync(file, 0o640);
    // The chain is never reached: the key is checked first.
    const chain = { name: "none", host: "http://127.0.0.1:1", hub: "0x" + "22".repeat(20) };
    let error: unknown;
    try {
      await SmsApp.start({ chain, dataDir: dir, port: 0 });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(MasterKeyError);
    expect((error as Error).message).to.contain("0640");
  });

  it("seals with a fresh 12-byte IV each time, opens only with the same key and place", function () {
    const vault = new Vault(Buffer.alloc(MASTER_KEY_BYTES, 1));
    const a = vault.seal("web2:0xA:name", "the value");
    const b = vault.seal("web2:0xA:name", "the value");
    expect(a.iv.length).to.equal(IV_BYTES);
    expect(a.iv.equals(b.iv)).to.equal(false);
    expect(a.sealed.equals(b.sealed)).to.equal(false);
    expect(a.sealed.includes(Buffer.from("the value"))).to.equal(false);
    expect(vault.open("web2:0xA:name", a)).to.equal("the value");
    expect(() => vault.open("web2:0xB:name", a)).to.throw(SecretCorruptedError);
    expect(() => new Vault(Buffer.alloc(MASTER_KEY_BYTES, 2)).open("web2:0xA:name", a)).to.throw(
      SecretCorruptedError,
    );
    const tampered = { iv: a.iv, sealed: Buffer.from(a.sealed) };
    tampered.sealed[0] ^= 1;
    expect(() => vault.open("web2:0xA:name", tampered)).to.throw(SecretCorruptedError);
  });
});
