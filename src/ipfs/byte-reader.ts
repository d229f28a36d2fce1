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

  /** Appends the next chunk to the pending bytes; false at the end of the stream. */
  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return true;
  }

  /**
   * Yields the bytes before the next `delimiter` and consumes the delimiter. Throws InvalidInputError
   * (naming `what`) when the stream ends first.
   */
  async *until(delimiter: Buffer, what: string): AsyncGenerator<Buffer> {
    for (;;) {
      const at = this.pending.indexOf(delimiter);
      if (at >= 0) {
        const before = this.pending.subarray(0, at);
        this.pending = this.pending.subarray(at + delimiter.length);
        if (before.length > 0) yield before;
        return;
      }
      // The tail could be the start of a delimiter split across chunks: keep it.
      const keep = delimiter.length - 1;
      if (this.pending.length > keep) {
        const out = this.pending.subarray(0, this.pending.length - keep);
        this.pending = this.pending.subarray(this.pending.length - keep);
        yield out;
      }
      if (!(await this.pull())) throw new InvalidInputError(`The request body ended before ${what}.`);
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
    while (this.pending.length < count && (await this.pull()));
    const out = this.pending.subarray(0, count);
    this.pending = this.pending.subarray(out.length);
    return out;
  }
}
