/**
 * The requester's view of a task (GET /tasks/{taskid}) in the shape of iExec's workerpool API, built
 * from the scheduler's store: the task's status and its history, each replicate (one worker's run) with
 * its status updates, and ours: why the task will not complete (`failure`, with who must fix it), the
 * app's failure when it completed with an error result (`appError`), and the refund of a task that
 * cannot complete (`refund`). Pure reads: no I/O beyond the store.
 */
import { failureGuide } from "../sdk/core/failures";
import type { ErrorResultCode, SchedulerTaskStatus, WorkerFailureCode } from "../sdk/core/scheduler";
import { ContributionStatus } from "../sdk/core/tasks";
import type {
  AppErrorReport,
  RefundReport,
  ReplicateStatus,
  ReplicateStatusUpdate,
  TaskFailureReport,
  WorkerpoolReplicate,
  WorkerpoolTask,
  WorkerpoolTaskStatus,
} from "../sdk/core/workerpool-api";
import type { AssignmentRecord, ReplicateUpdateRecord, SchedulerStore, TaskRecord } from "./store";

const ERROR_RESULT_CODES: readonly string[] = ["APP_CRASHED", "APP_TIMEOUT"];

/**
 * The task's status in the workerpool API: COMPLETED once finalized; FAILED once given up (a fatal
 * failure confirmed by workers), even after its claim; FINAL_DEADLINE_REACHED when it was claimed or its
 * final deadline passed (`chainNow`, seconds; 0 when the chain was not read yet) without a result;
 * otherwise where it stands on the way.
 */
export function workerpoolStatusOf(
  task: TaskRecord,
  assignments: AssignmentRecord[],
  chainNow: bigint,
): WorkerpoolTaskStatus {
  if (task.state === "completed") return "COMPLETED";
  if (task.failure !== null) return "FAILED";
  if (task.state === "failed" || (chainNow > 0n && chainNow >= task.finalDeadline))
    return "FINAL_DEADLINE_REACHED";
  if (task.state === "pending") return "RECEIVED";
  if (task.state === "revealing") return task.results !== null ? "RESULT_UPLOADED" : "CONSENSUS_REACHED";
  return assignments.some((a) => a.chainStatus !== ContributionStatus.UNSET) ? "RUNNING" : "INITIALIZED";
}

/** A replicate status for an assignment recorded before the scheduler kept replicate updates. */
function statusOfAssignment(assignment: AssignmentRecord): ReplicateStatus {
  switch (assignment.state) {
    case "assigned":
      return "CREATED";
    case "contributed":
      return "CONTRIBUTED";
    case "revealed":
      return "REVEALED";
    case "failed":
      return "FAILED";
  }
}

function updateOf(record: ReplicateUpdateRecord): ReplicateStatusUpdate {
  const details: NonNullable<ReplicateStatusUpdate["details"]> = {};
  if (record.cause !== null) details.cause = record.cause as WorkerFailureCode | ErrorResultCode;
  if (record.detail !== null) details.detail = record.detail;
  if (record.exitCode !== null) details.exitCode = record.exitCode;
  return {
    status: record.status as ReplicateStatus,
    date: new Date(record.at).toISOString(),
    modifier: record.modifier,
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

function replicatesOf(
  assignments: AssignmentRecord[],
  updates: ReplicateUpdateRecord[],
): WorkerpoolReplicate[] {
  return assignments.map((assignment) => {
    const own = updates.filter((u) => u.worker === assignment.worker);
    const statusUpdateList =
      own.length > 0
        ? own.map(updateOf)
        : [
            {
              status: statusOfAssignment(assignment),
              date: new Date(assignment.assignedAt).toISOString(),
              modifier: "POOL_MANAGER" as const,
            },
          ];
    const computed = own.find((u) => u.status === "COMPUTED");
    return {
      walletAddress: assignment.worker,
      currentStatus: statusUpdateList[statusUpdateList.length - 1].status,
      statusUpdateList,
      appExitCode: computed?.exitCode ?? null,
    };
  });
}

function failureOf(task: TaskRecord, updates: ReplicateUpdateRecord[]): TaskFailureReport | null {
  if (task.failure === null) return null;
  const reports = updates.filter((u) => u.status === "FAILED" && u.cause === task.failure);
  return {
    code: task.failure as WorkerFailureCode,
    detail: reports[0]?.detail ?? "",
    witnesses: reports.length,
    ...failureGuide(task.failure),
  };
}

// The winners agreed on the result digest, so any winner's "computed" report tells the app's outcome.
function appErrorOf(
  task: TaskRecord,
  assignments: AssignmentRecord[],
  updates: ReplicateUpdateRecord[],
): AppErrorReport | null {
  if (task.state !== "completed") return null;
  const winners = new Set(
    assignments
      .filter((a) => a.chainStatus === ContributionStatus.PROVED && a.resultHash === task.consensus)
      .map((a) => a.worker),
  );
  const computed = updates.find(
    (u) =>
      u.status === "COMPUTED" &&
      winners.has(u.worker) &&
      u.cause !== null &&
      ERROR_RESULT_CODES.includes(u.cause),
  );
  return computed ? { code: computed.cause as ErrorResultCode, exitCode: computed.exitCode } : null;
}

function refundOf(task: TaskRecord, status: WorkerpoolTaskStatus): RefundReport | null {
  if (status !== "FAILED" && status !== "FINAL_DEADLINE_REACHED" && task.claimTx === null) return null;
  return { claimableAt: Number(task.finalDeadline), claimTx: task.claimTx };
}

/**
 * GET /tasks/{taskid}'s answer for `task`, completing the scheduler's `status` of it; `chainNow` is the
 * chain's time in seconds (0 when not read yet).
 */
export function workerpoolTaskView(
  store: SchedulerStore,
  task: TaskRecord,
  status: SchedulerTaskStatus,
  chainNow: bigint,
): WorkerpoolTask {
  const assignments = store.assignmentsOfTask(task.taskid);
  const updates = store.replicateUpdates(task.taskid);
  const currentStatus = workerpoolStatusOf(task, assignments, chainNow);
  const history = store.taskStatuses(task.taskid);
  const dateStatusList = history.map((h) => ({
    status: h.status as WorkerpoolTaskStatus,
    date: new Date(h.at).toISOString(),
  }));
  // The current status shows even before the sync recorded it (a deadline passed since the last tick).
  if (!history.some((h) => h.status === currentStatus))
    dateStatusList.push({ status: currentStatus, date: new Date().toISOString() });
  return {
    ...status,
    chainTaskId: task.taskid,
    chainDealId: task.dealid,
    taskIndex: Number(task.idx),
    currentStatus,
    dateStatusList,
    replicates: replicatesOf(assignments, updates),
    failure: failureOf(task, updates),
    appError: appErrorOf(task, assignments, updates),
    refund: refundOf(task, currentStatus),
  };
}
