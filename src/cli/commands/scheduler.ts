/** `scheduler start`: runs the scheduler of a workerpool until interrupted. */
import path from "node:path";
import type { Command } from "commander";
import { SchedulerApp } from "../../scheduler/app";
import { action } from "../action";
import { positiveInt, serveUntilSignal, serviceLogger } from "../service";
import type { Session } from "../session";
import { DEFAULT_SCHEDULER_URL } from "./worker";

interface StartOptions {
  workerpool: string;
  host: string;
  port: string;
  dataDir: string;
  tickMs: string;
}

async function start(session: Session, options: StartOptions): Promise<void> {
  const chain = await session.chain();
  const wallet = await session.wallet();
  const dataDir = path.resolve(options.dataDir);
  const scheduler = await session.out.step(
    `Starting the scheduler of workerpool ${options.workerpool}`,
    SchedulerApp.start({
      chain,
      signer: wallet.privateKey,
      workerpool: options.workerpool,
      dbFile: path.join(dataDir, "scheduler.sqlite"),
      host: options.host,
      port: positiveInt("port", options.port, true),
      tickMs: positiveInt("tick-ms", options.tickMs),
      logger: serviceLogger("scheduler", !!session.options.quiet, !!session.options.debug),
    }),
  );
  await serveUntilSignal(
    session.out,
    `Scheduler of ${options.workerpool} listening at ${scheduler.url} (chain ${chain.name}), Ctrl-C to stop`,
    { url: scheduler.url, workerpool: options.workerpool, dataDir },
    () => scheduler.stop(),
  );
}

/** Registers `scheduler`. */
export function registerScheduler(program: Command): void {
  const scheduler = program
    .command("scheduler")
    .description("a workerpool's scheduler: starts tasks, hands them to workers, finalizes them");
  scheduler
    .command("start")
    .requiredOption("--workerpool <address>", "the workerpool to schedule (the wallet must own it)")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port of the worker API (0: any free port)", new URL(DEFAULT_SCHEDULER_URL).port)
    .option("--data-dir <dir>", "folder of the scheduler's database", path.join("data", "scheduler"))
    .option("--tick-ms <ms>", "time between rounds of chain reads and decisions", "250")
    .description("follow the workerpool's deals and drive their tasks to completion")
    .action(action(start));
}
