/** `task show [--watch] [--download]`: a task's state, followed live, and its result. */
import type { Command } from "commander";
import type { TaskInfo } from "../../sdk/core/client";
import { action } from "../action";
import type { Session } from "../session";
import { downloadResult } from "./result";

function fields(task: TaskInfo): Record<string, unknown> {
  return {
    status: task.statusName,
    dealid: task.dealid,
    index: task.idx,
    contributors: task.contributors.length,
    revealed: `${task.revealCounter}/${task.winnerCounter}`,
    finalDeadline: new Date(Number(task.finalDeadline) * 1000).toISOString(),
    results: task.resultsText ?? (task.results === "0x" ? undefined : task.results),
    claimable: task.claimable || undefined,
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
  session.out.success(`Task ${taskid}`, fields(task));
  const { status: _status, statusName, ...rest } = task;
  session.out.set({ task: { ...rest, status: statusName } });
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
    .description("show a task")
    .action(action(show));
}
