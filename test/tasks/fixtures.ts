import { ethers } from "hardhat";
import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { HDNodeWallet } from "ethers";
import { RLC_UNIT, fundAndDeposit } from "../fixtures";
import {
  matchArgs,
  matchSetup,
  signedOrders,
  type MatchSetup,
  type OrderOverrides,
} from "../matching/fixtures";
import {
  TaskStatus,
  computeDealId,
  computeResultHash,
  computeResultSeal,
  computeTaskId,
  hashOrder,
  signAuthorization,
} from "../../src/sdk";

export const KITTY = ethers.getAddress(
  ethers.dataSlice(ethers.keccak256(ethers.toUtf8Bytes("openpoco.kitty")), 12),
);
/** The scenario's `results`: abi.encode of a JSON location. */
export const RESULTS = ethers.AbiCoder.defaultAbiCoder().encode(
  ["string"],
  ['{"storage":"ipfs","location":"/ipfs/QmRwwTz9Chq4Y7F7ReKKcx1GV6s3H7egmNGrku9XrwiDa8"}'],
);
/** Work clock time reference of category 0 (XS). */
export const TIMEREF = 300n;

export interface TaskSetup extends MatchSetup {
  /** Six workers with 10 RLC deposited each. */
  workers: HardhatEthersSigner[];
  /** Accounts left for strangers, sponsors, callbacks... */
  spare: HardhatEthersSigner[];
}

/** `matchSetup` plus six funded workers. */
export async function taskSetup(): Promise<TaskSetup> {
  const setup = await matchSetup();
  const workers = setup.others.slice(0, 6);
  for (const worker of workers) await fundAndDeposit(setup, worker, 10n * RLC_UNIT);
  return { ...setup, workers, spare: setup.others.slice(6) };
}

export interface MadeDeal {
  dealid: string;
  botFirst: bigint;
  volume: bigint;
  startTime: bigint;
}

/**
 * Matches a fresh compatible order set (trust and volume on both the workerpool and request orders): with
 * matchOrders by the requester, or with sponsorMatchOrders by `sponsor`, who then pays.
 */
export async function makeDeal(
  setup: TaskSetup,
  options: {
    trust?: bigint;
    volume?: bigint;
    overrides?: OrderOverrides;
    sponsor?: HardhatEthersSigner;
  } = {},
): Promise<MadeDeal> {
  const trust = options.trust ?? 1n;
  const volume = options.volume ?? 1n;
  const overrides = options.overrides ?? {};
  const orders = await signedOrders(setup, {
    ...overrides,
    app: { volume, ...overrides.app },
    dataset: overrides.noDataset ? overrides.dataset : { volume, ...overrides.dataset },
    workerpool: { trust, volume, ...overrides.workerpool },
    request: { trust, volume, ...overrides.request },
  });
  const requestHash = hashOrder(setup.domain, "request", orders.request);
  const botFirst = await setup.hub.viewConsumed(requestHash);
  if (options.sponsor) {
    await (await setup.hub.connect(options.sponsor).sponsorMatchOrders(...matchArgs(orders))).wait();
  } else {
    await (await setup.hub.connect(setup.requester).matchOrders(...matchArgs(orders))).wait();
  }
  const dealid = computeDealId(requestHash, botFirst);
  const deal = await setup.hub.viewDeal(dealid);
  return { dealid, botFirst, volume: deal.botSize, startTime: deal.startTime };
}

/** Initializes task `index` of `dealid` (the first by default); returns its id. */
export async function initTask(setup: TaskSetup, deal: MadeDeal, index = deal.botFirst): Promise<string> {
  await (await setup.hub.initialize(deal.dealid, index)).wait();
  return computeTaskId(deal.dealid, index);
}

/** `worker` contributes `digest` to `taskid` with the scheduler's authorization. */
export async function contribute(
  setup: TaskSetup,
  worker: HardhatEthersSigner | HDNodeWallet,
  taskid: string,
  digest: string,
) {
  const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
  return setup.hub
    .connect(worker)
    .contribute(
      taskid,
      computeResultHash(taskid, digest),
      computeResultSeal(worker.address, taskid, digest),
      ethers.ZeroAddress,
      "0x",
      authorization,
    );
}

/** `worker` reveals `digest`. */
export function reveal(setup: TaskSetup, worker: HardhatEthersSigner, taskid: string, digest: string) {
  return setup.hub.connect(worker).reveal(taskid, digest);
}

/** The scheduler finalizes `taskid` with the scenario's results. */
export function finalize(setup: TaskSetup, taskid: string, resultsCallback = "0x") {
  return setup.hub.connect(setup.scheduler).finalize(taskid, RESULTS, resultsCallback);
}

/**
 * Slot of `HubStorage.Layout.scores`: the ERC-7201 base of "openpoco.storage.Hub" plus its member index (18; a wrong
 * slot fails the read-back in `setScore`).
 */
const SCORES_SLOT =
  (BigInt(
    ethers.keccak256(
      ethers.AbiCoder.defaultAbiCoder().encode(
        ["uint256"],
        [BigInt(ethers.keccak256(ethers.toUtf8Bytes("openpoco.storage.Hub"))) - 1n],
      ),
    ),
  ) &
    ~0xffn) +
  18n;

/** Writes `worker`'s score straight into the hub's storage (scores above a few points take many tasks to earn). */
export async function setScore(setup: TaskSetup, worker: string, value: bigint): Promise<void> {
  const slot = ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [worker, SCORES_SLOT]),
  );
  await ethers.provider.send("hardhat_setStorageAt", [
    await setup.hub.getAddress(),
    slot,
    ethers.toBeHex(value, 32),
  ]);
  expect(await setup.hub.viewScore(worker)).to.equal(value, "score written in storage");
}

/** Free (`stake`) and frozen (`locked`) SRLC of `account`. */
export async function escrowOf(
  setup: TaskSetup,
  account: string,
): Promise<{ stake: bigint; locked: bigint }> {
  const { stake, locked } = await setup.hub.viewAccount(account);
  return { stake, locked };
}

/** Moves the chain's clock to `timestamp` (the next block's time). */
export async function timeTravelTo(timestamp: bigint): Promise<void> {
  await ethers.provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
  await ethers.provider.send("evm_mine", []);
}

export async function taskStatus(setup: TaskSetup, taskid: string): Promise<TaskStatus> {
  return Number((await setup.hub.viewTask(taskid)).status) as TaskStatus;
}

/**
 * Money conservation: the RLC the hub holds is the SRLC supply, the supply is the sum of every balance and frozen
 * balance, and every frozen amount (the kitty's aside) is owed to a task still open: its price for the sponsor, the
 * scheduler's 30% stake, each contributor's stake. Accounts beyond the signers (`extraAccounts`) are counted too.
 */
export async function expectMoneyConserved(
  setup: TaskSetup,
  deals: MadeDeal[],
  extraAccounts: string[] = [],
): Promise<void> {
  const { hub, rlc } = setup;
  const supply = await hub.totalSupply();
  expect(await rlc.balanceOf(await hub.getAddress())).to.equal(supply);

  const accounts = [
    ...new Set([setup.deployer.address, ...setup.accounts.map((a) => a.address), KITTY, ...extraAccounts]),
  ];
  let sum = 0n;
  const frozen = new Map<string, bigint>();
  for (const account of accounts) {
    const { stake, locked } = await hub.viewAccount(account);
    sum += stake + locked;
    frozen.set(account, locked);
  }
  expect(sum).to.equal(supply, "supply = sum of balances and frozen balances");

  const owed = new Map<string, bigint>();
  const owe = (account: string, amount: bigint) => owed.set(account, (owed.get(account) ?? 0n) + amount);
  for (const made of deals) {
    const deal = await hub.viewDeal(made.dealid);
    const price = deal.app.price + deal.dataset.price + deal.workerpool.price;
    for (let index = deal.botFirst; index < deal.botFirst + deal.botSize; index++) {
      const task = await hub.viewTask(computeTaskId(made.dealid, index));
      const status = Number(task.status) as TaskStatus;
      if (status === TaskStatus.COMPLETED || status === TaskStatus.FAILED) continue;
      owe(deal.sponsor, price);
      owe(deal.workerpool.owner, (deal.workerpool.price * 30n) / 100n);
      for (const contributor of task.contributors) owe(contributor, deal.workerStake);
    }
  }
  for (const account of accounts) {
    if (account === KITTY) continue;
    expect(frozen.get(account)).to.equal(owed.get(account) ?? 0n, `frozen balance of ${account}`);
  }
}
