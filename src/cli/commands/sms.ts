/**
 * `sms start`: runs the Secret Management Service until interrupted. `sms audit`: the operator's view of
 * its audit log (every release and refusal of a task's secrets), read from the data folder.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../../sdk/core/errors";
import { DEV_ENCLAVE_WARNING, TEE_DEV_ANY_CHAIN_FLAG } from "../../sdk/core/tee-dev";
import { DEFAULT_SMS_PORT, SMS_DB_FILE, SmsApp } from "../../sms/app";
import { AUDIT_ACTIONS, SmsStore, type AuditRecord } from "../../sms/store";
import { action } from "../action";
import { positiveInt, serveUntilSignal, serviceLogger } from "../service";
import type { Session } from "../session";

interface StartOptions {
  host: string;
  port: string;
  dataDir: string;
  tee?: string;
  teeDevOnAnyChain?: boolean;
}

/** The `--tee` mode: only "dev" exists (a real TEE needs attestation, not available yet). */
function teeMode(value: string | undefined): "dev" | undefined {
  if (value === undefined) return undefined;
  if (value !== "dev")
    throw new InvalidInputError(
      `Unknown --tee mode ${JSON.stringify(value)}: only "dev" exists (${DEV_ENCLAVE_WARNING}); real TEE attestation is not available yet.`,
    );
  return value;
}

async function start(session: Session, options: StartOptions): Promise<void> {
  const chain = await session.chain();
  const tee = teeMode(options.tee);
  if (options.teeDevOnAnyChain && tee === undefined)
    throw new InvalidInputError(
      `${TEE_DEV_ANY_CHAIN_FLAG} only applies with --tee dev: add it or drop the flag.`,
    );
  const dataDir = path.resolve(options.dataDir);
  const sms = await session.out.step(
    "Starting the SMS",
    SmsApp.start({
      chain,
      host: options.host,
      port: positiveInt("port", options.port, true),
      dataDir,
      tee,
      teeDevOnAnyChain: !!options.teeDevOnAnyChain,
      logger: serviceLogger("sms", !!session.options.quiet, !!session.options.debug),
    }),
  );
  await serveUntilSignal(
    session.out,
    `SMS listening at ${sms.url} (chain ${chain.name}${tee ? `, TEE mode dev: ${DEV_ENCLAVE_WARNING}` : ""}), Ctrl-C to stop`,
    { url: sms.url, dataDir, ...(tee ? { tee, warning: DEV_ENCLAVE_WARNING } : {}) },
    () => sms.stop(),
  );
}

interface AuditOptions {
  dataDir: string;
  task?: string;
  action?: string;
  refused?: boolean;
  last: string;
}

/**
 * One audit row as a line: time, outcome and status, what it was about (secrets unless said), task,
 * worker or requester (and enclave), names, reason.
 */
export function auditLine(row: AuditRecord): string {
  const head = `${new Date(row.time).toISOString()} ${row.outcome} ${row.status}${row.code ? ` ${row.code}` : ""}`;
  const reason = row.reason ? `: ${row.reason}` : "";
  if (row.action === "start") return `${head} SMS start${reason}`;
  const about = row.action === "secrets" ? "" : ` ${row.action}`;
  const role = row.action === "challenge" ? "requester" : "worker";
  const who = row.enclave ? `${row.worker || "-"} (enclave ${row.enclave})` : row.worker || "-";
  const names =
    row.outcome === "released"
      ? `released [${row.released.join(", ")}]`
      : `withheld [${row.withheld.join(", ")}]`;
  return `${head}${about} task ${row.taskid} ${role} ${who} ${names}${reason}`;
}

async function audit(session: Session, options: AuditOptions): Promise<void> {
  const file = path.join(path.resolve(options.dataDir), SMS_DB_FILE);
  if (!existsSync(file))
    throw new InvalidInputError(`No SMS database at ${file}: pass the SMS's --data-dir.`);
  if (options.task !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(options.task))
    throw new InvalidInputError(`Invalid task id ${JSON.stringify(options.task)}: give 0x + 64 hex digits.`);
  const action = AUDIT_ACTIONS.find((name) => name === options.action);
  if (options.action !== undefined && action === undefined)
    throw new InvalidInputError(
      `Unknown --action ${JSON.stringify(options.action)}: use one of ${AUDIT_ACTIONS.join(", ")}.`,
    );
  const rows = SmsStore.readAuditLog(file, {
    taskid: options.task,
    action,
    outcome: options.refused ? "refused" : undefined,
    last: positiveInt("last", options.last),
  });
  session.out.set({ entries: rows });
  if (rows.length === 0) session.out.print("No audit entries.");
  else session.out.print(rows.map(auditLine).join("\n"));
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
    .option("--tee <mode>", `"dev": release enclave keys to development enclaves (${DEV_ENCLAVE_WARNING})`)
    .option(
      TEE_DEV_ANY_CHAIN_FLAG,
      "DANGER: allow --tee dev on a chain that is not a local development chain (31337, 1337)",
    )
    .description("serve the SMS: secrets encrypted at rest, released only to authorized workers")
    .action(action(start));
  sms
    .command("audit")
    .option("--data-dir <dir>", "folder of the SMS database", path.join("data", "sms"))
    .option("--task <taskid>", "only the entries of this task")
    .option("--action <action>", `only the entries of this action (${AUDIT_ACTIONS.join(", ")})`)
    .option("--refused", "only the refusals")
    .option("--last <n>", "only the newest n entries", "100")
    .description(
      "show who asked for which task's secrets, challenge or enclave key, what was released or refused, and why",
    )
    .action(action(audit));
}
