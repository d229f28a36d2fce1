/**
 * Chains: where the hub lives and where the off-chain services answer. The CLI reads them from
 * chain.json (the official CLI's format); SDK users may build a `ChainConfig` directly.
 */
import { getAddress } from "ethers";
import { InvalidInputError } from "./errors";

/** Everything a client needs to know about one chain. */
export interface ChainConfig {
  /** Name of the chain in chain.json. */
  name: string;
  /** JSON-RPC URL of a node. */
  host: string;
  /** Chain id, checked against the node when given. */
  id?: bigint;
  /** Address of the hub (the PoCo proxy). */
  hub: string;
  /** Base URL of the market API (the official CLI calls it the iExec gateway). */
  iexecGateway?: string;
  /** Base URL of the Secret Management Service. */
  sms?: string;
  /** Base URL of the result store (the official CLI calls it the result proxy). */
  resultProxy?: string;
  /** Base URL of an IPFS gateway (a path gateway serving `/ipfs/<cid>`), to download results and datasets on IPFS. */
  ipfsGateway?: string;
  /** Base URL of a kubo-compatible IPFS node's RPC API (`/api/v0/add`), to add results and datasets to IPFS. */
  ipfsNode?: string;
  /** Base URL of Compass, which maps a workerpool to its API URL (`/{chainId}/workerpools/{address}`). */
  compass?: string;
  /** Base URL of the explorer: a deal's page is `{explorer}/#/deal/{dealid}`, a task's `{explorer}/#/task/{taskid}`. */
  explorer?: string;
}

/** One chain of chain.json: the fields of `ChainConfig` but the name, ids and URLs as strings. */
export interface ChainJsonEntry {
  host?: string;
  id?: string;
  hub?: string;
  iexecGateway?: string;
  sms?: string;
  resultProxy?: string;
  ipfsGateway?: string;
  ipfsNode?: string;
  compass?: string;
  explorer?: string;
}

/** The chain.json file: a default chain name and the chains by name. */
export interface ChainJson {
  default: string;
  chains: Record<string, ChainJsonEntry>;
}

/** Chain id of Hardhat's local network. */
export const LOCAL_CHAIN_ID = 31337n;

/**
 * The local chain as `npm start` runs it. The hub address is where the deploy scripts put it with
 * CREATE2 for Hardhat's account #0 and the default salt, on this chain or any other: it moves only
 * when HubProxy's or RouterFacet's code changes, which test/deploy/addresses.test.ts catches.
 */
export const LOCAL_CHAIN: ChainConfig = {
  name: "local",
  host: "http://127.0.0.1:8545",
  id: LOCAL_CHAIN_ID,
  hub: "0x7fCEaF28eba6c8F8cA2351428c90b0278b496852",
  iexecGateway: "http://127.0.0.1:3000",
  sms: "http://127.0.0.1:13300",
  resultProxy: "http://127.0.0.1:13200",
  // The stack's IPFS node serves kubo's RPC and the gateway on one port.
  ipfsGateway: "http://127.0.0.1:13600",
  ipfsNode: "http://127.0.0.1:13600",
};

/** The chain.json that `init` writes: the local chain, as the default. */
export function defaultChainJson(): ChainJson {
  const { name, id, ...rest } = LOCAL_CHAIN;
  return { default: name, chains: { [name]: { ...rest, id: String(id) } } };
}

function url(chain: string, field: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === "") {
    if (required) throw new InvalidInputError(`chain.json: chain "${chain}" has no "${field}": add its URL.`);
    return undefined;
  }
  if (typeof value !== "string" || !/^https?:\/\/[^\s]+$/.test(value))
    throw new InvalidInputError(
      `chain.json: "${field}" of chain "${chain}" must be an http(s) URL, got ${JSON.stringify(value)}.`,
    );
  return value.replace(/\/+$/, "");
}

/**
 * The chain `name` of chain.json (its default chain when `name` is not given), validated: a clear
 * error names the missing or malformed field.
 */
export function resolveChain(json: ChainJson, name?: string): ChainConfig {
  if (typeof json !== "object" || json === null || typeof json.chains !== "object" || json.chains === null)
    throw new InvalidInputError(
      'chain.json must be an object with "default" and "chains": run `openpoco init`.',
    );
  const chosen = name ?? json.default;
  if (!chosen)
    throw new InvalidInputError('chain.json has no "default" chain: add one or pass --chain <name>.');
  const entry = json.chains[chosen];
  if (!entry)
    throw new InvalidInputError(
      `Chain "${chosen}" is not in chain.json (known: ${Object.keys(json.chains).join(", ") || "none"}): add it or pick another with --chain.`,
    );
  if (!entry.hub)
    throw new InvalidInputError(`chain.json: chain "${chosen}" has no "hub": add the hub address.`);
  let hub: string;
  try {
    hub = getAddress(entry.hub);
  } catch {
    throw new InvalidInputError(
      `chain.json: "hub" of chain "${chosen}" is not an address: ${JSON.stringify(entry.hub)}.`,
    );
  }
  let id: bigint | undefined;
  if (entry.id !== undefined) {
    if (!/^\d+$/.test(String(entry.id)))
      throw new InvalidInputError(`chain.json: "id" of chain "${chosen}" must be a decimal chain id.`);
    id = BigInt(entry.id);
  }
  return {
    name: chosen,
    host: url(chosen, "host", entry.host, true)!,
    id,
    hub,
    iexecGateway: url(chosen, "iexecGateway", entry.iexecGateway, false),
    sms: url(chosen, "sms", entry.sms, false),
    resultProxy: url(chosen, "resultProxy", entry.resultProxy, false),
    ipfsGateway: url(chosen, "ipfsGateway", entry.ipfsGateway, false),
    ...(entry.ipfsNode ? { ipfsNode: url(chosen, "ipfsNode", entry.ipfsNode, false) } : {}),
    compass: url(chosen, "compass", entry.compass, false),
    ...(entry.explorer ? { explorer: url(chosen, "explorer", entry.explorer, false) } : {}),
  };
}
