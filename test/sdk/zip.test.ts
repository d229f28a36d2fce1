import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yazl from "yazl";
import { InvalidInputError } from "../../src/sdk/core/errors";
import { unzipTo, zipFolder } from "../../src/sdk/node/zip";
import { readTree, writeTree, zipWithEntryName } from "./tree";
import { rejection } from "../rejection";

describe("SDK zip", function () {
  let tmp: string;

  beforeEach(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "openpoco-zip-"));
  });

  afterEach(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("round-trips a folder with nested files, binary content and an empty folder", async function () {
    const source = path.join(tmp, "source");
    writeTree(source, {
      "a.txt": "alpha",
      "empty.bin": "",
      "sub/b.bin": Buffer.from([0, 1, 2, 255]),
      "sub/deeper/c.txt": "gamma".repeat(10_000),
    });
    fs.mkdirSync(path.join(source, "nothing-here"));
    const zipFile = path.join(tmp, "out", "source.zip");
    await zipFolder(source, zipFile);

    const target = path.join(tmp, "extracted");
    const extracted = await unzipTo(zipFile, target);
    expect(extracted).to.deep.equal(["a.txt", "empty.bin", "sub/b.bin", "sub/deeper/c.txt"]);
    expect(readTree(target)).to.deep.equal(readTree(source));
    expect(fs.statSync(path.join(target, "nothing-here")).isDirectory()).to.equal(true);
    // No temporary file or folder is left next to the outputs.
    expect(fs.readdirSync(path.join(tmp, "out"))).to.deep.equal(["source.zip"]);
    expect(fs.readdirSync(tmp).sort()).to.deep.equal(["extracted", "out", "source"]);
  });

  it("is deterministic: same content gives the same bytes, whatever the mtimes and creation order", async function () {
    const first = path.join(tmp, "first");
    const second = path.join(tmp, "second");
    writeTree(first, { "z.txt": "last", "a/b.txt": "inner", "m.txt": "middle" });
    writeTree(second, { "m.txt": "middle", "a/b.txt": "inner", "z.txt": "last" });
    fs.utimesSync(path.join(second, "z.txt"), new Date(2011, 5, 5), new Date(2011, 5, 5));
    await zipFolder(first, path.join(tmp, "first.zip"));
    await zipFolder(second, path.join(tmp, "second.zip"));
    await zipFolder(first, path.join(tmp, "again.zip"));
    const bytes = fs.readFileSync(path.join(tmp, "first.zip"));
    expect(fs.readFileSync(path.join(tmp, "second.zip")).equals(bytes)).to.equal(true);
    expect(fs.readFileSync(path.join(tmp, "again.zip")).equals(bytes)).to.equal(true);
  });

  it("stores entries with paths relative to the folder, sorted", async function () {
    const source = path.join(tmp, "source");
    writeTree(source, { "b.txt": "b", "a/z.txt": "z", "A.txt": "A" });
    const zipFile = path.join(tmp, "source.zip");
    await zipFolder(source, zipFile);
    const extracted = await unzipTo(zipFile, path.join(tmp, "x"));
    expect(extracted).to.deep.equal(["A.txt", "a/z.txt", "b.txt"]);
  });

  it("refuses to zip a missing folder or a file", async function () {
    const missing = await rejection(zipFolder(path.join(tmp, "nope"), path.join(tmp, "n.zip")));
    expect(missing).to.be.instanceOf(InvalidInputError);
    expect(missing.message).to.match(/does not exist/);
    fs.writeFileSync(path.join(tmp, "file"), "x");
    const notFolder = await rejection(zipFolder(path.join(tmp, "file"), path.join(tmp, "f.zip")));
    expect(notFolder).to.be.instanceOf(InvalidInputError);
    expect(fs.readdirSync(tmp)).to.deep.equal(["file"]);
  });

  it("refuses symbolic links and leaves no archive", async function () {
    const source = path.join(tmp, "source");
    writeTree(source, { "a.txt": "a" });
    fs.symlinkSync("/etc/passwd", path.join(source, "link"));
    const error = await rejection(zipFolder(source, path.join(tmp, "source.zip")));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.match(/symbolic link/);
    expect(fs.readdirSync(tmp)).to.deep.equal(["source"]);
  });

  it("refuses an entry escaping the target with `..` and leaves nothing behind", async function () {
    const zipFile = path.join(tmp, "evil.zip");
    await zipWithEntryName("../evil", zipFile);
    const target = path.join(tmp, "out", "target");
    const error = await rejection(unzipTo(zipFile, target));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.include("../evil");
    expect(error.message).to.match(/escape/);
    expect(fs.existsSync(target)).to.equal(false);
    expect(fs.existsSync(path.join(tmp, "out", "evil"))).to.equal(false);
    expect(fs.readdirSync(path.join(tmp, "out"))).to.deep.equal([]);
    expect(fs.readdirSync(tmp).sort()).to.deep.equal(["evil.zip", "out"]);
  });

  it("refuses an archive larger than maxBytes once extracted, counting while writing, and leaves nothing", async function () {
    const source = path.join(tmp, "big");
    writeTree(source, { "a.bin": Buffer.alloc(600, 1), "b.bin": Buffer.alloc(600, 2) });
    const zipFile = path.join(tmp, "big.zip");
    await zipFolder(source, zipFile);
    const target = path.join(tmp, "out");
    const error = await rejection(unzipTo(zipFile, target, { maxBytes: 1000 }));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.include("more than 1000 bytes");
    expect(fs.existsSync(target)).to.equal(false);
    expect(await unzipTo(zipFile, target, { maxBytes: 1200 })).to.have.members(["a.bin", "b.bin"]);
  });

  it("refuses `..` after legitimate entries and removes what was already extracted", async function () {
    // A good entry first, then the bad one: the good one must not survive.
    const good = new yazl.ZipFile();
    good.addBuffer(Buffer.from("fine"), "good.txt");
    good.addBuffer(Buffer.from("owned"), "xx/xx/evil.txt");
    good.end();
    const chunks: Buffer[] = [];
    for await (const chunk of good.outputStream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    for (let at = bytes.indexOf("xx/xx/"); at !== -1; at = bytes.indexOf("xx/xx/", at + 1)) {
      bytes.write("../../", at, "latin1");
    }
    const zipFile = path.join(tmp, "mixed.zip");
    fs.writeFileSync(zipFile, bytes);
    const target = path.join(tmp, "target");
    const error = await rejection(unzipTo(zipFile, target));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.include("../../evil.txt");
    expect(fs.readdirSync(tmp)).to.deep.equal(["mixed.zip"]);
  });

  it("refuses an absolute entry path", async function () {
    const zipFile = path.join(tmp, "abs.zip");
    await zipWithEntryName("/tmp/openpoco-evil", zipFile);
    const error = await rejection(unzipTo(zipFile, path.join(tmp, "target")));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.match(/absolute/);
    expect(fs.existsSync("/tmp/openpoco-evil")).to.equal(false);
    expect(fs.readdirSync(tmp)).to.deep.equal(["abs.zip"]);
  });

  it("refuses a file that is not a zip, and a target that is not empty", async function () {
    fs.writeFileSync(path.join(tmp, "not.zip"), "this is not a zip archive at all");
    const notZip = await rejection(unzipTo(path.join(tmp, "not.zip"), path.join(tmp, "t")));
    expect(notZip).to.be.instanceOf(InvalidInputError);
    expect(notZip.message).to.match(/not a valid zip/);
    expect(fs.existsSync(path.join(tmp, "t"))).to.equal(false);

    const source = path.join(tmp, "source");
    writeTree(source, { "a.txt": "a" });
    await zipFolder(source, path.join(tmp, "s.zip"));
    const busy = path.join(tmp, "busy");
    writeTree(busy, { "keep.txt": "keep" });
    const notEmpty = await rejection(unzipTo(path.join(tmp, "s.zip"), busy));
    expect(notEmpty).to.be.instanceOf(InvalidInputError);
    expect(readTree(busy)).to.deep.equal({ "keep.txt": Buffer.from("keep").toString("hex") });

    // An existing empty folder is fine.
    const empty = path.join(tmp, "empty");
    fs.mkdirSync(empty);
    expect(await unzipTo(path.join(tmp, "s.zip"), empty)).to.deep.equal(["a.txt"]);
  });
});
