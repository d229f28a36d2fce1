/**
 * The built `openpoco` binary as a child process, for tests that drive long-running commands (`stack up`,
 * `stack demo`) and one-shot ones (`stack status`, `stack down`), and check which ports are left in use.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { CLI } from "./harness";

/** A running `openpoco` command. */
export interface Running {
  child: ChildProcess;
  /** Its stdout and stderr so far, interleaved. */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `openpoco <args>` in `cwd` without waiting for it. */
export function startCli(args: string[], cwd: string): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Runs `openpoco <args>` in `cwd` to its end. */
export function runCli(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** True when nothing listens on `port` of 127.0.0.1. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
