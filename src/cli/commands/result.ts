/** `result download`: fetch a completed task's result archive. */
import path from "node:path";
import type { Command } from "commander";
import type { TaskInfo } from "../../sdk/client";
import { InvalidInputError } from "../../sdk/errors";
import { ResultsClient } from "../../sdk/results";
import { TaskStatus } from "../../sdk/tasks";
import { action } from "../action";
import type { Session } from "../session";

/** Downloads the result of a completed task into `file` (default `<taskid>.zip` in this folder). */
export async function downloadResult(session: Session, task: TaskInfo, file?: string): Promise<void> {
  if (task.status !== TaskStatus.COMPLETED)
    throw new InvalidInputError(
      `Task ${task.taskid} is ${task.statusName}: only a completed task has a result.`,
    );
  const chain = await session.chain();
  if (!chain.resultProxy)
    throw new InvalidInputError(
      `chain.json: chain "${chain.name}" has no "resultProxy": add the result store URL.`,
    );
  const poco = await session.connect(false);
  const target = path.resolve(file ?? `${task.taskid}.zip`);
  const size = await session.out.step(
    `Downloading the result of ${task.taskid}`,
    new ResultsClient(chain.resultProxy, poco.chainId).download(task.taskid, target),
  );
  session.out.success(`Result saved in ${target}`, { size: `${size} bytes` });
  session.out.set({ resultPath: target, size });
}

async function download(session: Session, taskid: string, options: { out?: string }): Promise<void> {
  const poco = await session.connect(false);
  const task = await session.out.step("Reading the task", poco.tasks.show(taskid));
  await downloadResult(session, task, options.out);
}

/** Registers `result`. */
export function registerResult(program: Command): void {
  const result = program.command("result").description("results of tasks");
  result
    .command("download")
    .argument("<taskid>", "task id")
    .option("--out <file>", "where to save the archive (default <taskid>.zip)")
    .description("download the result archive of a completed task")
    .action(action(download));
}
