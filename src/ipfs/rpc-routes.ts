/**
 * The subset of kubo's RPC API (`/api/v0`) the official clients use: add (multipart, one file), cat,
 * pin/add and version. Answers are kubo's JSON; refusals kubo's error shape (kubo-errors.ts).
 */
import os from "node:os";
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { InvalidInputError } from "../sdk/core/errors";
import { addContent } from "./add";
import { parseCidPath } from "./cid-path";
import { checkWholeDag } from "./dag-check";
import { AddBusyError, AddTooLargeError } from "./errors";
import { closeAfterAnswer, kuboError } from "./kubo-errors";
import { multipartBoundary, openFilePart } from "./multipart";
import type { IpfsNodeContext } from "./node-context";
import { resolveEntry, resolveFile } from "./resolve";

/** The version this node reports. */
export const IPFS_NODE_VERSION = "0.1.0-openpoco";

/** Room for the multipart framing around a file of the largest size. */
const MULTIPART_SLACK_BYTES = 64 * 1024;

type Query = Record<string, string | string[] | undefined>;

function args(request: FastifyRequest): string[] {
  const arg = (request.query as Query).arg;
  const list = arg === undefined ? [] : Array.isArray(arg) ? arg : [arg];
  if (list.length === 0) throw new InvalidInputError('Argument "arg" is required: pass ?arg=<cid>[/path].');
  return list;
}

function optionalInteger(request: FastifyRequest, name: string): number | undefined {
  const value = (request.query as Query)[name];
  if (value === undefined || value === "") return undefined;
  const text = Array.isArray(value) ? value[0] : value;
  if (!/^\d{1,15}$/.test(text)) throw new InvalidInputError(`"${name}" must be a non-negative integer.`);
  return Number(text);
}

function isFalse(value: string | string[] | undefined): boolean {
  return value === "false" || value === "0";
}

/**
 * Add options that would change the CID, with the only value this node takes (kubo's default): a
 * client asking for another gets a refusal, never a CID other than the one it asked for.
 */
const CID_SHAPING_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  "cid-version": ["0"],
  "raw-leaves": ["false"],
  hash: ["sha2-256"],
  chunker: ["size-262144"],
  trickle: ["false"],
  inline: ["false"],
  "wrap-with-directory": ["false"],
  "only-hash": ["false"],
};

function checkAddOptions(query: Query): void {
  for (const [name, accepted] of Object.entries(CID_SHAPING_OPTIONS)) {
    const value = query[name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value[0] : value;
    if (!accepted.includes(text.toLowerCase()))
      throw new InvalidInputError(
        `This node adds with kubo's defaults only (CIDv0, sha2-256, 256 KiB chunks, balanced layout): ` +
          `${name}=${text.slice(0, 50)} is not supported; leave it out.`,
      );
  }
}

/**
 * The raw body, every byte (multipart framing included) counted against the add limit plus room for
 * the framing: a client cannot send an endless preamble or epilogue.
 */
async function* countedBody(raw: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const piece of raw) {
    bytes += piece.byteLength;
    if (bytes > maxBytes + MULTIPART_SLACK_BYTES) throw new AddTooLargeError(maxBytes);
    yield piece;
  }
}

/** Answers the RPC API's browser refusal (see refuseBrowsers). */
const BROWSER_REFUSAL =
  "The RPC API (/api/v0) refuses browser cross-origin requests (Origin or Sec-Fetch-Site header): " +
  "call it from a program, or read content through the gateway (/ipfs/<cid>).";

/**
 * True for a request a browser made on behalf of a web page: kubo refuses them on its RPC API, or any
 * page could add (fill the disk) through a node on 127.0.0.1.
 */
function fromBrowserPage(request: FastifyRequest): boolean {
  if (request.headers.origin !== undefined) return true;
  const site = request.headers["sec-fetch-site"];
  return site !== undefined && site !== "same-origin" && site !== "none";
}

/** Registers `/api/v0/*` on `app`. */
export function registerRpcRoutes(app: FastifyInstance, node: IpfsNodeContext): void {
  app.addHook("onRequest", async (request, reply) => {
    if (!/^\/api\/v0(\/|\?|$)/.test(request.url) || !fromBrowserPage(request)) return;
    // The body is not read: the connection is closed after the answer.
    closeAfterAnswer(request, reply);
    return reply.status(403).send(kuboError(BROWSER_REFUSAL));
  });

  app.post("/api/v0/add", async (request, reply) => {
    checkAddOptions(request.query as Query);
    const boundary = multipartBoundary(request.headers["content-type"]);
    const declared = Number(request.headers["content-length"] ?? NaN);
    if (declared > node.maxAddBytes + MULTIPART_SLACK_BYTES) throw new AddTooLargeError(node.maxAddBytes);
    if (node.activeAdds >= node.maxConcurrentAdds) throw new AddBusyError(node.maxConcurrentAdds);
    node.activeAdds++;
    try {
      const body = countedBody(request.raw as AsyncIterable<Uint8Array>, node.maxAddBytes);
      const file = await openFilePart(body, boundary);
      const added = await addContent(node.blocks, file.content, { maxBytes: node.maxAddBytes });
      if (!isFalse((request.query as Query).pin)) await node.pins.add(added.cid);
      node.logger.info(`ipfs: added ${added.cid} (${added.bytes} bytes)`);
      const hash = added.cid.toString();
      return reply
        .header("content-type", "application/json")
        .header("x-chunked-output", "1")
        .send(
          JSON.stringify({ Name: file.filename || hash, Hash: hash, Size: String(added.dagSize) }) + "\n",
        );
    } finally {
      node.activeAdds--;
    }
  });

  app.post("/api/v0/cat", async (request, reply) => {
    const [arg] = args(request);
    const file = await resolveFile(node.blocks, parseCidPath(arg));
    const offset = optionalInteger(request, "offset") ?? 0;
    const length = optionalInteger(request, "length");
    const content = file.read(Math.min(offset, file.size), length);
    // The first chunk is read before answering: a corrupted first block is a 500, not a cut stream.
    const first = await content.next();
    async function* body() {
      if (!first.done) yield first.value;
      yield* content;
    }
    return (
      reply
        .header("content-type", "application/octet-stream")
        .header("x-stream-output", "1")
        // Byte mode, one chunk held: a slow reader keeps no more than a block in memory.
        .send(Readable.from(body(), { objectMode: false, highWaterMark: 1 }))
    );
  });

  app.post("/api/v0/pin/add", async (request) => {
    const pinned: string[] = [];
    for (const arg of args(request)) {
      const entry = await resolveEntry(node.blocks, parseCidPath(arg));
      // Pinning says the whole DAG is here: each of its blocks is read (and so hash-checked) once.
      await checkWholeDag(node.blocks, entry);
      await node.pins.add(entry.cid);
      pinned.push(entry.cid.toString());
    }
    return { Pins: pinned };
  });

  app.post("/api/v0/version", async () => ({
    Version: IPFS_NODE_VERSION,
    Commit: "",
    Repo: "1",
    System: `${os.arch()}/${os.platform()}`,
    Golang: `none (Node ${process.version})`,
  }));
}
