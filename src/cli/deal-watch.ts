/**
 * Following a deal live (`app run --watch`): its task ids and explorer link first, then each change of
 * the tasks' statuses (only changes: without a terminal every line is kept, so repeating one would flood
 * the log), each failure as soon as the workerpool reports it, and an end that says the truth: a task
 * whose app crashed or that the workerpool gave up on ends the run with an error, not with "completed".
 */
import type { DealInfo, OpenPoco, TaskDiagnosis } from "../sdk/core/client";
import { OpenPocoError } from "../sdk/core/errors";
import { TaskStatus, computeTaskId } from "../sdk/core/tasks";
import { diagnoseDeal } from "./commands/deal";
import type { Session } from "./session";
import { outcomeText, troubleLine } from "./task-report";

/** Time between two reads of the deal, in ms. */
export const WATCH_INTERVAL_MS = 2000;

/** Thrown at the end of a watched deal when a task did not complete cleanly. */
export class DealOutcomeError extends OpenPocoError {
  constructor(message: string) {
    super("DEAL_NOT_COMPLETED", message);
  }
}

/** The explorer page of a deal, when chain.json names an explorer. */
export function dealLink(explorer: string | undefined, dealid: string): string | undefined {
  return explorer ? `${explorer.replace(/\/+$/, "")}/#/deal/${dealid}` : undefined;
}

/** Prints the deal's task ids and its explorer link (and puts them in the --raw answer). */
export async function printDealLinks(session: Session, poco: OpenPoco, dealid: string): Promise<void> {
  const deal = await poco.deals.view(dealid);
  const taskids: string[] = [];
  for (let idx = deal.botFirst; idx < deal.botFirst + deal.botSize; idx++)
    taskids.push(computeTaskId(dealid, idx));
  taskids.forEach((taskid, index) =>
    session.out.print(`  task #${deal.botFirst + BigInt(index)}: ${taskid}`),
  );
  const link = dealLink(poco.context.chain.explorer, dealid);
  if (link) session.out.print(`  explorer: ${link}`);
  session.out.set({ taskids, explorerUrl: link });
}

/** True when the task will not change any more: ended on chain, claimable, or given up by its workerpool. */
function settled(task: DealInfo["tasks"][number], diagnosis: TaskDiagnosis | undefined): boolean {
  if (task.status >= TaskStatus.COMPLETED || task.claimable) return true;
  return !!diagnosis?.available && diagnosis.task.currentStatus === "FAILED";
}

/** Whether a completed task's diagnosis can still change (its app error may not be reported yet). */
function needsDiagnosis(task: DealInfo["tasks"][number], diagnosis: TaskDiagnosis | undefined): boolean {
  if (!diagnosis) return true;
  if (!diagnosis.available) return task.status < TaskStatus.COMPLETED;
  return diagnosis.task.currentStatus !== "COMPLETED" && diagnosis.task.currentStatus !== "FAILED";
}

/**
 * Follows a deal until every task is completed, failed, claimable or given up by its workerpool; prints
 * changes only, and ends with a `DealOutcomeError` naming each task that did not complete cleanly.
 */
export async function watchDeal(
  session: Session,
  poco: OpenPoco,
  dealid: string,
  intervalMs = WATCH_INTERVAL_MS,
): Promise<void> {
  await printDealLinks(session, poco, dealid);
  const diagnoses: (TaskDiagnosis | undefined)[] = [];
  const told = new Set<string>();
  let lastLine = "";
  let unavailableTold = false;
  const deal = await session.out.step(`Watching deal ${dealid}`, async () => {
    for (;;) {
      const current = await poco.deals.show(dealid);
      const stale = current.tasks.some((task, index) => needsDiagnosis(task, diagnoses[index]));
      if (stale) {
        const fresh = await diagnoseDeal(poco, current);
        fresh.forEach((diagnosis, index) => {
          if (needsDiagnosis(current.tasks[index], diagnoses[index])) diagnoses[index] = diagnosis;
        });
      }
      const first = diagnoses[0];
      if (first && !first.available && !unavailableTold) {
        unavailableTold = true;
        session.out.info(`workerpool view unavailable: ${first.reason}`);
      }
      current.tasks.forEach((task, index) => {
        const trouble = troubleLine(diagnoses[index]);
        const key = `${index}:${trouble}`;
        if (trouble && !told.has(key)) {
          told.add(key);
          session.out.warn(`Task #${task.idx} ${task.taskid}: ${trouble}`);
        }
      });
      const counts: Record<string, number> = {};
      current.tasks.forEach((task, index) => {
        const outcome = outcomeText(task.statusName, diagnoses[index]);
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      });
      const line = `Deal ${dealid}: ${Object.entries(counts)
        .map(([status, count]) => `${count} ${status}`)
        .join(", ")}`;
      if (line !== lastLine) session.out.update(line);
      lastLine = line;
      if (current.tasks.every((task, index) => settled(task, diagnoses[index]))) return current;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  });
  const outcomes = deal.tasks.map((task, index) => ({
    task,
    outcome: outcomeText(task.statusName, diagnoses[index]),
    trouble: troubleLine(diagnoses[index]),
  }));
  // `tasks` keeps the chain's view (scripts compare it); the workerpool's view is beside it.
  session.out.set({
    tasks: Object.fromEntries(
      deal.tasks.map((task) => [task.idx.toString(), { taskid: task.taskid, status: task.statusName }]),
    ),
    outcomes: Object.fromEntries(
      outcomes.map(({ task, outcome }, index) => [
        task.idx.toString(),
        { outcome, diagnosis: diagnoses[index] },
      ]),
    ),
  });
  const clean = outcomes.filter(({ outcome }) => outcome === "COMPLETED");
  if (clean.length === deal.tasks.length) {
    session.out.success(`Deal ${dealid} ended: ${clean.length}/${deal.tasks.length} task(s) completed`);
    return;
  }
  const failed = outcomes
    .filter(({ outcome }) => outcome !== "COMPLETED")
    .map(({ task, outcome, trouble }) => {
      const refund = task.claimable ? ` refund: \`openpoco deal claim ${dealid}\`` : "";
      return `task #${task.idx} ${task.taskid} ${outcome}${trouble ? ` (${trouble})` : ""}${refund}`;
    });
  throw new DealOutcomeError(
    `Deal ${dealid} ended with ${clean.length}/${deal.tasks.length} task(s) completed cleanly: ${failed.join("; ")}`,
  );
}
