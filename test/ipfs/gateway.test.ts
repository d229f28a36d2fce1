/**
 * The IPFS store over HTTP: adds give the CIDs Debian's `ipfs_cid` computes with kubo's defaults (0 B to
 * 10 MiB, around the 256 KiB chunk size), the gateway gives the same bytes back whole, in ranges and as
 * raw blocks, and the RPC answers (pin/add, version, cat) have kubo's shape. The official clients' kubo
 * RPC library adds through it too.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { CID } from "multiformats/cid";
import type { IpfsNode } from "../../src/ipfs/server";
import { added, debianCid, startNode } from "./world";

const KIB = 1024;
const SIZES = [0, 12, 256 * KIB - 1, 256 * KIB, 256 * KIB + 1, 10 * KIB * KIB];

// A real `import()`: ts-node compiles this file to CommonJS, where `import()` would become `require()`.
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;

describe("IPFS store: CIDs, gateway, RPC @results", function () {
  this.timeout(120_000);
  let dir: string;
  let node: IpfsNode;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-ipfs-"));
    node = await startNode(path.join(dir, "data"));
  });
  after(async () => {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const size of SIZES) {
    it(`adds ${size} bytes with the CID of Debian's ipfs_cid and serves them back`, async () => {
      const bytes = randomBytes(size);
      const file = path.join(dir, `input-${size}`);
      writeFileSync(file, bytes);
      const answer = await added(node.url, bytes, `input-${size}`);
      expect(answer.Hash).to.equal(debianCid(file));
      expect(answer.Name).to.equal(`input-${size}`);
      expect(Number(answer.Size)).to.be.at.least(size);

      const got = await fetch(`${node.url}/ipfs/${answer.Hash}`);
      expect(got.status).to.equal(200);
      expect(got.headers.get("access-control-allow-origin")).to.equal("*");
      expect(got.headers.get("content-type")).to.equal("application/octet-stream");
      expect(got.headers.get("content-length")).to.equal(String(size));
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).to.equal(true);

      const head = await fetch(`${node.url}/ipfs/${answer.Hash}`, { method: "HEAD" });
      expect(head.status).to.equal(200);
      expect(head.headers.get("content-length")).to.equal(String(size));
      expect(head.headers.get("accept-ranges")).to.equal("bytes");
    });
  }

  it("answers Range requests with 206 and Content-Range, and 416 past the end", async () => {
    const bytes = randomBytes(600 * KIB);
    const { Hash } = await added(node.url, bytes);
    const url = `${node.url}/ipfs/${Hash}`;
    const cases: [string, number, number][] = [
      ["bytes=262000-262300", 262000, 262300], // across the first two chunks
      ["bytes=-10", bytes.length - 10, bytes.length - 1],
      ["bytes=600000-", 600000, bytes.length - 1],
      ["bytes=0-99999999", 0, bytes.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const answer = await fetch(url, { headers: { range } });
      expect(answer.status, range).to.equal(206);
      expect(answer.headers.get("content-range"), range).to.equal(`bytes ${start}-${end}/${bytes.length}`);
      expect(answer.headers.get("content-length"), range).to.equal(String(end - start + 1));
      expect(Buffer.from(await answer.arrayBuffer()).equals(bytes.subarray(start, end + 1)), range).to.equal(
        true,
      );
    }
    const past = await fetch(url, { headers: { range: `bytes=${bytes.length}-` } });
    expect(past.status).to.equal(416);
    expect(past.headers.get("content-range")).to.equal(`bytes */${bytes.length}`);
    expect(((await past.json()) as { Type: string }).Type).to.equal("error");
  });

  it("reads a two-level DAG (more than 174 chunks) whole and across its subtrees", async () => {
    const bytes = randomBytes(175 * 256 * KIB + 5);
    const file = path.join(dir, "two-levels");
    writeFileSync(file, bytes);
    const { Hash } = await added(node.url, bytes);
    expect(Hash).to.equal(debianCid(file));
    const whole = Buffer.from(await (await fetch(`${node.url}/ipfs/${Hash}`)).arrayBuffer());
    expect(whole.equals(bytes)).to.equal(true);
    // The first subtree holds 174 chunks: this range ends in the second one.
    const start = 174 * 256 * KIB - 7;
    const range = await fetch(`${node.url}/ipfs/${Hash}`, {
      headers: { range: `bytes=${start}-${start + 99}` },
    });
    expect(range.status).to.equal(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(bytes.subarray(start, start + 100))).to.equal(true);
  });

  it("serves the same content under its CIDv1 (same multihash, same blocks)", async () => {
    const bytes = randomBytes(300 * KIB);
    const { Hash } = await added(node.url, bytes);
    const v1 = CID.parse(Hash).toV1().toString();
    expect(v1).to.match(/^bafy/);
    const answer = await fetch(`${node.url}/ipfs/${v1}`);
    expect(answer.status).to.equal(200);
    expect(Buffer.from(await answer.arrayBuffer()).equals(bytes)).to.equal(true);
  });

  it("serves raw blocks (format=raw or Accept) whose hash is the CID's", async () => {
    const bytes = randomBytes(300 * KIB);
    const { Hash } = await added(node.url, bytes);
    const cid = CID.parse(Hash);
    for (const [query, headers] of [
      ["?format=raw", {}],
      ["", { accept: "application/vnd.ipld.raw" }],
    ] as const) {
      const answer = await fetch(`${node.url}/ipfs/${Hash}${query}`, { headers });
      expect(answer.status).to.equal(200);
      expect(answer.headers.get("content-type")).to.equal("application/vnd.ipld.raw");
      const block = Buffer.from(await answer.arrayBuffer());
      expect(answer.headers.get("content-length")).to.equal(String(block.length));
      expect(createHash("sha256").update(block).digest().equals(cid.multihash.digest)).to.equal(true);
      // The root of a two-chunk file links to its chunks: not the file's bytes.
      expect(block.length).to.be.below(1000);
    }
  });

  it("cats a file whole and from an offset, as kubo's cat", async () => {
    const bytes = randomBytes(300 * KIB);
    const { Hash } = await added(node.url, bytes);
    const whole = await fetch(`${node.url}/api/v0/cat?arg=${Hash}`, { method: "POST" });
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).to.equal(true);
    const part = await fetch(`${node.url}/api/v0/cat?arg=/ipfs/${Hash}&offset=262140&length=10`, {
      method: "POST",
    });
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(262140, 262150))).to.equal(true);
  });

  it("pins what it holds, and answers version in kubo's shape", async () => {
    const { Hash } = await added(node.url, randomBytes(1000));
    const pin = await fetch(`${node.url}/api/v0/pin/add?arg=${Hash}`, { method: "POST" });
    expect(pin.status).to.equal(200);
    expect(await pin.json()).to.deep.equal({ Pins: [Hash] });
    const pinFiles = readdirSync(path.join(dir, "data", "pins"));
    expect(pinFiles.length).to.be.greaterThan(0);

    const version = await fetch(`${node.url}/api/v0/version`, { method: "POST" });
    const body = (await version.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).to.deep.equal(["Commit", "Golang", "Repo", "System", "Version"]);
    expect(body.Version).to.be.a("string").and.not.equal("");
  });

  it("takes adds from kubo-rpc-client, the library of the official SDK", async () => {
    const { create } = (await importEsm("kubo-rpc-client")) as {
      create(options: { url: string }): {
        add(content: Uint8Array): Promise<{ cid: { toString(): string }; size: number }>;
      };
    };
    const bytes = randomBytes(400 * KIB);
    const file = path.join(dir, "kubo-client-input");
    writeFileSync(file, bytes);
    const result = await create({ url: node.url }).add(bytes);
    expect(result.cid.toString()).to.equal(debianCid(file));
    const back = await fetch(`${node.url}/ipfs/${result.cid.toString()}`);
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).to.equal(true);
  });
});
