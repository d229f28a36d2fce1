/**
 * File writing that never leaves half a file under the final name, and one error for unexpected
 * file system failures. Shared by every SDK and CLI module that writes files.
 */
import { randomBytes } from "node:crypto";
import { promises as fsp, type WriteStream } from "node:fs";
import path from "node:path";
import { OpenPocoError } from "../core/errors";

/** Turns an unexpected file system error into an SDK error that says which path and what to check. */
export function fileSystemError(action: string, target: string, cause: unknown): OpenPocoError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new OpenPocoError(
    "FILE_SYSTEM_ERROR",
    `Could not ${action} ${target} (${detail}): check the path, its permissions and the free disk space.`,
    { cause },
  );
}

/** A unique hidden name next to `target`, so a half-written file never takes the final name. */
export function tempPathNextTo(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Writes `data` to a temporary file next to `file`, then renames it: readers see all or nothing. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const temp = tempPathNextTo(file);
  try {
    await fsp.writeFile(temp, data, { mode, flag: "wx" });
    await fsp.rename(temp, file);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw fileSystemError("write", file, error);
  }
}

/**
 * Closes a file write stream (destroying it if still open) and resolves once it is closed. A pipeline can
 * fail before the stream's asynchronous open: a removal of the file made before the close could come
 * first, and the file would then appear after its removal.
 */
export function closeFileStream(stream: WriteStream): Promise<void> {
  if (stream.closed) return Promise.resolve();
  const closed = new Promise<void>((resolve) => stream.once("close", () => resolve()));
  stream.destroy();
  return closed;
}
