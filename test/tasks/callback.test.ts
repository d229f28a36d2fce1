import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Interface, TransactionReceipt } from "ethers";
import { TaskStatus, callbackDigest, digestOf, signAuthorization } from "../../src/sdk";
import type { ResultConsumerMock } from "../../typechain-types";
import { PRICES } from "../matching/fixtures";
import {
  RESULTS,
  contribute,
  expectMoneyConserved,
  finalize,
  initTask,
  makeDeal,
  reveal,
  taskSetup,
  taskStatus,
  type MadeDeal,
  type TaskSetup,
} from "./fixtures";

/** `ResultConsumerMock.Mode`. */
enum Mode {
  RECORD = 0,
  REVERT = 1,
  BURN = 2,
  REENTER = 3,
  RETURN_BOMB = 4,
}

/** An oracle's answer: for a callback deal, the result digest is its keccak256. */
const CALLBACK_DATA = ethers.AbiCoder.defaultAbiCoder().encode(
  ["string", "int256", "uint256"],
  ["RLC/USD", 1_234_500n, 1_700_000_000n],
);
const DIGEST = callbackDigest(CALLBACK_DATA);
const TASK_PRICE = PRICES.app + PRICES.dataset + PRICES.workerpool;
const STAKE = (PRICES.workerpool * 30n) / 100n; // the scheduler's, and each worker's (the workerpool's policy)
const WORKER_PAY = (PRICES.workerpool * 99n) / 100n;
const DEFAULT_CALLBACK_GAS = 100_000n;
const CALLBACK_GAS_OVERHEAD = 10_000n;
/** Gas the mock spends before its first statement (dispatch, calldata decoding): at most this. */
const ENTRY_COST = 2_000n;

interface CallbackSetup extends TaskSetup {
  mock: ResultConsumerMock;
  mockAddress: string;
  hubAddress: string;
  worker: HardhatEthersSigner;
}

// Built on the shared `taskSetup` snapshot: deploying afresh would revert the chain to hardhat-deploy's older
// snapshot and invalidate `taskSetup`'s for the files that run after this one.
async function callbackSetup(): Promise<CallbackSetup> {
  const setup = await loadFixture(taskSetup);
  const mock = await (await ethers.getContractFactory("ResultConsumerMock")).deploy();
  return {
    ...setup,
    mock,
    mockAddress: await mock.getAddress(),
    hubAddress: await setup.hub.getAddress(),
    worker: setup.workers[0],
  };
}

/** A trust-1 deal whose request names the mock as callback (or no callback with `callback: false`). */
function callbackDeal(setup: CallbackSetup, options: { volume?: bigint; callback?: boolean } = {}) {
  const callback = options.callback ?? true;
  return makeDeal(setup, {
    volume: options.volume,
    overrides: { request: { callback: callback ? setup.mockAddress : ethers.ZeroAddress } },
  });
}

/** Task `index` of `deal`, initialized, contributed and revealed with `digest` by the setup's worker. */
async function revealedTask(setup: CallbackSetup, deal: MadeDeal, index = deal.botFirst, digest = DIGEST) {
  const taskid = await initTask(setup, deal, index);
  await (await contribute(setup, setup.worker, taskid, digest)).wait();
  await (await reveal(setup, setup.worker, taskid, digest)).wait();
  return taskid;
}

interface Balances {
  worker: { stake: bigint; locked: bigint };
  scheduler: { stake: bigint; locked: bigint };
  requester: { stake: bigint; locked: bigint };
  appOwner: bigint;
  datasetOwner: bigint;
}

async function balances(setup: CallbackSetup): Promise<Balances> {
  const { hub } = setup;
  const account = async (signer: HardhatEthersSigner) => {
    const { stake, locked } = await hub.viewAccount(signer.address);
    return { stake, locked };
  };
  return {
    worker: await account(setup.worker),
    scheduler: await account(setup.scheduler),
    requester: await account(setup.requester),
    appOwner: await hub.balanceOf(setup.appOwner.address),
    datasetOwner: await hub.balanceOf(setup.datasetOwner.address),
  };
}

/** Everyone was paid once for one trust-1 task, as in the lifecycle test (the kitty is empty: no cut). */
function expectPaidOnce(before: Balances, after: Balances) {
  const total = (a: { stake: bigint; locked: bigint }) => a.stake + a.locked;
  expect(after.requester.locked).to.equal(before.requester.locked - TASK_PRICE, "requester frozen");
  expect(after.requester.stake).to.equal(before.requester.stake, "requester balance");
  expect(total(after.worker)).to.equal(total(before.worker) + WORKER_PAY, "worker total");
  expect(after.worker.locked).to.equal(0n, "worker frozen");
  expect(total(after.scheduler)).to.equal(
    total(before.scheduler) + PRICES.workerpool - WORKER_PAY,
    "scheduler total",
  );
  expect(after.scheduler.locked).to.equal(before.scheduler.locked - STAKE, "scheduler frozen");
  expect(after.appOwner).to.equal(before.appOwner + PRICES.app, "app owner");
  expect(after.datasetOwner).to.equal(before.datasetOwner + PRICES.dataset, "dataset owner");
}

/** The mock's last recorded call came from the hub, for `taskid`, with the callback gas (less its entry cost). */
async function expectRecorded(setup: CallbackSetup, taskid: string, calls: bigint, callbackGas: bigint) {
  const { mock } = setup;
  expect(await mock.calls()).to.equal(calls);
  expect(await mock.lastTaskid()).to.equal(taskid);
  expect(await mock.lastDataHash()).to.equal(DIGEST);
  expect(await mock.lastSender()).to.equal(setup.hubAddress);
  const gas = await mock.gasAtEntry();
  expect(gas).to.be.lessThanOrEqual(callbackGas);
  expect(gas).to.be.greaterThanOrEqual(callbackGas - ENTRY_COST);
}

/** The logs of `receipt` emitted by `address`, parsed with `contract`'s interface. */
function logsOf(receipt: TransactionReceipt, address: string, iface: Interface) {
  return receipt.logs
    .filter((log) => log.address === address)
    .map((log) => ({ index: log.index, parsed: iface.parseLog(log)! }));
}

describe("Deal callback", () => {
  describe("callback data", () => {
    it("a callback deal: finalize needs callback data hashing to the result digest", async () => {
      const setup = await loadFixture(callbackSetup);
      const { hub } = setup;
      const deal = await callbackDeal(setup);
      expect((await hub.viewDeal(deal.dealid)).callback).to.equal(setup.mockAddress);
      const taskid = await revealedTask(setup, deal);
      await expect(finalize(setup, taskid))
        .to.be.revertedWithCustomError(hub, "ResultsCallbackMismatch")
        .withArgs(taskid, DIGEST, ethers.keccak256("0x"));
      const other = ethers.concat([CALLBACK_DATA, "0x00"]);
      await expect(finalize(setup, taskid, other))
        .to.be.revertedWithCustomError(hub, "ResultsCallbackMismatch")
        .withArgs(taskid, DIGEST, ethers.keccak256(other));
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.REVEALING);
      await expect(finalize(setup, taskid, CALLBACK_DATA))
        .to.emit(hub, "TaskFinalize")
        .withArgs(taskid, RESULTS);
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
    });

    it("a deal without callback: empty callback data is accepted, other data must hash to the digest", async () => {
      const setup = await loadFixture(callbackSetup);
      const { hub } = setup;
      const deal = await callbackDeal(setup, { volume: 2n, callback: false });
      expect((await hub.viewDeal(deal.dealid)).callback).to.equal(ethers.ZeroAddress);

      // Any digest: no callback data needed.
      const plain = await revealedTask(setup, deal, 0n, digestOf("a plain result"));
      await (await finalize(setup, plain)).wait();
      expect(await taskStatus(setup, plain)).to.equal(TaskStatus.COMPLETED);
      expect(await hub.resultFor(plain)).to.equal("0x");
      expect((await hub.viewTask(plain)).resultsCallback).to.equal("0x");

      // Callback data given anyway: it must hash to the digest, and is kept.
      const withData = await revealedTask(setup, deal, 1n);
      await expect(finalize(setup, withData, "0x01"))
        .to.be.revertedWithCustomError(hub, "ResultsCallbackMismatch")
        .withArgs(withData, DIGEST, ethers.keccak256("0x01"));
      await expect(finalize(setup, withData, CALLBACK_DATA)).to.not.emit(setup.mock, "ResultReceived");
      expect(await hub.resultFor(withData)).to.equal(CALLBACK_DATA);
      expect(await setup.mock.calls()).to.equal(0n);
      await expectMoneyConserved(setup, [deal]);
    });
  });

  describe("large callback data", () => {
    // The digest committed at consensus is keccak256 of the callback data, whatever its size: finalize must accept
    // every size a block's gas allows (results and callback data share one store, cut into chunks), or the workers
    // who reached consensus could never be paid.
    // Together, 64 KiB of each take about 31M gas: more than Hardhat's default 30M block (the reference, which keeps
    // both in storage, would need about 90M), so that case runs in a 60M block, as on today's mainnet.
    for (const [name, size, results, blockGas] of [
      ["64 KiB of callback data", 65_536, RESULTS, 30_000_000n],
      [
        "64 KiB of callback data with 64 KiB of results",
        65_536,
        ethers.hexlify(ethers.randomBytes(65_536)),
        60_000_000n,
      ],
      ["24,566 bytes of callback data (just past one data contract)", 24_566, "0x", 30_000_000n],
    ] as const) {
      it(`finalizes with ${name}, pays everyone once and calls back with it`, async () => {
        const setup = await loadFixture(callbackSetup);
        const { hub, mock } = setup;
        // The mock logs the data it receives (8 gas a byte): give it room.
        await (await hub.connect(setup.deployer).setCallbackGas(2_000_000n)).wait();
        const data = ethers.hexlify(ethers.randomBytes(size));
        const digest = callbackDigest(data);
        const deal = await callbackDeal(setup);
        const taskid = await revealedTask(setup, deal, deal.botFirst, digest);
        const before = await balances(setup);
        await ethers.provider.send("evm_setBlockGasLimit", [ethers.toQuantity(blockGas)]);
        try {
          const receipt = await (
            await hub.connect(setup.scheduler).finalize(taskid, results, data, { gasLimit: blockGas })
          ).wait();
          expect(receipt!.status).to.equal(1);
        } finally {
          await ethers.provider.send("evm_setBlockGasLimit", [ethers.toQuantity(30_000_000n)]);
        }
        expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
        expect(await hub.resultFor(taskid)).to.equal(data);
        const task = await hub.viewTask(taskid);
        expect(task.resultsCallback).to.equal(data);
        expect(task.results).to.equal(results);
        expect(await mock.calls()).to.equal(1n);
        expect(await mock.lastDataHash()).to.equal(digest);
        expectPaidOnce(before, await balances(setup));
        await expectMoneyConserved(setup, [deal]);
      });
    }
  });

  it("RECORD: the callback receives (taskid, callback data) from the hub, with the callback gas, after the settlement", async () => {
    const setup = await loadFixture(callbackSetup);
    const { hub, mock } = setup;
    expect(await hub.callbackgas()).to.equal(DEFAULT_CALLBACK_GAS);
    const deal = await callbackDeal(setup);
    const taskid = await revealedTask(setup, deal);
    await expect(hub.resultFor(taskid))
      .to.be.revertedWithCustomError(hub, "TaskNotCompleted")
      .withArgs(taskid, TaskStatus.REVEALING);
    const before = await balances(setup);

    const tx = finalize(setup, taskid, CALLBACK_DATA);
    await expect(tx)
      .to.emit(mock, "ResultReceived")
      .withArgs(taskid, CALLBACK_DATA, setup.hubAddress, anyValue);
    const receipt = (await (await tx).wait())!;
    await expectRecorded(setup, taskid, 1n, DEFAULT_CALLBACK_GAS);

    // The callback comes last: every hub event (finalize, seizures, rewards) precedes it.
    const [received] = logsOf(receipt, setup.mockAddress, mock.interface);
    const hubLogs = logsOf(receipt, setup.hubAddress, hub.interface);
    expect(hubLogs.map((l) => l.parsed.name)).to.include.members(["TaskFinalize", "Seize", "Reward"]);
    for (const log of hubLogs) expect(log.index).to.be.lessThan(received.index);

    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
    expect(await hub.resultFor(taskid)).to.equal(CALLBACK_DATA);
    const task = await hub.viewTask(taskid);
    expect(task.resultsCallback).to.equal(CALLBACK_DATA);
    expect(task.results).to.equal(RESULTS);
    expect(task.resultDigest).to.equal(DIGEST);
    expectPaidOnce(before, await balances(setup));
    await expectMoneyConserved(setup, [deal]);
  });

  describe("a failing callback changes nothing", () => {
    /** In a fresh setup: finalizes a callback task with the mock in `mode`; checks the task is settled. */
    async function finalizeDespite(mode: Mode) {
      const setup = await loadFixture(callbackSetup);
      const { hub, mock } = setup;
      await (await mock.setMode(mode)).wait();
      const deal = await callbackDeal(setup);
      const taskid = await revealedTask(setup, deal);
      const before = await balances(setup);
      const tx = finalize(setup, taskid, CALLBACK_DATA);
      await expect(tx).to.emit(hub, "TaskFinalize").withArgs(taskid, RESULTS);
      await expect(tx).to.not.emit(mock, "ResultReceived");
      const receipt = (await (await tx).wait())!;
      expect(await mock.calls()).to.equal(0n);
      expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
      expect(await hub.resultFor(taskid)).to.equal(CALLBACK_DATA);
      expectPaidOnce(before, await balances(setup));
      await expectMoneyConserved(setup, [deal]);
      return { setup, taskid, receipt };
    }

    it("REVERT: finalize completes and pays everyone", async () => {
      await finalizeDespite(Mode.REVERT);
    });

    it("BURN: the callback burns exactly the callback gas, finalize completes and pays everyone", async () => {
      const reverted = await finalizeDespite(Mode.REVERT);
      const burnt = await finalizeDespite(Mode.BURN);
      // Same state but the mode: the difference is the callback's own gas, all of it for BURN, a little for
      // REVERT (reading the mode, a cold slot, and reverting: under 3k, a little more under coverage instrumentation).
      const extra = burnt.receipt.gasUsed - reverted.receipt.gasUsed;
      expect(extra).to.be.lessThanOrEqual(DEFAULT_CALLBACK_GAS);
      expect(extra).to.be.greaterThan(DEFAULT_CALLBACK_GAS - 5_000n);
    });

    it("RETURN_BOMB: ~200 kB of return data cost the hub nothing, finalize completes and pays everyone", async () => {
      const burnt = await finalizeDespite(Mode.BURN);
      const { setup, taskid, receipt } = await finalizeDespite(Mode.RETURN_BOMB);
      // The bomb is real: called alone with about the callback gas, the mock returns that much data.
      const data = setup.mock.interface.encodeFunctionData("receiveResult", [taskid, CALLBACK_DATA]);
      const returned = await ethers.provider.call({
        to: setup.mockAddress,
        data,
        gasLimit: 21_000n + 16n * BigInt(ethers.dataLength(data)) + DEFAULT_CALLBACK_GAS,
      });
      expect(ethers.dataLength(returned)).to.be.greaterThan(180_000);
      // The hub does not copy it: the bomb costs no more than burning the callback gas (copying would cost
      // about as much again as returning).
      expect(receipt.gasUsed).to.be.lessThanOrEqual(burnt.receipt.gasUsed);
    });
  });

  it("REENTER: the callback cannot finalize or claim the settled task again; nobody is paid twice", async () => {
    const setup = await loadFixture(callbackSetup);
    const { hub, mock } = setup;
    await (await mock.setMode(Mode.REENTER)).wait();
    const deal = await callbackDeal(setup);
    const taskid = await revealedTask(setup, deal);
    const before = await balances(setup);

    const receipt = (await (await finalize(setup, taskid, CALLBACK_DATA)).wait())!;
    expect(await mock.finalizeReentryFailed()).to.equal(true);
    expect(await mock.claimReentryFailed()).to.equal(true);
    await expectRecorded(setup, taskid, 1n, DEFAULT_CALLBACK_GAS);
    // Both attempts found the task COMPLETED: settled before the callback.
    const [reentered] = logsOf(receipt, setup.mockAddress, mock.interface).filter(
      (l) => l.parsed.name === "Reentered",
    );
    const { finalizeSucceeded, finalizeReturn, claimSucceeded, claimReturn } = reentered.parsed.args;
    expect(finalizeSucceeded).to.equal(false);
    expect(claimSucceeded).to.equal(false);
    const finalizeError = hub.interface.parseError(finalizeReturn)!;
    expect(finalizeError.name).to.equal("TaskStatusMismatch");
    expect([...finalizeError.args]).to.deep.equal([taskid, BigInt(TaskStatus.COMPLETED), 2n]);
    const claimError = hub.interface.parseError(claimReturn)!;
    expect(claimError.name).to.equal("TaskNotClaimable");
    expect([...claimError.args]).to.deep.equal([taskid, BigInt(TaskStatus.COMPLETED)]);

    const hubEvents = logsOf(receipt, setup.hubAddress, hub.interface).map((l) => l.parsed);
    expect(hubEvents.filter((e) => e.name === "TaskFinalize")).to.have.length(1);
    expect(hubEvents.filter((e) => e.name === "TaskClaimed")).to.have.length(0);
    expect(
      hubEvents.filter((e) => e.name === "Seize" && e.args[0] === setup.requester.address),
    ).to.have.length(1);
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
    expectPaidOnce(before, await balances(setup));
    await expectMoneyConserved(setup, [deal]);
  });

  it("gas starvation: a finalize too short of gas for the callback reverts entirely, with enough it succeeds", async () => {
    const setup = await loadFixture(callbackSetup);
    const { hub, mock, scheduler } = setup;
    const deal = await callbackDeal(setup);
    const taskid = await revealedTask(setup, deal);
    const before = await balances(setup);
    const estimate = await hub.connect(scheduler).finalize.estimateGas(taskid, RESULTS, CALLBACK_DATA);
    const required = DEFAULT_CALLBACK_GAS + DEFAULT_CALLBACK_GAS / 63n + CALLBACK_GAS_OVERHEAD;

    await expect(
      hub.connect(scheduler).finalize(taskid, RESULTS, CALLBACK_DATA, { gasLimit: estimate - 30_000n }),
    )
      .to.be.revertedWithCustomError(hub, "CallbackGasTooLow")
      .withArgs(taskid, (available: bigint) => available < required, required);
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.REVEALING);
    expect(await balances(setup)).to.deep.equal(before);
    expect(await mock.calls()).to.equal(0n);
    await expect(hub.resultFor(taskid)).to.be.revertedWithCustomError(hub, "TaskNotCompleted");

    // The least gas that succeeds still leaves the callback all of its gas.
    await (
      await hub.connect(scheduler).finalize(taskid, RESULTS, CALLBACK_DATA, { gasLimit: estimate })
    ).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
    await expectRecorded(setup, taskid, 1n, DEFAULT_CALLBACK_GAS);
    expectPaidOnce(before, await balances(setup));
    await expectMoneyConserved(setup, [deal]);
  });

  it("setCallbackGas: the owner changes the callback gas, the callback gets the new amount", async () => {
    const setup = await loadFixture(callbackSetup);
    const { hub, mock, scheduler, deployer } = setup;
    const newGas = 1_000_000n;
    await expect(hub.connect(scheduler).setCallbackGas(newGas))
      .to.be.revertedWithCustomError(hub, "OwnableUnauthorizedAccount")
      .withArgs(scheduler.address);
    await expect(hub.connect(deployer).setCallbackGas(newGas))
      .to.emit(hub, "CallbackGasChanged")
      .withArgs(DEFAULT_CALLBACK_GAS, newGas);
    expect(await hub.callbackgas()).to.equal(newGas);

    const deal = await callbackDeal(setup);
    const taskid = await revealedTask(setup, deal);
    // What was plenty for 100k is now too little.
    await expect(
      hub.connect(scheduler).finalize(taskid, RESULTS, CALLBACK_DATA, { gasLimit: 900_000n }),
    ).to.be.revertedWithCustomError(hub, "CallbackGasTooLow");
    await (await finalize(setup, taskid, CALLBACK_DATA)).wait();
    await expectRecorded(setup, taskid, 1n, newGas);
    expect(await mock.gasAtEntry()).to.be.greaterThan(DEFAULT_CALLBACK_GAS);
  });

  it("contributeAndFinalize: the same check of the callback data, the same call of the callback", async () => {
    const setup = await loadFixture(callbackSetup);
    const { hub, mock, worker, scheduler } = setup;
    const deal = await callbackDeal(setup);
    const taskid = await initTask(setup, deal);
    const authorization = await signAuthorization(scheduler, worker.address, taskid);
    const contributeAndFinalize = (resultsCallback: string) =>
      hub
        .connect(worker)
        .contributeAndFinalize(
          taskid,
          DIGEST,
          RESULTS,
          resultsCallback,
          ethers.ZeroAddress,
          "0x",
          authorization,
        );
    await expect(contributeAndFinalize("0x"))
      .to.be.revertedWithCustomError(hub, "ResultsCallbackMismatch")
      .withArgs(taskid, DIGEST, ethers.keccak256("0x"));
    const before = await balances(setup);

    const tx = contributeAndFinalize(CALLBACK_DATA);
    await expect(tx).to.emit(hub, "TaskFinalize").withArgs(taskid, RESULTS);
    await expect(tx)
      .to.emit(mock, "ResultReceived")
      .withArgs(taskid, CALLBACK_DATA, setup.hubAddress, anyValue);
    await expectRecorded(setup, taskid, 1n, DEFAULT_CALLBACK_GAS);
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
    expect(await hub.resultFor(taskid)).to.equal(CALLBACK_DATA);
    expect((await hub.viewTask(taskid)).resultsCallback).to.equal(CALLBACK_DATA);
    expectPaidOnce(before, await balances(setup));
    await expectMoneyConserved(setup, [deal]);
  });
});
