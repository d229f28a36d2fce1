/**
 * The add path's own DAG builder (src/ipfs/file-dag.ts) against ipfs-unixfs-importer with the same
 * options: the same root CID, the same size, and exactly the same blocks, for files of every edge of the
 * layout (empty, one chunk, a full node, one more, deep trees) fed in pieces of every kind. Small shapes
 * (16-byte chunks, 3 links per node) build trees of four levels from a few hundred bytes; kubo's own
 * shape is checked on a few MiB, and against Debian's `ipfs_cid` in gateway.test.ts.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { importer } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import { FileDagBuilder, KUBO_DAG_SHAPE, type FileDagShape } from "../../src/ipfs/file-dag";

/** Blocks by CID string. */
type Blocks = Map<string, string>;

/** What ipfs-unixfs-importer makes of `bytes` with kubo's options and `shape`. */
async function importerDag(bytes: Uint8Array, shape: FileDagShape) {
  const blocks: Blocks = new Map();
  const store = {
    put: async (cid: CID, block: Uint8Array) => {
      blocks.set(CID.createV0(cid.multihash as never).toString(), Buffer.from(block).toString("hex"));
      return cid;
    },
    get: async () => {
      throw new Error("not read");
    },
  };
  let last: { cid: CID; size: bigint } | undefined;
  for await (const entry of importer([{ content: [bytes] }], store as never, {
    cidVersion: 0,
    rawLeaves: false,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: shape.chunkBytes }),
    layout: balanced({ maxChildrenPerNode: shape.maxChildren }),
  }))
    last = entry;
  return { root: last!.cid.toString(), dagSize: Number(last!.size), blocks };
}

/** What our builder makes of `bytes` given in `pieces`. */
function builderDag(pieces: Uint8Array[], shape: FileDagShape) {
  const blocks: Blocks = new Map();
  const dag = new FileDagBuilder((multihash, block) => {
    // The builder reuses its leaf buffer: the block is copied here, as the staging writes it at once.
    blocks.set(CID.decode(multihash).toString(), Buffer.from(block).toString("hex"));
  }, shape);
  for (const piece of pieces) dag.write(piece);
  const built = dag.finish();
  return {
    root: CID.decode(built.rootMultihash).toString(),
    dagSize: built.dagSize,
    fileSize: built.fileSize,
    blocks,
  };
}

/** `bytes` cut at random places (pieces of 0 to `max` bytes). */
function randomPieces(bytes: Uint8Array, max: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = Math.floor(Math.random() * (max + 1));
    pieces.push(bytes.subarray(at, at + length));
    at += length;
  }
  return pieces;
}

async function expectSameDag(bytes: Uint8Array, pieces: Uint8Array[], shape: FileDagShape) {
  const expected = await importerDag(bytes, shape);
  const ours = builderDag(pieces, shape);
  expect(ours.root, `root of ${bytes.length} bytes`).to.equal(expected.root);
  expect(ours.dagSize, `size of ${bytes.length} bytes`).to.equal(expected.dagSize);
  expect(ours.fileSize).to.equal(bytes.length);
  expect([...ours.blocks.keys()].sort()).to.deep.equal([...expected.blocks.keys()].sort());
  for (const [cid, block] of expected.blocks) expect(ours.blocks.get(cid), `block ${cid}`).to.equal(block);
}

describe("IPFS add: the file DAG builder", function () {
  const small: FileDagShape = { chunkBytes: 16, maxChildren: 3 };

  // Every edge of a tree of 16-byte leaves, 3 links per node: one leaf, full nodes, one leaf past them,
  // up to four levels.
  const edges = [0, 1, 15, 16, 17, 32, 48, 49, 64, 144, 145, 160, 432, 433, 448, 1296, 1297, 1500];
  for (const size of edges)
    it(`builds the importer's DAG of ${size} bytes (16-byte chunks, 3 links)`, async () => {
      const bytes = randomBytes(size);
      await expectSameDag(bytes, [bytes], small);
      await expectSameDag(
        bytes,
        [...bytes].map((byte) => Uint8Array.of(byte)),
        small,
      );
      await expectSameDag(bytes, randomPieces(bytes, 40), small);
    });

  it("builds the importer's DAG of random sizes and shapes", async () => {
    for (let round = 0; round < 25; round++) {
      const shape = {
        chunkBytes: 1 + Math.floor(Math.random() * 300),
        maxChildren: 2 + Math.floor(Math.random() * 6),
      };
      const bytes = randomBytes(Math.floor(Math.random() * 20_000));
      await expectSameDag(bytes, randomPieces(bytes, 5000), shape);
    }
  });

  it("builds the importer's DAG with kubo's shape (256 KiB chunks, 174 links)", async () => {
    const chunk = KUBO_DAG_SHAPE.chunkBytes;
    for (const size of [1, chunk - 1, chunk, chunk + 1, 3 * chunk + 12345]) {
      const bytes = randomBytes(size);
      await expectSameDag(bytes, randomPieces(bytes, 70_000), KUBO_DAG_SHAPE);
    }
  });

  it("keeps the empty file's CID kubo gives it", () => {
    expect(builderDag([], KUBO_DAG_SHAPE).root).to.equal("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  });
});
