/**
 * Where a worker chosen to upload puts a task's result zip, and the `results` text the task is finalized
 * with. The folder storage suits one machine (the local stack, tests); a networked result store plugs in
 * behind the same interface.
 */
import { copyFile, mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { fileSystemError, tempPathNextTo } from "../sdk/files";

/** A place results are uploaded to. */
export interface ResultStorage {
  /** Stores the zip of `taskid`'s result; returns the task's `results`: a JSON location. */
  upload(taskid: string, zipFile: string): Promise<string>;
}

/** Results as files `<taskid>.zip` in a folder; the location is the file's URL. */
export class FolderResultStorage implements ResultStorage {
  constructor(readonly dir: string) {}

  async upload(taskid: string, zipFile: string): Promise<string> {
    const target = path.join(path.resolve(this.dir), `${taskid.toLowerCase()}.zip`);
    const temp = tempPathNextTo(target);
    try {
      await mkdir(this.dir, { recursive: true });
      await copyFile(zipFile, temp);
      await rename(temp, target);
    } catch (error) {
      throw fileSystemError("store the result", target, error);
    }
    return JSON.stringify({ storage: "file", location: pathToFileURL(target).href });
  }
}
