import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Wallet } from "ethers";
import { InvalidInputError, NotFoundError } from "../../src/sdk/core/errors";
import {
  WrongPasswordError,
  findWallet,
  keystoreFileName,
  listWallets,
  saveWallet,
  unlockWallet,
} from "../../src/sdk/node/keystore";
import { rejection } from "../rejection";

const PASSWORD = "correct horse battery staple";

describe("SDK keystore", () => {
  let root: string;
  /** Two wallets saved once (scrypt is slow), copied into each test's folder. */
  let first: { wallet: Wallet; file: string };
  let second: { wallet: Wallet; file: string };
  let dir: string;
  let count = 0;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "openpoco-keystore-"));
    const saved = path.join(root, "saved");
    const a = new Wallet(Wallet.createRandom().privateKey);
    const b = new Wallet(Wallet.createRandom().privateKey);
    first = { wallet: a, file: await saveWallet(a, PASSWORD, saved) };
    second = { wallet: b, file: await saveWallet(b, PASSWORD, saved) };
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  beforeEach(() => {
    dir = path.join(root, `test-${count++}`);
  });

  /** Copies saved keystores into this test's folder; returns their new paths. */
  function copy(...saved: { file: string }[]): string[] {
    fs.mkdirSync(dir, { recursive: true });
    return saved.map(({ file }) => {
      const target = path.join(dir, path.basename(file));
      fs.copyFileSync(file, target);
      return target;
    });
  }

  it("names files like geth: UTC--<ISO date with dashes>--<address, lowercase, no 0x>", () => {
    const address = "0x3Aa5ebB10DC797CAC828524e59A333d0A371443c";
    expect(keystoreFileName(address, new Date("2024-01-02T03:04:05.678Z"))).to.equal(
      "UTC--2024-01-02T03-04-05.678Z--3aa5ebb10dc797cac828524e59a333d0a371443c",
    );
    expect(() => keystoreFileName("0x1234")).to.throw();
  });

  it("saveWallet writes a 0600 keystore named after the address, in a folder it creates", async () => {
    const nested = path.join(dir, "a", "b");
    const wallet = new Wallet(Wallet.createRandom().privateKey);
    const file = await saveWallet(wallet, PASSWORD, nested);
    expect(path.dirname(file)).to.equal(nested);
    expect(path.basename(file)).to.match(
      new RegExp(
        `^UTC--\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3}Z--${wallet.address.slice(2).toLowerCase()}$`,
      ),
    );
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(json.version).to.equal(3);
    expect(json.address.toLowerCase()).to.equal(wallet.address.slice(2).toLowerCase());
    // Nothing but the keystore: no temporary file left behind.
    expect(fs.readdirSync(nested)).to.deep.equal([path.basename(file)]);
    // The saved file is a keystore the folder listing finds.
    expect(await listWallets(nested)).to.deep.equal([{ file, address: wallet.address }]);
  });

  it("unlockWallet gives back the saved key", async () => {
    const unlocked = await unlockWallet(first.file, PASSWORD);
    expect(unlocked.address).to.equal(first.wallet.address);
    expect(unlocked.privateKey).to.equal(first.wallet.privateKey);
  });

  it("unlockWallet refuses a wrong password with WrongPasswordError", async () => {
    const error = await rejection(unlockWallet(first.file, PASSWORD + "!"));
    expect(error).to.be.instanceOf(WrongPasswordError);
    expect((error as WrongPasswordError).code).to.equal("WRONG_PASSWORD");
    expect(error.message).to.include(first.file);
  });

  it("unlockWallet refuses a file that is not a keystore, and is not a WrongPasswordError then", async () => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "broken");
    fs.writeFileSync(file, "{}");
    const error = await rejection(unlockWallet(file, PASSWORD));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.match(/could not be decrypted/);
  });

  it("saveWallet refuses an empty password and writes nothing", async () => {
    const error = await rejection(saveWallet(first.wallet, "", dir));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.match(/non-empty password/);
    expect(fs.existsSync(dir)).to.equal(false);
  });

  it("saveWallet refuses a second wallet for the same address", async () => {
    const [file] = copy(first);
    const error = await rejection(saveWallet(first.wallet, "another password", dir));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.include(first.wallet.address).and.to.include(file);
    expect(fs.readdirSync(dir)).to.deep.equal([path.basename(file)]);
  });

  it("listWallets finds keystores only, sorted, and nothing in a missing folder", async () => {
    expect(await listWallets(path.join(dir, "missing"))).to.deep.equal([]);
    const files = copy(first, second);
    fs.writeFileSync(path.join(dir, "notes.txt"), "not a wallet");
    fs.writeFileSync(path.join(dir, "UTC--fake"), JSON.stringify({ address: first.wallet.address }));
    fs.writeFileSync(path.join(dir, "empty"), "");
    fs.mkdirSync(path.join(dir, "folder"));
    const expected = [
      { file: files[0], address: first.wallet.address },
      { file: files[1], address: second.wallet.address },
    ].sort((x, y) => (path.basename(x.file) < path.basename(y.file) ? -1 : 1));
    expect(await listWallets(dir)).to.deep.equal(expected);
  });

  describe("findWallet", () => {
    it("finds the only wallet", async () => {
      const [file] = copy(first);
      fs.writeFileSync(path.join(dir, "readme"), "not a wallet");
      expect(await findWallet({ dir })).to.deep.equal({ file, address: first.wallet.address });
    });

    it("finds a wallet by file name in the folder, or by path", async () => {
      const [a, b] = copy(first, second);
      expect(await findWallet({ dir, walletFile: path.basename(b) })).to.deep.equal({
        file: b,
        address: second.wallet.address,
      });
      // A path elsewhere (the folder is not searched then).
      expect(await findWallet({ dir: path.join(root, "elsewhere"), walletFile: a })).to.deep.equal({
        file: a,
        address: first.wallet.address,
      });
    });

    it("finds a wallet by address, whatever its case", async () => {
      const [, b] = copy(first, second);
      for (const walletAddress of [second.wallet.address, second.wallet.address.toLowerCase()])
        expect(await findWallet({ dir, walletAddress })).to.deep.equal({
          file: b,
          address: second.wallet.address,
        });
    });

    it("refuses when there is no wallet", async () => {
      for (const folder of [path.join(dir, "missing"), (fs.mkdirSync(dir), dir)]) {
        const error = await rejection(findWallet({ dir: folder }));
        expect(error).to.be.instanceOf(NotFoundError);
        expect(error.message).to.match(/^No wallet found in .*openpoco wallet create/);
      }
    });

    it("refuses to guess among several wallets", async () => {
      copy(first, second);
      const error = await rejection(findWallet({ dir }));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.match(/^2 wallets in .*--wallet-address or --wallet-file/);
    });

    it("refuses an unknown address", async () => {
      copy(first);
      const error = await rejection(findWallet({ dir, walletAddress: second.wallet.address }));
      expect(error).to.be.instanceOf(NotFoundError);
      expect(error.message).to.include(`No wallet for ${second.wallet.address}`);
    });

    it("refuses a malformed address", async () => {
      copy(first);
      const error = await rejection(findWallet({ dir, walletAddress: "0x1234" }));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.equal('--wallet-address "0x1234" is not an address.');
    });

    it("refuses a missing file, or a file that is not a keystore", async () => {
      copy(first);
      fs.writeFileSync(path.join(dir, "notes.txt"), "not a wallet");
      for (const walletFile of ["UTC--missing", "notes.txt", path.join(dir, "nothing-here")]) {
        const error = await rejection(findWallet({ dir, walletFile }));
        expect(error).to.be.instanceOf(NotFoundError);
        expect(error.message).to.include(`Wallet file ${walletFile} not found`);
      }
    });
  });
});
