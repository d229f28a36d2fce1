/**
 * The project files of the current folder, in the official CLI's formats: iexec.json (what to
 * deploy and sell), chain.json (where; our extra settings in its companion, chain.openpoco.json), deployed.json (addresses per chain id), orders.json
 * (signed orders per chain id). Writes are atomic: a crash never leaves half a file.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { InvalidInputError, NotFoundError } from "../sdk/core/errors";
import { writeFileAtomic } from "../sdk/node/files";
import { toJson } from "../sdk/core/http";

export { CHAIN_EXTRAS_JSON, CHAIN_JSON } from "../sdk/core/chains";
export const IEXEC_JSON = "iexec.json";
export const DEPLOYED_JSON = "deployed.json";
export const ORDERS_JSON = "orders.json";

/** A JSON object read from a file. */
export type JsonObject = Record<string, unknown>;

/** The files of one project folder. */
export class Project {
  constructor(readonly dir: string) {}

  /** Absolute path of a file of the project. */
  path(name: string): string {
    return path.join(this.dir, name);
  }

  /** Whether the file exists. */
  async exists(name: string): Promise<boolean> {
    try {
      await fs.access(this.path(name));
      return true;
    } catch {
      return false;
    }
  }

  /** The file's JSON object, `fallback` when it does not exist, or a clear error when it is not JSON. */
  async read<T extends JsonObject>(name: string, fallback?: T): Promise<T> {
    let text: string;
    try {
      text = await fs.readFile(this.path(name), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      if (fallback !== undefined) return fallback;
      throw new NotFoundError(`${name} not found in ${this.dir}: run \`openpoco init\` first.`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError(
        `${name} is not valid JSON (${(error as Error).message}): fix or delete it.`,
      );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new InvalidInputError(`${name} must hold a JSON object: fix or delete it.`);
    return parsed as T;
  }

  /** Writes the file atomically (temp file, then rename), pretty-printed. */
  async write(name: string, value: unknown): Promise<void> {
    await writeFileAtomic(this.path(name), toJson(value, 2) + "\n");
  }

  /** Reads, changes and writes a file in one go. */
  async update<T extends JsonObject>(name: string, change: (value: T) => void, fallback?: T): Promise<T> {
    const value = await this.read<T>(name, fallback);
    change(value);
    await this.write(name, value);
    return value;
  }

  /** The section `key` of iexec.json, or an error naming the `init` command that creates it. */
  async section(key: string, initCommand: string): Promise<JsonObject> {
    const iexec = await this.read(IEXEC_JSON);
    const value = iexec[key];
    if (typeof value !== "object" || value === null)
      throw new NotFoundError(`iexec.json has no "${key}" section: run \`openpoco ${initCommand}\` first.`);
    return value as JsonObject;
  }

  /** The address deployed.json records for `kind` on `chainId`. */
  async deployed(kind: string, chainId: bigint): Promise<string | undefined> {
    const deployed = await this.read<Record<string, Record<string, string>>>(DEPLOYED_JSON, {});
    return deployed[kind]?.[chainId.toString()];
  }

  /** Records a deployment in deployed.json. */
  async saveDeployed(kind: string, chainId: bigint, address: string): Promise<void> {
    await this.update<Record<string, Record<string, string>>>(
      DEPLOYED_JSON,
      (deployed) => {
        deployed[kind] = { ...(deployed[kind] ?? {}), [chainId.toString()]: address };
      },
      {},
    );
  }
}
