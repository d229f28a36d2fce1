/**
 * The UnixFS file DAG that `ipfs add` builds with kubo's defaults (CIDv0, 256 KiB chunks, dag-pb leaves,
 * the balanced layout of at most 174 links per node, a file of one chunk kept as that one node), built
 * as the bytes stream in: each leaf is encoded in place around its chunk, hashed and handed on, in one
 * buffer reused from leaf to leaf. Memory is that buffer plus a few bytes per block of the unfinished
 * levels, whatever the file's size; no garbage is made per leaf.
 *
 * The encodings are protobuf, written by hand (fields in kubo's order):
 * - UnixFS `Data`: Type = 2 (file) `08 02`, Data `12 <len> <bytes>` (omitted when empty), filesize
 *   `18 <varint>`, then one blocksizes `20 <varint>` per child.
 * - dag-pb `PBNode`: each link `12 <len> PBLink`, then Data `0a <len> <UnixFS>`; a `PBLink` is Hash
 *   `0a 22 <multihash>`, Name `12 00` (empty), Tsize `18 <varint>`.
 * test/ipfs/file-dag.test.ts checks the CIDs and blocks against ipfs-unixfs-importer with the same options.
 */
import { createHash } from "node:crypto";

/** kubo's chunk size. */
const CHUNK_BYTES = 256 * 1024;
/** kubo's widest node of the balanced layout. */
const MAX_CHILDREN_PER_NODE = 174;
/** The multihash prefix of sha2-256 (code 0x12, 32 bytes): a CIDv0 is exactly this multihash. */
const SHA2_256_PREFIX = Buffer.from([0x12, 0x20]);
/** Bytes of a CIDv0 (its multihash). */
const CID_V0_BYTES = 34;

/** Receives each block once encoded: its sha2-256 multihash (a CIDv0's bytes) and its bytes. */
export type BlockSink = (multihash: Buffer, block: Buffer) => void;

/** A node of the DAG, as its parent links it. */
interface DagNode {
  /** The CIDv0 (multihash) bytes. */
  multihash: Buffer;
  /** Bytes of the node's block and of all blocks below it (the link's Tsize, kubo's `Size`). */
  dagSize: number;
  /** Bytes of file content under the node (the parent's blocksizes entry). */
  fileSize: number;
}

/** The finished DAG. */
export interface FileDag {
  /** The root's CIDv0 bytes (a sha2-256 multihash). */
  rootMultihash: Buffer;
  /** Bytes of the file. */
  fileSize: number;
  /** Bytes of every block of the DAG (kubo's `Size`). */
  dagSize: number;
}

/** Bytes of `value` as a protobuf varint. */
function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

/** Writes `value` as a varint at `offset`; returns the offset after it. */
function writeVarint(buffer: Buffer, offset: number, value: number): number {
  while (value >= 0x80) {
    buffer[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buffer[offset++] = value;
  return offset;
}

/** The multihash of `block`: sha2-256, prefixed. */
function multihashOf(block: Buffer): Buffer {
  const multihash = Buffer.allocUnsafe(CID_V0_BYTES);
  SHA2_256_PREFIX.copy(multihash, 0);
  createHash("sha256").update(block).digest().copy(multihash, 2);
  return multihash;
}

/** Bytes of a leaf's UnixFS message around `length` bytes of content (Type, Data, filesize). */
function leafUnixfsLength(length: number): number {
  const data = length > 0 ? 1 + varintLength(length) + length : 0;
  return 2 + data + 1 + varintLength(length);
}

/** Bytes a leaf block has before its content: PBNode Data tag and length, UnixFS Type, Data tag and length. */
function leafHeaderLength(length: number): number {
  const unixfs = leafUnixfsLength(length);
  return 1 + varintLength(unixfs) + 2 + (length > 0 ? 1 + varintLength(length) : 0);
}

/** The shape of the DAG: kubo's by default; smaller ones let tests build deep trees from few bytes. */
export interface FileDagShape {
  /** Bytes of content per leaf. */
  chunkBytes: number;
  /** Links per node at most. */
  maxChildren: number;
}

/** kubo's defaults: 256 KiB chunks, 174 links per node. */
export const KUBO_DAG_SHAPE: FileDagShape = { chunkBytes: CHUNK_BYTES, maxChildren: MAX_CHILDREN_PER_NODE };

/** Builds a file's DAG from its bytes, as they stream in. */
export class FileDagBuilder {
  private readonly chunkBytes: number;
  private readonly maxChildren: number;
  /** Room kept before the content in `leaf`: the header of a full chunk, the longest. */
  private readonly headerRoom: number;
  /** The leaf being filled: content at headerRoom, header written before it once full. */
  private readonly leaf: Buffer;
  /** Content bytes in `leaf`. */
  private filled = 0;
  /** Nodes not linked yet, by level (0: leaves); each level holds fewer than `maxChildren`. */
  private readonly levels: DagNode[][] = [];
  /** Nodes each level ever had: a level that had one node only, at the end, is the root. */
  private readonly levelCounts: number[] = [];
  private fileSize = 0;

  constructor(
    private readonly sink: BlockSink,
    shape: FileDagShape = KUBO_DAG_SHAPE,
  ) {
    this.chunkBytes = shape.chunkBytes;
    this.maxChildren = shape.maxChildren;
    this.headerRoom = leafHeaderLength(this.chunkBytes);
    // After the content: the filesize field of a full chunk, the longest.
    this.leaf = Buffer.allocUnsafeSlow(this.headerRoom + this.chunkBytes + 1 + varintLength(this.chunkBytes));
  }

  /** Takes the next bytes of the file (copied: the caller may reuse `bytes`). */
  write(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.byteLength) {
      const taken = Math.min(this.chunkBytes - this.filled, bytes.byteLength - offset);
      this.leaf.set(bytes.subarray(offset, offset + taken), this.headerRoom + this.filled);
      this.filled += taken;
      offset += taken;
      if (this.filled === this.chunkBytes) this.flushLeaf();
    }
    this.fileSize += bytes.byteLength;
  }

  /** Ends the file: stores the last leaf and every parent up to the root. */
  finish(): FileDag {
    // An empty file is one leaf without content; a file ending on a chunk edge has no partial leaf.
    if (this.filled > 0 || this.levelCounts.length === 0) this.flushLeaf();
    for (let level = 0; ; level++) {
      if (this.levelCounts[level] === 1)
        return {
          rootMultihash: this.levels[level][0].multihash,
          fileSize: this.fileSize,
          dagSize: this.levels[level][0].dagSize,
        };
      if (this.levels[level].length > 0) this.linkLevel(level);
    }
  }

  /** Encodes the leaf around its content (header right before it), stores it, adds it to level 0. */
  private flushLeaf(): void {
    const length = this.filled;
    const start = this.headerRoom - leafHeaderLength(length);
    let at = start;
    this.leaf[at++] = 0x0a;
    at = writeVarint(this.leaf, at, leafUnixfsLength(length));
    this.leaf[at++] = 0x08;
    this.leaf[at++] = 0x02;
    if (length > 0) {
      this.leaf[at++] = 0x12;
      at = writeVarint(this.leaf, at, length);
    }
    // The header was placed to end where the content starts: anything else is a bug here.
    if (at !== this.headerRoom) throw new Error(`leaf header ends at ${at}, not ${this.headerRoom}`);
    let end = this.headerRoom + length;
    this.leaf[end++] = 0x18;
    end = writeVarint(this.leaf, end, length);
    const block = this.leaf.subarray(start, end);
    const multihash = multihashOf(block);
    this.sink(multihash, block);
    this.filled = 0;
    this.push(0, { multihash, dagSize: block.length, fileSize: length });
  }

  /** Adds `node` to `level`, linking the level into a parent when it is full. */
  private push(level: number, node: DagNode): void {
    if (this.levels.length === level) {
      this.levels.push([]);
      this.levelCounts.push(0);
    }
    this.levels[level].push(node);
    this.levelCounts[level]++;
    if (this.levels[level].length === this.maxChildren) this.linkLevel(level);
  }

  /** Stores the parent of the nodes waiting at `level`, and adds it to the level above. */
  private linkLevel(level: number): void {
    const children = this.levels[level];
    this.levels[level] = [];
    const fileSize = children.reduce((sum, child) => sum + child.fileSize, 0);
    const unixfsLength =
      2 + 1 + varintLength(fileSize) + children.reduce((sum, c) => sum + 1 + varintLength(c.fileSize), 0);
    const linkLength = (child: DagNode) => 2 + CID_V0_BYTES + 2 + 1 + varintLength(child.dagSize);
    const blockLength =
      children.reduce((sum, c) => sum + 1 + varintLength(linkLength(c)) + linkLength(c), 0) +
      1 +
      varintLength(unixfsLength) +
      unixfsLength;
    const block = Buffer.allocUnsafe(blockLength);
    let at = 0;
    for (const child of children) {
      block[at++] = 0x12;
      at = writeVarint(block, at, linkLength(child));
      block[at++] = 0x0a;
      block[at++] = CID_V0_BYTES;
      at += child.multihash.copy(block, at);
      block[at++] = 0x12;
      block[at++] = 0x00;
      block[at++] = 0x18;
      at = writeVarint(block, at, child.dagSize);
    }
    block[at++] = 0x0a;
    at = writeVarint(block, at, unixfsLength);
    block[at++] = 0x08;
    block[at++] = 0x02;
    block[at++] = 0x18;
    at = writeVarint(block, at, fileSize);
    for (const child of children) {
      block[at++] = 0x20;
      at = writeVarint(block, at, child.fileSize);
    }
    const multihash = multihashOf(block);
    this.sink(multihash, block);
    const dagSize = children.reduce((sum, child) => sum + child.dagSize, blockLength);
    this.push(level + 1, { multihash, dagSize, fileSize });
  }
}
