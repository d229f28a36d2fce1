import fs from "node:fs";
import path from "node:path";
import hre, { deployments, ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { OrderOperation, appOrder, hashOrder, hubDomain } from "../src/sdk";
import type { AppRegistry, DatasetRegistry, IHub, RLC, WorkerpoolRegistry } from "../typechain-types";

/**
 * Replays reference/gas-scenario.md on our contracts (in-process network, hardfork cancun) and
 * prints each operation's gas beside the reference's anchor figure. Writes bench/gas-report.json,
 * keyed like reference/poco-gas-anchor.json; operations not built yet are null.
 */
const ANCHOR_FILE = path.join(__dirname, "..", "reference", "poco-gas-anchor.json");
const REPORT_FILE = path.join(__dirname, "gas-report.json");
const RLC_UNIT = 10n ** 9n;

type Scenarios = Record<string, Record<string, number | null>>;

/** Targets of the issues, by scenario and operation key. */
const TARGETS: Record<string, Record<string, number>> = {
  S1_registry: { createApp: 200_000, createDataset: 190_000, createWorkerpool: 190_000 },
  S6_order_management: {
    "manageAppOrder(SIGN) by app owner": 50_000,
    "manageAppOrder(CLOSE) by app owner": 50_000,
  },
  S2_escrow_match: Object.fromEntries(
    ["scheduler", "worker1", "worker2", "worker3", "worker4", "worker5", "worker6"].map((w) => [
      `deposit [${w}]`,
      60_000,
    ]),
  ),
};

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("benchmark transaction failed");
  return Number(receipt.gasUsed);
}

async function main() {
  if (hre.network.name !== "hardhat")
    throw new Error("run the gas benchmark on the in-process hardhat network");
  const anchor = JSON.parse(fs.readFileSync(ANCHOR_FILE, "utf8")) as { scenarios: Scenarios };
  const ours: Scenarios = {};
  for (const [scenario, operations] of Object.entries(anchor.scenarios)) {
    ours[scenario] = Object.fromEntries(Object.keys(operations).map((op) => [op, null]));
  }

  // 1. deployment
  await deployments.fixture(["core"]);
  const signers = await ethers.getSigners();
  const [deployer, requester, appProvider, datasetProvider, scheduler] = signers;
  const workers = signers.slice(5, 11); // #5..#10
  const extra = signers[11];
  const at = async <T>(name: string, contract: string) =>
    (await ethers.getContractAt(contract, (await deployments.get(name)).address)) as unknown as T;
  const hub = await at<IHub>("Hub", "IHub");
  const rlc = await at<RLC>("RLC", "RLC");
  const appRegistry = await at<AppRegistry>("AppRegistry", "AppRegistry");
  const datasetRegistry = await at<DatasetRegistry>("DatasetRegistry", "DatasetRegistry");
  const workerpoolRegistry = await at<WorkerpoolRegistry>("WorkerpoolRegistry", "WorkerpoolRegistry");
  const hubAddress = await hub.getAddress();

  // 2. S1_registry: each asset created by its future owner
  const S1 = ours.S1_registry;
  const appAddress = await appRegistry.predictApp(
    appProvider.address,
    "my-app",
    "DOCKER",
    ethers.toUtf8Bytes("docker.io/org/app:1.0.0"),
    ethers.id("app-checksum"),
    "0x",
  );
  S1.createApp = await gasOf(
    appRegistry
      .connect(appProvider)
      .createApp(
        appProvider.address,
        "my-app",
        "DOCKER",
        ethers.toUtf8Bytes("docker.io/org/app:1.0.0"),
        ethers.id("app-checksum"),
        "0x",
      ),
  );
  S1.createDataset = await gasOf(
    datasetRegistry
      .connect(datasetProvider)
      .createDataset(
        datasetProvider.address,
        "my-dataset",
        ethers.toUtf8Bytes("https://example.com/data.zip"),
        ethers.id("dataset-checksum"),
      ),
  );
  S1.createWorkerpool = await gasOf(
    workerpoolRegistry.connect(scheduler).createWorkerpool(scheduler.address, "my-pool"),
  );

  // 3. setup: the deployer funds the actors
  const funding: [typeof requester, bigint][] = [
    [requester, 1000n * RLC_UNIT],
    [scheduler, 100n * RLC_UNIT],
    ...workers.map((w) => [w, 10n * RLC_UNIT] as [typeof requester, bigint]),
    [extra, 10n * RLC_UNIT],
  ];
  for (const [account, amount] of funding)
    await (await rlc.connect(deployer).transfer(account.address, amount)).wait();

  // 4. S2_escrow_match: approve + deposit of each actor's whole RLC balance
  const S2 = ours.S2_escrow_match;
  const depositors: [string, typeof requester][] = [
    ["requester", requester],
    ["scheduler", scheduler],
    ...workers.map((w, i) => [`worker${i + 1}`, w] as [string, typeof requester]),
  ];
  for (const [label, account] of depositors) {
    const amount = await rlc.balanceOf(account.address);
    S2[`RLC.approve(hub) [${label}]`] = await gasOf(rlc.connect(account).approve(hubAddress, amount));
    S2[`deposit [${label}]`] = await gasOf(hub.connect(account).deposit(amount));
  }

  // 5. S2b: deposit in one transaction
  ours.S2b_deposit_approveAndCall['RLC.approveAndCall(hub, amount, "") [fresh account]'] = await gasOf(
    rlc.connect(extra).approveAndCall(hubAddress, 10n * RLC_UNIT, "0x"),
  );

  // 8. S6_order_management: presign then close a fresh app order, by the app owner
  const S6 = ours.S6_order_management;
  const { chainId } = await ethers.provider.getNetwork();
  const domain = hubDomain(chainId, hubAddress);
  const order = appOrder({ app: appAddress, appprice: 5n * RLC_UNIT, volume: 1n });
  const orderHash = hashOrder(domain, "app", order);
  S6["manageAppOrder(SIGN) by app owner"] = await gasOf(
    hub.connect(appProvider).manageAppOrder({ order, operation: OrderOperation.SIGN, sign: "0x" }),
  );
  if ((await hub.viewPresigned(orderHash)) !== appProvider.address) throw new Error("presign not recorded");
  S6["manageAppOrder(CLOSE) by app owner"] = await gasOf(
    hub.connect(appProvider).manageAppOrder({ order, operation: OrderOperation.CLOSE, sign: "0x" }),
  );
  if ((await hub.viewConsumed(orderHash)) !== order.volume) throw new Error("close not recorded");

  // Money check: the scenario must leave the escrow balanced.
  if ((await rlc.balanceOf(hubAddress)) !== (await hub.totalSupply())) throw new Error("escrow unbalanced");

  report(anchor.scenarios, ours);
  fs.writeFileSync(
    REPORT_FILE,
    JSON.stringify({ network: { hardfork: "cancun", chainId: 31337 }, scenarios: ours }, null, 1) + "\n",
  );
  console.log(`\nwritten: ${path.relative(process.cwd(), REPORT_FILE)}`);
}

function report(anchor: Scenarios, ours: Scenarios) {
  const rows: string[][] = [["scenario", "operation", "ours", "anchor", "ratio", "target"]];
  let measured = 0;
  let pending = 0;
  for (const [scenario, operations] of Object.entries(anchor)) {
    for (const [op, reference] of Object.entries(operations)) {
      const value = ours[scenario][op];
      const target = TARGETS[scenario]?.[op];
      if (value === null) pending++;
      else measured++;
      rows.push([
        scenario,
        op,
        value === null ? "pending" : value.toLocaleString("en-US"),
        (reference as number).toLocaleString("en-US"),
        value === null ? "" : (value / (reference as number)).toFixed(2),
        target === undefined
          ? ""
          : `${value !== null && value <= target ? "ok" : "MISSED"} <= ${target / 1000}k`,
      ]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [i, row] of rows.entries()) {
    console.log(
      row.map((cell, c) => (c >= 2 && c <= 4 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  "),
    );
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  console.log(
    `\n${measured} operations measured, ${pending} pending (matching and consensus are not built yet)`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
