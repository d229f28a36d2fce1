/**
 * `task debug <taskid> [--logs]`: what the task's workerpool knows, as the official CLI's `task debug`
 * prints it: the task's status history and each replicate (worker, status, exit code, every update with
 * its cause); with --logs, the app's stdout and stderr per worker, served to the requester alone.
 */
import type { Command } from "commander";
import { OpenPocoError } from "../../sdk/core/errors";
import type { WorkerpoolReplicate, WorkerpoolTask } from "../../sdk/core/workerpool-api";
import { action } from "../action";
import type { Session } from "../session";
import { diagnosisFields } from "../task-report";

/** Thrown when the workerpool's API cannot tell anything about the task. */
export class TaskDebugUnavailableError extends OpenPocoError {
  constructor(taskid: string, reason: string) {
    super(
      "TASK_DEBUG_UNAVAILABLE",
      `The workerpool's view of task ${taskid} is unavailable: ${reason}; \`openpoco task show ${taskid}\` shows the chain's.`,
    );
  }
}

/** `text` with control characters (but newline and tab) shown as \xNN: app output cannot drive the terminal. */
export function printable(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    const control = (code < 0x20 && c !== "\n" && c !== "\t") || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\x${code.toString(16).padStart(2, "0")}` : c;
  }
  return out;
}

function replicateLines(replicate: WorkerpoolReplicate): string[] {
  const exit = replicate.appExitCode === null ? "" : `, app exit code ${replicate.appExitCode}`;
  const lines = [`  worker ${replicate.walletAddress}: ${replicate.currentStatus}${exit}`];
  for (const update of replicate.statusUpdateList) {
    const details = update.details ?? {};
    const cause = details.cause ? ` ${details.cause}` : "";
    const detail = details.detail ? `: ${printable(details.detail)}` : "";
    const code = details.exitCode !== undefined ? ` (exit ${details.exitCode})` : "";
    lines.push(`    ${update.date} ${update.status}${cause}${code}${detail} [${update.modifier}]`);
  }
  return lines;
}

function historyLines(task: WorkerpoolTask): string[] {
  return task.dateStatusList.map((change) => `  ${change.date} ${change.status}`);
}

async function debug(session: Session, taskid: string, options: { logs?: boolean }): Promise<void> {
  const poco = await session.connect(!!options.logs);
  const diagnosis = await session.out.step("Asking the task's workerpool", poco.tasks.diagnose(taskid));
  if (!diagnosis.available) throw new TaskDebugUnavailableError(taskid, diagnosis.reason);
  const { task, apiUrl } = diagnosis;
  session.out.success(`Task ${taskid} at the workerpool API ${apiUrl}`, {
    status: task.currentStatus,
    ...diagnosisFields(diagnosis),
  });
  session.out.print("Status history (scheduler clock):");
  session.out.print(historyLines(task).join("\n") || "  (none)");
  session.out.print(`Replicates (${task.replicates.length}):`);
  session.out.print(task.replicates.flatMap(replicateLines).join("\n") || "  (none yet)");
  session.out.set({ apiUrl, task });
  if (!options.logs) return;
  const logs = await session.out.step("Reading the app's logs", poco.tasks.logs(taskid));
  if (logs.length === 0) session.out.print("No app logs: no worker ran the app yet.");
  for (const entry of logs) {
    session.out.print(`--- worker ${entry.walletAddress} stdout ---`);
    session.out.print(printable(entry.stdout) || "(empty)");
    session.out.print(`--- worker ${entry.walletAddress} stderr ---`);
    session.out.print(printable(entry.stderr) || "(empty)");
  }
  session.out.set({ logs });
}

/** Registers `task debug` on the `task` command. */
export function registerTaskDebug(task: Command): void {
  task
    .command("debug")
    .argument("<taskid>", "task id")
    .option("--logs", "also print the app's stdout and stderr per worker (as the task's requester)")
    .description("show what the task's workerpool knows: status history, replicates, failures, app logs")
    .action(action(debug));
}
