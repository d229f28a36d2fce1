/**
 * Errors of the SDK. Every error has a stable `code` for programs and a one-sentence message that
 * says what was wrong and how to fix it, for people. Nothing else in the SDK throws bare `Error`s.
 */

/** Base class of every error the SDK throws on purpose. */
export class OpenPocoError extends Error {
  constructor(
    /** Stable machine-readable code, for example `SERVICE_UNAVAILABLE`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Thrown when user input (an argument, a file field, an option) is not valid. */
export class InvalidInputError extends OpenPocoError {
  constructor(message: string) {
    super("INVALID_INPUT", message);
  }
}

/** Thrown when an off-chain service (market, SMS, result store, registry) cannot be reached. */
export class ServiceUnavailableError extends OpenPocoError {
  constructor(
    readonly service: string,
    readonly url: string,
    cause?: unknown,
  ) {
    super(
      "SERVICE_UNAVAILABLE",
      `The ${service} is unavailable at ${url}: start it or set its URL in chain.json.`,
      { cause },
    );
  }
}

/** Thrown when an off-chain service answers with an error. */
export class ServiceError extends OpenPocoError {
  constructor(
    readonly service: string,
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super("SERVICE_ERROR", `The ${service} at ${url} refused the request (HTTP ${status}): ${detail}`);
  }
}

/** Thrown when something looked up (an asset, a deal, a task, an order) does not exist. */
export class NotFoundError extends OpenPocoError {
  constructor(message: string) {
    super("NOT_FOUND", message);
  }
}

/** Thrown when the chain rejects a transaction or a call; the message names the contract's error. */
export class ChainError extends OpenPocoError {
  constructor(
    message: string,
    /** Name of the contract's custom error, when the revert data decoded to one. */
    readonly reason?: string,
    cause?: unknown,
  ) {
    super("CHAIN_REVERT", message, { cause });
  }
}

/** A service refused a request without a valid proof of its caller (HTTP 401): services throw it, clients see a `ServiceError`. */
export class UnauthorizedError extends OpenPocoError {
  constructor(message: string) {
    super("UNAUTHORIZED", message);
  }
}

/** A service refused an authenticated caller acting on what is not theirs (HTTP 403). */
export class ForbiddenError extends OpenPocoError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

/** Thrown when an off-chain service does not answer in time; the message names it and what to do. */
export class ServiceTimeoutError extends ServiceUnavailableError {
  constructor(
    service: string,
    url: string,
    readonly timeoutMs: number,
    hint: string,
    cause?: unknown,
  ) {
    super(service, url, cause);
    this.message = `The ${service} at ${url} did not answer within ${timeoutMs / 1000} s: ${hint}`;
  }
}

/**
 * Thrown when an IPFS gateway serves a block whose hash is not the one its CID names: the gateway (or
 * something between) altered the content. Nothing of the download is kept.
 */
export class IpfsBlockMismatchError extends OpenPocoError {
  constructor(
    readonly gateway: string,
    readonly cid: string,
  ) {
    super(
      "IPFS_BLOCK_MISMATCH",
      `The IPFS gateway ${gateway} served a block whose hash does not match its CID ${cid}: it altered the content or does not serve raw blocks (?format=raw); use another gateway.`,
    );
  }
}
