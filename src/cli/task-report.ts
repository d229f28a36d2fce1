/**
 * How the CLI tells a task's outcome: the chain's status joined with what its workerpool says (the
 * failure and who must fix it, the app's error, the refund). Shared by `task show`, `deal show`,
 * `app run --watch` and `task debug`, so every command says the same thing about the same task.
 */
import type { TaskDiagnosis } from "../sdk/core/client";
import { failureGuide } from "../sdk/core/failures";
import type { AppErrorReport, RefundReport, TaskFailureReport } from "../sdk/core/workerpool-api";

/** A unix time (chain seconds) as ISO 8601, labelled with its clock. */
export function chainTime(seconds: number | bigint): string {
  return `${new Date(Number(seconds) * 1000).toISOString()} (chain time)`;
}

/** "APP_CRASHED (exit 3)", or the code alone for a timeout. */
export function appErrorText(error: AppErrorReport): string {
  return error.exitCode === null ? error.code : `${error.code} (exit ${error.exitCode})`;
}

/** The outcome in a few words: the status, or "completed with an app error: …" when the app failed. */
export function outcomeText(statusName: string, diagnosis?: TaskDiagnosis): string {
  const reported = diagnosis?.available ? diagnosis.task : undefined;
  if (statusName === "COMPLETED" && reported?.appError)
    return `completed with an app error: ${appErrorText(reported.appError)}`;
  if (reported?.failure && statusName === "FAILED") return `FAILED: ${reported.failure.code}`;
  if (reported?.failure && statusName !== "COMPLETED")
    return `${statusName}, failing: ${reported.failure.code}`;
  return statusName;
}

/** "claimable from <date> (chain time)" or "claimed in tx …". */
export function refundText(refund: RefundReport): string {
  return refund.claimTx
    ? `claimed in tx ${refund.claimTx}`
    : `claimable from ${chainTime(refund.claimableAt)}`;
}

/** What failed, who must fix it and how, as aligned fields. */
export function failureFields(failure: TaskFailureReport): Record<string, unknown> {
  const guide = failureGuide(failure.code);
  return {
    failure: `${failure.code}: ${failure.summary || guide.summary}`,
    detail: failure.detail || undefined,
    witnesses: failure.witnesses > 1 ? `${failure.witnesses} workers reported it` : undefined,
    toFix: `${failure.party || guide.party}: ${failure.fix || guide.fix}`,
  };
}

/** The diagnosis as fields for `task show`: failure, app error, refund, or why it is unavailable. */
export function diagnosisFields(diagnosis: TaskDiagnosis): Record<string, unknown> {
  if (!diagnosis.available) return { workerpool: `unavailable: ${diagnosis.reason}` };
  const { task } = diagnosis;
  const fields: Record<string, unknown> = { workerpool: task.currentStatus };
  if (task.failure) Object.assign(fields, failureFields(task.failure));
  if (task.appError) {
    const guide = failureGuide(task.appError.code);
    Object.assign(fields, {
      appError: appErrorText(task.appError),
      toFix: `${guide.party}: ${guide.fix}`,
    });
  }
  if (task.refund) fields.refund = refundText(task.refund);
  if (!task.failure && task.waiting) fields.waiting = task.waiting.message;
  return fields;
}

/** One line about a task's trouble for live views and listings; undefined when there is none. */
export function troubleLine(diagnosis: TaskDiagnosis | undefined): string | undefined {
  if (!diagnosis?.available) return undefined;
  const { failure, appError, refund } = diagnosis.task;
  if (failure) {
    const parts = [
      `${failure.code}: ${failure.summary}`,
      failure.detail ? `(${failure.detail})` : "",
      `— ${failure.party} must act: ${failure.fix}`,
      refund ? `Refund ${refundText(refund)}.` : "",
    ];
    return parts.filter(Boolean).join(" ");
  }
  if (appError) return `app error ${appErrorText(appError)}: ${failureGuide(appError.code).fix}`;
  return undefined;
}
