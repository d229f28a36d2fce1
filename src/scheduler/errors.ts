/** Errors of the scheduler's worker API; the server turns their codes into HTTP statuses. */
import { OpenPocoError } from "../sdk/errors";

/** A request without a valid session, or a login that does not prove the address (HTTP 401). */
export class UnauthorizedError extends OpenPocoError {
  constructor(message: string) {
    super("UNAUTHORIZED", message);
  }
}

/** A worker acting on a task that is not its own (HTTP 403). */
export class ForbiddenError extends OpenPocoError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

/** The scheduler's key does not own the workerpool it is asked to run. */
export class NotWorkerpoolOwnerError extends OpenPocoError {
  constructor(workerpool: string, owner: string, signer: string) {
    super(
      "NOT_WORKERPOOL_OWNER",
      `Workerpool ${workerpool} is owned by ${owner}, not by ${signer}: start the scheduler with the owner's key.`,
    );
  }
}
