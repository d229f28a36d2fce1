/** The result digest rules of protocol.md, with expected values computed here independently. */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { keccak256 } from "ethers";
import { computeResultDigest, ResultDigestError } from "../../src/worker/result-digest";
import { writeTree } from "../sdk/tree";
import { rejection } from "../rejection";

const sha256 = (data: string | Buffer) => `0x${createHash("sha256").update(data).digest("hex")}`;
const BYTES32 = `0x${"ab".repeat(32)}`;
const ZIP_BYTES = Buffer.from("pretend this is the result zip");

/** An out folder holding `files`, and a zip file next to it. */
function fixture(files: Record<string, string | Buffer>): { outDir: string; zipFile: string } {
  const root = mkdtempSync(path.join(tmpdir(), "openpoco-digest-"));
  const outDir = path.join(root, "iexec_out");
  mkdirSync(outDir);
  writeTree(outDir, files);
  const zipFile = path.join(root, "result.zip");
  writeFileSync(zipFile, ZIP_BYTES);
  return { outDir, zipFile };
}

async function digestOf(files: Record<string, string | Buffer>) {
  const { outDir, zipFile } = fixture(files);
  return computeResultDigest(outDir, zipFile);
}

describe("worker result digest", function () {
  it("callback.iexec: keccak256 of its bytes, returned as resultsCallback, before every other rule", async function () {
    const callback = Buffer.from("00".repeat(31) + "2a", "hex");
    const result = await digestOf({
      "callback.iexec": callback,
      "determinism.iexec": BYTES32,
      "computed.json": '{"deterministic-output-path":"/iexec_out/x"}',
      x: "x",
    });
    expect(result).to.deep.equal({
      resultDigest: keccak256(callback),
      resultsCallback: `0x${callback.toString("hex")}`,
      source: "callback",
    });
  });

  it("determinism.iexec holding a bytes32 (whitespace and newline around it): its value, lowercased", async function () {
    const upper = `0x${"AB".repeat(32)}`;
    const result = await digestOf({
      "determinism.iexec": `  ${upper}\n`,
      "computed.json": '{"deterministic-output-path":"x"}',
      x: "x",
    });
    expect(result).to.deep.equal({ resultDigest: BYTES32, resultsCallback: "0x", source: "determinism" });
  });

  it("determinism.iexec holding anything else: the sha256 of the file's bytes", async function () {
    for (const content of ["hello world\n", `${BYTES32}00`, BYTES32.slice(2), `${BYTES32} ${BYTES32}`]) {
      const result = await digestOf({ "determinism.iexec": content });
      expect(result.resultDigest, content).to.equal(sha256(content));
      expect(result.source).to.equal("determinism");
    }
  });

  it("a large determinism.iexec is hashed as a whole", async function () {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    expect((await digestOf({ "determinism.iexec": big })).resultDigest).to.equal(sha256(big));
  });

  it("computed.json naming a file, as /iexec_out/... or relative: the file's sha256", async function () {
    for (const written of ["/iexec_out/deep/out.bin", "deep/out.bin", "./deep/out.bin"]) {
      const result = await digestOf({
        "computed.json": JSON.stringify({ "deterministic-output-path": written }),
        "deep/out.bin": "payload",
        noise: String(Math.random()),
      });
      expect(result, written).to.deep.equal({
        resultDigest: sha256("payload"),
        resultsCallback: "0x",
        source: "computed",
      });
    }
  });

  it("computed.json naming a folder: keccak256 of its files' sha256 concatenated in relative path order", async function () {
    const files = { "out/b.txt": "B", "out/a/z.txt": "Z", "out/a.txt": "A", "out/c/d/e": "E" };
    const result = await digestOf({
      "computed.json": '{"deterministic-output-path":"/iexec_out/out"}',
      ...files,
    });
    // Sorted by relative path: "a.txt" < "a/z.txt" ("." is 0x2e, "/" is 0x2f) < "b.txt" < "c/d/e".
    const order = ["A", "Z", "B", "E"];
    const concatenated = Buffer.concat(order.map((content) => Buffer.from(sha256(content).slice(2), "hex")));
    expect(result.resultDigest).to.equal(keccak256(concatenated));
    expect(result.source).to.equal("computed");
  });

  it("computed.json paths escaping /iexec_out are refused", async function () {
    for (const written of ["/etc/passwd", "../secret", "/iexec_out/../secret", "/iexec_outside/x"]) {
      const error = await rejection(
        digestOf({ "computed.json": JSON.stringify({ "deterministic-output-path": written }) }),
      );
      expect(error, written).to.be.instanceOf(ResultDigestError);
      expect(error.message).to.include("not inside /iexec_out");
    }
  });

  it("a deterministic-output-path through a symbolic link is refused, even to a file inside", async function () {
    const { outDir, zipFile } = fixture({
      "computed.json": '{"deterministic-output-path":"link"}',
      real: "r",
    });
    symlinkSync("/etc/hostname", path.join(outDir, "link"));
    const error = await rejection(computeResultDigest(outDir, zipFile));
    expect(error).to.be.instanceOf(ResultDigestError);
    expect(error.message).to.include("link");
  });

  it("a missing deterministic-output-path is refused, naming the container path", async function () {
    const error = await rejection(
      digestOf({ "computed.json": '{"deterministic-output-path":"/iexec_out/nope"}' }),
    );
    expect(error).to.be.instanceOf(ResultDigestError);
    expect(error.message).to.include("/iexec_out/nope").and.not.include(tmpdir());
  });

  it("otherwise (no file, or computed.json without the field or not JSON): the zip's sha256", async function () {
    const cases: Record<string, string>[] = [
      {},
      { "computed.json": '{"other":1}' },
      { "computed.json": "not json" },
      { "out.txt": "x" },
    ];
    for (const files of cases) {
      expect(await digestOf(files)).to.deep.equal({
        resultDigest: sha256(ZIP_BYTES),
        resultsCallback: "0x",
        source: "zip",
      });
    }
  });

  it("digests are 0x and 64 lowercase hex digits", async function () {
    const result = await digestOf({ "callback.iexec": "x" });
    expect(result.resultDigest).to.match(/^0x[0-9a-f]{64}$/);
  });
});
