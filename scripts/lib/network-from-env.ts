import type { HttpNetworkUserConfig } from "hardhat/types";
import { type Env, optional, optionalPositiveInteger, optionalPrivateKey, requireUrl } from "./env";

/** Networks defined in hardhat.config.ts itself; every other name is built from the environment. */
export const BUILTIN_NETWORKS = ["hardhat", "localhost"];

/**
 * The network the command runs on: `--network <name>` (or `--network=<name>`) on the command
 * line, else HARDHAT_NETWORK (which Hardhat also reads), else undefined (the in-process network).
 */
export function selectedNetwork(argv: readonly string[], env: Env): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--network") return argv[i + 1];
    if (argv[i].startsWith("--network=")) return argv[i].slice("--network=".length);
  }
  return optional(env, "HARDHAT_NETWORK");
}

/**
 * A network named `name` from the environment: RPC_URL (required), DEPLOYER_PRIVATE_KEY (else the
 * node's own unlocked accounts, as with a local `hardhat node`), CHAIN_ID (Hardhat then refuses
 * a node of another chain). Throws an EnvError naming the variable that is missing or malformed.
 */
export function networkFromEnv(name: string, env: Env): HttpNetworkUserConfig {
  const url = requireUrl(env, "RPC_URL", `set it to the JSON-RPC URL of the node of network "${name}"`);
  const key = optionalPrivateKey(env, "DEPLOYER_PRIVATE_KEY");
  const chainId = optionalPositiveInteger(env, "CHAIN_ID");
  return {
    url,
    accounts: key ? [key] : "remote",
    ...(chainId === undefined ? {} : { chainId }),
    // A public node may take minutes to mine under load; Hardhat's 40 s default is for local nodes.
    timeout: 120_000,
  };
}

/**
 * The networks to add to the configuration: the selected one when it is not built in. Checked
 * only then, so that commands on the built-in networks never depend on these variables.
 */
export function envNetworks(argv: readonly string[], env: Env): Record<string, HttpNetworkUserConfig> {
  const name = selectedNetwork(argv, env);
  if (name === undefined || BUILTIN_NETWORKS.includes(name)) return {};
  return { [name]: networkFromEnv(name, env) };
}
