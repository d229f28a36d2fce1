/**
 * The result store's HTTP API on Fastify: `PUT /results/:taskid` (a worker's upload, the zip streamed
 * as the body) and `GET /results/:taskid` (the requester's or beneficiary's signed download), with
 * errors as `{ ok: false, error }` and a status naming what was wrong. The protocol is documented in
 * `src/sdk/node/results.ts`.
 */
import { createReadStream } from "node:fs";
import type { IncomingMessage } from "node:http";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { OpenPocoError } from "../sdk/core/errors";
import { RESULT_SHA256_HEADER, SCHEDULER_AUTHORIZATION_HEADER } from "../sdk/node/results";
import { answerErrorsAsJson, rateLimitByIp } from "../server/json-errors";
import { ResultTooLargeError, type ResultService } from "./service";

const TASK_PARAMS = {
  type: "object",
  properties: { taskid: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } },
  required: ["taskid"],
} as const;

const CHAIN_QUERY = {
  type: "object",
  properties: { chainId: { type: "string", pattern: "^[0-9]{1,20}$" } },
  additionalProperties: false,
} as const;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Builds the API; call `listen` on the result. */
export async function buildResultServer(
  service: ResultService,
  options: { logger?: boolean } = {},
): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  // The zip is not parsed: the route streams the raw request to disk after checking its proofs.
  app.addContentTypeParser(["application/zip", "application/octet-stream"], (_request, payload, done) =>
    done(null, payload),
  );

  await rateLimitByIp(app, { max: 1200, timeWindowMs: 60_000 });
  answerErrorsAsJson(app, { statusOfCode: { RESULT_IMMUTABLE: 409, RESULT_TOO_LARGE: 413 } });

  app.get("/version", async () => ({
    ok: true,
    version: "openpoco-result-store",
    chainId: String(service.chainId),
  }));

  app.put(
    "/results/:taskid",
    { schema: { params: TASK_PARAMS, querystring: CHAIN_QUERY } },
    async (request) => {
      service.checkChainId((request.query as { chainId?: string }).chainId);
      const length = Number(header(request, "content-length") ?? "0");
      if (length > service.options.maxBytes) throw new ResultTooLargeError(service.options.maxBytes);
      const { taskid } = request.params as { taskid: string };
      const accepted = await service.acceptUpload(taskid, {
        authorization: header(request, "authorization"),
        sha256: header(request, RESULT_SHA256_HEADER),
        schedulerAuthorization: header(request, SCHEDULER_AUTHORIZATION_HEADER),
      });
      if (request.body === undefined || request.body === null)
        throw new OpenPocoError("INVALID_INPUT", "No body: send the zip with Content-Type application/zip.");
      return { ok: true, ...(await service.receive(accepted, request.body as IncomingMessage)) };
    },
  );

  app.get(
    "/results/:taskid",
    { schema: { params: TASK_PARAMS, querystring: CHAIN_QUERY } },
    async (request, reply) => {
      service.checkChainId((request.query as { chainId?: string }).chainId);
      const { taskid } = request.params as { taskid: string };
      const stored = await service.authorizeDownload(taskid, header(request, "authorization"));
      return reply
        .header("content-type", "application/zip")
        .header("content-length", String(stored.size))
        .header("content-disposition", `attachment; filename="${stored.taskid}.zip"`)
        .header(RESULT_SHA256_HEADER, stored.sha256)
        .send(createReadStream(service.store.filePath(stored.sha256)));
    },
  );
  return app;
}

export type { FastifyInstance };
