/**
 * The world of the SMS tests: the core deployment on the in-process Hardhat chain served over JSON-RPC,
 * SDK clients for each role, an app, a dataset and a workerpool, deals made with the SDK (free orders,
 * so nobody needs RLC), and a running SMS in a temporary data folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HDNodeWallet, Wallet, ZeroAddress } from "ethers";
import hre, { deployments } from "hardhat";
import { OpenPoco, signAuthorization, type ChainConfig } from "../../src/sdk";
import { SILENT_LOGGER } from "../../src/sdk/core/logger";
import { computeTaskId } from "../../src/sdk/core/tasks";
import { SmsApp, type SmsOptions } from "../../src/sms/app";
import { serveInProcessChain } from "../cli/harness";

const MNEMONIC = "test test test test test test test test test test test junk";

/** Hardhat's default account `index`. */
export function account(index: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
}

const ROLES = { appOwner: 1, datasetOwner: 2, scheduler: 3, requester: 4, stranger: 5 } as const;
type Role = keyof typeof ROLES;

/** A deal's first task, initialized. */
export interface MadeTask {
  dealid: string;
  taskid: string;
}

export interface SmsWorld {
  chain: ChainConfig;
  dir: string;
  clients: Record<Role, OpenPoco>;
  wallets: Record<Role, HDNodeWallet>;
  /** Worker `i`'s wallet. */
  worker(i: number): HDNodeWallet;
  workerpool: string;
  /** Deploys an app owned by the app owner (or `owner`). */
  deployApp(name: string): Promise<string>;
  /** Deploys a dataset owned by the dataset owner. */
  deployDataset(name: string): Promise<string>;
  /**
   * Matches free orders for `app` (and `dataset`) and initializes the first task; `tag` goes on the app,
   * workerpool and request orders (TEE_TAG for a TEE deal).
   */
  makeTask(terms: {
    app: string;
    dataset?: string;
    params?: string;
    requester?: Role;
    tag?: string;
    /** False: the deal only, the task not initialized (its id is still keccak256(dealid, 0)). */
    initialize?: boolean;
  }): Promise<MadeTask>;
  /** Initializes task 0 of `dealid` (made with `initialize: false`). */
  initialize(dealid: string): Promise<void>;
  /** The scheduler's authorization of `worker` on `taskid` (naming `enclave`, none by default). */
  authorize(worker: string, taskid: string, enclave?: string): Promise<string>;
  startSms(
    dataDir?: string,
    options?: Partial<Pick<SmsOptions, "tee" | "teeDevOnAnyChain" | "chain" | "logger">>,
  ): Promise<SmsApp>;
  close(): Promise<void>;
}

const CHECKSUM = "0x" + "11".repeat(32);
/** The tag the official SDK puts on every order: TEE (bit 0) and TDX (bit 3). */
export const TEE_TAG = "0x" + "0".repeat(62) + "09";

export async function smsWorld(): Promise<SmsWorld> {
  await deployments.fixture(["core"]);
  const served = await serveInProcessChain();
  const hub = (await deployments.get("HubProxy")).address;
  const chain: ChainConfig = { name: "sms-test", host: served.url, id: 31337n, hub };
  const wallets = Object.fromEntries(
    Object.entries(ROLES).map(([role, index]) => [role, account(index)]),
  ) as Record<Role, HDNodeWallet>;
  const clients = Object.fromEntries(
    await Promise.all(
      Object.entries(wallets).map(async ([role, wallet]) => [
        role,
        await OpenPoco.connect({ chain, signer: wallet.privateKey, pollingIntervalMs: 50 }),
      ]),
    ),
  ) as Record<Role, OpenPoco>;
  const { address: workerpool } = await clients.scheduler.assets.deployWorkerpool({
    owner: wallets.scheduler.address,
    description: "sms test pool",
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-sms-"));
  const salt = () => Wallet.createRandom().privateKey;
  const zero = "0x" + "0".repeat(64);
  return {
    chain,
    dir,
    clients,
    wallets,
    worker: (i) => account(10 + i),
    workerpool,
    deployApp: async (name) =>
      (
        await clients.appOwner.assets.deployApp({
          owner: wallets.appOwner.address,
          name,
          type: "DOCKER",
          multiaddr: `registry.local/${name}:1`,
          checksum: CHECKSUM,
        })
      ).address,
    deployDataset: async (name) =>
      (
        await clients.datasetOwner.assets.deployDataset({
          owner: wallets.datasetOwner.address,
          name,
          multiaddr: `https://data.local/${name}`,
          checksum: CHECKSUM,
        })
      ).address,
    makeTask: async (terms) => {
      const requester = clients[terms.requester ?? "requester"];
      const app = await clients.appOwner.orders.sign("app", {
        app: terms.app,
        appprice: 0n,
        volume: 1000n,
        tag: terms.tag ?? zero,
        datasetrestrict: ZeroAddress,
        workerpoolrestrict: ZeroAddress,
        requesterrestrict: ZeroAddress,
        salt: salt(),
      });
      const dataset = terms.dataset
        ? await clients.datasetOwner.orders.sign("dataset", {
            dataset: terms.dataset,
            datasetprice: 0n,
            volume: 1000n,
            tag: zero,
            apprestrict: ZeroAddress,
            workerpoolrestrict: ZeroAddress,
            requesterrestrict: ZeroAddress,
            salt: salt(),
          })
        : undefined;
      const pool = await clients.scheduler.orders.sign("workerpool", {
        workerpool,
        workerpoolprice: 0n,
        volume: 1n,
        tag: terms.tag ?? zero,
        category: 0n,
        trust: 1n,
        apprestrict: ZeroAddress,
        datasetrestrict: ZeroAddress,
        requesterrestrict: ZeroAddress,
        salt: salt(),
      });
      const request = await requester.orders.sign(
        "request",
        await requester.orders.createRequest(
          { app, dataset, workerpool: pool },
          { volume: 1n, trust: 1n, category: 0n, params: terms.params ?? "", tag: terms.tag ?? zero },
        ),
      );
      const { dealid } = await requester.orders.match({ app, dataset, workerpool: pool, request });
      if (terms.initialize === false) return { dealid, taskid: computeTaskId(dealid, 0n) };
      const { taskids } = await clients.scheduler.work.initialize([{ dealid, idx: 0n }]);
      return { dealid, taskid: taskids[0] };
    },
    initialize: async (dealid) => {
      await clients.scheduler.work.initialize([{ dealid, idx: 0n }]);
    },
    authorize: (worker, taskid, enclave) => signAuthorization(wallets.scheduler, worker, taskid, enclave),
    startSms: (dataDir = path.join(dir, "sms"), options = {}) =>
      SmsApp.start({ chain, dataDir, port: 0, logger: SILENT_LOGGER, ...options }),
    close: async () => {
      for (const client of Object.values(clients)) client.close();
      await served.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Moves the chain's clock forward by `seconds` and mines a block. */
export async function increaseChainTime(seconds: number): Promise<void> {
  await hre.network.provider.send("evm_increaseTime", [seconds]);
  await hre.network.provider.send("evm_mine", []);
}
