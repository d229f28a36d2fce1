/** `deal show|claim`: a deal and its tasks; the refund of its expired tasks. */
import type { Command } from "commander";
import { action } from "../action";
import type { Session } from "../session";

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
    params: deal.params,
    volume: deal.botSize,
    startTime: new Date(Number(deal.startTime) * 1000).toISOString(),
    finalDeadline: new Date(Number(deal.finalDeadline) * 1000).toISOString(),
    tasks: deal.tasksCount,
  });
  for (const task of deal.tasks)
    session.out.print(
      `  #${task.idx} ${task.taskid} ${task.statusName}${task.claimable ? " (claimable)" : ""}`,
    );
  const { tasks, ...rest } = deal;
  session.out.set({
    deal: rest,
    tasks: Object.fromEntries(
      tasks.map((task) => [task.idx.toString(), { ...task, status: task.statusName }]),
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
