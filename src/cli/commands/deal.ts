/** `deal show|claim`: a deal and its tasks; the refund of its expired tasks. */
import type { Command } from "commander";
import type { DealInfo, OpenPoco, TaskDiagnosis } from "../../sdk/core/client";
import { teeNotice } from "../../sdk/core/tee-dev";
import { action } from "../action";
import type { Session } from "../session";
import { chainTime, outcomeText, troubleLine } from "../task-report";

/**
 * What the deal's workerpool says about each task. The first answer tells whether the pool's API can
 * be reached at all: when it cannot, the others are not asked (each would wait for the same timeout).
 */
export async function diagnoseDeal(poco: OpenPoco, deal: DealInfo): Promise<TaskDiagnosis[]> {
  const workerpool = deal.workerpool.pointer;
  const diagnoses: TaskDiagnosis[] = [];
  for (const task of deal.tasks) {
    const first = diagnoses[0];
    if (first && !first.available) diagnoses.push(first);
    else diagnoses.push(await poco.tasks.diagnose(task.taskid, { workerpool }));
  }
  return diagnoses;
}

async function show(session: Session, dealid: string): Promise<void> {
  const poco = await session.connect(false);
  const deal = await session.out.step("Reading the deal", poco.deals.show(dealid));
  session.out.success(`Deal ${dealid}`, {
    app: deal.app.pointer,
    dataset: deal.dataset.pointer,
    workerpool: deal.workerpool.pointer,
    requester: deal.requester,
    category: deal.category,
    trust: deal.trust,
    tag: teeNotice(deal.tag, poco.chainId) ? `${deal.tag} (${teeNotice(deal.tag, poco.chainId)})` : deal.tag,
    params: deal.params,
    volume: deal.botSize,
    startTime: chainTime(deal.startTime),
    finalDeadline: chainTime(deal.finalDeadline),
    tasks: deal.tasksCount,
  });
  const diagnoses = await session.out.step("Asking the deal's workerpool", diagnoseDeal(poco, deal));
  if (diagnoses[0] && !diagnoses[0].available)
    session.out.info(`workerpool view unavailable: ${diagnoses[0].reason}`);
  deal.tasks.forEach((task, index) => {
    const outcome = outcomeText(task.statusName, diagnoses[index]);
    session.out.print(`  #${task.idx} ${task.taskid} ${outcome}${task.claimable ? " (claimable)" : ""}`);
    const trouble = troubleLine(diagnoses[index]);
    if (trouble) session.out.print(`      ${trouble}`);
  });
  const { tasks, ...rest } = deal;
  session.out.set({
    deal: rest,
    tasks: Object.fromEntries(
      tasks.map((task, index) => [
        task.idx.toString(),
        { ...task, status: task.statusName, diagnosis: diagnoses[index] },
      ]),
    ),
    claimable: tasks.filter((task) => task.claimable).map((task) => task.taskid),
  });
}

async function claim(session: Session, dealid: string): Promise<void> {
  const poco = await session.connect(true);
  const claimed = await session.out.step("Claiming the deal's expired tasks", poco.deals.claim(dealid));
  session.out.success(`Claimed ${claimed.claimed.length} task(s) of deal ${dealid}`, {
    txHash: claimed.txHash,
  });
  session.out.set({ claimed: claimed.claimed, txHash: claimed.txHash });
}

/** Registers `deal`. */
export function registerDeal(program: Command): void {
  const deal = program.command("deal").description("deals (matched orders)");
  deal
    .command("show")
    .argument("<dealid>", "deal id")
    .description("show a deal and its tasks")
    .action(action(show));
  deal
    .command("claim")
    .argument("<dealid>", "deal id")
    .description("refund every task of the deal that missed its final deadline")
    .action(action(claim));
}
