/**
 * The path gateway: `GET|HEAD /ipfs/<cid>[/path]` with ranges, and trustless raw blocks
 * (`?format=raw` or `Accept: application/vnd.ipld.raw`) for clients that verify every block themselves.
 * Open to browsers (the explorer fetches from them): every answer allows any origin.
 */
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { parseCidPath, type CidPath } from "./cid-path";
import { kuboError } from "./kubo-errors";
import type { IpfsNodeContext } from "./node-context";
import { UNSATISFIABLE, parseRange } from "./range";
import { resolveEntry, resolveFile } from "./resolve";

/** Media type of a trustless raw block answer. */
export const RAW_BLOCK_TYPE = "application/vnd.ipld.raw";

const IMMUTABLE = "public, max-age=29030400, immutable";

/** The `<cid>[/path]` of a gateway URL, from the URL as sent (not normalized, so `..` is seen). */
function gatewayPath(request: FastifyRequest): CidPath {
  const pathname = (request.raw.url ?? "").split("?")[0];
  return parseCidPath(pathname.replace(/^\/ipfs\//, ""), true);
}

function wantsRawBlock(request: FastifyRequest): boolean {
  const format = (request.query as Record<string, unknown>).format;
  return format === "raw" || (request.headers.accept ?? "").includes(RAW_BLOCK_TYPE);
}

async function sendRawBlock(
  node: IpfsNodeContext,
  path: CidPath,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const cid = path.segments.length === 0 ? path.cid : (await resolveEntry(node.blocks, path)).cid;
  const bytes = await node.blocks.read(cid);
  reply
    .header("content-type", RAW_BLOCK_TYPE)
    .header("content-length", String(bytes.byteLength))
    .header("etag", `"${cid}.raw"`)
    .header("cache-control", IMMUTABLE)
    .header("x-content-type-options", "nosniff");
  return request.method === "HEAD"
    ? reply.send()
    : reply.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

async function sendFile(node: IpfsNodeContext, path: CidPath, request: FastifyRequest, reply: FastifyReply) {
  const file = await resolveFile(node.blocks, path);
  const range = parseRange(request.headers.range, file.size);
  if (range === UNSATISFIABLE)
    return reply
      .status(416)
      .header("content-range", `bytes */${file.size}`)
      .send(kuboError(`The range ${request.headers.range} is outside the file (${file.size} bytes).`));
  const start = range?.start ?? 0;
  const length = range ? range.end - range.start + 1 : file.size;
  let body: Readable | undefined;
  if (request.method !== "HEAD") {
    const content = file.read(start, length);
    // The first chunk is read before any header is set: a corrupted or missing first block is an error
    // answer of its own. A block found corrupted later cuts the connection: the bytes announced never
    // all arrive, and none of them is wrong.
    const first = await content.next();
    body = Readable.from(
      (async function* () {
        if (!first.done) yield first.value;
        yield* content;
      })(),
      // One chunk waiting for the socket at most: memory stays flat whatever the client's pace.
      { objectMode: false, highWaterMark: 1 },
    );
    body.on("error", (error) => node.logger.error(`ipfs: serving ${request.url} stopped: ${error.message}`));
  }
  reply
    .header("accept-ranges", "bytes")
    .header("etag", `"${file.cid}"`)
    .header("cache-control", IMMUTABLE)
    .header("x-ipfs-path", `/ipfs/${[path.cid.toString(), ...path.segments].join("/")}`)
    .header("content-type", "application/octet-stream")
    .header("content-length", String(length));
  if (range) reply.status(206).header("content-range", `bytes ${range.start}-${range.end}/${file.size}`);
  return body ? reply.send(body) : reply.send();
}

/** Registers `/ipfs/*` on `app`. */
export function registerGatewayRoutes(app: FastifyInstance, node: IpfsNodeContext): void {
  app.addHook("onRequest", async (request, reply) => {
    if (request.url.startsWith("/ipfs/")) {
      reply
        .header("access-control-allow-origin", "*")
        .header("access-control-expose-headers", "Content-Range, Content-Length, Accept-Ranges, X-Ipfs-Path");
    }
  });
  app.route({
    method: ["GET", "HEAD"],
    url: "/ipfs/*",
    handler: async (request, reply) => {
      const path = gatewayPath(request);
      return wantsRawBlock(request)
        ? sendRawBlock(node, path, request, reply)
        : sendFile(node, path, request, reply);
    },
  });
  app.options("/ipfs/*", async (_request, reply) =>
    reply
      .status(204)
      .header("access-control-allow-methods", "GET, HEAD, OPTIONS")
      .header("access-control-allow-headers", "Range, Accept, Content-Type")
      .header("access-control-max-age", "86400")
      .send(),
  );
}
