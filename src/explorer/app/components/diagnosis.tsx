/**
 * The workerpool's diagnosis of a task: why it will not complete (what failed, who must fix it, what to do,
 * how many workers saw it), the app's error and exit code, each worker's replicate, and the refund.
 */
import { failureGuide, type AppErrorReport, type WorkerpoolTask } from "../../../sdk/core/index";
import type { Diagnosis } from "../data/workerpool";
import { date, isoDate } from "../format";
import { Addr, Fields, Table } from "./bits";

/** "APP_CRASHED (exit 3)", "APP_TIMEOUT". */
export function appErrorText(error: AppErrorReport): string {
  return error.exitCode === null ? error.code : `${error.code} (exit ${error.exitCode})`;
}

/** One line on how the task ended or why it will not end, when the workerpool says; else undefined. */
export function outcomeOf(task: WorkerpoolTask): string | undefined {
  if (task.appError) return `completed with an app error: ${appErrorText(task.appError)}`;
  if (task.failure) return `will not complete: ${task.failure.code} (${task.failure.party} must act)`;
  if (task.currentStatus === "COMPLETED") return "completed with a result";
  return undefined;
}

/** The guide's fix with the task's id in place of `<taskid>`. */
function withTaskId(text: string, taskid: string): string {
  return text.replaceAll("<taskid>", taskid);
}

function Failure({ task }: { task: WorkerpoolTask }) {
  const failure = task.failure!;
  // Who must act and what to do come from our own table, not from the workerpool's words: a pool cannot
  // put instructions of its own in the explorer's mouth. Only its detail is shown as the worker's.
  const guide = failureGuide(failure.code);
  return (
    <div class="failure" role="note" data-testid="failure">
      <p>
        <strong>This task will not complete: {failure.code}.</strong>
      </p>
      <Fields
        rows={[
          ["what failed", guide.summary],
          ["worker's detail", failure.detail || "—"],
          ["who must fix it", <strong data-field="party">{guide.party}</strong>],
          ["what to do", withTaskId(guide.fix, task.chainTaskId)],
          ["witnesses", `${failure.witnesses} worker(s) reported it`],
        ]}
      />
    </div>
  );
}

function AppError({ task }: { task: WorkerpoolTask }) {
  const error = task.appError!;
  const guide = failureGuide(error.code);
  return (
    <div class="failure" role="note" data-testid="app-error">
      <p>
        <strong>Completed with an app error: {appErrorText(error)}.</strong> The result is the app's
        error.json, not its output.
      </p>
      <Fields
        rows={[
          ["what failed", guide.summary],
          ["who must fix it", <strong data-field="party">{guide.party}</strong>],
          ["what to do", withTaskId(guide.fix, task.chainTaskId)],
        ]}
      />
    </div>
  );
}

function Refund({ task }: { task: WorkerpoolTask }) {
  const refund = task.refund!;
  return (
    <p class="refund" data-testid="refund">
      {refund.claimTx ? (
        <>
          The workerpool claimed the refund: transaction <span class="mono wrap">{refund.claimTx}</span>.
        </>
      ) : (
        <>
          The requester's stake can be claimed back from {date(refund.claimableAt)}{" "}
          <span class="clock">chain time</span> (the final deadline); the workerpool claims it then.
        </>
      )}
    </p>
  );
}

function Replicates({ task }: { task: WorkerpoolTask }) {
  if (task.replicates.length === 0) return <p class="empty">No worker has been given this task yet.</p>;
  return (
    <Table head={["worker", "replicate", "exit code", "cause", "last change (workerpool time)"]}>
      {task.replicates.map((replicate) => {
        const last = replicate.statusUpdateList.at(-1);
        const cause = [...replicate.statusUpdateList].reverse().find((u) => u.details?.cause)?.details;
        return (
          <tr key={replicate.walletAddress} data-worker={replicate.walletAddress}>
            <td>
              <Addr address={replicate.walletAddress} />
            </td>
            <td>{replicate.currentStatus}</td>
            <td class="num">{replicate.appExitCode ?? "—"}</td>
            <td title={cause?.detail}>{cause?.cause ?? "—"}</td>
            <td>{last ? isoDate(last.date) : "—"}</td>
          </tr>
        );
      })}
    </Table>
  );
}

/** The diagnosis section of a task page; one quiet line when there is none. */
export function DiagnosisView({ diagnosis }: { diagnosis: Diagnosis }) {
  if (diagnosis.state === "off") return null;
  if (diagnosis.state !== "ok")
    return (
      <p class="muted" data-testid="diagnosis-unavailable">
        No word from the workerpool: {diagnosis.message} The chain's view is above.
      </p>
    );
  const { task } = diagnosis;
  return (
    <section data-testid="diagnosis">
      <h2>What the workerpool says</h2>
      <p>
        Status at the workerpool: <strong data-testid="pool-status">{task.currentStatus}</strong>
        {outcomeOf(task) && <> — {outcomeOf(task)}</>}
      </p>
      {task.failure && <Failure task={task} />}
      {task.appError && <AppError task={task} />}
      {task.refund && <Refund task={task} />}
      <h3>Workers</h3>
      <Replicates task={task} />
    </section>
  );
}
