import { ethers } from "hardhat";
import type { HDNodeWallet } from "ethers";
import { ConsensusModel, computeResultHash, digestOf } from "../../src/sdk";
import { PRICES } from "../matching/fixtures";
import { contribute, initTask, makeDeal, type MadeDeal, type TaskSetup } from "./fixtures";

/** The highest trust a deal records (64 bits): the most agreeing workers a consensus can need. */
export const MAX_TRUST = 2n ** 64n - 1n;
/** Each worker's stake in the scenario's deals: 30% of the workerpool price. */
export const WORKER_STAKE = (PRICES.workerpool * 30n) / 100n;

export interface Crowd {
  deal: MadeDeal;
  taskid: string;
  /** Every contributor, in contribution order. */
  workers: HDNodeWallet[];
  /** The contributors who agree on the consensus digest (none without consensus). */
  winners: HDNodeWallet[];
  /** The consensus digest, when there is one. */
  digest: string;
}

/**
 * `count` fresh workers, each with ether for gas and one worker stake in the escrow (deposited for them all at
 * once by the deployer, who holds the RLC supply).
 */
export async function fundedWorkers(setup: TaskSetup, count: number): Promise<HDNodeWallet[]> {
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

/** The two wrong digests disagreeing workers split between, in turn. */
function wrongDigest(index: number): string {
  return digestOf(index % 2 === 0 ? "wrong A" : "wrong B");
}

/**
 * A task of a max-trust deal with `contributors` contributions, the worst case for settling it. With `consensus`:
 * as many disagreeing workers as possible first, split between two wrong results (two balanced groups weigh the
 * most without either reaching consensus: 2 to 8 groups were compared with the SDK's consensus model), then the
 * fewest agreeing workers that reach consensus: 127 disagreeing and 129 agreeing new workers for 256. Without
 * consensus, every worker disagrees with every other.
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
  const loserDigest = (i: number) => (consensus ? wrongDigest(i) : digestOf(`loser ${i}`));
  const workers = await fundedWorkers(setup, contributors);
  const winners: HDNodeWallet[] = [];
  const model = new ConsensusModel(MAX_TRUST);
  for (const [i, worker] of workers.entries()) {
    if (i < losers) {
      await (await contribute(setup, worker, taskid, loserDigest(i))).wait();
      model.contribute(worker.address, computeResultHash(taskid, loserDigest(i)), 0n);
      continue;
    }
    await (await contribute(setup, worker, taskid, digest)).wait();
    winners.push(worker);
    if (model.contribute(worker.address, computeResultHash(taskid, digest), 0n)) break;
  }
  if (consensus && model.consensus !== computeResultHash(taskid, digest)) {
    throw new Error("the planned crowd did not reach consensus on its digest");
  }
  return { deal, taskid, workers: workers.slice(0, losers + winners.length), winners, digest };
}

/**
 * The most disagreeing workers (in two wrong groups that never reach consensus themselves) such that they and the
 * agreeing workers needed after them are `total` at most.
 */
function plannedLosers(total: number, taskid: string): number {
  for (let losers = total - 1; losers >= 0; losers--) {
    const model = new ConsensusModel(MAX_TRUST);
    let wrongConsensus = false;
    for (let i = 0; i < losers; i++) {
      wrongConsensus ||= model.contribute(`l${i}`, computeResultHash(taskid, wrongDigest(i)), 0n);
    }
    if (wrongConsensus) continue;
    let winners = 1;
    while (!model.contribute(`w${winners}`, "consensus", 0n)) winners++;
    if (losers + winners <= total) return losers;
  }
  throw new Error(`no crowd of ${total} reaches consensus at trust ${MAX_TRUST}`);
}
