/**
 * One stack per data folder: `stack.lock` holds the pid of the stack that owns the folder and that
 * process's start time, taken with an exclusive create before anything starts. A lock whose process is
 * gone (or whose pid now belongs to another process) is stale and taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/** Who holds a data folder. */
export interface LockHolder {
  pid: number;
  /** The process's start time (clock ticks since boot, /proc/<pid>/stat field 22), against pid reuse. */
  since: string;
}

/** Start time of process `pid`, or undefined when no such process runs. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    try {
      process.kill(pid, 0);
      return "alive"; // no /proc: the pid alone
    } catch {
      return undefined;
    }
  }
}

/** The live holder of `dataDir`'s lock, if any. */
export function lockHolder(dataDir: string): LockHolder | undefined {
  let holder: LockHolder;
  try {
    holder = JSON.parse(readFileSync(lockFile(dataDir), "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
  return Number.isSafeInteger(holder.pid) && processStart(holder.pid) === holder.since ? holder : undefined;
}

function lockFile(dataDir: string): string {
  return path.join(dataDir, "stack.lock");
}

/**
 * Takes `dataDir`'s lock for this process; returns its release, or throws `held(holder)` when a live
 * stack holds it.
 */
export function acquireLock(dataDir: string, held: (holder: LockHolder) => Error): () => void {
  const file = lockFile(dataDir);
  const mine: LockHolder = { pid: process.pid, since: processStart(process.pid)! };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = lockHolder(dataDir);
      if (holder) throw held(holder);
      rmSync(file, { force: true }); // stale: its stack died
      continue;
    }
    writeSync(fd, JSON.stringify(mine));
    closeSync(fd);
    return () => {
      if (lockHolder(dataDir)?.pid === process.pid) rmSync(file, { force: true });
    };
  }
  throw held(lockHolder(dataDir) ?? mine);
}
