/**
 * The scheduler's pure decisions: worker counts from the Sarmenta rule (checked against the SDK's
 * consensus model), preference for high scores, who may take a TEE task, and the end-of-task actions
 * at deadline edges.
 */
import { expect } from "chai";
import { ConsensusModel } from "../../src/sdk/core/consensus";
import { ContributionStatus, TaskStatus } from "../../src/sdk/core/tasks";
import {
  chainAction,
  enclaveBlock,
  mayTake,
  moreWorkersNeeded,
  pickUploader,
  workersForTrust,
  type ChainTaskState,
} from "../../src/scheduler/planner";

const H1 = "0x" + "11".repeat(32);
const H2 = "0x" + "22".repeat(32);

describe("scheduler planner", () => {
  describe("workers needed", () => {
    it("gives 1, 2, 3 new workers for trust 1, 3, 5, and agrees with the consensus model", () => {
      expect(workersForTrust(0n)).to.equal(1);
      expect(workersForTrust(1n)).to.equal(1);
      expect(workersForTrust(3n)).to.equal(2);
      expect(workersForTrust(5n)).to.equal(3);
      for (const trust of [1n, 2n, 3n, 5n, 10n, 30n, 100n])
        for (const score of [0n, 12n, 30n, 90n]) {
          const model = new ConsensusModel(trust);
          let count = 0;
          while (!model.contribute(`w${count}`, H1, score)) count++;
          expect(workersForTrust(trust, score), `trust ${trust} score ${score}`).to.equal(count + 1);
        }
    });

    it("needs fewer workers with higher scores", () => {
      // Weight max(score/3, 3) - 1: score 30 gives 9 against 2 for a new worker.
      expect(workersForTrust(5n, 30n)).to.be.lessThan(workersForTrust(5n, 0n));
      // The score-30 worker counts first, and its weight 9 alone wins trust 5 (9 * 5 > 10 * 4).
      expect(moreWorkersNeeded(5n, [], [], [0n, 0n, 30n])).to.equal(1);
      expect(moreWorkersNeeded(5n, [], [], [0n, 0n, 15n])).to.equal(2);
    });

    it("counts outstanding assignments as agreeing, and asks for more after a dissent", () => {
      const c = (worker: string, resultHash: string, status = ContributionStatus.CONTRIBUTED) => ({
        worker,
        resultHash,
        status,
        score: 0n,
      });
      const fresh = new Array<bigint>(8).fill(0n);
      expect(moreWorkersNeeded(5n, [], [0n, 0n, 0n], fresh)).to.equal(0);
      expect(moreWorkersNeeded(5n, [c("a", H1)], [0n], fresh)).to.equal(1);
      // Two agree, one dissents: group 4 of total 7; two more agreeing workers reach 16 > 19 * 4 / 5.
      expect(moreWorkersNeeded(5n, [c("a", H1), c("b", H1), c("d", H2)], [], fresh)).to.equal(2);
      // A rejected contribution (reopened consensus) no longer weighs.
      expect(moreWorkersNeeded(3n, [c("a", H1, ContributionStatus.REJECTED)], [], fresh)).to.equal(2);
      // When all candidates would not do, says so.
      expect(moreWorkersNeeded(100n, [], [], [0n])).to.equal(2);
    });
  });

  describe("preference for high scores", () => {
    const now = 100_000;
    const idle = (address: string, score: bigint, freeSlots = 1, lastPoll = now - 1000) => ({
      address,
      score,
      freeSlots,
      lastPoll,
    });

    it("leaves a task to better idle workers that polled recently", () => {
      const poller = { address: "low", score: 0n };
      expect(mayTake(poller, 1, [idle("high", 30n)], new Set(), now, 5000)).to.equal(false);
      // Enough places for both.
      expect(mayTake(poller, 2, [idle("high", 30n)], new Set(), now, 5000)).to.equal(true);
    });

    it("takes it when the better workers are busy, silent, excluded or not better", () => {
      const poller = { address: "low", score: 3n };
      expect(mayTake(poller, 1, [idle("high", 30n, 0)], new Set(), now, 5000)).to.equal(true);
      expect(mayTake(poller, 1, [idle("high", 30n, 1, now - 5001)], new Set(), now, 5000)).to.equal(true);
      expect(mayTake(poller, 1, [idle("high", 30n)], new Set(["high"]), now, 5000)).to.equal(true);
      expect(mayTake(poller, 1, [idle("same", 3n)], new Set(), now, 5000)).to.equal(true);
      expect(mayTake(poller, 0, [], new Set(), now, 5000)).to.equal(false);
    });
  });

  describe("TEE tasks", () => {
    const plainTag = "0x" + "0".repeat(64);
    const teeTdx = "0x" + "0".repeat(62) + "09";
    const tdxOnly = "0x" + "0".repeat(62) + "08";
    const enclave = "0x" + "ee".repeat(20);

    it("gives a TEE task (tag bit 0) only to a worker with an enclave, while the scheduler signs enclaves", () => {
      expect(enclaveBlock(teeTdx, null, true)).to.equal("TEE_WORKER_NEEDED");
      expect(enclaveBlock(teeTdx, enclave, true)).to.equal(undefined);
      expect(enclaveBlock(teeTdx, enclave, false)).to.equal("TEE_BROKER_SIGNS");
      expect(enclaveBlock(teeTdx, null, false)).to.equal("TEE_BROKER_SIGNS");
    });

    it("gives other tasks to anyone, and a task of unknown tag to nobody", () => {
      for (const tag of [plainTag, tdxOnly])
        for (const worker of [null, enclave])
          for (const signs of [true, false]) expect(enclaveBlock(tag, worker, signs)).to.equal(undefined);
      expect(enclaveBlock(null, enclave, true)).to.equal("DEAL_TAG_UNKNOWN");
      expect(enclaveBlock(null, null, true)).to.equal("DEAL_TAG_UNKNOWN");
    });
  });

  describe("end-of-task actions", () => {
    const revealing = (over: Partial<ChainTaskState> = {}): ChainTaskState => ({
      status: TaskStatus.REVEALING,
      revealDeadline: 1000n,
      finalDeadline: 5000n,
      revealCounter: 0n,
      winnerCounter: 2n,
      ...over,
    });

    it("waits for reveals, then reopens exactly at the reveal deadline when nobody revealed", () => {
      expect(chainAction(revealing(), 999n, false)).to.equal("wait-reveals");
      expect(chainAction(revealing(), 1000n, false)).to.equal("reopen");
    });

    it("chooses an uploader when all winners revealed, or some did and the deadline passed", () => {
      expect(chainAction(revealing({ revealCounter: 2n }), 10n, false)).to.equal("choose-uploader");
      expect(chainAction(revealing({ revealCounter: 1n }), 999n, false)).to.equal("wait-reveals");
      expect(chainAction(revealing({ revealCounter: 1n }), 1000n, false)).to.equal("choose-uploader");
      expect(chainAction(revealing({ revealCounter: 2n }), 10n, true)).to.equal("finalize");
    });

    it("claims open tasks from the final deadline on, never ended ones", () => {
      expect(chainAction(revealing({ revealCounter: 2n }), 4999n, true)).to.equal("finalize");
      expect(chainAction(revealing({ revealCounter: 2n }), 5000n, true)).to.equal("claim");
      expect(chainAction(revealing({ status: TaskStatus.ACTIVE }), 4999n, false)).to.equal("none");
      expect(chainAction(revealing({ status: TaskStatus.ACTIVE }), 5000n, false)).to.equal("claim");
      expect(chainAction(revealing({ status: TaskStatus.COMPLETED }), 9000n, false)).to.equal("none");
      expect(chainAction(revealing({ status: TaskStatus.FAILED }), 9000n, false)).to.equal("none");
    });

    it("picks a fresh uploader first, then the one tried longest ago", () => {
      expect(pickUploader([], new Map())).to.equal(undefined);
      expect(pickUploader(["a", "b"], new Map([["a", 5]]))).to.equal("b");
      expect(
        pickUploader(
          ["a", "b"],
          new Map([
            ["a", 9],
            ["b", 5],
          ]),
        ),
      ).to.equal("b");
    });
  });
});
