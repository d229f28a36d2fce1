import { ethers } from "hardhat";
import type { Wallet } from "ethers";
import {
  ConsensusModel,
  computeResultHash,
  computeResultSeal,
  digestOf,
  signAuthorization,
} from "../../src/sdk";
import { PRICES } from "../matching/fixtures";
import { initTask, makeDeal, type MadeDeal, type TaskSetup } from "./fixtures";

/** The highest trust a deal records (64 bits): the most agreeing workers a consensus can need. */
export const MAX_TRUST = 2n ** 64n - 1n;
/** Each worker's stake in the scenario's deals: 30% of the workerpool price. */
export const WORKER_STAKE = (PRICES.workerpool * 30n) / 100n;

export interface Crowd {
  deal: MadeDeal;
  taskid: string;
  /** Every contributor, in contribution order. */
  workers: Wallet[];
  /** The contributors who agree on the consensus digest (none without consensus). */
  winners: Wallet[];
  /** The consensus digest, when there is one. */
  digest: string;
}

/**
 * `count` fresh workers, each with ether for gas and one worker stake in the escrow (deposited for them all at
 * once by the deployer, who holds the RLC supply).
 */
export async function fundedWorkers(setup: TaskSetup, count: number): Promise<Wallet[]> {
  const workers = Array.from({ length: count }, () => ethers.Wallet.createRandom().connect(ethers.provider));
  for (const worker of workers) {
    await ethers.provider.send("hardhat_setBalance", [worker.address, ethers.toQuantity(10n ** 18n)]);
  }
  const total = WORKER_STAKE * BigInt(count);
  await (await setup.rlc.connect(setup.deployer).approve(await setup.hub.getAddress(), total)).wait();
  await (
    await setup.hub.connect(setup.deployer).depositForArray(
      workers.map(() => WORKER_STAKE),
      workers.map((w) => w.address),
    )
  ).wait();
  return workers;
}

/** `worker` contributes `digest` to `taskid`, authorized by the scheduler. */
async function contributeAs(setup: TaskSetup, worker: Wallet, taskid: string, digest: string) {
  const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
  await (
    await setup.hub
      .connect(worker)
      .contribute(
        taskid,
        computeResultHash(taskid, digest),
        computeResultSeal(worker.address, taskid, digest),
        ethers.ZeroAddress,
        "0x",
        authorization,
      )
  ).wait();
}

/**
 * A task of a max-trust deal with `contributors` contributions, the worst case for settling it: with `consensus`,
 * as many disagreeing workers as possible first, then the fewest agreeing workers that reach consensus (planned with
 * the SDK's consensus model), so that the total is `contributors` or one less; without, every worker disagrees.
 */
export async function crowdedTask(
  setup: TaskSetup,
  contributors: number,
  { consensus }: { consensus: boolean },
): Promise<Crowd> {
  const deal = await makeDeal(setup, { trust: MAX_TRUST });
  const taskid = await initTask(setup, deal);
  const digest = digestOf("the crowd's consensus");
  const losers = consensus ? plannedLosers(contributors, taskid) : contributors;
  const workers = await fundedWorkers(setup, contributors);
  const winners: Wallet[] = [];
  const model = new ConsensusModel(MAX_TRUST);
  for (const [i, worker] of workers.entries()) {
    if (i < losers) {
      await contributeAs(setup, worker, taskid, digestOf(`loser ${i}`));
      model.contribute(worker.address, computeResultHash(taskid, digestOf(`loser ${i}`)), 0n);
      continue;
    }
    await contributeAs(setup, worker, taskid, digest);
    winners.push(worker);
    if (model.contribute(worker.address, computeResultHash(taskid, digest), 0n)) break;
  }
  if (consensus && model.consensus === undefined) throw new Error("the planned crowd reached no consensus");
  return { deal, taskid, workers: workers.slice(0, losers + winners.length), winners, digest };
}

/** The most disagreeing workers such that they and the agreeing workers needed after them are `total` at most. */
function plannedLosers(total: number, taskid: string): number {
  for (let losers = total - 1; losers >= 0; losers--) {
    const model = new ConsensusModel(MAX_TRUST);
    for (let i = 0; i < losers; i++)
      model.contribute(`l${i}`, computeResultHash(taskid, digestOf(`${i}`)), 0n);
    let winners = 0;
    while (!model.contribute(`w${winners}`, "consensus", 0n)) winners++;
    if (losers + winners + 1 <= total) return losers;
  }
  throw new Error(`no crowd of ${total} reaches consensus at trust ${MAX_TRUST}`);
}
