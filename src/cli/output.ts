/**
 * How the CLI speaks: human lines on stderr/stdout with spinners while the chain works, or with
 * `--raw` exactly one JSON object on stdout (amounts as decimal strings) for scripts.
 */
import { toJson } from "../sdk/core/http";

/** Output modes chosen by the global options. */
export interface OutputOptions {
  raw: boolean;
  quiet: boolean;
  debug: boolean;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Aligned `key: value` lines of a flat object (nested values as JSON). */
export function formatFields(fields: Record<string, unknown>): string {
  const keys = Object.keys(fields).filter((key) => fields[key] !== undefined);
  const width = Math.max(0, ...keys.map((key) => key.length)) + 1;
  return keys
    .map((key) => {
      const value = fields[key];
      const shown = typeof value === "object" && value !== null ? toJson(value) : String(value);
      return `${(key + ":").padEnd(width)} ${shown}`;
    })
    .join("\n");
}

/** The CLI's voice for one command. */
export class Output {
  private readonly result: Record<string, unknown> = {};
  private spinnerTimer?: NodeJS.Timeout;
  private spinnerText = "";
  private finished = false;

  constructor(readonly options: OutputOptions) {}

  private get human(): boolean {
    return !this.options.raw;
  }

  /** Informational line (stderr), hidden by --quiet and --raw. */
  info(message: string): void {
    if (this.human && !this.options.quiet) process.stderr.write(`ℹ ${message}\n`);
  }

  /** Warning line (stderr), hidden by --raw only: what the user must know even when --quiet. */
  warn(message: string): void {
    if (this.human) process.stderr.write(`⚠ ${message}\n`);
  }

  /** Success line with optional fields (stdout), hidden by --raw; --quiet keeps it (it is the answer). */
  success(message: string, fields?: Record<string, unknown>): void {
    if (!this.human) return;
    process.stdout.write(`✔ ${message}\n`);
    if (fields && Object.keys(fields).length > 0) process.stdout.write(formatFields(fields) + "\n");
  }

  /** Plain text on stdout for humans (tables, listings). */
  print(text: string): void {
    if (this.human) process.stdout.write(text.endsWith("\n") ? text : text + "\n");
  }

  /** Adds fields to the single JSON object printed at the end with --raw. */
  set(fields: Record<string, unknown>): void {
    Object.assign(this.result, fields);
  }

  /** Runs `work` with a spinner on a terminal (stderr), so waits on the chain show progress. */
  async step<T>(text: string, work: Promise<T> | (() => Promise<T>)): Promise<T> {
    this.startSpinner(text);
    try {
      const value = await (typeof work === "function" ? work() : work);
      this.stopSpinner();
      return value;
    } catch (error) {
      this.stopSpinner();
      throw error;
    }
  }

  /** Changes the spinner's text (live views). */
  update(text: string): void {
    this.spinnerText = text;
    if (!this.spinnerTimer && this.human && !this.options.quiet && !process.stderr.isTTY) this.info(text);
  }

  private startSpinner(text: string): void {
    this.spinnerText = text;
    if (!this.human || this.options.quiet || !process.stderr.isTTY) return;
    let frame = 0;
    this.spinnerTimer = setInterval(() => {
      process.stderr.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${this.spinnerText}`);
    }, 80);
  }

  private stopSpinner(): void {
    if (!this.spinnerTimer) return;
    clearInterval(this.spinnerTimer);
    this.spinnerTimer = undefined;
    process.stderr.write("\r\x1b[2K");
  }

  /** Prints the raw JSON object of a successful command (once: long-running commands print it early). */
  finish(): void {
    this.stopSpinner();
    if (this.finished) return;
    this.finished = true;
    if (this.options.raw) process.stdout.write(toJson({ ok: true, ...this.result }) + "\n");
  }

  /** Prints a failed command's error: one sentence, or one JSON object with --raw; the stack with --debug. */
  fail(error: unknown): void {
    this.stopSpinner();
    const err = error instanceof Error ? error : new Error(String(error));
    const code = (err as { code?: unknown }).code;
    if (this.options.raw) {
      const detail: Record<string, unknown> = { name: err.name, message: err.message };
      if (typeof code === "string") detail.code = code;
      process.stdout.write(toJson({ ok: false, error: detail }) + "\n");
    } else {
      process.stderr.write(`✖ ${err.message}\n`);
    }
    if (this.options.debug && err.stack) process.stderr.write(err.stack + "\n");
  }
}
