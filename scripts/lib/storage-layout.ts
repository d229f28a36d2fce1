import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/**
 * Storage layout of the hub's namespaced structs, flattened to one line per member:
 * `hub.accounts[].frozen @ slot 0 offset 16: uint128`. Slots are relative to the namespace.
 * The compiler reports it for `HubStorageLayoutProbe`, which declares one variable per namespace.
 */
const PROBE = "contracts/mocks/HubStorageLayoutProbe.sol:HubStorageLayoutProbe";
export const SNAPSHOT = path.join(__dirname, "..", "..", "storage-layout", "hub.json");

interface StorageEntry {
  label: string;
  slot: string;
  offset: number;
  type: string;
}
interface TypeInfo {
  label: string;
  encoding: string;
  members?: StorageEntry[];
  value?: string;
  base?: string;
}
interface Layout {
  storage: StorageEntry[];
  types: Record<string, TypeInfo>;
}

function flatten(layout: Layout): string[] {
  const lines: string[] = [];
  const walk = (prefix: string, typeId: string, slot: bigint, offset: number) => {
    const type = layout.types[typeId];
    lines.push(`${prefix} @ slot ${slot} offset ${offset}: ${type.label}`);
    if (type.members) {
      for (const m of type.members) walk(`${prefix}.${m.label}`, m.type, slot + BigInt(m.slot), m.offset);
    } else if (type.encoding === "mapping" && type.value) {
      walk(`${prefix}[]`, type.value, 0n, 0); // values live at hashed slots: only their shape matters
    } else if (type.encoding === "dynamic_array" && type.base) {
      walk(`${prefix}[]`, type.base, 0n, 0);
    }
  };
  // Each top-level variable of the probe stands for one namespace: its slots count from the namespace root.
  for (const variable of layout.storage) walk(variable.label, variable.type, 0n, 0);
  return lines;
}

export async function currentLayout(hre: HardhatRuntimeEnvironment): Promise<string[]> {
  const buildInfo = await hre.artifacts.getBuildInfo(PROBE);
  if (!buildInfo) throw new Error(`no build info for ${PROBE}: run "npx hardhat compile"`);
  const [file, name] = PROBE.split(":");
  const layout = (buildInfo.output.contracts[file][name] as unknown as { storageLayout?: Layout })
    .storageLayout;
  if (!layout)
    throw new Error("the compiler did not output storageLayout (see outputSelection in hardhat.config.ts)");
  return flatten(layout);
}

export function readSnapshot(): string[] {
  return JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as string[];
}

export function writeSnapshot(lines: string[]): void {
  fs.writeFileSync(SNAPSHOT, JSON.stringify(lines, null, 2) + "\n");
}

/**
 * Lines of the snapshot that the current layout no longer has: a member moved, changed type or
 * disappeared, which would corrupt a live hub's state after an upgrade. Appending is allowed.
 */
export function brokenEntries(snapshot: string[], current: string[]): string[] {
  const now = new Set(current);
  return snapshot.filter((line) => !now.has(line));
}
