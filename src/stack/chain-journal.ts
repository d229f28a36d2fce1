/**
 * The local chain's journal: every mined block as one JSON line (its number, timestamp and signed
 * transactions, its hash), appended and flushed before any JSON-RPC answer over HTTP reveals the block
 * (chain-node.ts holds such answers back). Replaying the lines on a fresh Hardhat node rebuilds the
 * same chain, which is how the stack's chain survives restarts
 * (Hardhat keeps no state on disk).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from "node:fs";
import path from "node:path";

/** One mined block: enough to mine it again identically. */
export interface JournalBlock {
  /** Block number. */
  n: number;
  /** Block timestamp (seconds). */
  t: number;
  /** The block's transactions, signed and serialized, in order. */
  txs: string[];
  /** The block's hash, which a replay must reproduce. */
  h?: string;
}

/** Append-only file of the chain's blocks. */
export class ChainJournal {
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    /** Blocks read at opening, in order. */
    readonly blocks: JournalBlock[],
  ) {}

  /**
   * Opens (or creates) the journal at `file`. A torn last line (a crash mid-write) is cut off: its
   * block was never acknowledged to anyone. Any other malformed line is an error naming it.
   */
  static open(file: string): ChainJournal {
    mkdirSync(path.dirname(file), { recursive: true });
    const blocks: JournalBlock[] = [];
    if (existsSync(file)) {
      const text = readFileSync(file, "utf8");
      const lines = text.split("\n");
      // Every block is written with its newline: whatever follows the last newline is a torn write,
      // even when it happens to parse, and was never acknowledged to anyone.
      const torn = lines.pop()!;
      for (const [i, line] of lines.entries()) {
        let block: JournalBlock;
        try {
          block = parseBlock(JSON.parse(line));
        } catch (error) {
          throw new Error(
            `${file}: line ${i + 1} is not a block (${(error as Error).message}); the journal is damaged.`,
            { cause: error },
          );
        }
        const expected = (blocks.at(-1)?.n ?? 0) + 1;
        if (block.n !== expected)
          throw new Error(
            `${file}: line ${i + 1} holds block ${block.n}, expected ${expected}; the journal is damaged.`,
          );
        blocks.push(block);
      }
      if (torn !== "") truncateSync(file, Buffer.byteLength(text) - Buffer.byteLength(torn));
    }
    return new ChainJournal(file, blocks);
  }

  /** Number of the last journaled block (0 when empty: the genesis block is not journaled). */
  get head(): number {
    return this.blocks.at(-1)?.n ?? 0;
  }

  /** Appends blocks and flushes them to disk. */
  append(blocks: JournalBlock[]): void {
    if (blocks.length === 0) return;
    for (const [i, block] of blocks.entries()) {
      const expected = this.head + 1 + i;
      if (block.n !== expected)
        throw new Error(`journal: block ${block.n} appended after block ${expected - 1}`);
    }
    this.fd ??= openSync(this.file, "a");
    writeSync(this.fd, blocks.map((block) => JSON.stringify(block) + "\n").join(""));
    fsyncSync(this.fd);
    this.blocks.push(...blocks);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function parseBlock(value: unknown): JournalBlock {
  const block = value as JournalBlock;
  if (
    typeof block !== "object" ||
    block === null ||
    !Number.isSafeInteger(block.n) ||
    !Number.isSafeInteger(block.t) ||
    !Array.isArray(block.txs) ||
    !block.txs.every((tx) => typeof tx === "string" && /^0x[0-9a-f]*$/i.test(tx)) ||
    (block.h !== undefined && !/^0x[0-9a-f]{64}$/i.test(block.h))
  )
    throw new Error("fields n, t, txs and h expected");
  return block.h === undefined
    ? { n: block.n, t: block.t, txs: block.txs }
    : { n: block.n, t: block.t, txs: block.txs, h: block.h };
}
