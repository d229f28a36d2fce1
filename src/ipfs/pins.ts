/**
 * Pins as one small JSON file each under `<dataDir>/pins`, written to a temporary file and renamed, so
 * a pin is there whole or not at all. This store never collects garbage: pins record what clients asked
 * to keep, for when content is moved to a node that does.
 */
import { mkdirSync } from "node:fs";
import { access, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CID } from "multiformats/cid";
import { blockFileName } from "./block-file";

let tempCounter = 0;

/** The pins of one node. */
export class PinStore {
  private constructor(readonly dir: string) {}

  /** Opens (creating) the pin folder under `dataDir`. */
  static open(dataDir: string): PinStore {
    const dir = path.join(dataDir, "pins");
    mkdirSync(dir, { recursive: true });
    return new PinStore(dir);
  }

  private fileOf(cid: CID): string {
    return path.join(this.dir, `${blockFileName(cid)}.json`);
  }

  /** Records a pin of `cid`. */
  async add(cid: CID): Promise<void> {
    const file = this.fileOf(cid);
    const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
    await writeFile(temp, JSON.stringify({ cid: cid.toString(), pinnedAt: new Date().toISOString() }) + "\n");
    await rename(temp, file);
  }

  /** True when `cid` is pinned. */
  async has(cid: CID): Promise<boolean> {
    try {
      await access(this.fileOf(cid));
      return true;
    } catch {
      return false;
    }
  }
}
