import fs from "node:fs";
import path from "node:path";
import hre, { deployments, ethers } from "hardhat";
import type { ContractTransactionResponse, Signer, TypedDataDomain } from "ethers";
import {
  ContributionStatus,
  OrderOperation,
  TaskStatus,
  appOrder,
  computeDealId,
  computeResultHash,
  computeResultSeal,
  computeTaskId,
  datasetOrder,
  digestOf,
  hashOrder,
  hubDomain,
  requestOrder,
  signAuthorization,
  signOrder,
  workerpoolOrder,
  type AppOrder,
  type DatasetOrder,
  type RequestOrder,
  type WorkerpoolOrder,
} from "../src/sdk";
import type { AppRegistry, DatasetRegistry, IHub, RLC, WorkerpoolRegistry } from "../typechain-types";

/**
 * Replays reference/gas-scenario.md on our contracts (in-process network, hardfork cancun) and
 * prints each operation's gas beside the reference's anchor figure. Writes bench/gas-report.json,
 * keyed like reference/poco-gas-anchor.json, plus extra scenarios (lifecycle_trust1, X_matching_variants);
 * operations not measured are null. That file is the committed gas snapshot: with GAS_CHECK=1 nothing is
 * written and the run fails when an operation costs more than 1% above it (checkSnapshot below).
 *
 * Deterministic: fixed salts and names, Hardhat's default accounts (fixed keys, so fixed signatures), and no
 * figure depends on the clock (block timestamps are stored, never branched on here), so two runs of the same
 * code give the same figures.
 */
const ANCHOR_FILE = path.join(__dirname, "..", "reference", "poco-gas-anchor.json");
const REPORT_FILE = path.join(__dirname, "gas-report.json");
const RLC_UNIT = 10n ** 9n;
/** The scenario's prices, in nRLC. */
const PRICES = { app: 5n * RLC_UNIT, dataset: 3n * RLC_UNIT, workerpool: 20n * RLC_UNIT };
/** Extra scenario, after the anchor's: variants of matchOrders that the reference run does not measure. */
const VARIANTS = "X_matching_variants";
const MATCH_TRUST1 = "matchOrders(app+dataset+workerpool+request, volume 1, trust 1)";
const MATCH_TRUST5 = "matchOrders(app+dataset+workerpool+request, volume 1, trust 5)";
const INITIALIZE = "initialize(dealid, 0)";
const S3_CONTRIBUTE = "contribute (1st, reaches consensus)";
const S3_REVEAL = "reveal";
const S3_FINALIZE = "finalize (scheduler)";
const S5_CONTRIBUTE = "contribute (1st, reaches consensus; never revealed)";
const S5_CLAIM = "claim (after final deadline, 1 contributor)";
const S7_CONTRIBUTE_AND_FINALIZE = "contributeAndFinalize (worker, trust 1, no TEE)";
/**
 * Extra scenario, after the anchor's: the whole trust-1 flow (deal A), the sum of S2's matchOrders and S3's task
 * operations; the anchor's figure is the same sum of its own.
 */
const LIFECYCLE = "lifecycle_trust1";
const LIFECYCLE_OP = "matchOrders + initialize + contribute + reveal + finalize (trust 1)";
const LIFECYCLE_PARTS: [string, string][] = [
  ["S2_escrow_match", MATCH_TRUST1],
  ["S3_task_trust1", INITIALIZE],
  ["S3_task_trust1", S3_CONTRIBUTE],
  ["S3_task_trust1", S3_REVEAL],
  ["S3_task_trust1", S3_FINALIZE],
];
/** The scenario's `results`: abi.encode(string) of a JSON location (160 bytes). */
const RESULTS = ethers.AbiCoder.defaultAbiCoder().encode(
  ["string"],
  ['{"storage":"ipfs","location":"/ipfs/QmRwwTz9Chq4Y7F7ReKKcx1GV6s3H7egmNGrku9XrwiDa8"}'],
);
/** The scenario's result digest, the same for every task and worker. */
const DIGEST = digestOf("result-digest-of-the-task-output");

type Scenarios = Record<string, Record<string, number | null>>;
/** The four orders of a match, in `matchOrders` argument order. */
type MatchArgs = [AppOrder, DatasetOrder, WorkerpoolOrder, RequestOrder];

/** Targets of the issues, by scenario and operation key. */
const TARGETS: Record<string, Record<string, number>> = {
  S1_registry: { createApp: 200_000, createDataset: 190_000, createWorkerpool: 190_000 },
  S6_order_management: {
    "manageAppOrder(SIGN) by app owner": 50_000,
    "manageAppOrder(CLOSE) by app owner": 50_000,
  },
  S2_escrow_match: {
    ...Object.fromEntries(
      ["scheduler", "worker1", "worker2", "worker3", "worker4", "worker5", "worker6"].map((w) => [
        `deposit [${w}]`,
        60_000,
      ]),
    ),
    [MATCH_TRUST1]: 280_000,
  },
  S3_task_trust1: {
    [INITIALIZE]: 90_000,
    [S3_CONTRIBUTE]: 190_000,
    [S3_REVEAL]: 55_000,
    [S3_FINALIZE]: 135_000,
  },
  S4_task_trust5: { [MATCH_TRUST5]: 280_000, [INITIALIZE]: 90_000, "reveal #1": 55_000 },
  S7_contributeAndFinalize: {
    [MATCH_TRUST1]: 280_000,
    [INITIALIZE]: 90_000,
    [S7_CONTRIBUTE_AND_FINALIZE]: 250_000,
  },
  S5_claim: {
    [MATCH_TRUST1]: 280_000,
    [INITIALIZE]: 90_000,
    [S5_CONTRIBUTE]: 190_000,
    [S5_CLAIM]: 80_000,
  },
  // At most 40% of the reference's 1,880,943 (reference/poco-gas-anchor.json, same operations).
  [LIFECYCLE]: { [LIFECYCLE_OP]: 752_377 },
};

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("benchmark transaction failed");
  return Number(receipt.gasUsed);
}

/** The sum of the operations of the trust-1 lifecycle in `scenarios`, or null when one is missing. */
function lifecycleSum(scenarios: Scenarios): number | null {
  let sum = 0;
  for (const [scenario, op] of LIFECYCLE_PARTS) {
    const value = scenarios[scenario]?.[op];
    if (value === undefined || value === null) return null;
    sum += value;
  }
  return sum;
}

/** A fixed salt per deal, so that calldata (and so gas) is the same from one run to the next. */
function dealSalt(deal: string): string {
  return ethers.id(`openpoco gas bench: deal ${deal}`);
}

/**
 * The scenario's unsigned orders for one deal: volume 1, tag 0, category 0, no restrictions, the
 * scenario's prices, beneficiary = requester, no callback, no params, one salt shared by the deal's orders.
 * `trust` is set on both the workerpool and the request order. Without a dataset, the dataset order is
 * all zero and the request names no dataset.
 */
function dealOrders(
  assets: { app: string; dataset: string; workerpool: string; requester: string },
  salt: string,
  { trust = 1n, withDataset = true }: { trust?: bigint; withDataset?: boolean } = {},
): MatchArgs {
  return [
    appOrder({ app: assets.app, appprice: PRICES.app, volume: 1n, salt }),
    withDataset
      ? datasetOrder({ dataset: assets.dataset, datasetprice: PRICES.dataset, volume: 1n, salt })
      : datasetOrder({ volume: 0n, salt: ethers.ZeroHash }),
    workerpoolOrder({
      workerpool: assets.workerpool,
      workerpoolprice: PRICES.workerpool,
      volume: 1n,
      category: 0n,
      trust,
      salt,
    }),
    requestOrder({
      app: assets.app,
      appmaxprice: PRICES.app,
      dataset: withDataset ? assets.dataset : ethers.ZeroAddress,
      datasetmaxprice: withDataset ? PRICES.dataset : 0n,
      workerpool: ethers.ZeroAddress,
      workerpoolmaxprice: PRICES.workerpool,
      requester: assets.requester,
      volume: 1n,
      category: 0n,
      trust,
      beneficiary: assets.requester,
      callback: ethers.ZeroAddress,
      params: "",
      salt,
    }),
  ];
}

/** The owners of a deal's orders, in `matchOrders` argument order. */
type Owners = [Signer, Signer, Signer, Signer];

/**
 * Each order signed by its owner (EIP-712, 65 bytes; 64 bytes EIP-2098 with `compact`). Orders listed in
 * `presigned` keep `sign = "0x"` (their owner presigns them on chain); a dataset order naming no dataset
 * stays unsigned.
 */
async function signOrders(
  domain: TypedDataDomain,
  [app, dataset, workerpool, request]: MatchArgs,
  owners: Owners,
  {
    compact = false,
    presigned = [],
  }: { compact?: boolean; presigned?: ("app" | "dataset" | "workerpool")[] } = {},
): Promise<MatchArgs> {
  const sign = async <T extends { sign: string }>(
    kind: "app" | "dataset" | "workerpool" | "request",
    signer: Signer,
    order: T,
  ): Promise<T> => {
    if (kind !== "request" && presigned.includes(kind)) return { ...order, sign: "0x" };
    const signed = (await signOrder(signer, domain, kind, order as never)) as unknown as T;
    return compact ? { ...signed, sign: ethers.Signature.from(signed.sign).compactSerialized } : signed;
  };
  return [
    await sign("app", owners[0], app),
    dataset.dataset === ethers.ZeroAddress ? dataset : await sign("dataset", owners[1], dataset),
    await sign("workerpool", owners[2], workerpool),
    await sign("request", owners[3], request),
  ];
}

async function main() {
  if (hre.network.name !== "hardhat")
    throw new Error("run the gas benchmark on the in-process hardhat network");
  const anchor = JSON.parse(fs.readFileSync(ANCHOR_FILE, "utf8")) as { scenarios: Scenarios };
  const ours: Scenarios = {};
  for (const [scenario, operations] of Object.entries(anchor.scenarios)) {
    ours[scenario] = Object.fromEntries(Object.keys(operations).map((op) => [op, null]));
  }
  ours[LIFECYCLE] = { [LIFECYCLE_OP]: null };
  ours[VARIANTS] = {};
  if (ethers.dataLength(RESULTS) !== 160) throw new Error("results are not 160 bytes");

  // 1. deployment
  await deployments.fixture(["core"]);
  const signers = await ethers.getSigners();
  const [deployer, requester, appProvider, datasetProvider, scheduler] = signers;
  const workers = signers.slice(5, 11); // #5..#10
  const extra = signers[11];
  const sponsor = signers[12]; // X_matching_variants only
  const at = async <T>(name: string, contract: string) =>
    (await ethers.getContractAt(contract, (await deployments.get(name)).address)) as unknown as T;
  const hub = await at<IHub>("Hub", "IHub");
  const rlc = await at<RLC>("RLC", "RLC");
  const appRegistry = await at<AppRegistry>("AppRegistry", "AppRegistry");
  const datasetRegistry = await at<DatasetRegistry>("DatasetRegistry", "DatasetRegistry");
  const workerpoolRegistry = await at<WorkerpoolRegistry>("WorkerpoolRegistry", "WorkerpoolRegistry");
  const hubAddress = await hub.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  const domain = hubDomain(chainId, hubAddress);

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
  const datasetAddress = await datasetRegistry.predictDataset(
    datasetProvider.address,
    "my-dataset",
    ethers.toUtf8Bytes("https://example.com/data.zip"),
    ethers.id("dataset-checksum"),
  );
  const workerpoolAddress = await workerpoolRegistry.predictWorkerpool(scheduler.address, "my-pool");
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

  const assets = {
    app: appAddress,
    dataset: datasetAddress,
    workerpool: workerpoolAddress,
    requester: requester.address,
  };
  const owners: Owners = [appProvider, datasetProvider, scheduler, requester];

  /**
   * Gas of the match transaction `tx`; checks that the deal exists with volume 1, the orders' trust and
   * dataset, paid by `paidBy` (the requester, or the caller of sponsorMatchOrders), and that the request
   * order is consumed.
   */
  const measureMatch = async (
    orders: MatchArgs,
    tx: Promise<ContractTransactionResponse>,
    paidBy: string = requester.address,
  ): Promise<number> => {
    const requestHash = hashOrder(domain, "request", orders[3]);
    const gas = await gasOf(tx);
    const deal = await hub.viewDeal(computeDealId(requestHash, 0n));
    if (deal.app.pointer !== appAddress || deal.botSize !== 1n || deal.sponsor !== paidBy)
      throw new Error("match not recorded");
    if (deal.trust !== (orders[3].trust > 1n ? orders[3].trust : 1n)) throw new Error("deal trust");
    if (deal.dataset.pointer !== orders[1].dataset) throw new Error("deal dataset");
    if ((await hub.viewConsumed(requestHash)) !== 1n) throw new Error("request order not consumed");
    return gas;
  };
  /** Signs a deal's orders and measures `matchOrders` sent by the requester; returns the gas and the deal id. */
  const matchDeal = async (deal: string, trust: bigint): Promise<{ gas: number; dealid: string }> => {
    const orders = await signOrders(domain, dealOrders(assets, dealSalt(deal), { trust }), owners);
    const gas = await measureMatch(orders, hub.connect(requester).matchOrders(...orders));
    return { gas, dealid: computeDealId(hashOrder(domain, "request", orders[3]), 0n) };
  };

  /** Throws unless task `taskid` is in status `expected` after `step`. */
  const expectStatus = async (taskid: string, expected: TaskStatus, step: string): Promise<void> => {
    const status = Number((await hub.viewTask(taskid)).status) as TaskStatus;
    if (status !== expected)
      throw new Error(`${step}: task status ${TaskStatus[status]}, expected ${TaskStatus[expected]}`);
  };
  /** Gas of the scheduler's `initialize(dealid, 0)`; checks that the task is ACTIVE. Returns the task id too. */
  const initializeTask = async (dealid: string): Promise<{ gas: number; taskid: string }> => {
    const taskid = computeTaskId(dealid, 0n);
    const gas = await gasOf(hub.connect(scheduler).initialize(dealid, 0n));
    await expectStatus(taskid, TaskStatus.ACTIVE, "initialize");
    return { gas, taskid };
  };
  /**
   * Gas of `worker`'s contribution of the scenario's digest (result hash and seal, the scheduler's
   * authorization, no enclave); checks the task's status after it.
   */
  const contributeTask = async (
    taskid: string,
    worker: typeof requester,
    expected: TaskStatus,
  ): Promise<number> => {
    const authorization = await signAuthorization(scheduler, worker.address, taskid);
    const gas = await gasOf(
      hub
        .connect(worker)
        .contribute(
          taskid,
          computeResultHash(taskid, DIGEST),
          computeResultSeal(worker.address, taskid, DIGEST),
          ethers.ZeroAddress,
          "0x",
          authorization,
        ),
    );
    await expectStatus(taskid, expected, `contribute by ${worker.address}`);
    return gas;
  };
  /** Gas of `worker`'s reveal of the scenario's digest; checks that its contribution is PROVED. */
  const revealTask = async (taskid: string, worker: typeof requester): Promise<number> => {
    const gas = await gasOf(hub.connect(worker).reveal(taskid, DIGEST));
    await expectStatus(taskid, TaskStatus.REVEALING, `reveal by ${worker.address}`);
    const { status } = await hub.viewContribution(taskid, worker.address);
    if (Number(status) !== ContributionStatus.PROVED) throw new Error("reveal not recorded");
    return gas;
  };
  /** Throws unless task `taskid` is COMPLETED with the scenario's results and digest. */
  const expectCompleted = async (taskid: string, step: string): Promise<void> => {
    await expectStatus(taskid, TaskStatus.COMPLETED, step);
    const task = await hub.viewTask(taskid);
    if (task.results !== RESULTS || task.resultDigest !== DIGEST)
      throw new Error(`${step}: results not recorded`);
  };
  /** Gas of the scheduler's `finalize(taskid, results, "")`; checks that the task is COMPLETED. */
  const finalizeTask = async (taskid: string): Promise<number> => {
    const gas = await gasOf(hub.connect(scheduler).finalize(taskid, RESULTS, "0x"));
    await expectCompleted(taskid, "finalize");
    return gas;
  };

  // 3. setup: the deployer funds the actors
  const funding: [typeof requester, bigint][] = [
    [requester, 1000n * RLC_UNIT],
    [scheduler, 100n * RLC_UNIT],
    ...workers.map((w) => [w, 10n * RLC_UNIT] as [typeof requester, bigint]),
    [extra, 10n * RLC_UNIT],
  ];
  for (const [account, amount] of funding)
    await (await rlc.connect(deployer).transfer(account.address, amount)).wait();

  // 4. S2_escrow_match: approve + deposit of each actor's whole RLC balance, then deal A (trust 1)
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
  const dealA = await matchDeal("A", 1n);
  S2[MATCH_TRUST1] = dealA.gas;

  // 5. S2b: deposit in one transaction
  ours.S2b_deposit_approveAndCall['RLC.approveAndCall(hub, amount, "") [fresh account]'] = await gasOf(
    rlc.connect(extra).approveAndCall(hubAddress, 10n * RLC_UNIT, "0x"),
  );

  // 6. S3_task_trust1 (deal A, matched in S2): worker #5's contribution reaches consensus at once
  const S3 = ours.S3_task_trust1;
  {
    const [worker] = workers;
    const { gas, taskid } = await initializeTask(dealA.dealid);
    S3[INITIALIZE] = gas;
    S3[S3_CONTRIBUTE] = await contributeTask(taskid, worker, TaskStatus.REVEALING);
    S3[S3_REVEAL] = await revealTask(taskid, worker);
    S3[S3_FINALIZE] = await finalizeTask(taskid);
  }

  // 7. S4_task_trust5: deal B, trust 5 on the workerpool and request orders. Workers #6-#8, fresh (score 0,
  // weight 2), contribute the same result: consensus at the third (2 * 2 * 2 = 8 of 9, above 4/5).
  const S4 = ours.S4_task_trust5;
  {
    const dealB = await matchDeal("B", 5n);
    S4[MATCH_TRUST5] = dealB.gas;
    const trio = workers.slice(1, 4);
    for (const worker of trio)
      if ((await hub.viewScore(worker.address)) !== 0n) throw new Error("S4 workers must be fresh");
    const { gas, taskid } = await initializeTask(dealB.dealid);
    S4[INITIALIZE] = gas;
    S4["contribute #1 (no consensus yet)"] = await contributeTask(taskid, trio[0], TaskStatus.ACTIVE);
    S4["contribute #2 (no consensus yet)"] = await contributeTask(taskid, trio[1], TaskStatus.ACTIVE);
    S4["contribute #3 (reaches consensus)"] = await contributeTask(taskid, trio[2], TaskStatus.REVEALING);
    for (const [i, worker] of trio.entries()) S4[`reveal #${i + 1}`] = await revealTask(taskid, worker);
    S4["finalize (scheduler, 3 contributors)"] = await finalizeTask(taskid);
    for (const worker of trio)
      if ((await hub.viewScore(worker.address)) !== 1n) throw new Error("S4 worker score is not 1");
  }

  // 8. S6_order_management: presign then close a fresh app order, by the app owner
  const S6 = ours.S6_order_management;
  // A fixed salt, like the deals', so that the calldata (and so the gas) does not vary between runs.
  const order = appOrder({
    app: appAddress,
    appprice: PRICES.app,
    volume: 1n,
    salt: ethers.id("openpoco gas bench: S6 app order"),
  });
  const orderHash = hashOrder(domain, "app", order);
  S6["manageAppOrder(SIGN) by app owner"] = await gasOf(
    hub.connect(appProvider).manageAppOrder({ order, operation: OrderOperation.SIGN, sign: "0x" }),
  );
  if ((await hub.viewPresigned(orderHash)) !== appProvider.address) throw new Error("presign not recorded");
  S6["manageAppOrder(CLOSE) by app owner"] = await gasOf(
    hub.connect(appProvider).manageAppOrder({ order, operation: OrderOperation.CLOSE, sign: "0x" }),
  );
  if ((await hub.viewConsumed(orderHash)) !== order.volume) throw new Error("close not recorded");

  // 9. S7_contributeAndFinalize: deal C, trust 1; worker #10 contributes, reveals and finalizes in one call
  const S7 = ours.S7_contributeAndFinalize;
  {
    const worker = workers[5];
    const dealC = await matchDeal("C", 1n);
    S7[MATCH_TRUST1] = dealC.gas;
    const { gas, taskid } = await initializeTask(dealC.dealid);
    S7[INITIALIZE] = gas;
    const authorization = await signAuthorization(scheduler, worker.address, taskid);
    S7[S7_CONTRIBUTE_AND_FINALIZE] = await gasOf(
      hub
        .connect(worker)
        .contributeAndFinalize(taskid, DIGEST, RESULTS, "0x", ethers.ZeroAddress, "0x", authorization),
    );
    await expectCompleted(taskid, "contributeAndFinalize");
  }

  // 10. S5_claim (last, since it moves the clock): deal D, trust 1; worker #9 contributes but never reveals,
  // and the requester claims the task past its final deadline.
  const S5 = ours.S5_claim;
  {
    const worker = workers[4];
    const dealD = await matchDeal("D", 1n);
    S5[MATCH_TRUST1] = dealD.gas;
    const { gas, taskid } = await initializeTask(dealD.dealid);
    S5[INITIALIZE] = gas;
    S5[S5_CONTRIBUTE] = await contributeTask(taskid, worker, TaskStatus.REVEALING);
    const { finalDeadline } = await hub.viewTask(taskid);
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    await ethers.provider.send("evm_increaseTime", [Number(finalDeadline - now + 1n)]);
    await ethers.provider.send("evm_mine", []);

    const deal = await hub.viewDeal(dealD.dealid);
    const price = deal.app.price + deal.dataset.price + deal.workerpool.price;
    const schedulerStake = (deal.workerpool.price * (await hub.workerpool_stake_ratio())) / 100n;
    const kitty = await hub.kitty_address();
    const accounts = [requester.address, worker.address, scheduler.address, kitty];
    const before = await Promise.all(accounts.map((a) => hub.viewAccount(a)));
    S5[S5_CLAIM] = await gasOf(hub.connect(requester).claim(taskid));
    await expectStatus(taskid, TaskStatus.FAILED, "claim");
    const after = await Promise.all(accounts.map((a) => hub.viewAccount(a)));
    // [requester refunded, worker stake unlocked, scheduler stake seized, kitty credited (frozen)]
    const expected: [bigint, bigint][] = [
      [price, -price],
      [deal.workerStake, -deal.workerStake],
      [0n, -schedulerStake],
      [0n, schedulerStake],
    ];
    for (const [i, [stake, locked]] of expected.entries())
      if (after[i].stake - before[i].stake !== stake || after[i].locked - before[i].locked !== locked)
        throw new Error(`claim: wrong settlement of ${accounts[i]}`);
  }

  ours[LIFECYCLE][LIFECYCLE_OP] = lifecycleSum(ours);

  // X_matching_variants: after the scenario, so that they leave its storage state alone. Each deal has its
  // own salt and trust 1; what they need beforehand (funding, deposits, presignatures) is not counted.
  const X = ours[VARIANTS];
  {
    const orders = await signOrders(
      domain,
      dealOrders(assets, dealSalt("X-no-dataset"), { withDataset: false }),
      owners,
    );
    X["matchOrders without dataset (EOA signatures)"] = await measureMatch(
      orders,
      hub.connect(requester).matchOrders(...orders),
    );
  }
  {
    const presigned = ["app", "dataset", "workerpool"] as const;
    const orders = await signOrders(domain, dealOrders(assets, dealSalt("X-presigned")), owners, {
      presigned: [...presigned],
    });
    await (
      await hub
        .connect(appProvider)
        .manageAppOrder({ order: orders[0], operation: OrderOperation.SIGN, sign: "0x" })
    ).wait();
    await (
      await hub
        .connect(datasetProvider)
        .manageDatasetOrder({ order: orders[1], operation: OrderOperation.SIGN, sign: "0x" })
    ).wait();
    await (
      await hub
        .connect(scheduler)
        .manageWorkerpoolOrder({ order: orders[2], operation: OrderOperation.SIGN, sign: "0x" })
    ).wait();
    for (const [i, kind] of presigned.entries())
      if (
        (await hub.viewPresigned(hashOrder(domain, kind, orders[i] as never))) !==
        [appProvider, datasetProvider, scheduler][i].address
      )
        throw new Error(`${kind} order not presigned`);
    X["matchOrders with presigned app, dataset and workerpool orders"] = await measureMatch(
      orders,
      hub.connect(requester).matchOrders(...orders),
    );
  }
  {
    // The sponsor pays: 28 RLC deposited beforehand.
    const cost = PRICES.app + PRICES.dataset + PRICES.workerpool;
    await (await rlc.connect(deployer).transfer(sponsor.address, cost)).wait();
    await (await rlc.connect(sponsor).approve(hubAddress, cost)).wait();
    await (await hub.connect(sponsor).deposit(cost)).wait();
    const orders = await signOrders(domain, dealOrders(assets, dealSalt("X-sponsored")), owners);
    X["sponsorMatchOrders (sponsor != requester)"] = await measureMatch(
      orders,
      hub.connect(sponsor).sponsorMatchOrders(...orders),
      sponsor.address,
    );
  }
  {
    // The requester deposits the deal's cost and matches in one transaction: RLC sent to its wallet first.
    const cost = PRICES.app + PRICES.dataset + PRICES.workerpool;
    await (await rlc.connect(deployer).transfer(requester.address, cost)).wait();
    const orders = await signOrders(domain, dealOrders(assets, dealSalt("X-approveAndCall")), owners);
    const supplyBefore = await hub.totalSupply();
    X["RLC.approveAndCall(hub, amount, matchOrders calldata) [deposit + match]"] = await measureMatch(
      orders,
      rlc
        .connect(requester)
        .approveAndCall(hubAddress, cost, hub.interface.encodeFunctionData("matchOrders", orders)),
    );
    if ((await hub.totalSupply()) !== supplyBefore + cost) throw new Error("approveAndCall did not deposit");
  }
  {
    const orders = await signOrders(domain, dealOrders(assets, dealSalt("X-eip2098")), owners, {
      compact: true,
    });
    if (orders.some((o) => ethers.dataLength(o.sign) !== 64)) throw new Error("signatures are not 64 bytes");
    X["matchOrders with 64-byte (EIP-2098) signatures"] = await measureMatch(
      orders,
      hub.connect(requester).matchOrders(...orders),
    );
  }

  // Money check: the scenario must leave the escrow balanced.
  if ((await rlc.balanceOf(hubAddress)) !== (await hub.totalSupply())) throw new Error("escrow unbalanced");

  report({ ...anchor.scenarios, [LIFECYCLE]: { [LIFECYCLE_OP]: lifecycleSum(anchor.scenarios) } }, ours);
  const snapshot = { network: { hardfork: "cancun", chainId: 31337 }, scenarios: ours };
  if (process.env.GAS_CHECK === "1") {
    const committed = JSON.parse(fs.readFileSync(REPORT_FILE, "utf8")) as { scenarios: Scenarios };
    if (!checkSnapshot(committed.scenarios, ours)) process.exitCode = 1;
    return;
  }
  // The repository's JSON style: 2-space indent, a final newline; keys in the scenario's order (the anchor's).
  fs.writeFileSync(REPORT_FILE, JSON.stringify(snapshot, null, 2) + "\n");
  console.log(`\nwritten: ${path.relative(process.cwd(), REPORT_FILE)}`);
}

/** An operation's gas may exceed the snapshot's by at most this share (1%). */
const CHECK_TOLERANCE = 0.01;

/**
 * GAS_CHECK=1 (`npm run bench:gas:check`): compares the figures just measured with the committed snapshot
 * (bench/gas-report.json) and prints op / snapshot / now / delta. Fails when an operation costs more than 1%
 * above its snapshot, when a measured operation of the snapshot is no longer measured, or when a new operation
 * is not in the snapshot. A deliberate change updates the snapshot (`npm run bench:gas`) in the same commit.
 */
function checkSnapshot(committed: Scenarios, now: Scenarios): boolean {
  const keys = new Set<string>();
  const flat = (scenarios: Scenarios) => {
    const out = new Map<string, number>();
    for (const [scenario, operations] of Object.entries(scenarios))
      for (const [op, value] of Object.entries(operations)) {
        keys.add(`${scenario} / ${op}`);
        if (value !== null) out.set(`${scenario} / ${op}`, value);
      }
    return out;
  };
  const before = flat(committed);
  const after = flat(now);
  const rows: string[][] = [["operation", "snapshot", "now", "delta", ""]];
  let failures = 0;
  let changed = 0;
  for (const key of keys) {
    const was = before.get(key);
    const is = after.get(key);
    if (was === undefined && is === undefined) continue;
    let verdict = "";
    let delta = "";
    if (was === undefined) {
      verdict = "NEW: not in the snapshot";
      failures++;
    } else if (is === undefined) {
      verdict = "GONE: no longer measured";
      failures++;
    } else {
      const ratio = (is - was) / was;
      delta = `${ratio >= 0 ? "+" : ""}${(ratio * 100).toFixed(2)}%`;
      if (is !== was) changed++;
      if (ratio > CHECK_TOLERANCE) {
        verdict = `OVER +${CHECK_TOLERANCE * 100}%`;
        failures++;
      } else if (ratio < -CHECK_TOLERANCE) verdict = "cheaper: update the snapshot";
    }
    rows.push([
      key,
      was === undefined ? "-" : was.toLocaleString("en-US"),
      is === undefined ? "-" : is.toLocaleString("en-US"),
      delta,
      verdict,
    ]);
  }
  console.log(`\ngas snapshot check against ${path.relative(process.cwd(), REPORT_FILE)}:\n`);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [i, row] of rows.entries()) {
    console.log(
      row
        .map((cell, c) => (c >= 1 && c <= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join("  ")
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  const summary = `${rows.length - 1} operations, ${changed} changed, ${failures} failing`;
  if (failures > 0) {
    console.log(
      `\nFAILED: ${summary}. A deliberate change updates the snapshot: npm run bench:gas, then commit ` +
        `bench/gas-report.json with the change.`,
    );
    return false;
  }
  console.log(`\nok: ${summary} (tolerance +${CHECK_TOLERANCE * 100}%)`);
  return true;
}

function report(anchor: Scenarios, ours: Scenarios) {
  const rows: string[][] = [["scenario", "operation", "ours", "anchor", "ratio", "target"]];
  let measured = 0;
  let pending = 0;
  let missed = 0;
  // The anchor's scenarios in its order, then the extra ones.
  for (const [scenario, operations] of Object.entries(ours)) {
    for (const [op, value] of Object.entries(operations)) {
      const reference = anchor[scenario]?.[op];
      const target = TARGETS[scenario]?.[op];
      if (value === null) pending++;
      else measured++;
      const hit = value !== null && target !== undefined && value <= target;
      if (target !== undefined && !hit) missed++;
      rows.push([
        scenario,
        op,
        value === null ? "pending" : value.toLocaleString("en-US"),
        reference === undefined || reference === null ? "-" : reference.toLocaleString("en-US"),
        value === null || reference === undefined || reference === null ? "" : (value / reference).toFixed(2),
        target === undefined ? "" : `${hit ? "ok" : "MISSED"} <= ${target / 1000}k`,
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
    `\n${measured} operations measured (${LIFECYCLE} is a sum of them), ${pending} pending, ` +
      `${missed} target${missed === 1 ? "" : "s"} missed`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
