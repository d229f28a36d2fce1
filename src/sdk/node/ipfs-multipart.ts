/**
 * The multipart/form-data body of a kubo `add` with one file, streamed from disk: the file is never held
 * in memory whole, and the body's length is known in advance (so a node can refuse an add over its
 * limit before reading it).
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { OpenPocoError } from "../core/errors";
import { fileSystemError } from "./files";

/** A streamed multipart body and what its request headers need. */
export interface MultipartBody {
  stream: Readable;
  /** `multipart/form-data; boundary=…` */
  contentType: string;
  /** Length of the whole body in bytes. */
  length: number;
  /** Set when reading the file failed mid-way (the request then fails too). */
  readError?: OpenPocoError;
}

/**
 * The body of a one-file multipart upload of `file` (of `size` bytes) under the form field `file`, as
 * kubo-rpc-client sends it. `onProgress` is called for each chunk read.
 */
export function multipartFileBody(
  file: string,
  name: string,
  size: number,
  onProgress: () => void,
): MultipartBody {
  const boundary = `----openpoco-${randomBytes(12).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="${encodeURIComponent(name)}"\r\n` +
      "Content-Type: application/octet-stream\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body: MultipartBody = {
    stream: Readable.from([]),
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + size + tail.length,
  };
  async function* parts(): AsyncGenerator<Buffer> {
    yield head;
    try {
      for await (const chunk of createReadStream(file)) {
        onProgress();
        yield chunk as Buffer;
      }
    } catch (error) {
      body.readError = fileSystemError("read", file, error);
      throw body.readError;
    }
    yield tail;
  }
  body.stream = Readable.from(parts(), { objectMode: false });
  return body;
}
