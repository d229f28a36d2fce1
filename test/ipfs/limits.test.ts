/**
 * The node's limits against hostile or careless clients: identity CIDs inlining too much, DAGs that
 * link one file many times (pin reads each block once), web pages calling the RPC API, stalled
 * uploads, and more adds at once than the node takes. Each refusal leaves the store as it was.
 */
import { randomBytes, createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import * as Digest from "multiformats/hashes/digest";
import { blockFileName } from "../../src/ipfs/block-file";
import { FileBlockstore } from "../../src/ipfs/blockstore";
import { startIpfsNode, type IpfsNode } from "../../src/ipfs/server";
import { SILENT_LOGGER } from "../../src/sdk/core/logger";
import { addBytes, added, eventually, openAdd, rawRequest, storeState, streamedAdd } from "./world";

const KIB = 1024;
const DAG_PB = 0x70;

// A real `import()`: ts-node compiles this file to CommonJS, where `import()` would become `require()`.
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;

interface PbLink {
  Hash: CID;
  Tsize: number;
}
interface DagPb {
  encode(node: unknown): Uint8Array;
  prepare(node: { Data: Uint8Array; Links: PbLink[] }): unknown;
}
interface UnixFsModule {
  UnixFS: new (init: { type: string; blockSizes: bigint[] }) => { marshal(): Uint8Array };
}

/** A dag-pb UnixFS file node linking `links` (each `size` bytes of file), and its encoded bytes. */
async function fileNode(links: CID[], size: number): Promise<Uint8Array> {
  const { encode, prepare } = (await importEsm("@ipld/dag-pb")) as DagPb;
  const { UnixFS } = (await importEsm("ipfs-unixfs")) as UnixFsModule;
  const data = new UnixFS({ type: "file", blockSizes: links.map(() => BigInt(size)) });
  return encode(prepare({ Data: data.marshal(), Links: links.map((Hash) => ({ Hash, Tsize: size })) }));
}

describe("IPFS store: limits against hostile clients @results", function () {
  this.timeout(120_000);
  let dir: string;
  let dataDir: string;
  let node: IpfsNode;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-ipfs-limits-"));
    dataDir = path.join(dir, "data");
    node = await startIpfsNode({
      dataDir,
      port: 0,
      maxAddBytes: 4 * 1024 * KIB,
      maxConcurrentAdds: 2,
      idleTimeoutMs: 500,
      logger: SILENT_LOGGER,
    });
  });
  afterEach(async () => {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses identity CIDs inlining more than 128 bytes, on the RPC and the gateway", async () => {
    const cidOf = (bytes: number) =>
      CID.createV1(0x55, identity.digest(new Uint8Array(bytes).fill(7))).toString();
    const big = cidOf(129);
    for (const response of [
      await fetch(`${node.url}/api/v0/cat?arg=${big}`, { method: "POST" }),
      await fetch(`${node.url}/api/v0/pin/add?arg=${big}`, { method: "POST" }),
      await fetch(`${node.url}/ipfs/${big}`),
    ]) {
      expect(response.status).to.equal(400);
      expect(((await response.json()) as { Message: string }).Message).to.match(
        /inlines 129 bytes with the identity hash; at most 128/,
      );
    }
    expect(readdirSync(path.join(dataDir, "pins"))).to.deep.equal([]);
    // 128 bytes is kubo's limit, still taken.
    const fits = await fetch(`${node.url}/api/v0/cat?arg=${cidOf(128)}`, { method: "POST" });
    expect(fits.status).to.equal(200);
    expect(Buffer.from(await fits.arrayBuffer())).to.deep.equal(Buffer.alloc(128, 7));
  });

  it("pins a DAG linking one file 400 times by reading each unique block once", async () => {
    const file = await added(node.url, randomBytes(3 * 256 * KIB));
    const fileRoot = CID.parse(file.Hash);
    const size = 3 * 256 * KIB;
    // A stored node linking the file 200 times, under an identity root linking that node twice.
    const amplifier = await fileNode(
      Array.from({ length: 200 }, () => fileRoot),
      size,
    );
    const amplifierCid = CID.createV0(Digest.create(0x12, createHash("sha256").update(amplifier).digest()));
    writeFileSync(path.join(dataDir, "blocks", blockFileName(amplifierCid)), amplifier);
    const rootBytes = await fileNode([amplifierCid, amplifierCid], 200 * size);
    expect(rootBytes.byteLength).to.be.at.most(128);
    const root = CID.createV1(DAG_PB, identity.digest(rootBytes));

    const proto = FileBlockstore.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const readChecked = proto.readChecked;
    const reads: string[] = [];
    proto.readChecked = function (this: unknown, ...args: unknown[]) {
      reads.push(String(args[0]));
      return readChecked.apply(this, args);
    };
    try {
      const pin = await fetch(`${node.url}/api/v0/pin/add?arg=${root}`, { method: "POST" });
      expect(pin.status).to.equal(200);
      expect(((await pin.json()) as { Pins: string[] }).Pins).to.deep.equal([root.toString()]);
    } finally {
      proto.readChecked = readChecked;
    }
    // The identity root, the amplifier, the file's root and its 3 leaves: each read once.
    expect(reads).to.have.length(6);
    expect(new Set(reads).size).to.equal(6);
  });

  it("refuses RPC calls from web pages (Origin, Sec-Fetch-Site) with 403, storing nothing", async () => {
    const before = storeState(dataDir);
    const version = await rawRequest(node.url, "POST", "/api/v0/version", { origin: "https://evil.example" });
    expect(version.status).to.equal(403);
    expect(version.headers["access-control-allow-origin"]).to.equal(undefined);
    const message = (JSON.parse(version.body.toString()) as { Message: string }).Message;
    expect(message).to.match(/refuses browser cross-origin requests/);
    // Errors of the RPC API carry no CORS header either; the gateway's do.
    const badCat = await rawRequest(node.url, "POST", "/api/v0/cat?arg=QmNotACid");
    expect(badCat.status).to.equal(400);
    expect(badCat.headers["access-control-allow-origin"]).to.equal(undefined);
    const badGateway = await rawRequest(node.url, "GET", "/ipfs/QmNotACid");
    expect(badGateway.status).to.equal(400);
    expect(badGateway.headers["access-control-allow-origin"]).to.equal("*");
    const crossSite = await rawRequest(node.url, "POST", "/api/v0/version", {
      "sec-fetch-site": "cross-site",
    });
    expect(crossSite.status).to.equal(403);

    // An add from a page: refused before its body is read, nothing staged or stored.
    const add = openAdd(node.url, "held", 64 * KIB, { origin: "http://localhost:3000" });
    const status = await new Promise<number>((resolve) =>
      add.on("response", (res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).to.equal(403);
    add.destroy();
    expect(storeState(dataDir)).to.deep.equal(before);

    // Programs (no Origin) and the page's own origin still get through; the gateway stays open to pages.
    expect((await rawRequest(node.url, "POST", "/api/v0/version")).status).to.equal(200);
    const same = await rawRequest(node.url, "POST", "/api/v0/version", { "sec-fetch-site": "same-origin" });
    expect(same.status).to.equal(200);
    const { Hash } = await added(node.url, randomBytes(100));
    const gateway = await rawRequest(node.url, "GET", `/ipfs/${Hash}`, {
      origin: "https://explorer.example",
    });
    expect(gateway.status).to.equal(200);
    expect(gateway.headers["access-control-allow-origin"]).to.equal("*");
  });

  it("closes a stalled add after the idle timeout and keeps nothing of it", async () => {
    const before = storeState(dataDir);
    const add = openAdd(node.url, "held", 3 * 1024 * KIB);
    let closed = false;
    add.on("close", () => (closed = true));
    await eventually(
      () =>
        storeState(dataDir).staging.some((one) => readdirSync(path.join(dataDir, "staging", one)).length > 0),
      "blocks staged",
    );
    // The client sends nothing more: the node closes the connection.
    await eventually(() => closed, "connection closed by the node");
    await eventually(() => storeState(dataDir).staging.length === 0, "staging folder dropped");
    expect(storeState(dataDir)).to.deep.equal(before);
  });

  it("answers 503 to an add beyond the concurrent-add cap, keeping nothing of it", async () => {
    const holders = [openAdd(node.url, "held", 1), openAdd(node.url, "held", 1)];
    try {
      await eventually(() => storeState(dataDir).staging.length === 2, "two adds running");
      const blocksBefore = storeState(dataDir).blocks;
      const refused = await addBytes(node.url, randomBytes(1000));
      expect(refused.status).to.equal(503);
      const body = (await refused.json()) as { Message: string; Type: string };
      expect(body.Type).to.equal("error");
      expect(body.Message).to.match(/already runs 2 adds at once; nothing was stored/);
      expect(storeState(dataDir)).to.deep.equal({
        blocks: blocksBefore,
        staging: storeState(dataDir).staging,
      });
      expect(storeState(dataDir).staging).to.have.length(2);
    } finally {
      for (const holder of holders) holder.destroy();
    }
    await eventually(() => storeState(dataDir).staging.length === 0, "held adds dropped");
    // The slots are given back.
    expect((await added(node.url, randomBytes(1000))).Hash).to.match(/^Qm/);
  });

  it("counts the whole body against the add limit: a huge preamble is refused with 413", async () => {
    const before = storeState(dataDir);
    const boundary = "----openpoco-preamble";
    const chunks = [
      // Before the first boundary: ignored by multipart, but still bytes the node has to read.
      ...Array.from({ length: 17 }, () => Buffer.alloc(256 * KIB, 0x61)),
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n`),
      Buffer.from("small file"),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ];
    const answer = await streamedAdd(node.url, boundary, chunks);
    expect(answer.status).to.equal(413);
    expect(((await answer.json()) as { Message: string }).Message).to.match(/larger than this node accepts/);
    await eventually(() => storeState(dataDir).staging.length === 0, "nothing staged");
    expect(storeState(dataDir)).to.deep.equal(before);
  });

  it("answers a refusal without reading the rest of the body, then closes the connection", async () => {
    const before = storeState(dataDir);
    // Over the limit, and the body never ends: the node must not wait for its end to answer.
    const add = openAdd(node.url, "held", 4 * 1024 * KIB + 128 * KIB);
    let closed = false;
    add.on("close", () => (closed = true));
    const answer = await new Promise<{ status: number; connection?: string }>((resolve) => {
      add.on("response", (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
      });
      add.on("close", () => resolve({ status: 0 }));
    });
    expect(answer).to.deep.equal({ status: 413, connection: "close" });
    await eventually(() => closed, "connection closed by the node");
    await eventually(() => storeState(dataDir).staging.length === 0, "nothing staged");
    expect(storeState(dataDir)).to.deep.equal(before);
  });
});
