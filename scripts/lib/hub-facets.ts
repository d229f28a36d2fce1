import { Interface } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** One facet of the hub: its contract name and what its constructor needs. */
export interface FacetSpec {
  name: string;
  /** Constructor arguments, given the RLC token address. */
  args: (token: string) => unknown[];
}

/**
 * Every facet the hub routes to, besides the RouterFacet that the proxy installs itself.
 * Adding a facet here is the whole upgrade: the deploy script routes its selectors.
 */
export const HUB_FACETS: FacetSpec[] = [
  { name: "OwnershipFacet", args: () => [] },
  { name: "ConfigFacet", args: (token) => [token] },
  { name: "CategoryFacet", args: () => [] },
  { name: "EscrowFacet", args: (token) => [token] },
  { name: "SRLCFacet", args: () => [] },
  { name: "SignatureFacet", args: () => [] },
  { name: "OrderManagementFacet", args: () => [] },
  { name: "MatchingFacet", args: () => [] },
  { name: "DealFacet", args: () => [] },
  { name: "TaskFacet", args: () => [] },
  { name: "ContributionFacet", args: () => [] },
  { name: "FinalizeFacet", args: () => [] },
  { name: "TaskViewFacet", args: () => [] },
  { name: "LegacyAccessorsFacet", args: () => [] },
];

/** Function selectors declared by a contract's ABI. */
export function selectorsOf(abi: Interface | readonly unknown[]): string[] {
  const iface = abi instanceof Interface ? abi : new Interface(abi as never);
  const selectors: string[] = [];
  iface.forEachFunction((fragment) => selectors.push(fragment.selector));
  return selectors;
}

/**
 * Selector → facet name for the given facets; throws when two facets claim one selector, since
 * the proxy could route it to only one of them.
 */
export async function routingTable(
  hre: HardhatRuntimeEnvironment,
  facetNames: string[],
): Promise<Map<string, string>> {
  const table = new Map<string, string>();
  for (const name of facetNames) {
    const artifact = await hre.artifacts.readArtifact(name);
    for (const selector of selectorsOf(artifact.abi)) {
      const previous = table.get(selector);
      if (previous !== undefined) {
        throw new Error(`selector ${selector} is declared by both ${previous} and ${name}`);
      }
      table.set(selector, name);
    }
  }
  return table;
}

/** The part of the hub that routing needs (any IHub binding fits). */
export interface RoutableHub {
  facetOf(selector: string): Promise<string>;
  setRoutes(
    selectors: string[],
    facet: string,
    overrides: { gasPrice?: bigint },
  ): Promise<{ wait(): Promise<unknown> }>;
}

/**
 * Routes each selector of `table` to the deployed address of its facet, skipping selectors that
 * already point there; returns the number of selectors changed.
 */
export async function applyRoutes(
  hub: RoutableHub,
  table: Map<string, string>,
  facetAddresses: Map<string, string>,
  overrides: { gasPrice?: bigint } = {},
): Promise<number> {
  const pending = new Map<string, string[]>();
  for (const [selector, facetName] of table) {
    const target = facetAddresses.get(facetName);
    if (target === undefined) throw new Error(`no address for facet ${facetName}`);
    if ((await hub.facetOf(selector)).toLowerCase() === target.toLowerCase()) continue;
    pending.set(target, [...(pending.get(target) ?? []), selector]);
  }
  let changed = 0;
  for (const [target, selectors] of pending) {
    await (await hub.setRoutes(selectors, target, overrides)).wait();
    changed += selectors.length;
  }
  return changed;
}
