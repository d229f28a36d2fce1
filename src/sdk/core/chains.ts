/**
 * Chains: where the hub lives and where the off-chain services answer. The CLI reads them from
 * chain.json, in the official CLI's format so that its `iexec` accepts the file unchanged, and our
 * extra settings (result store, IPFS node, explorer) from its companion, chain.openpoco.json. This file
 * alone knows which key goes where; SDK users may build a `ChainConfig` directly.
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

/**
 * The keys of a chain that the official CLI (npm `iexec` 9.x) accepts in chain.json: it refuses a file
 * with any other key in a chain, and any top-level key but `default`, `chains` and
 * `allowExperimentalNetworks`.
 */
export const OFFICIAL_CHAIN_KEYS = [
  "id",
  "host",
  "hub",
  "sms",
  "ipfsGateway",
  "iexecGateway",
  "compass",
  "pocoSubgraph",
] as const;

/** Our settings of a chain beyond the official keys: they live in the companion file, `CHAIN_EXTRAS_JSON`. */
export const EXTRA_CHAIN_KEYS = ["resultProxy", "ipfsNode", "explorer"] as const;

/** The file of the chains: where the hub is and where the services answer. */
export const CHAIN_JSON = "chain.json";

/** The companion of chain.json, beside it: our extra settings of each chain (`EXTRA_CHAIN_KEYS`). */
export const CHAIN_EXTRAS_JSON = "chain.openpoco.json";

/** One chain of chain.json as the official CLI accepts it: the fields of `ChainConfig` as strings. */
export type OfficialChainEntry = Partial<Record<(typeof OFFICIAL_CHAIN_KEYS)[number], string>>;

/** Our extra settings of one chain, as the companion file holds them. */
export type ChainExtrasEntry = Partial<Record<(typeof EXTRA_CHAIN_KEYS)[number], string>>;

/**
 * One chain of chain.json as read: the official keys, and the extras that files written before the
 * companion file kept in the chain itself (with a `name` key the chain's own key repeats).
 */
export type ChainJsonEntry = OfficialChainEntry & ChainExtrasEntry & { name?: string };

/** The chain.json file: a default chain name and the chains by name. */
export interface ChainJson {
  default: string;
  chains: Record<string, ChainJsonEntry>;
}

/** The companion file of chain.json: our extra settings by chain name. */
export interface ChainExtrasJson {
  chains: Record<string, ChainExtrasEntry>;
}

/** What to write for some chains: chain.json, and its companion when a chain has extra settings. */
export interface ChainFiles {
  chainJson: ChainJson;
  extras?: ChainExtrasJson;
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

/**
 * The files that describe `chains` (the first is the default): chain.json with the official keys only,
 * so that the official CLI accepts it unchanged, and the companion with the rest.
 */
export function chainFiles(chains: ChainConfig[], defaultName = chains[0]?.name ?? ""): ChainFiles {
  const chainJson: ChainJson = { default: defaultName, chains: {} };
  const extras: ChainExtrasJson = { chains: {} };
  for (const chain of chains) {
    const fields: Record<string, string | undefined> = { ...chain, id: chain.id?.toString() };
    chainJson.chains[chain.name] = pick(fields, OFFICIAL_CHAIN_KEYS);
    const extra = pick(fields, EXTRA_CHAIN_KEYS);
    if (Object.keys(extra).length > 0) extras.chains[chain.name] = extra;
  }
  return Object.keys(extras.chains).length > 0 ? { chainJson, extras } : { chainJson };
}

/** The chain files that `init` writes: the local chain, as the default. */
export function defaultChainFiles(): ChainFiles {
  return chainFiles([LOCAL_CHAIN]);
}

/** The fields of `keys` that `fields` sets. */
function pick<K extends string>(
  fields: Record<string, string | undefined>,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const picked: Partial<Record<K, string>> = {};
  for (const key of keys) if (fields[key] !== undefined) picked[key] = fields[key];
  return picked;
}

/**
 * The extras of chain `chain`: the companion file's, and those an old chain.json keeps in the chain
 * itself, which win.
 */
function chainExtras(
  chain: string,
  entry: ChainJsonEntry,
  extras: ChainExtrasJson | undefined,
): ChainExtrasEntry {
  const fromChainJson = pick(entry as Record<string, string | undefined>, EXTRA_CHAIN_KEYS);
  if (extras === undefined) return fromChainJson;
  if (
    typeof extras !== "object" ||
    extras === null ||
    typeof extras.chains !== "object" ||
    extras.chains === null
  )
    throw new InvalidInputError(
      `${CHAIN_EXTRAS_JSON} must be an object with "chains": fix it, or delete it and run \`openpoco init --force\`.`,
    );
  const companion: unknown = extras.chains[chain];
  if (companion === undefined) return fromChainJson;
  if (typeof companion !== "object" || companion === null || Array.isArray(companion))
    throw new InvalidInputError(`${CHAIN_EXTRAS_JSON}: chain "${chain}" must be an object of URLs.`);
  const unknown = Object.keys(companion).filter(
    (key) => !(EXTRA_CHAIN_KEYS as readonly string[]).includes(key),
  );
  if (unknown.length > 0)
    throw new InvalidInputError(
      `${CHAIN_EXTRAS_JSON}: chain "${chain}" has unknown key(s) ${unknown.map((k) => `"${k}"`).join(", ")}: it holds only ${EXTRA_CHAIN_KEYS.join(", ")} (the others belong in ${CHAIN_JSON}).`,
    );
  // A key an old chain.json sets in the chain itself wins: it was written there on purpose, for that chain.
  return { ...(companion as ChainExtrasEntry), ...fromChainJson };
}

function url(
  chain: string,
  field: string,
  value: unknown,
  required: boolean,
  file = CHAIN_JSON,
): string | undefined {
  if (value === undefined || value === "") {
    if (required) throw new InvalidInputError(`${file}: chain "${chain}" has no "${field}": add its URL.`);
    return undefined;
  }
  if (typeof value !== "string" || !/^https?:\/\/[^\s]+$/.test(value))
    throw new InvalidInputError(
      `${file}: "${field}" of chain "${chain}" must be an http(s) URL, got ${JSON.stringify(value)}.`,
    );
  return value.replace(/\/+$/, "");
}

/**
 * The chain `name` of chain.json (its default chain when `name` is not given) with its extra settings
 * from the companion file `extras` (or, in an old chain.json, from the chain itself), validated: a clear
 * error names the missing or malformed field.
 */
export function resolveChain(json: ChainJson, name?: string, extras?: ChainExtrasJson): ChainConfig {
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
  const extra = chainExtras(chosen, entry, extras);
  // An extra URL comes from chain.json only in old files: errors name the file it is in.
  const extraUrl = (field: keyof ChainExtrasEntry) =>
    url(chosen, field, extra[field], false, field in entry ? CHAIN_JSON : CHAIN_EXTRAS_JSON);
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
    resultProxy: extraUrl("resultProxy"),
    ipfsGateway: url(chosen, "ipfsGateway", entry.ipfsGateway, false),
    ...(extra.ipfsNode ? { ipfsNode: extraUrl("ipfsNode") } : {}),
    compass: url(chosen, "compass", entry.compass, false),
    ...(extra.explorer ? { explorer: extraUrl("explorer") } : {}),
  };
}
