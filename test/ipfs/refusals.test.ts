/**
 * What the IPFS store refuses, and the state it leaves: bad CIDs, paths leaving the DAG, adds over the
 * limit or cut short (no block kept: the blocks folder is unchanged), bodies that are not one file, and
 * corrupted block files (never served: a 500 with a message, or a cut stream past the first block).
 * Restarting the node keeps what it holds.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { CID } from "multiformats/cid";
import { blockFileName } from "../../src/ipfs/block-file";
import type { IpfsNode } from "../../src/ipfs/server";
import {
  addBytes,
  added,
  eventually,
  openAdd,
  rawRequest,
  startNode,
  storeState,
  streamedAdd,
} from "./world";

const KIB = 1024;
// Above the importer's batch of 8 chunks (2 MiB), so that a refused add has blocks staged already.
const LIMIT = 4 * 1024 * KIB;

// A real `import()`: ts-node compiles this file to CommonJS, where `import()` would become `require()`.
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;

interface KuboError {
  Message: string;
  Code: number;
  Type: string;
}

async function kuboError(response: Response): Promise<KuboError> {
  const body = (await response.json()) as KuboError;
  expect(body.Type).to.equal("error");
  expect(body.Code).to.equal(0);
  return body;
}

/** The CIDs the root block of a multi-chunk file links to, in file order. */
async function leavesOf(url: string, root: string): Promise<CID[]> {
  const { decode } = (await importEsm("@ipld/dag-pb")) as {
    decode(bytes: Uint8Array): { Links: { Hash: CID }[] };
  };
  const block = new Uint8Array(await (await fetch(`${url}/ipfs/${root}?format=raw`)).arrayBuffer());
  return decode(block).Links.map((link) => CID.parse(link.Hash.toString()));
}

function corrupt(dataDir: string, cid: CID): void {
  const file = path.join(dataDir, "blocks", blockFileName(cid));
  const bytes = randomBytes(64);
  writeFileSync(file, bytes);
}

describe("IPFS store: refusals and the state they leave @results", function () {
  this.timeout(120_000);
  let dir: string;
  let dataDir: string;
  let node: IpfsNode;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-ipfs-"));
    dataDir = path.join(dir, "data");
    node = await startNode(dataDir, LIMIT);
  });
  afterEach(async () => {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a CID that does not parse, on the gateway and the RPC, with kubo's error", async () => {
    const gateway = await fetch(`${node.url}/ipfs/QmNotACid`);
    expect(gateway.status).to.equal(400);
    expect((await kuboError(gateway)).Message).to.match(/not a valid CID/);
    for (const route of ["cat", "pin/add"]) {
      const rpc = await fetch(`${node.url}/api/v0/${route}?arg=bafyNOPE`, { method: "POST" });
      expect(rpc.status, route).to.equal(400);
      expect((await kuboError(rpc)).Message, route).to.match(/not a valid CID/);
    }
    expect(readdirSync(path.join(dataDir, "pins"))).to.deep.equal([]);
  });

  it("refuses paths that leave the DAG or name no link, and CIDs it does not hold", async () => {
    const { Hash } = await added(node.url, Buffer.from("hello world\n"));
    const pinned = readdirSync(path.join(dataDir, "pins"));
    for (const escaping of [`/ipfs/${Hash}/../${Hash}`, `/ipfs/${Hash}/%2e%2e/x`, `/ipfs/${Hash}/a%2Fb`]) {
      const answer = await rawRequest(node.url, "GET", escaping);
      expect(answer.status, escaping).to.equal(400);
      expect(JSON.parse(answer.body.toString()).Message, escaping).to.match(/escapes the DAG/);
    }
    const noLink = await fetch(`${node.url}/ipfs/${Hash}/missing.txt`);
    expect(noLink.status).to.equal(404);
    await kuboError(noLink);
    const unknown = await fetch(`${node.url}/ipfs/QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH`);
    expect(unknown.status).to.equal(404);
    expect((await kuboError(unknown)).Message).to.match(/not in this store/);
    const pin = await fetch(`${node.url}/api/v0/pin/add?arg=QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH`, {
      method: "POST",
    });
    expect(pin.status).to.equal(404);
    expect(readdirSync(path.join(dataDir, "pins"))).to.deep.equal(pinned);
  });

  it("refuses an add over the limit with 413 and keeps none of its blocks (length announced)", async () => {
    await added(node.url, randomBytes(1000));
    const before = storeState(dataDir);
    const answer = await addBytes(node.url, randomBytes(LIMIT + 1));
    expect(answer.status).to.equal(413);
    expect((await kuboError(answer)).Message).to.match(/larger than this node accepts \(4194304 bytes\)/);
    expect(storeState(dataDir)).to.deep.equal(before);
  });

  it("refuses a streamed add that grows over the limit, with no block of it kept", async () => {
    const before = storeState(dataDir);
    const boundary = "----openpoco-test";
    const chunks = [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big"\r\n`),
      Buffer.from("Content-Type: application/octet-stream\r\n\r\n"),
      ...Array.from({ length: 24 }, () => randomBytes(256 * KIB)),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ];
    // No Content-Length: the node only learns the size by counting.
    const answer = await streamedAdd(node.url, boundary, chunks);
    expect(answer.status).to.equal(413);
    await kuboError(answer);
    expect(storeState(dataDir)).to.deep.equal(before);
    // The limit is a limit, not a cut: the same content at the limit is taken.
    expect((await added(node.url, randomBytes(LIMIT))).Hash).to.match(/^Qm/);
  });

  it("keeps nothing of an add whose client goes away mid-upload", async () => {
    const before = storeState(dataDir);
    const req = openAdd(node.url, "cut", 3 * 1024 * KIB);
    // Blocks of the add reach its staging folder, then the client disappears.
    await eventually(
      () =>
        storeState(dataDir).staging.some((add) => readdirSync(path.join(dataDir, "staging", add)).length > 0),
      "blocks staged",
    );
    req.destroy();
    await eventually(() => storeState(dataDir).staging.length === 0, "staging folder dropped");
    expect(storeState(dataDir)).to.deep.equal(before);
  });

  it("refuses bodies that are not one file, keeping nothing", async () => {
    const before = storeState(dataDir);
    const notMultipart = await fetch(`${node.url}/api/v0/add`, { method: "POST", body: "hello" });
    expect(notMultipart.status).to.equal(400);
    expect((await kuboError(notMultipart)).Message).to.match(/multipart\/form-data/);

    const form = new FormData();
    form.append("file", new Blob([randomBytes(300 * KIB)]), "a");
    form.append("file-1", new Blob([randomBytes(10)]), "b");
    const two = await fetch(`${node.url}/api/v0/add`, { method: "POST", body: form });
    expect(two.status).to.equal(400);
    expect((await kuboError(two)).Message).to.match(/one file per request/);
    expect(storeState(dataDir)).to.deep.equal(before);
  });

  it("refuses add options that would change the CID instead of ignoring them", async () => {
    const before = storeState(dataDir);
    for (const query of ["?cid-version=1", "?raw-leaves=true", "?hash=blake2b-256", "?chunker=size-1024"]) {
      const answer = await addBytes(node.url, randomBytes(1000), "x", query);
      expect(answer.status, query).to.equal(400);
      expect((await kuboError(answer)).Message, query).to.match(/kubo's defaults only/);
    }
    expect(storeState(dataDir)).to.deep.equal(before);
    const defaults = await addBytes(node.url, Buffer.from("hello world\n"), "x", "?cid-version=0&pin=false");
    expect(((await defaults.json()) as { Hash: string }).Hash).to.equal(
      "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
    );
    // pin=false: stored, not pinned.
    expect(readdirSync(path.join(dataDir, "pins"))).to.deep.equal([]);
  });

  it("never serves a corrupted block: a 500 naming it, or a stream cut before the bad bytes", async () => {
    const bytes = randomBytes(3 * 256 * KIB);
    const { Hash } = await added(node.url, bytes);
    const [first, second] = await leavesOf(node.url, Hash);

    corrupt(dataDir, second);
    const cut = await fetch(`${node.url}/ipfs/${Hash}`);
    expect(cut.status).to.equal(200);
    let received: Buffer | undefined;
    try {
      received = Buffer.from(await cut.arrayBuffer());
    } catch {
      received = undefined;
    }
    expect(received, "the body must not complete").to.equal(undefined);
    const raw = await fetch(`${node.url}/ipfs/${second}?format=raw`);
    expect(raw.status).to.equal(500);
    expect((await kuboError(raw)).Message).to.match(new RegExp(`Block ${second} is corrupted`));

    corrupt(dataDir, first);
    const refused = await fetch(`${node.url}/ipfs/${Hash}`);
    expect(refused.status).to.equal(500);
    expect(refused.headers.get("content-type")).to.match(/^application\/json/);
    expect((await kuboError(refused)).Message).to.match(/is corrupted on disk/);
    const cat = await fetch(`${node.url}/api/v0/cat?arg=${Hash}`, { method: "POST" });
    expect(cat.status).to.equal(500);
    const pin = await fetch(`${node.url}/api/v0/pin/add?arg=${Hash}`, { method: "POST" });
    expect(pin.status).to.equal(500);

    corrupt(dataDir, CID.parse(Hash));
    const root = await fetch(`${node.url}/ipfs/${Hash}`, { method: "HEAD" });
    expect(root.status).to.equal(500);
  });

  it("keeps blocks and pins across a restart, and drops adds a crash cut short", async () => {
    const bytes = randomBytes(700 * KIB);
    const { Hash } = await added(node.url, bytes);
    const pins = readdirSync(path.join(dataDir, "pins"));
    expect(pins.length).to.equal(1);
    await node.close();
    // What a crash mid-add leaves: a staging folder with a block in it.
    mkdirSync(path.join(dataDir, "staging", "add-crashed"), { recursive: true });
    writeFileSync(path.join(dataDir, "staging", "add-crashed", "block"), randomBytes(100));

    node = await startNode(dataDir, LIMIT);
    const back = await fetch(`${node.url}/ipfs/${Hash}`);
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).to.equal(true);
    expect(readdirSync(path.join(dataDir, "pins"))).to.deep.equal(pins);
    expect(storeState(dataDir).staging).to.deep.equal([]);
  });
});
