/**
 * A whole marketplace for end-to-end tests of the workerpool runtime: the core deployment on the in-process
 * Hardhat chain served over JSON-RPC, SDK clients for each role (app owner, scheduler = workerpool owner,
 * requester, workers), funded escrow accounts, a local Docker registry, and helpers to deploy apps from
 * images, make deals and start schedulers and workers (in this process or as `openpoco` child processes).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { inspect } from "node:util";
import path from "node:path";
import { HDNodeWallet, Wallet, ZeroAddress } from "ethers";
import { deployments } from "hardhat";
import { RLC__factory } from "../../typechain-types";
import {
  OpenPoco,
  TaskStatus,
  listWallets,
  saveWallet,
  type AppOrder,
  type ChainConfig,
  type TaskInfo,
  type WorkerpoolOrder,
} from "../../src/sdk";
import { SchedulerApp } from "../../src/scheduler/app";
import { MarketApp } from "../../src/market/app";
import { SmsApp } from "../../src/sms/app";
import { ResultStoreApp } from "../../src/results/app";
import { startIpfsNode, type IpfsNode } from "../../src/ipfs/server";
import { WorkerApp, type WorkerOptions } from "../../src/worker/agent";
import { CLI, serveInProcessChain } from "../cli/harness";
import { buildAppImage, ensureDockerEngine, startLocalRegistry } from "../docker/images";
import type { Json } from "../json";

const MNEMONIC = "test test test test test test test test test test test junk";
const RLC = 10n ** 9n;

/** The private key of Hardhat's default account `index`. */
export function accountKey(index: number): string {
  return HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

/** Roles and their accounts (Hardhat's default accounts). */
export const ROLES = { deployer: 0, appOwner: 1, datasetOwner: 2, scheduler: 3, requester: 4 } as const;
const FIRST_WORKER = 10;

/** An app image pushed to the local registry. */
export interface PushedImage {
  reference: string;
  checksum: string;
}

/** The world of one test file. */
export interface StackWorld {
  chain: ChainConfig;
  dir: string;
  registry: { host: string };
  deployer: OpenPoco;
  appOwner: OpenPoco;
  datasetOwner: OpenPoco;
  scheduler: OpenPoco;
  requester: OpenPoco;
  workerpool: string;
  /** A category whose work clock time is short, for timeouts and deadlines. */
  shortCategory: bigint;
  /** Private key of worker `i`. */
  workerKey(i: number): string;
  close(): Promise<void>;
}

async function fundAndDeposit(deployer: OpenPoco, key: string, amount: bigint): Promise<void> {
  const address = new Wallet(key).address;
  const token = RLC__factory.connect(deployer.addresses.token, deployer.context.signer!);
  await (await token.transfer(address, amount)).wait();
  const client = await OpenPoco.connect({ chain: deployer.context.chain, signer: key });
  await client.account.deposit(amount);
  client.close();
}

/** Deploys the core contracts, funds the roles and starts a registry; `workers` accounts get 100 RLC each. */
export async function stackWorld(options: { workers: number; shortTimeref?: bigint }): Promise<StackWorld> {
  await ensureDockerEngine();
  await deployments.fixture(["core"]);
  const served = await serveInProcessChain();
  const hub = (await deployments.get("HubProxy")).address;
  const chain: ChainConfig = { name: "e2e", host: served.url, id: 31337n, hub };
  const connect = (index: number) =>
    OpenPoco.connect({ chain, signer: accountKey(index), pollingIntervalMs: 50 });
  const [deployer, appOwner, datasetOwner, scheduler, requester] = await Promise.all([
    connect(ROLES.deployer),
    connect(ROLES.appOwner),
    connect(ROLES.datasetOwner),
    connect(ROLES.scheduler),
    connect(ROLES.requester),
  ]);
  await fundAndDeposit(deployer, accountKey(ROLES.scheduler), 1000n * RLC);
  await fundAndDeposit(deployer, accountKey(ROLES.requester), 10_000n * RLC);
  for (let i = 0; i < options.workers; i++)
    await fundAndDeposit(deployer, accountKey(FIRST_WORKER + i), 100n * RLC);
  const { address: workerpool } = await scheduler.assets.deployWorkerpool({
    owner: await scheduler.address().then((a) => a!),
    description: "e2e pool",
  });
  const { id: shortCategory } = await deployer.categories.create({
    name: "E2E",
    description: "short tasks for tests",
    workClockTimeRef: options.shortTimeref ?? 30n,
  });
  const registry = await startLocalRegistry();
  const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-e2e-"));
  // For `openpoco` child processes, which read their chain from the folder they run in.
  writeChainJson(dir, chain);
  return {
    chain,
    dir,
    registry,
    deployer,
    appOwner,
    datasetOwner,
    scheduler,
    requester,
    workerpool,
    shortCategory,
    workerKey: (i) => accountKey(FIRST_WORKER + i),
    close: async () => {
      for (const client of [deployer, appOwner, datasetOwner, scheduler, requester]) client.close();
      await registry.stop();
      await served.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Builds an app image running `script` (busybox sh; args in $1...), pushes it, and registers the app. */
export async function deployApp(
  world: StackWorld,
  name: string,
  script: string,
  options: { checksum?: string; labels?: Record<string, string> } = {},
): Promise<{ app: string; image: PushedImage }> {
  const image = await buildAppImage(world.registry, name, script, { labels: options.labels });
  const owner = (await world.appOwner.address())!;
  const { address: app } = await world.appOwner.assets.deployApp({
    owner,
    name,
    type: "DOCKER",
    multiaddr: image.reference,
    checksum: options.checksum ?? image.checksum,
  });
  return { app, image };
}

/** Registers a dataset of the dataset owner at `multiaddr` with `checksum` (0x + sha256 of the file served). */
export async function deployDataset(
  world: StackWorld,
  name: string,
  multiaddr: string,
  checksum: string,
): Promise<string> {
  const owner = (await world.datasetOwner.address())!;
  const { address } = await world.datasetOwner.assets.deployDataset({ owner, name, multiaddr, checksum });
  return address;
}

/** The app owner's and the workerpool owner's signed offers: 1 RLC each, no restriction. */
export async function signOffers(
  world: StackWorld,
  terms: { app: string; trust?: bigint; volume?: bigint; category?: bigint; tag?: string },
): Promise<{ app: AppOrder; workerpool: WorkerpoolOrder }> {
  const app = await world.appOwner.orders.sign("app", {
    app: terms.app,
    appprice: 1n * RLC,
    volume: 1000n,
    tag: terms.tag ?? "0x" + "0".repeat(64),
    datasetrestrict: ZeroAddress,
    workerpoolrestrict: ZeroAddress,
    requesterrestrict: ZeroAddress,
    salt: Wallet.createRandom().privateKey,
  });
  const workerpool = await world.scheduler.orders.sign("workerpool", {
    workerpool: world.workerpool,
    workerpoolprice: 1n * RLC,
    volume: terms.volume ?? 1n,
    tag: terms.tag ?? "0x" + "0".repeat(64),
    category: terms.category ?? world.shortCategory,
    trust: terms.trust ?? 1n,
    apprestrict: ZeroAddress,
    datasetrestrict: ZeroAddress,
    requesterrestrict: ZeroAddress,
    salt: Wallet.createRandom().privateKey,
  });
  return { app, workerpool };
}

/** Signs the orders (app, dataset when given, workerpool, request) and matches them; returns the deal id. */
export async function buyExecution(
  world: StackWorld,
  terms: {
    app: string;
    dataset?: string;
    trust?: bigint;
    volume?: bigint;
    params?: string;
    category?: bigint;
    beneficiary?: string;
    /** The tag of the app, workerpool and request orders (a TEE tag makes a TEE deal). */
    tag?: string;
  },
): Promise<string> {
  const volume = terms.volume ?? 1n;
  const trust = terms.trust ?? 1n;
  const category = terms.category ?? world.shortCategory;
  const { app, workerpool } = await signOffers(world, {
    app: terms.app,
    trust,
    volume,
    category,
    tag: terms.tag,
  });
  const dataset = terms.dataset
    ? await world.datasetOwner.orders.sign("dataset", {
        dataset: terms.dataset,
        datasetprice: 1n * RLC,
        volume: 1000n,
        tag: "0x" + "0".repeat(64),
        apprestrict: ZeroAddress,
        workerpoolrestrict: ZeroAddress,
        requesterrestrict: ZeroAddress,
        salt: Wallet.createRandom().privateKey,
      })
    : undefined;
  const request = await world.requester.orders.sign(
    "request",
    await world.requester.orders.createRequest(
      { app, dataset, workerpool },
      { volume, trust, category, params: terms.params ?? "", beneficiary: terms.beneficiary, tag: terms.tag },
    ),
  );
  const matched = await world.requester.orders.match({ app, dataset, workerpool, request });
  return matched.dealid;
}

/** The market, the SMS and the result store of the world, and the chain.json that names them. */
export interface WorldServices {
  market: MarketApp;
  sms: SmsApp;
  results: ResultStoreApp;
  /** The IPFS node (kubo RPC and gateway on one URL): chain.json's `ipfsNode` and `ipfsGateway`. */
  ipfs: IpfsNode;
  stop(): Promise<void>;
}

/**
 * Starts a market, an SMS, a result store and an IPFS node on free ports and names them in the world's
 * chain.json.
 */
export async function startServices(world: StackWorld): Promise<WorldServices> {
  const market = await MarketApp.start({
    chain: world.chain,
    dataDir: path.join(world.dir, "market"),
    port: 0,
    syncIntervalMs: 200,
  });
  // As the stack runs it: TEE deals' secrets go to the workers' development enclaves.
  const sms = await SmsApp.start({
    chain: world.chain,
    dataDir: path.join(world.dir, "sms"),
    port: 0,
    tee: "dev",
    logger: testLogger("sms"),
  });
  const results = await ResultStoreApp.start({
    chain: world.chain,
    dataDir: path.join(world.dir, "results"),
    port: 0,
    logger: testLogger("results"),
  });
  const ipfs = await startIpfsNode({
    dataDir: path.join(world.dir, "ipfs"),
    port: 0,
    logger: testLogger("ipfs"),
  });
  world.chain = {
    ...world.chain,
    iexecGateway: market.url,
    sms: sms.url,
    resultProxy: results.url,
    ipfsGateway: ipfs.url,
    ipfsNode: ipfs.url,
  };
  writeChainJson(world.dir, world.chain);
  return {
    market,
    sms,
    results,
    ipfs,
    stop: async () => void (await Promise.all([market.stop(), sms.stop(), results.stop(), ipfs.close()])),
  };
}

/** Writes chain.json in `dir` for `chain` (its only and default chain). */
export function writeChainJson(dir: string, chain: ChainConfig): void {
  const entry = {
    host: chain.host,
    id: String(chain.id),
    hub: chain.hub,
    iexecGateway: chain.iexecGateway,
    sms: chain.sms,
    resultProxy: chain.resultProxy,
    ipfsGateway: chain.ipfsGateway,
    ipfsNode: chain.ipfsNode,
    compass: chain.compass,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "chain.json"),
    JSON.stringify({ default: chain.name, chains: { [chain.name]: entry } }),
  );
}

/** Runs `openpoco <args> --raw` in `dir` with the wallet of `key`; returns its JSON answer (ok or not). */
export async function runCli(world: StackWorld, dir: string, args: string[], key: string): Promise<Json> {
  const walletFile = await walletFileFor(world, key);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args, "--raw", "--wallet-file", walletFile],
      { cwd: dir, env: { ...process.env, HOME: dir, OPENPOCO_WALLET_PASSWORD: "e2e" } },
      (_error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`openpoco ${args.join(" ")} printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** With E2E_LOGS=1, services log to the console under `name`; silent otherwise. */
function testLogger(name: string) {
  const on = process.env.E2E_LOGS === "1";
  const line = (level: string) => (message: string, error?: unknown) => {
    if (on) console.log(`  [${name}] ${level} ${message}${error ? ` ${inspect(error, { depth: 4 })}` : ""}`);
  };
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

/** Starts the pool's scheduler in this process on a fresh (or the given) SQLite file. */
export function startScheduler(world: StackWorld, dbFile = path.join(world.dir, "scheduler.sqlite")) {
  return SchedulerApp.start({
    chain: world.chain,
    signer: accountKey(ROLES.scheduler),
    workerpool: world.workerpool,
    dbFile,
    port: 0,
    tickMs: 100,
    logger: testLogger("scheduler"),
  });
}

/** Starts worker `i` in this process. */
export function startWorker(
  world: StackWorld,
  i: number,
  schedulerUrl: string,
  options: Partial<WorkerOptions> = {},
): Promise<WorkerApp> {
  return WorkerApp.start({
    chain: world.chain,
    signer: world.workerKey(i),
    schedulerUrl,
    smsUrl: world.chain.sms,
    resultStoreUrl: world.chain.resultProxy,
    dataDir: path.join(world.dir, `worker-${i}`),
    resultStorage: undefined,
    pollMs: 100,
    logger: testLogger(`worker ${i}`),
    ...options,
  });
}

/** A keystore file for `key` in the world's folder (password "e2e"), for `openpoco ... --wallet-file`. */
export async function walletFileFor(world: StackWorld, key: string): Promise<string> {
  const dir = path.join(world.dir, "keystore", new Wallet(key).address.toLowerCase());
  mkdirSync(dir, { recursive: true });
  const existing = await listWallets(dir);
  return existing[0]?.file ?? saveWallet(new Wallet(key), "e2e", dir);
}

/** A running `openpoco` child process and what it printed so far. */
export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Sends a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `openpoco <args>` with the wallet of `key`; resolves once its output matches `ready`. */
export async function spawnCli(
  world: StackWorld,
  args: string[],
  key: string,
  ready: RegExp,
): Promise<CliProcess> {
  const walletFile = await walletFileFor(world, key);
  const child = spawn(process.execPath, [CLI, ...args, "--wallet-file", walletFile], {
    cwd: world.dir,
    env: { ...process.env, OPENPOCO_WALLET_PASSWORD: "e2e" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const handle: CliProcess = {
    child,
    output: () => text,
    kill: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (ready.test(text)) resolve(handle);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`openpoco ${args.join(" ")} exited (${code}):\n${text}`)));
  });
}

/** Polls the task until it is COMPLETED or FAILED, or `timeoutMs` passes. */
export async function waitForTask(
  client: OpenPoco,
  taskid: string,
  timeoutMs = 60_000,
  until: (task: TaskInfo) => boolean = (task) => task.status >= TaskStatus.COMPLETED,
): Promise<TaskInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const task = await client.tasks.show(taskid);
      if (until(task) || Date.now() > deadline) return task;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
