/**
 * What the HTTP services (market, scheduler, SMS, result store) share: refusals answered as
 * `{ ok: false, error }` with the status their error code calls for, and a rate limit per client IP.
 */
import rateLimit from "@fastify/rate-limit";
import type { FastifyError, FastifyInstance } from "fastify";
import { OpenPocoError } from "../sdk/core/errors";

/** Status of the SDK's error codes every service throws; a service adds its own. */
export const COMMON_STATUS_OF_CODE: Readonly<Record<string, number>> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
};

/** How a service answers errors. */
export interface JsonErrorOptions {
  /** Statuses of the service's own error codes, beside the common ones. */
  statusOfCode?: Record<string, number>;
  /** Messages replacing Fastify's for some statuses (413, 415...), naming the service's limits. */
  messageOfStatus?: Partial<Record<number, string>>;
  /** Refusals by the service's own errors also carry their `code`: `{ ok: false, code, error }`. */
  withCode?: boolean;
}

/** Answers every error and unknown route of `app` as `{ ok: false, error }`. */
export function answerErrorsAsJson(app: FastifyInstance, options: JsonErrorOptions = {}): void {
  const statusOfCode = { ...COMMON_STATUS_OF_CODE, ...options.statusOfCode };
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A body refused before it was read is drained, so that the connection can carry the answer.
    if (!request.raw.readableEnded) request.raw.resume();
    const send = (status: number, message: string, code?: string) =>
      reply
        .status(status)
        .send(options.withCode && code ? { ok: false, code, error: message } : { ok: false, error: message });
    if (error.validation) return send(400, `Invalid request: ${error.message}.`);
    if (error instanceof OpenPocoError && statusOfCode[error.code])
      return send(statusOfCode[error.code], error.message, error.code);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return send(error.statusCode, options.messageOfStatus?.[error.statusCode] ?? error.message);
    app.log.error(error);
    // Chain reads failing are the node's fault, not the caller's.
    const unavailable = error instanceof OpenPocoError || /ECONNREFUSED|network|timeout/i.test(String(error));
    return unavailable
      ? send(503, "The chain is unavailable; try again later.")
      : send(500, "Internal error.");
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ ok: false, error: `No route ${request.method} ${request.url.split("?")[0]}.` }),
  );
}

/** Requests allowed per client IP in a time window. */
export interface RateLimit {
  max: number;
  timeWindowMs: number;
}

/**
 * Limits requests per client IP. By IP: the address in an Authorization header is only known to be true
 * after its (costly) check, and keying on an unchecked one would let a client mint fresh buckets at will.
 */
export async function rateLimitByIp(app: FastifyInstance, limit: RateLimit): Promise<void> {
  await app.register(rateLimit, {
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    keyGenerator: (request) => request.ip,
    // Thrown to the error handler, which answers { ok: false, error } like every refusal.
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many requests: ${context.max} per ${context.after}; slow down.`), {
        statusCode: 429,
      }),
  });
}
