import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { deployments, ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  TaskStatus,
  appOrder,
  computeDealId,
  computeTaskId,
  datasetOrder,
  digestOf,
  hashOrder,
  requestOrder,
  signAuthorization,
  signOrder,
  workerpoolOrder,
} from "../../src/sdk";
import type { AppRegistry, WorkerpoolRegistry } from "../../typechain-types";
import { PRICES } from "../matching/fixtures";
import {
  KITTY,
  contribute,
  expectMoneyConserved,
  finalize,
  initTask,
  makeDeal,
  reveal,
  taskSetup,
  taskStatus,
  type TaskSetup,
} from "./fixtures";

/**
 * The attack of issue "Security": a task's results were kept in the same CREATE2 address space as deals, so results
 * laid out as a packed deal could be initialized, contributed to and settled as a deal: another account's frozen
 * SRLC, the kitty, or a forged COMPLETED task. Every id the results were ever stored under must now be no deal.
 */

const TASK_PRICE = PRICES.app + PRICES.dataset + PRICES.workerpool;

/** The fields of a packed deal (contracts/hub/libs/Deals.sol) that the attacker chooses. */
interface ForgedDeal {
  appOwner: string;
  appPrice: bigint;
  workerpool: string;
  workerpoolOwner: string;
  requester: string;
  trust: bigint;
  start: bigint;
}

/**
 * Results bytes that, behind the 10-byte head the hub writes before them (flags 0, time, length), read as a deal
 * with `forged`'s fields: the packed deal's bytes from offset 11 on (offset 0 is the first byte of the code).
 */
function forgedResults(forged: ForgedDeal): string {
  const code = ethers.solidityPacked(
    [
      "uint8",
      "uint8",
      "address",
      "address",
      "uint64",
      "address",
      "address",
      "uint64",
      "address",
      "uint64",
      "uint32",
      "uint40",
      "uint64",
      "uint64",
      "uint8",
      "uint8",
    ],
    [
      0,
      0, // flags: no optional field (the results flags byte the hub writes: not an ABI string)
      ethers.ZeroAddress, // app: overlapped by the results head
      forged.appOwner,
      forged.appPrice,
      forged.workerpool,
      forged.workerpoolOwner,
      0n, // workerpool price: no scheduler stake to lock
      forged.requester,
      forged.trust,
      0, // category 0
      forged.start,
      0n, // botFirst
      1n, // botSize
      0, // worker stake ratio: Sybils need no stake
      0, // scheduler reward ratio
    ],
  );
  return ethers.dataSlice(code, 11);
}

interface Attack {
  attacker: HardhatEthersSigner;
  /** The attacker's own trust-1 task, completed with the forged results. */
  taskid: string;
  /** Every id the results were ever kept under: the former salt, the task id, the second chunk's salt. */
  candidates: string[];
}

/** The attacker's own zero-price app, workerpool and request, matched and completed with `results`. */
async function completeOwnTask(
  setup: TaskSetup,
  attacker: HardhatEthersSigner,
  results: string,
): Promise<Attack> {
  const apps = (await ethers.getContractAt(
    "AppRegistry",
    (await deployments.get("AppRegistry")).address,
  )) as unknown as AppRegistry;
  const pools = (await ethers.getContractAt(
    "WorkerpoolRegistry",
    (await deployments.get("WorkerpoolRegistry")).address,
  )) as unknown as WorkerpoolRegistry;
  const appArgs = [attacker.address, "evil", "DOCKER", "0x01", ethers.id("evil"), "0x"] as const;
  const app = await apps.predictApp(...appArgs);
  await (await apps.connect(attacker).createApp(...appArgs)).wait();
  const workerpool = await pools.predictWorkerpool(attacker.address, "evil pool");
  await (await pools.connect(attacker).createWorkerpool(attacker.address, "evil pool")).wait();

  const { domain } = setup;
  const request = await signOrder(
    attacker,
    domain,
    "request",
    requestOrder({
      app,
      workerpool: ethers.ZeroAddress,
      requester: attacker.address,
      beneficiary: attacker.address,
    }),
  );
  await (
    await setup.hub
      .connect(attacker)
      .matchOrders(
        await signOrder(attacker, domain, "app", appOrder({ app })),
        datasetOrder({ volume: 0n, salt: ethers.ZeroHash }),
        await signOrder(attacker, domain, "workerpool", workerpoolOrder({ workerpool })),
        request,
      )
  ).wait();
  const dealid = computeDealId(hashOrder(domain, "request", request), 0n);
  await (await setup.hub.initialize(dealid, 0n)).wait();
  const taskid = computeTaskId(dealid, 0n);
  const authorization = await signAuthorization(attacker, attacker.address, taskid);
  await (
    await setup.hub
      .connect(attacker)
      .contributeAndFinalize(
        taskid,
        digestOf("anything"),
        results,
        "0x",
        ethers.ZeroAddress,
        "0x",
        authorization,
      )
  ).wait();
  expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
  const candidates = [
    ethers.solidityPackedKeccak256(["bytes32", "string"], [taskid, "results"]),
    taskid,
    ethers.solidityPackedKeccak256(["bytes32", "uint32"], [taskid, 1]),
  ];
  return { attacker, taskid, candidates };
}

/** Balance and frozen balance of each account. */
async function snapshot(setup: TaskSetup, accounts: string[]): Promise<bigint[][]> {
  return Promise.all(
    accounts.map(async (a) => {
      const { stake, locked } = await setup.hub.viewAccount(a);
      return [stake, locked];
    }),
  );
}

/** No candidate id is a deal: views are empty, and initialize, its batches and claims are refused. */
async function expectNoForgedDeal(setup: TaskSetup, attack: Attack): Promise<void> {
  const { hub } = setup;
  for (const id of attack.candidates) {
    const deal = await hub.viewDeal(id);
    expect(deal.requester).to.equal(ethers.ZeroAddress);
    expect(deal.app.owner).to.equal(ethers.ZeroAddress);
    expect(deal.botSize).to.equal(0n);
    await expect(hub.connect(attack.attacker).initialize(id, 0n))
      .to.be.revertedWithCustomError(hub, "DealNotFound")
      .withArgs(id);
    await expect(hub.connect(attack.attacker).initializeArray([id], [0n]))
      .to.be.revertedWithCustomError(hub, "DealNotFound")
      .withArgs(id);
    await expect(hub.connect(attack.attacker).initializeAndClaimArray([id], [0n]))
      .to.be.revertedWithCustomError(hub, "DealNotFound")
      .withArgs(id);
    const taskid = computeTaskId(id, 0n);
    await expect(hub.claim(taskid))
      .to.be.revertedWithCustomError(hub, "TaskNotClaimable")
      .withArgs(taskid, TaskStatus.UNSET);
    expect((await hub.viewTask(taskid)).status).to.equal(0n);
  }
}

describe("Forged deals: results laid out as a deal are never read as one", () => {
  it("cannot take a requester's frozen SRLC, whose own task then completes and pays as usual", async () => {
    const setup = await loadFixture(taskSetup);
    const [attacker] = setup.spare;
    const victim = setup.requester;
    const deal = await makeDeal(setup);
    expect((await setup.hub.viewAccount(victim.address)).locked).to.equal(TASK_PRICE);
    const watched = [victim.address, attacker.address, setup.scheduler.address, KITTY];
    const before = await snapshot(setup, watched);

    const attack = await completeOwnTask(
      setup,
      attacker,
      forgedResults({
        appOwner: attacker.address,
        appPrice: TASK_PRICE,
        workerpool: ethers.ZeroAddress,
        workerpoolOwner: attacker.address,
        requester: victim.address,
        trust: 1n,
        start: BigInt(await time.latest()),
      }),
    );
    await expectNoForgedDeal(setup, attack);
    expect(await snapshot(setup, watched)).to.deep.equal(before);

    // The victim's task settles normally: finalize pays, nothing is left frozen for it.
    const taskid = await initTask(setup, deal);
    const digest = digestOf("honest result");
    const [worker] = setup.workers;
    await (await contribute(setup, worker, taskid, digest)).wait();
    await (await reveal(setup, worker, taskid, digest)).wait();
    await (await finalize(setup, taskid)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
    expect((await setup.hub.viewAccount(victim.address)).locked).to.equal(0n);
    await expectMoneyConserved(setup, [deal]);
  });

  it("cannot drain the kitty", async () => {
    const setup = await loadFixture(taskSetup);
    const [attacker] = setup.spare;
    // A failed task gives the scheduler's stake to the kitty.
    const failed = await makeDeal(setup);
    const failedTask = await initTask(setup, failed);
    await time.increaseTo((await setup.hub.viewTask(failedTask)).finalDeadline);
    await (await setup.hub.claim(failedTask)).wait();
    const kitty = (await setup.hub.viewAccount(KITTY)).locked;
    expect(kitty).to.equal((PRICES.workerpool * 30n) / 100n);
    const attack = await completeOwnTask(
      setup,
      attacker,
      forgedResults({
        appOwner: attacker.address,
        appPrice: kitty,
        workerpool: ethers.ZeroAddress,
        workerpoolOwner: attacker.address,
        requester: KITTY,
        trust: 1n,
        start: BigInt(await time.latest()),
      }),
    );
    // Finalizing its own task paid the attacker, as scheduler, the protocol's cut of the kitty (1 RLC at least):
    // the rules of any completed task (docs/trust-model.md). The forged deal must add nothing to it.
    expect((await setup.hub.viewAccount(KITTY)).locked).to.equal(kitty - 10n ** 9n);
    const watched = [KITTY, attacker.address];
    const before = await snapshot(setup, watched);
    await expectNoForgedDeal(setup, attack);
    expect(await snapshot(setup, watched)).to.deep.equal(before);
  });

  it("cannot unlock or slash a frozen balance through claim", async () => {
    const setup = await loadFixture(taskSetup);
    const [attacker] = setup.spare;
    const victim = setup.requester;
    await makeDeal(setup);
    const watched = [victim.address, setup.scheduler.address, KITTY];
    const before = await snapshot(setup, watched);
    const attack = await completeOwnTask(
      setup,
      attacker,
      forgedResults({
        appOwner: attacker.address,
        appPrice: TASK_PRICE,
        workerpool: setup.workerpool,
        // The honest scheduler's stake would go to the kitty on claim.
        workerpoolOwner: setup.scheduler.address,
        requester: victim.address,
        trust: 1n,
        start: BigInt(await time.latest()),
      }),
    );
    await time.increase(3_600n);
    await expectNoForgedDeal(setup, attack);
    expect(await snapshot(setup, watched)).to.deep.equal(before);
  });

  it("cannot forge a COMPLETED trust-3 task attributed to an honest workerpool", async () => {
    const setup = await loadFixture(taskSetup);
    const [attacker] = setup.spare;
    const attack = await completeOwnTask(
      setup,
      attacker,
      forgedResults({
        appOwner: attacker.address,
        appPrice: 0n,
        workerpool: setup.workerpool,
        workerpoolOwner: attacker.address,
        requester: attacker.address,
        trust: 3n,
        start: BigInt(await time.latest()),
      }),
    );
    await expectNoForgedDeal(setup, attack);
    for (const id of attack.candidates) {
      expect((await setup.hub.viewDeal(id)).workerpool.pointer).to.equal(ethers.ZeroAddress);
    }
  });

  it("an id no match produced reads as no deal, and its tasks as nothing", async () => {
    const setup = await loadFixture(taskSetup);
    const [attacker] = setup.spare;
    const attack: Attack = {
      attacker,
      taskid: ethers.ZeroHash,
      candidates: [ethers.id("made up"), ethers.ZeroHash],
    };
    await expectNoForgedDeal(setup, attack);
  });
});
