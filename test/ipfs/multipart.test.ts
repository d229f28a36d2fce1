/**
 * The streaming multipart reader of `add`: the file part comes out byte for byte whatever the chunk
 * edges (a boundary split across two chunks, or chunks of one byte), and bodies that are not one
 * file are refused.
 */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { multipartBoundary, openFilePart } from "../../src/ipfs/multipart";
import { InvalidInputError } from "../../src/sdk/core/errors";
import { rejectionOf } from "../rejection";

const BOUNDARY = "-----------------------------openpocoTestBoundary";

function body(content: Buffer, parts = 1): Buffer {
  const pieces: Buffer[] = [];
  for (let i = 0; i < parts; i++) {
    if (i > 0) pieces.push(Buffer.from("\r\n"));
    pieces.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a%20b.txt"\r\n` +
          "Content-Type: application/octet-stream\r\n\r\n",
      ),
      content,
    );
  }
  pieces.push(Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
  return Buffer.concat(pieces);
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

describe("IPFS add: multipart reader @results", () => {
  it("gives the file part exactly, whatever the chunk edges", async () => {
    // Content holding near-boundaries: a reader that cut at a partial match would lose or add bytes.
    const content = Buffer.concat([
      randomBytes(300),
      Buffer.from(`\r\n--${BOUNDARY.slice(0, 20)}`),
      randomBytes(200),
      Buffer.from(`\r\n-`),
    ]);
    const whole = body(content);
    for (const size of [1, 2, 3, 7, 31, 49, 50, 51, 64, 100, 333, whole.length]) {
      const file = await openFilePart(chunked(whole, size), BOUNDARY);
      expect(file.filename, `chunks of ${size}`).to.equal("a b.txt");
      expect((await readAll(file.content)).equals(content), `chunks of ${size}`).to.equal(true);
    }
  });

  it("gives the file part exactly for chunks of random sizes", async () => {
    for (let round = 0; round < 200; round++) {
      const content = Buffer.concat([
        randomBytes(round),
        Buffer.from(`\r\n--${BOUNDARY.slice(0, round % (BOUNDARY.length - 1))}`),
      ]);
      const whole = body(content);
      const pieces: Buffer[] = [];
      for (let i = 0; i < whole.length;) {
        const size = 1 + Math.floor(Math.random() * 80);
        pieces.push(whole.subarray(i, i + size));
        i += size;
      }
      const file = await openFilePart(
        (async function* () {
          yield* pieces;
        })(),
        BOUNDARY,
      );
      expect((await readAll(file.content)).equals(content), `round ${round}`).to.equal(true);
    }
  });

  it("refuses a second part, a body cut short, and a missing boundary", async () => {
    const two = await openFilePart(chunked(body(randomBytes(100), 2), 17), BOUNDARY);
    expect((await rejectionOf(readAll(two.content), InvalidInputError)).message).to.match(
      /one file per request/,
    );

    const whole = body(randomBytes(100));
    const cut = await openFilePart(chunked(whole.subarray(0, whole.length - 20), 17), BOUNDARY);
    expect((await rejectionOf(readAll(cut.content), InvalidInputError)).message).to.match(/ended before/);

    expect(() => multipartBoundary("application/octet-stream")).to.throw(InvalidInputError, /multipart/);
    expect(multipartBoundary(`multipart/form-data; boundary="${BOUNDARY}"`)).to.equal(BOUNDARY);
  });
});
