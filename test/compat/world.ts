/**
 * The world of the official-SDK compatibility tests: the core deployment on the in-process Hardhat chain
 * served over JSON-RPC, our market, SMS and result store on free ports, OpenPoco clients, and official
 * `iexec` SDK instances (npm `iexec`, ESM-only, loaded with a real dynamic import) for Hardhat's default
 * accounts, all configured for that local stack.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Wallet } from "ethers";
import type * as EthersLib from "ethers";
import { deployments } from "hardhat";
import type * as IExecLib from "iexec";
import { RLC__factory } from "../../typechain-types";
import { OpenPoco, type ChainConfig } from "../../src/sdk";
import { serveInProcessChain } from "../cli/harness";
import { accountKey, startServices, type StackWorld, type WorldServices } from "../stack/world";

/** The official SDK's module namespace. */
export type IExecModule = typeof IExecLib;
/** An official SDK instance. */
export type IExec = InstanceType<IExecModule["IExec"]>;

// A real `import()`: ts-node compiles this file to CommonJS, where a plain `import()` becomes `require()`,
// which cannot load an ESM-only package.
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;

/** Loads the official SDK. */
export async function loadIExec(): Promise<IExecModule> {
  return (await importEsm("iexec")) as IExecModule;
}

/**
 * The ESM build of ethers, the one the official SDK imports: it checks `ethProvider instanceof` its own
 * classes, which the CommonJS build's objects (what `import ... from "ethers"` gives here) are not.
 */
export async function loadEsmEthers(): Promise<typeof EthersLib> {
  return (await importEsm("ethers")) as typeof EthersLib;
}

/** Roles and their Hardhat accounts; account #0 deploys and holds all RLC. */
export const ROLES = { deployer: 0, appOwner: 1, datasetOwner: 2, scheduler: 3, requester: 4 } as const;
export type Role = keyof typeof ROLES;

export interface CompatWorld {
  iexecLib: IExecModule;
  chain: ChainConfig;
  services: WorldServices;
  /** OpenPoco clients, to check what the official SDK did. */
  poco: Record<Role, OpenPoco>;
  /** Official SDK instances, each signing with its role's key. */
  iexec: Record<Role, IExec>;
  address: Record<Role, string>;
  /** RLC token address (nRLC, 9 decimals). */
  token: string;
  /** A new official SDK instance signing with `key` (or read-only without). */
  connectIExec(key?: string): IExec;
  /** Sends `amount` nRLC from the deployer to `to` (outside the escrow). */
  fund(to: string, amount: bigint): Promise<void>;
  close(): Promise<void>;
}

/** The `IExec` configuration for a stack: what docs/official-sdk.md tells users to write. */
export function iexecOptions(chain: ChainConfig) {
  return {
    hubAddress: chain.hub,
    iexecGatewayURL: chain.iexecGateway,
    smsURL: chain.sms,
    // The stack's IPFS node serves both kubo's RPC API and the gateway (the SDK requires URLs here).
    ipfsGatewayURL: chain.ipfsGateway ?? "http://127.0.0.1:8080",
    ipfsNodeURL: chain.ipfsNode ?? "http://127.0.0.1:5001",
    // Our JSON-RPC answers at once: 1 confirmation (the default) is enough.
    confirms: 1,
  };
}

export async function compatWorld(): Promise<CompatWorld> {
  const iexecLib = await loadIExec();
  await deployments.fixture(["core"]);
  const served = await serveInProcessChain();
  const hub = (await deployments.get("HubProxy")).address;
  const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-compat-"));
  // startServices only needs the chain and a folder; it names the services in `chain`.
  const shell = { chain: { name: "compat", host: served.url, id: 31337n, hub }, dir } as StackWorld;
  const services = await startServices(shell);
  const chain = shell.chain;

  const roles = Object.keys(ROLES) as Role[];
  const poco = Object.fromEntries(
    await Promise.all(
      roles.map(async (role) => [
        role,
        await OpenPoco.connect({ chain, signer: accountKey(ROLES[role]), pollingIntervalMs: 50 }),
      ]),
    ),
  ) as Record<Role, OpenPoco>;
  const esm = await loadEsmEthers();
  const providers: EthersLib.JsonRpcProvider[] = [];
  const connectIExec = (key?: string): IExec => {
    // `utils.getSignerFromPrivateKey(host, key)` works too, but its provider caches answers for 250 ms, so two
    // transactions sent by one account within 250 ms (here, where blocks are mined at once) share a nonce.
    const provider = new esm.JsonRpcProvider(chain.host, undefined, {
      cacheTimeout: -1,
      pollingInterval: 50,
    });
    providers.push(provider);
    const ethProvider = key ? new esm.Wallet(key, provider) : provider;
    return new iexecLib.IExec({ ethProvider }, iexecOptions(chain));
  };
  const iexec = Object.fromEntries(
    roles.map((role) => [role, connectIExec(accountKey(ROLES[role]))]),
  ) as Record<Role, IExec>;
  const address = Object.fromEntries(
    roles.map((role) => [role, new Wallet(accountKey(ROLES[role])).address]),
  ) as Record<Role, string>;
  const token = poco.deployer.addresses.token;
  const rlc = RLC__factory.connect(token, poco.deployer.context.signer!);
  return {
    iexecLib,
    chain,
    services,
    poco,
    iexec,
    address,
    token,
    connectIExec,
    fund: async (to, amount) => void (await (await rlc.transfer(to, amount)).wait()),
    close: async () => {
      for (const client of Object.values(poco)) client.close();
      for (const provider of providers) provider.destroy();
      await services.stop();
      await served.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
