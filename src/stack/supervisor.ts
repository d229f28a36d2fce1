/**
 * Supervises the stack's child processes: each is started, counted ready when it prints its first JSON
 * line with `ok` or `ready` (the `--raw` answer of `openpoco ... start`, the chain's ready line), logged
 * to its own file, restarted with a growing delay when it dies, and stopped in reverse order of start.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, renameSync, writeFileSync, type WriteStream } from "node:fs";
import path from "node:path";
import { OpenPocoError } from "../sdk/core/errors";
import { processStart } from "./lock";

/** How to run one child. */
export interface ChildSpec {
  /** Short name, also the log file's name. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Time allowed from spawn to the ready line (default 120 s). */
  readyTimeoutMs?: number;
  /**
   * For children that print no JSON line: polled every 100 ms until it answers; its answer counts as
   * the ready line.
   */
  probe?: () => Promise<ReadyAnswer | undefined>;
}

/** What a child said when ready: its JSON line. */
export type ReadyAnswer = Record<string, unknown>;

/** State of one supervised child, for the status table. */
export interface ChildStatus {
  name: string;
  state: "starting" | "up" | "restarting" | "stopped";
  pid?: number;
  restarts: number;
  answer?: ReadyAnswer;
  log: string;
}

/** Raised when a child exits or fails before its ready line; the message points at its log. Code `CHILD_START_FAILED`. */
export class ChildStartError extends OpenPocoError {
  constructor(
    readonly child: string,
    reason: string,
    readonly logFile: string,
  ) {
    super("CHILD_START_FAILED", `${child} did not start: ${reason} (its log: ${logFile})`);
  }
}

/**
 * Signals the child's whole process group: some children run their work in a grandchild (Hardhat's
 * CLI re-launches itself with ts-node), which must not outlive them.
 */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
}

const MAX_BACKOFF_MS = 30_000;
/** Restart delays reset after a child stayed up this long. */
const STABLE_MS = 60_000;

class Supervised {
  status: ChildStatus;
  private child?: ChildProcess;
  /** Resolves once the current child has exited and its pipes are drained. */
  private closed?: Promise<void>;
  private stopping = false;
  private backoffMs = 1000;
  private restartTimer?: NodeJS.Timeout;
  private readonly logStream: WriteStream;

  constructor(
    readonly spec: ChildSpec,
    logDir: string,
    private readonly onEvent: (message: string) => void,
    private readonly onSpawn: () => void = () => undefined,
  ) {
    const log = path.join(logDir, `${spec.name}.log`);
    this.logStream = createWriteStream(log, { flags: "a" });
    // A log that cannot be written (disk full) must not take the supervisor down with it.
    this.logStream.on("error", () => undefined);
    this.status = { name: spec.name, state: "starting", restarts: 0, log };
  }

  /** Spawns the child; resolves with its ready answer. `once`: an exit after it is expected. */
  start(once = false): Promise<ReadyAnswer> {
    const { spec } = this;
    this.status.state = this.status.restarts > 0 ? "restarting" : "starting";
    this.logStream.write(
      `\n=== ${new Date().toISOString()} starting: ${spec.command} ${spec.args.join(" ")}\n`,
    );
    // Own process group: a Ctrl-C reaches the supervisor alone, which stops the children in order.
    // OPENPOCO_PARENT_PID: a child whose supervisor died (SIGKILL) stops itself instead of lingering.
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, OPENPOCO_PARENT_PID: String(process.pid) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.child = child;
    this.closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    this.status.pid = child.pid;
    this.onSpawn();
    const startedAt = Date.now();
    child.stderr!.pipe(this.logStream, { end: false });
    return new Promise<ReadyAnswer>((resolve, reject) => {
      let settled = false;
      /** Ready once: only then is an exit this child's death to answer with a restart. */
      let ready = false;
      let pending = "";
      const timer = setTimeout(
        () => fail(`no ready line within ${(spec.readyTimeoutMs ?? 120_000) / 1000} s`),
        spec.readyTimeoutMs ?? 120_000,
      );
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) signalGroup(child, "SIGTERM");
        reject(new ChildStartError(spec.name, reason, this.status.log));
      };
      const succeed = (answer: ReadyAnswer) => {
        if (settled) return;
        settled = true;
        ready = true;
        clearTimeout(timer);
        this.status.state = "up";
        this.status.answer = answer;
        resolve(answer);
      };
      child.stdout!.on("data", (chunk: Buffer) => {
        this.logStream.write(chunk);
        if (settled) return;
        pending += chunk.toString();
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          let answer: ReadyAnswer;
          try {
            answer = JSON.parse(line);
          } catch {
            continue;
          }
          if (answer.ok === false) {
            const error = answer.error as { message?: string } | undefined;
            return fail(error?.message ?? line);
          }
          if (answer.ok === true || answer.ready === true) return succeed(answer);
        }
      });
      if (spec.probe) {
        const probe = spec.probe;
        const poll = async () => {
          while (!settled && child.exitCode === null && child.signalCode === null) {
            const answer = await probe().catch(() => undefined);
            if (answer) return succeed(answer);
            await new Promise((r) => setTimeout(r, 100));
          }
        };
        void poll();
      }
      child.once("error", (error) => fail(error.message));
      child.once("close", (code, signal) => {
        this.logStream.write(`=== ${new Date().toISOString()} exited (${signal ?? code})\n`);
        if (!settled) return fail(`exited (${signal ?? code}) before it was ready`);
        // A start that failed is answered by whoever awaited it, never here as well.
        if (!ready || this.stopping || once) return;
        if (Date.now() - startedAt > STABLE_MS) this.backoffMs = 1000;
        this.scheduleRestart(`exited (${signal ?? code})`);
      });
    });
  }

  private scheduleRestart(reason: string): void {
    clearTimeout(this.restartTimer);
    this.status.state = "restarting";
    this.status.restarts += 1;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.onEvent(`${this.spec.name} ${reason}; restarting in ${delay / 1000} s (log: ${this.status.log})`);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.start().then(
        () => this.onEvent(`${this.spec.name} is up again`),
        async (error: Error) => {
          // The failed child is gone before the next one starts: never two at once.
          await this.stopChild(5000);
          if (!this.stopping) this.scheduleRestart(error.message);
        },
      );
    }, delay);
  }

  /** No more restarts: the stack is going down (a Ctrl-C may already have reached the child too). */
  retire(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
  }

  /** Resolves when the child has exited and its output is read (at once if it has). */
  exited(): Promise<void> {
    return this.closed ?? Promise.resolve();
  }

  /** Stops the current child: SIGTERM to its group, then SIGKILL after `graceMs`. */
  private async stopChild(graceMs: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    const closed = this.exited();
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(child, "SIGTERM");
      const killer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
      await closed;
      clearTimeout(killer);
    }
    await closed;
  }

  /** Stops the child for good and closes its log. */
  async stop(graceMs: number): Promise<void> {
    this.retire();
    await this.stopChild(graceMs);
    this.status.state = "stopped";
    this.status.pid = undefined;
    await new Promise<void>((resolve) => this.logStream.end(resolve));
  }
}

/** A set of supervised children. */
export class Supervisor {
  private readonly children: Supervised[] = [];

  /**
   * `childrenFile`, when given, always lists the live children's pids (with their start times), so
   * that a stack started after this one was killed can wait for its leftovers.
   */
  constructor(
    private readonly logDir: string,
    private readonly onEvent: (message: string) => void = () => undefined,
    private readonly childrenFile?: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  private writeChildren(): void {
    if (!this.childrenFile) return;
    const pids = this.children
      .map((child) => child.status.pid)
      .filter((pid): pid is number => pid !== undefined)
      .map((pid) => ({ pid, since: processStart(pid) }));
    writeFileSync(`${this.childrenFile}.tmp`, JSON.stringify(pids));
    renameSync(`${this.childrenFile}.tmp`, this.childrenFile);
  }

  /** Starts a child and waits for its ready answer; a child that fails to start is stopped and the error thrown. */
  async start(spec: ChildSpec): Promise<ReadyAnswer> {
    const supervised = new Supervised(spec, this.logDir, this.onEvent, () => this.writeChildren());
    this.children.push(supervised);
    try {
      return await supervised.start();
    } catch (error) {
      await supervised.stop(1000);
      this.children.splice(this.children.indexOf(supervised), 1);
      throw error;
    }
  }

  /**
   * Runs a child that answers once and exits (no supervision): resolves with its ready answer once it
   * exited cleanly.
   */
  async runOnce(spec: ChildSpec): Promise<ReadyAnswer> {
    const supervised = new Supervised(spec, this.logDir, this.onEvent, () => this.writeChildren());
    try {
      const answer = await supervised.start(true);
      await supervised.exited();
      return answer;
    } finally {
      await supervised.stop(1000);
    }
  }

  /** Status of every child, in start order. */
  status(): ChildStatus[] {
    return this.children.map((child) => ({ ...child.status }));
  }

  /** Stops every child, last started first. */
  async stopAll(graceMs = 10_000): Promise<void> {
    for (const child of this.children) child.retire();
    for (const child of [...this.children].reverse()) await child.stop(graceMs);
    this.children.length = 0;
  }
}
