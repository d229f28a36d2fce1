/** The publisher's state on disk, for `stack status` and `workerpool offer status` to read. */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../sdk/node/files";
import type { PublisherState } from "./offer-publisher";

/** Name of the state file in the publisher's data folder. */
export const PUBLISHER_STATE_FILE = "offer-state.json";

/** Writes the state atomically (a reader never sees half a file), creating its folder if missing. */
export function writePublisherState(file: string, state: PublisherState): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  return writeFileAtomic(file, JSON.stringify(state, null, 2) + "\n");
}

/** The state last written, or undefined when there is none (not started yet) or it is unreadable. */
export function readPublisherState(file: string): PublisherState | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PublisherState;
  } catch {
    return undefined;
  }
}
