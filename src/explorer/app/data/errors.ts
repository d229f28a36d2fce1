/** Errors as sentences for the page: an unreachable service names its URL and the setting to fix. */
import { NotFoundError, OpenPocoError, ServiceError, ServiceUnavailableError } from "../../../sdk/core/index";

/** Thrown when a service did not answer in time. */
export class Unreachable extends Error {
  constructor(
    readonly service: "chain" | "market",
    readonly url: string,
    detail?: string,
  ) {
    super(
      service === "chain"
        ? `The chain node at ${url} is unreachable${detail ? ` (${detail})` : ""}: start it, or fix "rpcUrl" in config.json.`
        : `The market at ${url} is unreachable${detail ? ` (${detail})` : ""}: start it, or fix "marketUrl" in config.json.`,
    );
    this.name = "Unreachable";
  }
}

/** True when the error means "this does not exist" rather than "something failed". */
export function isNotFound(error: unknown): boolean {
  return error instanceof NotFoundError;
}

/** The message to show for `error`. */
export function describeError(error: unknown): string {
  if (error instanceof Unreachable) return error.message;
  if (error instanceof ServiceUnavailableError) {
    const market = /market/i.test(error.service);
    return new Unreachable(market ? "market" : "chain", error.url).message;
  }
  if (error instanceof ServiceError) return error.message;
  if (error instanceof OpenPocoError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
