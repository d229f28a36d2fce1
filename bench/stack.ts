/**
 * Workerpool runtime benchmark (`npm run bench:stack`): a no-op app at trust 1 on the real Docker engine,
 * with the scheduler and two workers in this process against the in-process chain (automining).
 *
 * - latency: for single-task deals bought one after another, the time from the mined `matchOrders` to the
 *   task seen COMPLETED on chain (median and worst of the runs);
 * - throughput: a bag of 20 tasks on two workers, from the mined `matchOrders` to the last task COMPLETED.
 *
 * Targets (issue #7): under 3 s per task end to end, at least 20 tasks per minute on this 2-core machine.
 */
import { TaskStatus, computeTaskId, type OpenPoco } from "../src/sdk";
import { buyExecution, deployApp, stackWorld, startScheduler, startWorker } from "../test/stack/world";

const LATENCY_RUNS = Number(process.env.BENCH_STACK_RUNS ?? 10);
const BAG_SIZE = 20;

async function completed(client: OpenPoco, taskids: string[]): Promise<void> {
  const open = new Set(taskids);
  while (open.size > 0) {
    for (const taskid of [...open]) {
      const view = await client.context.hub.viewTask(taskid);
      if (Number(view.status) === TaskStatus.COMPLETED) open.delete(taskid);
      else if (Number(view.status) === TaskStatus.FAILED) throw new Error(`task ${taskid} failed`);
    }
    if (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const world = await stackWorld({ workers: 2 });
  const scheduler = await startScheduler(world);
  const workers = [
    await startWorker(world, 0, scheduler.url, { pollMs: 50 }),
    await startWorker(world, 1, scheduler.url, { pollMs: 50 }),
  ];
  try {
    const { app } = await deployApp(world, "noop", "echo noop > /iexec_out/determinism.iexec");
    // One warm-up deal: the first pull of the image is not what is measured.
    const warm = await buyExecution(world, { app });
    await completed(world.requester, [computeTaskId(warm, 0n)]);

    const latencies: number[] = [];
    for (let run = 0; run < LATENCY_RUNS; run++) {
      const dealid = await buyExecution(world, { app });
      const start = performance.now();
      await completed(world.requester, [computeTaskId(dealid, 0n)]);
      latencies.push((performance.now() - start) / 1000);
    }

    const bag = await buyExecution(world, { app, volume: BigInt(BAG_SIZE) });
    const start = performance.now();
    await completed(
      world.requester,
      Array.from({ length: BAG_SIZE }, (_, idx) => computeTaskId(bag, BigInt(idx))),
    );
    const bagSeconds = (performance.now() - start) / 1000;
    const perMinute = (BAG_SIZE / bagSeconds) * 60;

    const latency = median(latencies);
    console.log(`\nWorkerpool runtime, no-op app at trust 1, real Docker engine\n`);
    console.table([
      {
        measure: `matchOrders → COMPLETED, median of ${LATENCY_RUNS} deals`,
        value: `${latency.toFixed(2)} s`,
        target: "< 3 s",
        met: latency < 3 ? "yes" : "NO",
      },
      {
        measure: `matchOrders → COMPLETED, worst of ${LATENCY_RUNS} deals`,
        value: `${Math.max(...latencies).toFixed(2)} s`,
        target: "",
        met: "",
      },
      {
        measure: `bag of ${BAG_SIZE} tasks, 2 workers: time`,
        value: `${bagSeconds.toFixed(1)} s`,
        target: "",
        met: "",
      },
      {
        measure: `bag of ${BAG_SIZE} tasks, 2 workers: throughput`,
        value: `${perMinute.toFixed(1)} tasks/min`,
        target: ">= 20 tasks/min",
        met: perMinute >= 20 ? "yes" : "NO",
      },
    ]);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await scheduler.stop();
    await world.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
