/**
 * Errors answered the way kubo answers them: `{"Message":"…","Code":0,"Type":"error"}`, with a status
 * from the error's code. A body refused before it was read is drained so the client gets the answer.
 */
import type { FastifyError, FastifyInstance } from "fastify";
import { OpenPocoError } from "../sdk/core/errors";
import type { ServiceLogger } from "../sdk/core/logger";

const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  ADD_TOO_LARGE: 413,
  BLOCK_HASH_MISMATCH: 500,
  MALFORMED_DAG: 500,
};

/** kubo's error body. */
export function kuboError(message: string): { Message: string; Code: number; Type: "error" } {
  return { Message: message, Code: 0, Type: "error" };
}

/** Answers every error and unknown route of `app` in kubo's shape. */
export function answerErrorsLikeKubo(app: FastifyInstance, logger: ServiceLogger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (!request.raw.readableEnded && request.raw.listenerCount("readable") === 0) request.raw.resume();
    reply.header("access-control-allow-origin", "*");
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
