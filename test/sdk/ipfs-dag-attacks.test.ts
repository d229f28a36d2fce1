/**
 * Hostile DAGs served by a gateway whose blocks all hash right: the client reads them pulled, one block at a
 * time, refuses nodes that do not add up, stops past a block budget, and leaves neither a file nor a walk
 * going on behind it.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { IpfsClient } from "../../src/sdk/node/ipfs";
import { GatewayBlockstore } from "../../src/sdk/node/ipfs-gateway-blocks";
import { rejection } from "../rejection";
import { dagGateway, fileNode } from "./ipfs-stubs";

describe("SDK IPFS client against hostile DAGs", function () {
  let out: string;

  beforeEach(async function () {
    out = await mkdtemp(join(tmpdir(), "openpoco-ipfs-dag-"));
  });

  afterEach(async function () {
    await rm(out, { recursive: true, force: true });
  });

  it("refuses links of size 0 and stops walking the DAG once the download has returned", async function () {
    const blocks = new Map<string, Uint8Array>();
    const keep = (node: { cid: CID; bytes: Uint8Array }) => {
      blocks.set(node.cid.toString(), node.bytes);
      return node;
    };
    // Each level links the one below 4 times with size 0: 4^30 visits for a file that says it is 1 byte.
    let level = keep(await fileNode(undefined, []));
    for (let depth = 0; depth < 30; depth++)
      level = keep(await fileNode(undefined, Array(4).fill({ cid: level.cid, size: 0n })));
    const root = keep(await fileNode(Uint8Array.of(1), Array(4).fill({ cid: level.cid, size: 0n })));
    const gateway = await dagGateway(blocks);
    try {
      const client = new IpfsClient({ gatewayUrl: gateway.url, timeoutMs: 5000 });
      const error = await rejection(client.download(root.cid.toString(), join(out, "f")));
      expect((error as { code?: string }).code).to.equal("IPFS_MALFORMED_DAG");
      expect(error.message).to.include("size 0");
      expect(await readdir(out)).to.deep.equal([]);
      const asked = gateway.asked.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(gateway.asked.length, "no block asked for after the download returned").to.equal(asked);
    } finally {
      await gateway.close();
    }
  });

  it("refuses a DAG that needs more blocks than its declared size allows", async function () {
    const blocks = new Map<string, Uint8Array>();
    // A 1-byte file behind 1100 nodes of one link each: every size adds up, the depth does not.
    let node = await fileNode(Uint8Array.of(7), []);
    blocks.set(node.cid.toString(), node.bytes);
    for (let depth = 0; depth < 1100; depth++) {
      node = await fileNode(undefined, [{ cid: node.cid, size: 1n }]);
      blocks.set(node.cid.toString(), node.bytes);
    }
    const gateway = await dagGateway(blocks);
    try {
      const client = new IpfsClient({ gatewayUrl: gateway.url, timeoutMs: 5000 });
      const error = await rejection(client.download(node.cid.toString(), join(out, "f")));
      expect((error as { code?: string }).code).to.equal("IPFS_TOO_MANY_BLOCKS");
      expect(gateway.asked.length).to.be.at.most(1026);
      expect(await readdir(out)).to.deep.equal([]);
    } finally {
      await gateway.close();
    }
  });

  it("fetches a block only once the bytes before it are written (no read-ahead without bound)", async function () {
    const blocks = new Map<string, Uint8Array>();
    const leaves: CID[] = [];
    for (let i = 0; i < 20; i++) {
      const leaf = await fileNode(randomBytes(1024), []);
      blocks.set(leaf.cid.toString(), leaf.bytes);
      leaves.push(leaf.cid);
    }
    const root = await fileNode(
      undefined,
      leaves.map((cid) => ({ cid, size: 1024n })),
    );
    blocks.set(root.cid.toString(), root.bytes);
    const controller = new AbortController();
    // The third leaf never comes: by then the client must have asked for nothing beyond it.
    const gateway = await dagGateway(blocks, leaves[2].toString(), () => controller.abort(new Error("test")));
    try {
      const client = new IpfsClient({ gatewayUrl: gateway.url, timeoutMs: 30_000 });
      const error = await rejection(
        client.download(root.cid.toString(), join(out, "f"), { signal: controller.signal }),
      );
      expect((error as { code?: string }).code).to.equal("IPFS_DOWNLOAD_STOPPED");
      expect(gateway.asked).to.deep.equal([root.cid, ...leaves.slice(0, 3)].map(String));
      expect(await readdir(out)).to.deep.equal([]);
    } finally {
      await gateway.close();
    }
  });

  it("refuses a node whose link says another size than the node it points at", async function () {
    const leaf = await fileNode(randomBytes(100), []);
    const root = await fileNode(undefined, [{ cid: leaf.cid, size: 50n }]);
    const blocks = new Map([
      [leaf.cid.toString(), leaf.bytes],
      [root.cid.toString(), root.bytes],
    ]);
    const gateway = await dagGateway(blocks);
    try {
      const client = new IpfsClient({ gatewayUrl: gateway.url, timeoutMs: 5000 });
      const error = await rejection(client.download(root.cid.toString(), join(out, "f")));
      expect((error as { code?: string }).code).to.equal("IPFS_MALFORMED_DAG");
      expect(await readdir(out)).to.deep.equal([]);
    } finally {
      await gateway.close();
    }
  });

  it("answers no block, not even the cached one, once the walk is stopped", async function () {
    const leaf = await fileNode(randomBytes(100), []);
    const gateway = await dagGateway(new Map([[leaf.cid.toString(), leaf.bytes]]));
    try {
      const blocks = new GatewayBlockstore(gateway.url, 5000);
      expect(await blocks.block(leaf.cid)).to.deep.equal(leaf.bytes);
      const stopped = AbortSignal.abort(new Error("stopped"));
      const error = await rejection(blocks.block(leaf.cid, stopped));
      expect(error.message).to.equal("stopped");
      expect(gateway.asked).to.have.length(1);
    } finally {
      await gateway.close();
    }
  });
});
