/** `task show [--watch] [--download]`: a task's state, followed live, and its result. */
import type { Command } from "commander";
import type { TaskDiagnosis, TaskInfo } from "../../sdk/core/client";
import { teeNotice } from "../../sdk/core/tee-dev";
import { action } from "../action";
import type { Session } from "../session";
import { chainTime, diagnosisFields, outcomeText } from "../task-report";
import { registerTaskDebug } from "./task-debug";
import { downloadResult } from "./result";

/** The refund as the chain alone tells it, for when the workerpool does not. */
function chainRefund(task: TaskInfo): string | undefined {
  if (task.statusName === "FAILED") return "claimed (the task is FAILED on chain)";
  if (task.claimable) return "claimable now: `openpoco deal claim " + task.dealid + "`";
  return undefined;
}

function fields(task: TaskInfo, diagnosis: TaskDiagnosis, tee: string | undefined): Record<string, unknown> {
  const reported = diagnosisFields(diagnosis);
  return {
    status: outcomeText(task.statusName, diagnosis),
    tee,
    dealid: task.dealid,
    index: task.idx,
    contributors: task.contributors.length,
    revealed: `${task.revealCounter}/${task.winnerCounter}`,
    finalDeadline: chainTime(task.finalDeadline),
    results: task.resultsText ?? (task.results === "0x" ? undefined : task.results),
    claimable: task.claimable || undefined,
    ...reported,
    refund: reported.refund ?? chainRefund(task),
  };
}

async function show(
  session: Session,
  taskid: string,
  options: { watch?: boolean; download?: string | boolean; intervalMs?: string },
): Promise<void> {
  const poco = await session.connect(false);
  const task = options.watch
    ? await session.out.step(
        `Watching task ${taskid}`,
        poco.tasks.watch(taskid, {
          intervalMs: options.intervalMs ? Number(options.intervalMs) : undefined,
          onChange: (current) => session.out.update(`Task ${taskid}: ${current.statusName}`),
        }),
      )
    : await session.out.step("Reading the task", poco.tasks.show(taskid));
  const diagnosis = await session.out.step(
    "Asking the task's workerpool",
    poco.tasks.diagnose(taskid, { dealid: task.dealid }),
  );
  const tee = teeNotice((await poco.deals.view(task.dealid)).tag, poco.chainId);
  session.out.success(`Task ${taskid}`, fields(task, diagnosis, tee));
  const { status: _status, statusName, ...rest } = task;
  session.out.set({ task: { ...rest, status: statusName }, diagnosis, ...(tee ? { tee } : {}) });
  if (options.download) {
    const folder = typeof options.download === "string" ? options.download : undefined;
    await downloadResult(session, task, folder);
  }
}

/** Registers `task`. */
export function registerTask(program: Command): void {
  const task = program.command("task").description("tasks of deals");
  task
    .command("show")
    .argument("<taskid>", "task id")
    .option("--watch", "follow the task until it ends, with a live view")
    .option(
      "--download [folder]",
      "download the completed task's result as its requester or beneficiary, verify it and unzip it (default <taskid>)",
    )
    .option("--interval-ms <ms>", "time between polls with --watch", "2000")
    .description("show a task: its status on chain, and from its workerpool what failed and who must fix it")
    .action(action(show));
  registerTaskDebug(task);
}
