/**
 * The error of a task a worker cannot compute honestly (image pull, checksum, downloads): the worker
 * reports the failure to the scheduler and does not contribute. Kept apart from compute.ts so the
 * modules compute.ts composes can throw it without an import cycle.
 */
import { OpenPocoError } from "../sdk/core/errors";
import type { WorkerFailureCode } from "../sdk/core/scheduler";

/** A task this worker cannot compute; `failure` is the code reported to the scheduler. */
export class TaskFailure extends OpenPocoError {
  constructor(
    readonly failure: WorkerFailureCode,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(failure, `Task failed (${failure}): ${detail}`, options);
  }
}
