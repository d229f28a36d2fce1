/** What the commands that start long-running services share: option parsing, logs, and running until a signal. */
import { InvalidInputError } from "../sdk/core/errors";
import type { ServiceLogger } from "../sdk/core/logger";
import { parentGone } from "../stack/parent";
import type { Output } from "./output";

/** `value` of option `--name` as an integer above zero (or zero when allowed), else an error naming it. */
export function positiveInt(name: string, value: string, allowZero = false): number {
  if (!/^\d+$/.test(value) || (!allowZero && value === "0"))
    throw new InvalidInputError(
      `--${name} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${JSON.stringify(value)}.`,
    );
  return Number(value);
}

/** Logs of the service `name`. */
export function serviceLogger(name: string, quiet: boolean, debug: boolean): ServiceLogger {
  const line = (level: string, message: string) =>
    process.stderr.write(`${new Date().toISOString()} ${name} ${level} ${message}\n`);
  return {
    info: (message) => {
      if (!quiet) line("info", message);
    },
    warn: (message) => line("warn", message),
    error: (message, error) => {
      const detail = error instanceof Error ? (debug ? error.stack : error.message) : error;
      line("error", detail === undefined ? message : `${message}: ${String(detail)}`);
    },
  };
}

/** Prints the service's answer, then waits for Ctrl-C, SIGTERM or its supervisor's end, and stops it. */
export async function serveUntilSignal(
  out: Output,
  message: string,
  fields: Record<string, unknown>,
  stop: () => Promise<void>,
): Promise<void> {
  out.success(message);
  out.set(fields);
  out.finish();
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
    void parentGone().then(resolve);
  });
  await stop();
}
