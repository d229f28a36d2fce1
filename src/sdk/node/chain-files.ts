/**
 * chain.json and its companion on disk (see `chainFiles` for what goes where): written together and
 * copied together, so that a folder never holds one without the other that matches it.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { CHAIN_EXTRAS_JSON, CHAIN_JSON, type ChainFiles } from "../core/chains";
import { toJson } from "../core/http";
import { writeFileAtomic } from "./files";

/** Writes `files` into `dir`: chain.json and its companion, or no companion when no chain has extras. */
export async function writeChainFiles(dir: string, files: ChainFiles): Promise<void> {
  const companion = path.join(dir, CHAIN_EXTRAS_JSON);
  if (files.extras) await writeFileAtomic(companion, toJson(files.extras, 2) + "\n");
  else await fs.rm(companion, { force: true });
  await writeFileAtomic(path.join(dir, CHAIN_JSON), toJson(files.chainJson, 2) + "\n");
}

/** Copies chain.json and its companion (when there is one) from `fromDir` to `toDir`, replacing theirs. */
export async function copyChainFiles(fromDir: string, toDir: string): Promise<void> {
  const companion = path.join(fromDir, CHAIN_EXTRAS_JSON);
  const hasCompanion = await fs.access(companion).then(
    () => true,
    () => false,
  );
  if (hasCompanion) await fs.copyFile(companion, path.join(toDir, CHAIN_EXTRAS_JSON));
  else await fs.rm(path.join(toDir, CHAIN_EXTRAS_JSON), { force: true });
  await fs.copyFile(path.join(fromDir, CHAIN_JSON), path.join(toDir, CHAIN_JSON));
}
