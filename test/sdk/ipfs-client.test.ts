import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify, toUtf8Bytes, Wallet } from "ethers";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { startIpfsNode, type IpfsNode } from "../../src/ipfs/server";
import {
  InvalidInputError,
  IpfsBlockMismatchError,
  NotFoundError,
  ServiceError,
  ServiceTimeoutError,
  ServiceUnavailableError,
} from "../../src/sdk/core/errors";
import { SILENT_LOGGER } from "../../src/sdk/core/logger";
import { IpfsClient } from "../../src/sdk/node/ipfs";
import { fetchResultZip, ipfsResultsText } from "../../src/sdk/node/results";
import { rejection, rejectionOf } from "../rejection";
import { silentServer, tamperingGateway } from "./ipfs-stubs";
import { closedPortUrl, startStub } from "./stub-server";

const TASK = "0x" + "5c".repeat(32);

/** The CIDv0 Debian's `ipfs_cid` (independent of the JS libraries) computes for `file`. */
function ipfsCid(file: string): string {
  return (
    JSON.parse(
      execFileSync("ipfs_cid", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
    ) as { CIDv0: string }
  ).CIDv0;
}

describe("SDK IPFS client (against the store)", function () {
  let node: IpfsNode;
  let dir: string;
  let out: string;
  let client: IpfsClient;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "openpoco-ipfs-client-"));
    node = await startIpfsNode({
      dataDir: join(dir, "node"),
      port: 0,
      maxAddBytes: 2 * 1024 * 1024,
      logger: SILENT_LOGGER,
    });
    client = new IpfsClient({ nodeUrl: node.url, gatewayUrl: node.url, timeoutMs: 10_000 });
  });

  after(async function () {
    await node.close();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async function () {
    out = await mkdtemp(join(dir, "out-"));
  });

  /** Writes `bytes` to a file and adds it; returns the file and the CID. */
  async function add(bytes: Buffer, name = "file.bin"): Promise<{ file: string; cid: string }> {
    const file = join(dir, `${randomBytes(4).toString("hex")}-${name}`);
    await writeFile(file, bytes);
    const { cid, size } = await client.addFile(file);
    expect(size).to.equal(bytes.length);
    return { file, cid };
  }

  it("adds files with kubo's CIDs and downloads them back, block by block verified", async function () {
    for (const length of [0, 12, 256 * 1024 + 1, 600 * 1024]) {
      const bytes = randomBytes(length);
      const { file, cid } = await add(bytes);
      expect(cid, `${length} B`).to.equal(ipfsCid(file));
      const target = join(out, `${length}.bin`);
      expect(await client.download(`/ipfs/${cid}`, target)).to.deep.equal({ size: length });
      expect((await readFile(target)).equals(bytes), `${length} B`).to.equal(true);
      // A bare CID works too.
      const bare = join(out, `${length}-bare.bin`);
      await client.download(cid, bare);
      expect((await readFile(bare)).equals(bytes)).to.equal(true);
    }
  });

  it("refuses a block whose hash does not match its CID, and leaves nothing on disk", async function () {
    const bytes = randomBytes(600 * 1024);
    const { cid: root } = await add(bytes);
    // Only the leaves are altered (in their data), so the root decodes and the walk reaches them.
    const gateway = await tamperingGateway(node.url, (cid) => cid !== root);
    try {
      const tampered = new IpfsClient({ gatewayUrl: gateway.url, timeoutMs: 10_000 });
      const error = await rejectionOf(
        tampered.download(`/ipfs/${root}`, join(out, "result.zip")),
        IpfsBlockMismatchError,
      );
      expect(error.code).to.equal("IPFS_BLOCK_MISMATCH");
      expect(error.message).to.include(gateway.url).and.include(error.cid);
      expect(gateway.tampered).to.include(error.cid);
      expect(await readdir(out)).to.deep.equal([]);
    } finally {
      await gateway.close();
    }
    // A single-block file: the root itself altered.
    const small = randomBytes(5000);
    const { cid } = await add(small);
    const rootTamper = await tamperingGateway(node.url, () => true);
    try {
      const tampered = new IpfsClient({ gatewayUrl: rootTamper.url, timeoutMs: 10_000 });
      await rejectionOf(tampered.download(cid, join(out, "small.bin")), IpfsBlockMismatchError);
      expect(await readdir(out)).to.deep.equal([]);
    } finally {
      await rootTamper.close();
    }
  });

  it("stops with a clear error when the gateway does not answer in time, leaving nothing", async function () {
    const silent = await silentServer();
    try {
      const slow = new IpfsClient({ gatewayUrl: silent.url, timeoutMs: 300 });
      const cid = CID.createV0(await sha256.digest(toUtf8Bytes("x"))).toString();
      const error = await rejectionOf(slow.download(`/ipfs/${cid}`, join(out, "f")), ServiceTimeoutError);
      expect(error).to.be.instanceOf(ServiceUnavailableError);
      expect(error.message).to.include(silent.url).and.include("did not answer within 0.3 s");
      expect(error.message).to.include("ipfsGateway");
      expect(await readdir(out)).to.deep.equal([]);
      // An add to a node that does not answer times out alike.
      const file = join(dir, "to-add.bin");
      await writeFile(file, randomBytes(1000));
      const stalled = new IpfsClient({ nodeUrl: silent.url, timeoutMs: 300 });
      const addError = await rejectionOf(stalled.addFile(file), ServiceTimeoutError);
      expect(addError.message).to.include(silent.url).and.include("ipfsNode");
    } finally {
      await silent.close();
    }
  });

  it("refuses bad CIDs and paths before any request, and names paths that do not resolve", async function () {
    const stub = await startStub((_req, res) => res.end());
    try {
      const watched = new IpfsClient({ gatewayUrl: stub.url });
      for (const bad of [
        "/ipfs/QmNotACid",
        "QmNotACid",
        "/ipfs/",
        "https://example.com/x",
        "/ipfs/Qm/../x",
      ]) {
        const error = await rejection(watched.download(bad, join(out, "f")));
        expect(error, bad).to.be.instanceOf(InvalidInputError);
      }
      expect(stub.requests).to.deep.equal([]);
    } finally {
      await stub.close();
    }
    const { cid } = await add(Buffer.from("hello world\n"));
    for (const below of ["nothing.txt", "a/b"]) {
      const missing = await rejectionOf(
        client.download(`/ipfs/${cid}/${below}`, join(out, "f")),
        NotFoundError,
      );
      expect(missing.message).to.include(`/ipfs/${cid}/${below}`);
    }
    // A valid CID the gateway does not have: its 404, named.
    const unknown = CID.createV0(await sha256.digest(randomBytes(8))).toString();
    const notHeld = await rejectionOf(client.download(unknown, join(out, "f")), ServiceError);
    expect(notHeld.status).to.equal(404);
    expect(notHeld.message).to.include(unknown).and.include("IPFS gateway");
    expect(await readdir(out)).to.deep.equal([]);
  });

  it("refuses blocks that hash right but are not a UnixFS file, leaving nothing", async function () {
    const garbage = Buffer.from("this is not a dag-pb node \xff\xff\xff");
    const cid = CID.createV0(await sha256.digest(garbage)).toString();
    const stub = await startStub((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/vnd.ipld.raw" });
      res.end(garbage);
    });
    try {
      const error = await rejection(new IpfsClient({ gatewayUrl: stub.url }).download(cid, join(out, "f")));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.include(cid).and.include("not a UnixFS file");
      expect(stub.requests[0].query.get("format")).to.equal("raw");
      expect(stub.requests[0].headers.accept).to.equal("application/vnd.ipld.raw");
      expect(await readdir(out)).to.deep.equal([]);
    } finally {
      await stub.close();
    }
  });

  it("refuses a file larger than the download's limit before fetching its leaves", async function () {
    const { cid } = await add(randomBytes(300 * 1024));
    const error = await rejection(client.download(cid, join(out, "big"), { maxBytes: 1000 }));
    expect((error as { code?: string }).code).to.equal("IPFS_FILE_TOO_LARGE");
    expect(await readdir(out)).to.deep.equal([]);
  });

  it("reports a node's refusal, a node away, and a gateway that does not serve the added content", async function () {
    const big = join(dir, "too-big.bin");
    await writeFile(big, randomBytes(3 * 1024 * 1024));
    const refused = await rejection(client.addFile(big));
    // The node may answer 413 or cut the upload short: either way a clear SDK error naming it.
    expect(refused).to.satisfy(
      (e: unknown) => (e instanceof ServiceError && e.status === 413) || e instanceof ServiceUnavailableError,
    );
    expect(refused.message).to.include(node.url);
    const small = join(dir, "small.bin");
    await writeFile(small, randomBytes(100));
    const away = await rejectionOf(
      new IpfsClient({ nodeUrl: await closedPortUrl() }).addFile(small),
      ServiceUnavailableError,
    );
    expect(away.message).to.include("IPFS node");
    const stub = await startStub((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    try {
      const notServing = new IpfsClient({ nodeUrl: node.url, gatewayUrl: stub.url });
      const error = await rejectionOf(notServing.addFile(small), ServiceError);
      expect(error.message).to.include("does not serve").and.include(stub.url);
      expect(stub.requests.map((r) => r.method)).to.deep.equal(["HEAD"]);
    } finally {
      await stub.close();
    }
    const wrongGateway = new IpfsClient({
      nodeUrl: node.url,
      gatewayUrl: await closedPortUrl(),
      timeoutMs: 2000,
    });
    await rejectionOf(wrongGateway.addFile(small), ServiceUnavailableError);
    await rejectionOf(new IpfsClient({}).addFile(small), InvalidInputError);
    await rejectionOf(client.addFile(join(dir, "no-such-file")), InvalidInputError);
  });

  it("leaves no timer behind when the node refuses an add", async function () {
    // A timer re-armed by the file still being read kept the CLI alive for the whole timeout after a refusal.
    const big = join(dir, "refused.bin");
    await writeFile(big, randomBytes(8 * 1024 * 1024));
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = timers();
    const refusal = await rejectionOf(
      new IpfsClient({ nodeUrl: node.url, timeoutMs: 60_000 }).addFile(big),
      ServiceError,
    );
    expect(refusal.status).to.equal(413);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(timers()).to.equal(before);
  });

  it("fetchResultZip downloads an IPFS result through the gateway and refuses storages it cannot read", async function () {
    const zip = randomBytes(70_000);
    const { cid } = await add(zip, "result.zip");
    const results = hexlify(toUtf8Bytes(ipfsResultsText(cid)));
    expect(ipfsResultsText(cid)).to.equal(`{"storage":"ipfs","location":"/ipfs/${cid}"}`);
    const target = join(out, "result.zip");
    const fetched = await fetchResultZip(results, TASK, target, { chainId: 31337n, ipfsGateway: node.url });
    expect(fetched).to.deep.equal({ size: zip.length, storage: "ipfs" });
    expect((await readFile(target)).equals(zip)).to.equal(true);
    // The result's size limit reaches the download.
    const tooBig = await rejection(
      fetchResultZip(results, TASK, join(out, "big.zip"), {
        chainId: 31337n,
        ipfsGateway: node.url,
        maxBytes: 1000,
      }),
    );
    expect((tooBig as { code?: string }).code).to.equal("IPFS_FILE_TOO_LARGE");
    const noGateway = await rejectionOf(
      fetchResultZip(results, TASK, join(out, "x.zip"), { chainId: 31337n }),
      InvalidInputError,
    );
    expect(noGateway.message).to.include("ipfsGateway");
    const other = hexlify(toUtf8Bytes('{"storage":"dropbox","location":"https://dropbox.example/x"}'));
    const unknown = await rejectionOf(
      fetchResultZip(other, TASK, join(out, "y.zip"), {
        chainId: 31337n,
        ipfsGateway: node.url,
        signer: Wallet.createRandom(),
      }),
      InvalidInputError,
    );
    expect(unknown.message).to.include('"dropbox"');
    expect(await readdir(out)).to.deep.equal(["result.zip"]);
  });
});
