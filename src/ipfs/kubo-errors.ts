/**
 * Errors answered the way kubo answers them: `{"Message":"…","Code":0,"Type":"error"}`, with a status
 * from the error's code. A body left unread by a refusal is not read on: the connection is closed once
 * the answer is sent (a client could otherwise send an endless body). CORS headers go on gateway
 * answers only: the RPC API is not for web pages (rpc-routes.ts refuses them).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { OpenPocoError } from "../sdk/core/errors";
import type { ServiceLogger } from "../sdk/core/logger";

const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  ADD_TOO_LARGE: 413,
  ADD_BUSY: 503,
  BLOCK_HASH_MISMATCH: 500,
  MALFORMED_DAG: 500,
};

/** kubo's error body. */
export function kuboError(message: string): { Message: string; Code: number; Type: "error" } {
  return { Message: message, Code: 0, Type: "error" };
}

/** Sends `Connection: close` and ends the socket once the answer is written, without reading on. */
export function closeAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  reply.header("connection", "close");
  reply.raw.once("finish", () => request.raw.socket?.destroySoon());
}

/** Answers every error and unknown route of `app` in kubo's shape. */
export function answerErrorsLikeKubo(app: FastifyInstance, logger: ServiceLogger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (!request.raw.readableEnded) closeAfterAnswer(request, reply);
    if (request.url.startsWith("/ipfs/")) reply.header("access-control-allow-origin", "*");
    if (error instanceof OpenPocoError && STATUS_OF_CODE[error.code]) {
      const status = STATUS_OF_CODE[error.code];
      if (status >= 500) logger.error(`ipfs: ${request.method} ${request.url}: ${error.message}`);
      return reply.status(status).send(kuboError(error.message));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return reply.status(error.statusCode).send(kuboError(error.message));
    logger.error(`ipfs: ${request.method} ${request.url} failed`, error);
    return reply.status(500).send(kuboError(`Internal error: ${error.message}`));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(kuboError(`No route ${request.method} ${request.url.split("?")[0]} on this IPFS node.`)),
  );
}
