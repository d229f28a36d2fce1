/**
 * Where the local stack listens and keeps its files. Every port shifts by one offset, so two stacks
 * (a developer's and a test's) can run side by side.
 */
import path from "node:path";
import { CHAIN_EXTRAS_JSON, CHAIN_JSON, chainFiles, type ChainConfig } from "../sdk/core/chains";
import { writeChainFiles } from "../sdk/node/chain-files";
import { DEFAULT_IPFS_PORT } from "../ipfs/server";

/**
 * Variables the deploy scripts and hardhat.config.ts read. A stack's own chain starts without them, so
 * that what a shell kept from a deployment to a public network (RLC_ADDRESS, DEPLOY_SALT, a key)
 * never reaches the local deployment.
 */
export const DEPLOY_VARIABLES = [
  "HARDHAT_NETWORK",
  "RPC_URL",
  "DEPLOYER_PRIVATE_KEY",
  "CHAIN_ID",
  "DEPLOY_SALT",
  "RLC_ADDRESS",
  "GAS_PRICE_GWEI",
  "ETHERSCAN_API_KEY",
  "EXPLORER_API_URL",
  "EXPLORER_BROWSER_URL",
  "EXPLORER_CHAIN_ID",
  "EXPLORER_KIND",
] as const;

/** Default ports of the stack's parts. */
export const STACK_PORTS = {
  chain: 8545,
  market: 3000,
  scheduler: 13100,
  results: 13200,
  sms: 13300,
  files: 13400,
  registry: 13500,
  /** The IPFS node: kubo's RPC subset and the path gateway on one port. */
  ipfs: DEFAULT_IPFS_PORT,
  explorer: 13000,
} as const;

export type StackPart = keyof typeof STACK_PORTS;

/** The ports of a stack started with `offset`. */
export function stackPorts(offset: number): Record<StackPart, number> {
  return Object.fromEntries(
    Object.entries(STACK_PORTS).map(([part, port]) => [part, port + offset]),
  ) as Record<StackPart, number>;
}

/** Files of a stack's data folder. */
export function stackPaths(dataDir: string) {
  return {
    chain: path.join(dataDir, "chain"),
    chainJson: path.join(dataDir, CHAIN_JSON),
    chainExtrasJson: path.join(dataDir, CHAIN_EXTRAS_JSON),
    children: path.join(dataDir, "children.json"),
    stackJson: path.join(dataDir, "stack.json"),
    logs: path.join(dataDir, "logs"),
    registry: path.join(dataDir, "registry"),
    files: path.join(dataDir, "files"),
    demo: path.join(dataDir, "demo"),
    offer: path.join(dataDir, "offer"),
    teeOffer: path.join(dataDir, "offer-tdx"),
    service: (name: string) => path.join(dataDir, name),
  };
}

/** A standing offer's publisher: its terms and where it writes its state. */
export interface StandingOffer {
  stateFile: string;
  trust: string;
  price: string;
  volume: string;
}

/** What `stack up` writes to stack.json for `stack status`, `stack demo` and `stack down`. */
export interface StackManifest {
  /** The stack process (the data folder's lock says whether it still runs). */
  pid: number;
  dataDir: string;
  startedAt: string;
  chain: {
    name: string;
    host: string;
    id: string;
    hub: string;
    iexecGateway: string;
    sms: string;
    resultProxy: string;
    /** The IPFS gateway (the stack's IPFS node; absent in manifests of stacks before it). */
    ipfsGateway?: string;
    /** The IPFS node's RPC API (kubo's /api/v0), the same URL as the gateway in the stack. */
    ipfsNode?: string;
    /** Compass, served by the market: workerpool address -> its API URL. */
    compass: string;
    /** The explorer's URL, when the stack serves it (the CLI prints deal links with it). */
    explorer?: string;
  };
  workerpool: string;
  scheduler: { url: string; owner: string; keystoreDir: string; walletFile: string };
  workers: { address: string }[];
  /** The standing offer's publisher: its terms and where it writes its state (none without workers). */
  offer?: StandingOffer;
  /**
   * The TEE+TDX standing offer (tag 0x…09, the official SDK's tag on every order), served by the
   * workers' development enclaves (none without workers).
   */
  teeOffer?: StandingOffer & { tag: string };
  registry?: string;
  files: string;
  explorer?: string;
}

/** The chain of a manifest as the SDK takes it. */
export function manifestChain(manifest: Pick<StackManifest, "chain">): ChainConfig {
  return { ...manifest.chain, id: BigInt(manifest.chain.id) };
}

/**
 * Writes the chain files of a stack into its data folder: chain.json as the official CLI accepts it,
 * and its companion with our extra URLs.
 */
export async function writeStackChainFiles(dataDir: string, chain: StackManifest["chain"]): Promise<void> {
  await writeChainFiles(dataDir, chainFiles([manifestChain({ chain })]));
}
