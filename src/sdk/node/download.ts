/**
 * The Node-only end of the SDK's HTTP layer: answers read whole into a Buffer, and downloads streamed to
 * a file. The rules (errors, timeouts, base URLs) are those of `../core/http.ts`.
 */
import { createWriteStream } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { OpenPocoError, ServiceError, ServiceUnavailableError } from "../core/errors";
import {
  baseOf,
  buildInit,
  checkedUrl,
  DEFAULT_TIMEOUT_MS,
  errorDetail,
  isNetworkError,
  readText,
  send,
  type HttpOptions,
} from "../core/http";
import { closeFileStream } from "./files";

/** Sends a request and returns the raw answer whatever its status, for callers that need the body. */
export async function requestRaw(
  service: string,
  url: string,
  options?: HttpOptions,
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const parsedUrl = checkedUrl(url);
  const init = buildInit(options);
  const signal = AbortSignal.timeout(options?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const response = await send(service, parsedUrl, init, options, signal);
  try {
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    if (isNetworkError(error)) throw new ServiceUnavailableError(service, baseOf(parsedUrl, options), error);
    throw error;
  }
}

/** Thrown when a downloaded file cannot be written to the local disk. */
export class DownloadWriteError extends OpenPocoError {
  constructor(outFile: string, cause: unknown) {
    super(
      "DOWNLOAD_WRITE_FAILED",
      `Cannot write ${outFile} (${cause instanceof Error ? cause.message : String(cause)}): choose a writable path.`,
      { cause },
    );
  }
}

/**
 * Streams the body of a GET to `outFile`: first to a temporary file next to it, renamed only once the
 * whole body arrived, so a failed download never leaves a partial file behind. Returns the byte count.
 */
export async function downloadTo(
  service: string,
  url: string,
  outFile: string,
  headers?: Record<string, string>,
  options?: Omit<HttpOptions, "method" | "headers" | "body" | "text">,
): Promise<number> {
  const parsedUrl = checkedUrl(url);
  const controller = new AbortController();
  // The timeout covers waiting for the answer; the body of a large result may then take longer.
  const timer = setTimeout(
    () => controller.abort(new DOMException("timed out", "TimeoutError")),
    options?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  let response: Response;
  try {
    response = await send(service, parsedUrl, { method: "GET", headers }, options, controller.signal);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    const text = await readText(service, parsedUrl, response, options);
    throw new ServiceError(
      service,
      url,
      response.status,
      errorDetail(text, response.statusText || "no detail"),
    );
  }
  const temp = join(dirname(outFile), `.${basename(outFile)}.${randomBytes(6).toString("hex")}.part`);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const sink = createWriteStream(temp, { flags: "wx" });
  try {
    const source = response.body
      ? Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>)
      : Readable.from([]);
    await pipeline(source, counter, sink);
    await rename(temp, outFile);
  } catch (error) {
    await closeFileStream(sink);
    await unlink(temp).catch(() => undefined);
    if (isNetworkError(error)) throw new ServiceUnavailableError(service, baseOf(parsedUrl, options), error);
    if (error instanceof OpenPocoError) throw error;
    throw new DownloadWriteError(outFile, error);
  }
  return bytes;
}
