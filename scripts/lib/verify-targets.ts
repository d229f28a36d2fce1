import type { Deployment } from "hardhat-deploy/types";
import type { Artifacts } from "hardhat/types";

/** One contract to submit to an explorer, as hardhat-verify's `verify:verify` takes it. */
export interface VerifyTarget {
  /** Deployment name in deployments/<network>/ (or "<Registry>.master" for an asset implementation). */
  name: string;
  address: string;
  /** Fully qualified contract name, e.g. contracts/hub/HubProxy.sol:HubProxy. */
  contract: string;
  constructorArguments: unknown[];
}

/** Fully qualified name of a compiled contract, or undefined when no artifact has that name. */
export type ContractLookup = (name: string) => string | undefined;

/** Looks names up among the compiled contracts (test mocks last, should a name be taken twice). */
export async function contractLookup(artifacts: Artifacts): Promise<ContractLookup> {
  const names = (await artifacts.getAllFullyQualifiedNames()).sort(
    (a, b) => Number(a.includes("/mocks/")) - Number(b.includes("/mocks/")),
  );
  return (name) => names.find((fqn) => fqn.endsWith(`:${name}`));
}

/** The contract a deployment was compiled from, read from its solc metadata (compilationTarget). */
function compilationTarget(deployment: Deployment): string | undefined {
  if (!deployment.metadata) return undefined;
  const target = (
    JSON.parse(deployment.metadata) as { settings?: { compilationTarget?: Record<string, string> } }
  ).settings?.compilationTarget;
  const [source, contract] = Object.entries(target ?? {})[0] ?? [];
  return source === undefined ? undefined : `${source}:${contract}`;
}

/**
 * What to verify among the deployments of a network: every contract we deployed, once per
 * address (the "Hub" entry is the HubProxy under the hub's ABI), with its constructor arguments.
 * Entries without bytecode are contracts we did not deploy (an RLC given by RLC_ADDRESS): skipped.
 */
export function verificationTargets(
  deployments: Record<string, Deployment>,
  lookup: ContractLookup,
): VerifyTarget[] {
  const targets = new Map<string, VerifyTarget>();
  // Names with an artifact first, so that the proxy is submitted as HubProxy rather than as "Hub".
  const names = Object.keys(deployments).sort(
    (a, b) => Number(lookup(a) === undefined) - Number(lookup(b) === undefined) || a.localeCompare(b),
  );
  for (const name of names) {
    const deployment = deployments[name];
    if (!deployment.bytecode) continue;
    const key = deployment.address.toLowerCase();
    if (targets.has(key)) continue;
    const contract = compilationTarget(deployment) ?? lookup(name);
    if (contract === undefined)
      throw new Error(`deployment ${name} names no compiled contract: cannot verify it.`);
    targets.set(key, {
      name,
      address: deployment.address,
      contract,
      constructorArguments: deployment.args ?? [],
    });
  }
  return [...targets.values()];
}

/**
 * The asset implementations each registry deployed in its constructor (App, Dataset, Workerpool),
 * whose one constructor argument is the registry: `master(registry)` reads the address on chain.
 */
export async function assetMasterTargets(
  deployments: Record<string, Deployment>,
  master: (registry: string) => Promise<string>,
): Promise<VerifyTarget[]> {
  const assets: Record<string, string> = {
    AppRegistry: "contracts/assets/App.sol:App",
    DatasetRegistry: "contracts/assets/Dataset.sol:Dataset",
    WorkerpoolRegistry: "contracts/assets/Workerpool.sol:Workerpool",
  };
  const targets: VerifyTarget[] = [];
  for (const [registry, contract] of Object.entries(assets)) {
    const deployment = deployments[registry];
    if (deployment === undefined) continue;
    targets.push({
      name: `${registry}.master`,
      address: await master(deployment.address),
      contract,
      constructorArguments: [deployment.address],
    });
  }
  return targets;
}
