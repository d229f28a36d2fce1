/** `sms start`: runs the Secret Management Service until interrupted. */
import path from "node:path";
import type { Command } from "commander";
import { DEFAULT_SMS_PORT, SmsApp } from "../../sms/app";
import { action } from "../action";
import { positiveInt, serveUntilSignal, serviceLogger } from "../service";
import type { Session } from "../session";

interface StartOptions {
  host: string;
  port: string;
  dataDir: string;
}

async function start(session: Session, options: StartOptions): Promise<void> {
  const chain = await session.chain();
  const dataDir = path.resolve(options.dataDir);
  const sms = await session.out.step(
    "Starting the SMS",
    SmsApp.start({
      chain,
      host: options.host,
      port: positiveInt("port", options.port, true),
      dataDir,
      logger: serviceLogger("sms", !!session.options.quiet, !!session.options.debug),
    }),
  );
  await serveUntilSignal(
    session.out,
    `SMS listening at ${sms.url} (chain ${chain.name}), Ctrl-C to stop`,
    { url: sms.url, dataDir },
    () => sms.stop(),
  );
}

/** Registers `sms`. */
export function registerSms(program: Command): void {
  const sms = program
    .command("sms")
    .description("the Secret Management Service (dataset keys, app and requester secrets)");
  sms
    .command("start")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", String(DEFAULT_SMS_PORT))
    .option("--data-dir <dir>", "folder of the SMS database and master key", path.join("data", "sms"))
    .description("serve the SMS: secrets encrypted at rest, released only to authorized workers")
    .action(action(start));
}
