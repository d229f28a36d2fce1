import hre, { deployments, ethers } from "hardhat";
import { HUB_FACETS, applyRoutes, routingTable } from "../scripts/lib/hub-facets";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AppRegistry, DatasetRegistry, IHub, RLC, WorkerpoolRegistry } from "../typechain-types";

/** The creation code of deals (see contracts/hub/libs/CodeData.sol). */
export const DEAL_INIT_CODE = "0x6330e008425f525f5f6004601c335afa503d5f5f3e3d5ff3";
/** The creation code of results: PUSH1 1 POP, then the deals' code, so another CREATE2 address space. */
export const RESULTS_INIT_CODE = "0x60015063" + DEAL_INIT_CODE.slice(4);

/** nRLC per RLC (9 decimals). */
export const RLC_UNIT = 10n ** 9n;

export interface Core {
  hub: IHub;
  rlc: RLC;
  deployer: HardhatEthersSigner;
  accounts: HardhatEthersSigner[];
}

/**
 * The deployment of `deploy/` (token, registries, hub, default categories), snapshotted by
 * hardhat-deploy so that each test starts from the same state in milliseconds.
 */
export async function deployCore(): Promise<Core> {
  await deployments.fixture(["core"]);
  const [deployer, ...accounts] = await ethers.getSigners();
  const hub = (await ethers.getContractAt("IHub", (await deployments.get("Hub")).address)) as unknown as IHub;
  const rlc = (await ethers.getContractAt("RLC", (await deployments.get("RLC")).address)) as unknown as RLC;
  return { hub, rlc, deployer, accounts };
}

/** Sends `amount` RLC from the deployer (who holds the supply) to each account. */
export async function fund(rlc: RLC, amount: bigint, ...accounts: HardhatEthersSigner[]): Promise<void> {
  for (const account of accounts) await (await rlc.transfer(account.address, amount)).wait();
}

/** Funds `account` with `amount` RLC and deposits it into the hub. */
export async function fundAndDeposit(
  core: Core,
  account: HardhatEthersSigner,
  amount: bigint,
): Promise<void> {
  await fund(core.rlc, amount, account);
  await (await core.rlc.connect(account).approve(await core.hub.getAddress(), amount)).wait();
  await (await core.hub.connect(account).deposit(amount)).wait();
}

/**
 * A hub with every facet routed but not configured, for testing `configure` itself. Built with
 * the same facet list and routing code as the deploy script.
 */
export async function deployBareHub(token: string): Promise<IHub> {
  const [deployer] = await ethers.getSigners();
  const router = await (await ethers.getContractFactory("RouterFacet")).deploy();
  const proxy = await (await ethers.getContractFactory("HubProxy")).deploy(deployer.address, router);
  const hub = (await ethers.getContractAt("IHub", await proxy.getAddress())) as unknown as IHub;
  const addresses = new Map<string, string>();
  for (const facet of HUB_FACETS) {
    const contract = await (await ethers.getContractFactory(facet.name)).deploy(...facet.args(token));
    addresses.set(facet.name, await contract.getAddress());
  }
  await applyRoutes(hub, await routingTable(hre, [...addresses.keys()]), addresses);
  return hub;
}

export interface Assets {
  app: string;
  dataset: string;
  workerpool: string;
  appOwner: HardhatEthersSigner;
  datasetOwner: HardhatEthersSigner;
  scheduler: HardhatEthersSigner;
}

/** Creates one app, dataset and workerpool (the gas scenario's), each by its future owner. */
export async function createAssets(
  appOwner: HardhatEthersSigner,
  datasetOwner: HardhatEthersSigner,
  scheduler: HardhatEthersSigner,
): Promise<Assets> {
  const at = async <T>(name: string) =>
    (await ethers.getContractAt(name, (await deployments.get(name)).address)) as unknown as T;
  const apps = await at<AppRegistry>("AppRegistry");
  const datasets = await at<DatasetRegistry>("DatasetRegistry");
  const workerpools = await at<WorkerpoolRegistry>("WorkerpoolRegistry");
  const appArgs = [
    appOwner.address,
    "my-app",
    "DOCKER",
    ethers.toUtf8Bytes("docker.io/org/app:1.0.0"),
    ethers.id("app-checksum"),
    "0x",
  ] as const;
  const datasetArgs = [
    datasetOwner.address,
    "my-dataset",
    ethers.toUtf8Bytes("https://example.com/data.zip"),
    ethers.id("dataset-checksum"),
  ] as const;
  const app = await apps.predictApp(...appArgs);
  const dataset = await datasets.predictDataset(...datasetArgs);
  const workerpool = await workerpools.predictWorkerpool(scheduler.address, "my-pool");
  await (await apps.connect(appOwner).createApp(...appArgs)).wait();
  await (await datasets.connect(datasetOwner).createDataset(...datasetArgs)).wait();
  await (await workerpools.connect(scheduler).createWorkerpool(scheduler.address, "my-pool")).wait();
  return { app, dataset, workerpool, appOwner, datasetOwner, scheduler };
}
