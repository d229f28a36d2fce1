/** The run-time configuration: `config.json` next to index.html says which chain and market to read. */

/** What `config.json` holds. */
export interface ExplorerConfig {
  /** Display name of the chain. */
  name: string;
  /** Chain id (decimal). */
  chainId: string;
  /** JSON-RPC URL of a node of the chain. */
  rpcUrl: string;
  /** Address of the hub. */
  hub: string;
  /** Base URL of the market API. */
  marketUrl?: string;
  /** Base URL of the result store, for result links given as paths. */
  resultProxy?: string;
  /**
   * A same-origin path that forwards signed result downloads to `resultProxy` (the explorer's server offers
   * one: the result store answers no CORS). Without it, downloads go to the result's own URL.
   */
  resultStoreProxy?: string;
  /** Base URL of an IPFS path gateway (`<gateway>/ipfs/<cid>`, answering CORS), for results stored on IPFS. */
  ipfsGateway?: string;
  /** Base URL of Compass, which gives each workerpool's API URL (its task diagnosis). */
  compass?: string;
}

function field(json: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = json[name];
  if (value === undefined || value === null || value === "") {
    if (required) throw new Error(`config.json has no "${name}": add it.`);
    return undefined;
  }
  if (typeof value !== "string" && typeof value !== "number")
    throw new Error(`config.json: "${name}" must be a string.`);
  return String(value).replace(/\/+$/, "");
}

/** Reads and checks `./config.json`. */
export async function loadConfig(url = "./config.json"): Promise<ExplorerConfig> {
  let response: Response;
  try {
    // The server marks it no-store; index.html preloads it while the script loads.
    response = await fetch(url);
  } catch (error) {
    throw new Error(
      `Could not fetch ${url} (${(error as Error).message}): is the explorer's server running?`,
      { cause: error },
    );
  }
  if (!response.ok) throw new Error(`Could not fetch ${url}: HTTP ${response.status}.`);
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new Error(`${url} is not JSON: fix the file.`);
  }
  if (typeof json !== "object" || json === null) throw new Error(`${url} must hold a JSON object.`);
  const record = json as Record<string, unknown>;
  const chainId = field(record, "chainId", true)!;
  if (!/^\d+$/.test(chainId)) throw new Error(`config.json: "chainId" must be a decimal chain id.`);
  const hub = field(record, "hub", true)!;
  if (!/^0x[0-9a-fA-F]{40}$/.test(hub)) throw new Error(`config.json: "hub" must be an address.`);
  return {
    name: field(record, "name", false) ?? `chain ${chainId}`,
    chainId,
    rpcUrl: field(record, "rpcUrl", true)!,
    hub,
    marketUrl: field(record, "marketUrl", false),
    resultProxy: field(record, "resultProxy", false),
    resultStoreProxy: field(record, "resultStoreProxy", false),
    ipfsGateway: field(record, "ipfsGateway", false),
    compass: field(record, "compass", false),
  };
}
