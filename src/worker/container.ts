/**
 * Runs one app container through the Docker CLI, confined: no network unless asked, capped memory,
 * CPUs and processes, no capabilities, and removed afterwards whatever happened. Also splits the
 * requester's `iexec_args` into arguments the way a shell would, without running a shell.
 */
import { spawn, execFile } from "node:child_process";
import path from "node:path";
import { DockerEngineError } from "../sdk/node/docker";
import { InvalidInputError } from "../sdk/core/errors";
import { APP_LOG_LIMIT_BYTES } from "../sdk/core/workerpool-api";

/** The Docker CLI: env DOCKER_BIN, else "docker" on the PATH. */
export function dockerBin(): string {
  return process.env.DOCKER_BIN ?? "docker";
}

const LOG_TAIL_BYTES = 16 * 1024;
// After `docker kill`, how long to wait for the attached CLI before killing it too.
const KILL_GRACE_MS = 5_000;
const CLI_TIMEOUT_MS = 60_000;

export interface ContainerSpec {
  /** What to run; pass a content-addressed reference (repo@sha256:...). */
  image: string;
  args: string[];
  /** Variables of the app; their values go through the CLI's environment, never its command line. */
  env: Record<string, string>;
  /** Absolute host folders mounted at /iexec_in and /iexec_out. */
  inDir: string;
  outDir: string;
  /** Mount /iexec_in read-only; true by default. */
  inReadOnly?: boolean;
  /** Container name, used to find and remove it. */
  name: string;
  timeoutMs: number;
  memoryBytes: number;
  cpus: number;
  pidsLimit: number;
  /** Give the app a network; only for apps that declare they need one. */
  network: boolean;
}

export interface ContainerRun {
  /** The app's exit code; null when it was killed on timeout. */
  exitCode: number | null;
  timedOut: boolean;
  /** True when the kernel killed the app for using more than its memory limit. */
  oomKilled: boolean;
  durationMs: number;
  /** The last bytes of the app's stdout and stderr, for the worker's logs (never part of the result). */
  logTail: string;
  /** The app's stdout and stderr apart, each its last APP_LOG_LIMIT_BYTES: the requester's logs. */
  appLogs: { stdout: string; stderr: string };
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the Docker CLI to completion; rejects with DockerEngineError when it cannot be started. */
export function docker(args: string[], timeoutMs = CLI_TIMEOUT_MS): Promise<CliResult> {
  const bin = dockerBin();
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      { timeout: timeoutMs, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr });
        const code = (error as { code?: unknown }).code;
        if (code === "ENOENT" || code === "EACCES")
          return reject(
            new DockerEngineError(
              `Cannot run the Docker CLI ${bin}: install Docker or set DOCKER_BIN.`,
              error,
            ),
          );
        if ((error as { killed?: boolean }).killed)
          return resolve({ code: -1, stdout, stderr: `${stderr}\ntimed out after ${timeoutMs} ms` });
        resolve({ code: typeof code === "number" ? code : -1, stdout, stderr: stderr || error.message });
      },
    );
  });
}

/** A keeper of the last `limit` bytes written to it. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0].length >= this.limit)
      this.size -= (this.chunks.shift() as Buffer).length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString("utf8");
  }
}

function checkSpec(spec: ContainerSpec): void {
  for (const name of Object.keys(spec.env))
    // The values ride in the CLI's own environment, so a name the CLI reads would reconfigure it.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /^(DOCKER_.*|PATH|HOME)$/.test(name))
      throw new InvalidInputError(
        `Invalid environment variable name ${JSON.stringify(name)}: use letters, digits and _, not DOCKER_*, PATH or HOME.`,
      );
  for (const dir of [spec.inDir, spec.outDir])
    if (!path.isAbsolute(dir) || dir.includes(":"))
      throw new InvalidInputError(
        `Mount folder ${JSON.stringify(dir)} must be an absolute path without ":": pass a resolved path.`,
      );
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(spec.name))
    throw new InvalidInputError(
      `Invalid container name ${JSON.stringify(spec.name)}: use letters, digits, _ . and -.`,
    );
}

/** The `docker run` arguments of a spec (exported for tests and logs: it holds no variable values). */
export function runArguments(spec: ContainerSpec): string[] {
  const args = [
    "run",
    "--name",
    spec.name,
    "-v",
    `${spec.inDir}:/iexec_in${spec.inReadOnly === false ? "" : ":ro"}`,
    "-v",
    `${spec.outDir}:/iexec_out`,
    "--memory",
    String(spec.memoryBytes),
    "--memory-swap",
    String(spec.memoryBytes),
    "--cpus",
    String(spec.cpus),
    "--pids-limit",
    String(spec.pidsLimit),
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    // The CLI's attached streams still carry the output; no copy piles up on the engine's disk.
    "--log-driver",
    "none",
  ];
  if (!spec.network) args.push("--network", "none");
  for (const name of Object.keys(spec.env).sort()) args.push("-e", name);
  args.push(spec.image, ...spec.args);
  return args;
}

/** Removes a container by name; a container that does not exist is not an error. */
export async function removeContainer(name: string): Promise<void> {
  const result = await docker(["rm", "-f", name]);
  if (result.code !== 0 && !/no such container/i.test(result.stderr))
    throw new DockerEngineError(
      `Cannot remove container ${name} (${result.stderr.trim()}): check the Docker engine.`,
    );
}

/** Removes every container whose name starts with `namePrefix` (leftovers of a crashed worker); returns their names. */
export async function removeContainers(namePrefix: string): Promise<string[]> {
  if (namePrefix === "")
    throw new InvalidInputError(
      "An empty container name prefix would match every container: pass the worker's prefix.",
    );
  const listed = await docker(["ps", "-a", "--format", "{{.Names}}"]);
  if (listed.code !== 0)
    throw new DockerEngineError(`Cannot list containers (${listed.stderr.trim()}): check the Docker engine.`);
  const names = listed.stdout
    .split("\n")
    .map((n) => n.trim())
    .filter((n) => n.startsWith(namePrefix));
  for (const name of names) await removeContainer(name);
  return names;
}

interface ContainerState {
  exitCode: number;
  oomKilled: boolean;
}

async function containerState(name: string): Promise<ContainerState | undefined> {
  const result = await docker([
    "container",
    "inspect",
    "--format",
    "{{.State.ExitCode}} {{.State.OOMKilled}} {{.State.StartedAt}}",
    name,
  ]);
  if (result.code !== 0) return undefined;
  const [exitCode, oom, startedAt] = result.stdout.trim().split(" ");
  // A container that never started (bad mount, engine error) did not run the app.
  if (startedAt === undefined || startedAt.startsWith("0001-")) return undefined;
  return { exitCode: Number(exitCode), oomKilled: oom === "true" };
}

/**
 * Runs the container to its end or its timeout, then removes it.
 * @throws DockerEngineError when Docker could not start the container (the app did not run).
 */
export async function runContainer(spec: ContainerSpec): Promise<ContainerRun> {
  checkSpec(spec);
  const bin = dockerBin();
  const tail = new Tail(LOG_TAIL_BYTES);
  const stdout = new Tail(APP_LOG_LIMIT_BYTES);
  const stderr = new Tail(APP_LOG_LIMIT_BYTES);
  const appLogs = () => ({ stdout: stdout.text(), stderr: stderr.text() });
  const started = Date.now();
  let timedOut = false;
  try {
    const cliCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(bin, runArguments(spec), {
        env: { ...process.env, ...spec.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", (chunk: Buffer) => {
        tail.push(chunk);
        stdout.push(chunk);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        tail.push(chunk);
        stderr.push(chunk);
      });
      let grace: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        void docker(["kill", spec.name]).catch(() => undefined);
        // A kill can miss a container still being created; removal stops it whatever its state, and
        // should the CLI then still hang (dead engine), stop waiting for it.
        grace = setTimeout(() => {
          void removeContainer(spec.name)
            .catch(() => undefined)
            .finally(() => child.kill("SIGKILL"));
        }, KILL_GRACE_MS);
      }, spec.timeoutMs);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(
          new DockerEngineError(`Cannot run the Docker CLI ${bin}: install Docker or set DOCKER_BIN.`, error),
        );
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        if (grace) clearTimeout(grace);
        resolve(code);
      });
    });
    const durationMs = Date.now() - started;
    const state = await containerState(spec.name);
    if (timedOut)
      return {
        exitCode: null,
        timedOut,
        oomKilled: state?.oomKilled ?? false,
        durationMs,
        logTail: tail.text(),
        appLogs: appLogs(),
      };
    if (!state)
      throw new DockerEngineError(
        `Docker could not start container ${spec.name} (exit ${cliCode}: ${tail.text().trim().split("\n").slice(-3).join(" ")}): check the image and the Docker engine.`,
      );
    return {
      exitCode: state.exitCode,
      timedOut,
      oomKilled: state.oomKilled,
      durationMs,
      logTail: tail.text(),
      appLogs: appLogs(),
    };
  } finally {
    await removeContainer(spec.name);
  }
}

/**
 * Splits `iexec_args` into arguments as a POSIX shell would, without expansions: whitespace separates,
 * '...' keeps everything literal, "..." keeps everything but \" and \\, and \ outside quotes escapes
 * the next character.
 * @throws InvalidInputError on an unterminated quote.
 */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let current = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw unterminated(text, "'");
      current += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw unterminated(text, '"');
        const d = text[i];
        if (d === '"') break;
        if (d === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\")) {
          current += text[i + 1];
          i += 2;
        } else {
          current += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === "\\" && i + 1 < text.length) {
      current += text[i + 1];
      inWord = true;
      i += 2;
    } else {
      current += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) args.push(current);
  return args;
}

function unterminated(text: string, quote: string): InvalidInputError {
  return new InvalidInputError(
    `The app arguments ${JSON.stringify(text)} have an unterminated ${quote} quote: close it or escape it with \\.`,
  );
}
