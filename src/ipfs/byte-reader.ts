/**
 * A pull reader over a byte stream that finds delimiters across chunk edges: what the multipart parser
 * needs to stream a file part without holding it. Memory is one chunk plus a delimiter's length.
 */
import { InvalidInputError } from "../sdk/core/errors";

/** Reads a stream of chunks up to delimiters. */
export class ByteReader {
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  private readonly source: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** The next chunk of the stream, or undefined at its end. */
  private async next(): Promise<Buffer | undefined> {
    if (this.ended) return undefined;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return undefined;
    }
    return Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
  }

  /**
   * Yields the bytes before the next `delimiter` and consumes the delimiter. Throws InvalidInputError
   * (naming `what`) when the stream ends first. Chunks are yielded as views, never copied: only the
   * few bytes where a delimiter could straddle two chunks are.
   */
  async *until(delimiter: Buffer, what: string): AsyncGenerator<Buffer> {
    const keep = delimiter.length - 1;
    for (;;) {
      const at = this.pending.indexOf(delimiter);
      if (at >= 0) {
        const before = this.pending.subarray(0, at);
        this.pending = this.pending.subarray(at + delimiter.length);
        if (before.length > 0) yield before;
        return;
      }
      // The tail could be the start of a delimiter: keep it, hand out the rest.
      if (this.pending.length > keep) {
        yield this.pending.subarray(0, this.pending.length - keep);
        this.pending = this.pending.subarray(this.pending.length - keep);
      }
      const chunk = await this.next();
      if (!chunk) throw new InvalidInputError(`The request body ended before ${what}.`);
      if (this.pending.length === 0) {
        this.pending = chunk;
        continue;
      }
      const tail = this.pending;
      if (chunk.length < keep) {
        // Too short to hold the rest of a delimiter starting in the tail: gather (few bytes).
        this.pending = Buffer.concat([tail, chunk]);
        continue;
      }
      // A delimiter starting in the tail ends within `keep` bytes of the chunk: look there only.
      const seam = Buffer.concat([tail, chunk.subarray(0, keep)]);
      const across = seam.indexOf(delimiter);
      if (across >= 0 && across < tail.length) {
        if (across > 0) yield seam.subarray(0, across);
        this.pending = chunk.subarray(across + delimiter.length - tail.length);
        return;
      }
      yield tail;
      this.pending = chunk;
    }
  }

  /** The bytes before the next `delimiter`, at most `maxBytes` of them. */
  async readUntil(delimiter: Buffer, what: string, maxBytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const part of this.until(delimiter, what)) {
      size += part.length;
      if (size > maxBytes)
        throw new InvalidInputError(`The request body has more than ${maxBytes} bytes before ${what}.`);
      parts.push(part);
    }
    return Buffer.concat(parts);
  }

  /** Exactly `count` next bytes (fewer only at the end of the stream). */
  async take(count: number): Promise<Buffer> {
    while (this.pending.length < count) {
      const chunk = await this.next();
      if (!chunk) break;
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    }
    const out = this.pending.subarray(0, count);
    this.pending = this.pending.subarray(out.length);
    return out;
  }
}
