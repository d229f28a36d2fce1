/** Errors of the scheduler (its worker API also throws the SDK's UnauthorizedError and ForbiddenError). */
import { OpenPocoError } from "../sdk/core/errors";

/** The scheduler's key does not own the workerpool it is asked to run. */
export class NotWorkerpoolOwnerError extends OpenPocoError {
  constructor(workerpool: string, owner: string, signer: string) {
    super(
      "NOT_WORKERPOOL_OWNER",
      `Workerpool ${workerpool} is owned by ${owner}, not by ${signer}: start the scheduler with the owner's key.`,
    );
  }
}
