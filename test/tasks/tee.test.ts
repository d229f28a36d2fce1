import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Signer } from "ethers";
import {
  ContributionStatus,
  TaskStatus,
  computeResultHash,
  computeResultSeal,
  digestOf,
  expectedAuthorizer,
  signAuthorization,
  signEnclaveResult,
} from "../../src/sdk";
import {
  RESULTS,
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

const DIGEST = digestOf("a result computed in an enclave");
/** Tag bit 0: the deal runs in a trusted execution environment. */
const TEE_TAG = ethers.toBeHex(1n, 32);

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

/** A deal whose app, workerpool and request orders carry the TEE tag. */
function makeTeeDeal(setup: TaskSetup, options: { trust?: bigint; volume?: bigint } = {}): Promise<MadeDeal> {
  return makeDeal(setup, {
    ...options,
    overrides: { app: { tag: TEE_TAG }, workerpool: { tag: TEE_TAG }, request: { tag: TEE_TAG } },
  });
}

/** An enclave contribution; by default the enclave signs the honest commitment and the scheduler authorizes. */
interface EnclaveContribution {
  enclave: string;
  enclaveSigner?: Signer;
  enclaveSign?: string;
  authorizer?: Signer;
  authorization?: string;
  /** The seal submitted (the enclave still signs the honest one). */
  seal?: string;
}

async function contributeInEnclave(
  setup: TaskSetup,
  worker: HardhatEthersSigner,
  taskid: string,
  digest: string,
  c: EnclaveContribution,
) {
  const hash = computeResultHash(taskid, digest);
  const seal = computeResultSeal(worker.address, taskid, digest);
  const enclaveSign =
    c.enclaveSign ?? (c.enclaveSigner ? await signEnclaveResult(c.enclaveSigner, hash, seal) : "0x");
  const authorization =
    c.authorization ??
    (await signAuthorization(c.authorizer ?? setup.scheduler, worker.address, taskid, c.enclave));
  return setup.hub
    .connect(worker)
    .contribute(taskid, hash, c.seal ?? seal, c.enclave, enclaveSign, authorization);
}

/** contributeAndFinalize from an enclave: it signs the hash and seal that follow from the digest. */
async function contributeAndFinalizeInEnclave(
  setup: TaskSetup,
  worker: HardhatEthersSigner,
  taskid: string,
  c: { enclave: string; enclaveSigner?: Signer; authorizer?: Signer },
) {
  const enclaveSign = c.enclaveSigner
    ? await signEnclaveResult(
        c.enclaveSigner,
        computeResultHash(taskid, DIGEST),
        computeResultSeal(worker.address, taskid, DIGEST),
      )
    : "0x";
  const authorization = await signAuthorization(
    c.authorizer ?? setup.scheduler,
    worker.address,
    taskid,
    c.enclave,
  );
  return setup.hub
    .connect(worker)
    .contributeAndFinalize(taskid, DIGEST, RESULTS, "0x", c.enclave, enclaveSign, authorization);
}

/** What a rejected contribution must leave as it was. */
async function observe(setup: TaskSetup, taskid: string, worker: string) {
  const { hub } = setup;
  const task = await hub.viewTask(taskid);
  const contribution = await hub.viewContribution(taskid, worker);
  const { stake, locked } = await hub.viewAccount(worker);
  return {
    status: task.status,
    contributors: [...task.contributors],
    consensus: task.consensusValue,
    contribution: [contribution.status, contribution.resultHash, contribution.enclaveChallenge],
    stake,
    locked,
  };
}

/** Asserts that `call` reverts with `error(...args)`, leaves the task and the worker as they were, and that money is
 * conserved over `deals`. */
async function expectRejected(
  setup: TaskSetup,
  deals: MadeDeal[],
  taskid: string,
  worker: HardhatEthersSigner,
  call: () => Promise<unknown>,
  error: string,
  ...args: unknown[]
): Promise<void> {
  const before = await observe(setup, taskid, worker.address);
  await expect(call())
    .to.be.revertedWithCustomError(setup.hub, error)
    .withArgs(...args);
  expect(await observe(setup, taskid, worker.address)).to.deep.equal(before);
  await expectMoneyConserved(setup, deals);
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

describe("Tasks: TEE", () => {
  it("a TEE deal requires an enclave challenge, from contribute and contributeAndFinalize", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers } = setup;
    const [worker] = workers;
    const deal = await makeTeeDeal(setup);
    expect((await hub.viewDeal(deal.dealid)).tag).to.equal(TEE_TAG);
    const taskid = await initTask(setup, deal);
    const noEnclave = { enclave: ethers.ZeroAddress };
    await expectRejected(
      setup,
      [deal],
      taskid,
      worker,
      () => contributeInEnclave(setup, worker, taskid, DIGEST, noEnclave),
      "EnclaveRequired",
      taskid,
    );
    await expectRejected(
      setup,
      [deal],
      taskid,
      worker,
      () => contributeAndFinalizeInEnclave(setup, worker, taskid, noEnclave),
      "EnclaveRequired",
      taskid,
    );
    const enclave = ethers.Wallet.createRandom();
    await (
      await contributeInEnclave(setup, worker, taskid, DIGEST, {
        enclave: enclave.address,
        enclaveSigner: enclave,
      })
    ).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.REVEALING);
    await expectMoneyConserved(setup, [deal]);
  });

  it("without a TEE broker the scheduler authorizes the enclave; the task completes", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers } = setup;
    const [worker] = workers;
    expect(await hub.teebroker()).to.equal(ethers.ZeroAddress);
    const deal = await makeTeeDeal(setup);
    const taskid = await initTask(setup, deal);
    const enclave = ethers.Wallet.createRandom();
    await expect(
      contributeInEnclave(setup, worker, taskid, DIGEST, {
        enclave: enclave.address,
        enclaveSigner: enclave,
      }),
    )
      .to.emit(hub, "TaskContribute")
      .withArgs(taskid, worker.address, computeResultHash(taskid, DIGEST));
    const contribution = await hub.viewContribution(taskid, worker.address);
    expect(contribution.status).to.equal(ContributionStatus.CONTRIBUTED);
    expect(contribution.enclaveChallenge).to.equal(enclave.address);
    expect(contribution.resultSeal).to.equal(computeResultSeal(worker.address, taskid, DIGEST));
    const legacy = await hub.viewContributionABILegacy(taskid, worker.address);
    expect(legacy.enclaveChallenge).to.equal(enclave.address);

    await (await reveal(setup, worker, taskid, DIGEST)).wait();
    await (await finalize(setup, taskid)).wait();
    expect(await taskStatus(setup, taskid)).to.equal(TaskStatus.COMPLETED);
    expect((await hub.viewContribution(taskid, worker.address)).enclaveChallenge).to.equal(enclave.address);
    await expectMoneyConserved(setup, [deal]);
  });

  it("the authorization binds the enclave challenge", async () => {
    const setup = await loadFixture(taskSetup);
    const { scheduler, workers } = setup;
    const [worker] = workers;
    const deal = await makeTeeDeal(setup);
    const taskid = await initTask(setup, deal);
    const enclave = ethers.Wallet.createRandom();
    const otherEnclave = ethers.Wallet.createRandom();
    for (const authorized of [ethers.ZeroAddress, otherEnclave.address]) {
      const authorization = await signAuthorization(scheduler, worker.address, taskid, authorized);
      await expectRejected(
        setup,
        [deal],
        taskid,
        worker,
        () =>
          contributeInEnclave(setup, worker, taskid, DIGEST, {
            enclave: enclave.address,
            enclaveSigner: enclave,
            authorization,
          }),
        "InvalidAuthorization",
        taskid,
        worker.address,
        scheduler.address,
      );
    }
    await (
      await contributeInEnclave(setup, worker, taskid, DIGEST, {
        enclave: enclave.address,
        enclaveSigner: enclave,
      })
    ).wait();
    await expectMoneyConserved(setup, [deal]);
  });

  it("with a TEE broker set, the broker (not the scheduler) authorizes enclave contributions", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, scheduler, workers } = setup;
    const [a, b, c] = workers;
    const broker = ethers.Wallet.createRandom();
    await expect(hub.setTeeBroker(broker.address))
      .to.emit(hub, "TeeBrokerChanged")
      .withArgs(ethers.ZeroAddress, broker.address);
    const deal = await makeTeeDeal(setup, { trust: 5n });
    const taskid = await initTask(setup, deal);
    const enclave = ethers.Wallet.createRandom();
    const inEnclave = { enclave: enclave.address, enclaveSigner: enclave };

    await expectRejected(
      setup,
      [deal],
      taskid,
      a,
      () => contributeInEnclave(setup, a, taskid, DIGEST, { ...inEnclave, authorizer: scheduler }),
      "InvalidAuthorization",
      taskid,
      a.address,
      broker.address,
    );
    await (await contributeInEnclave(setup, a, taskid, DIGEST, { ...inEnclave, authorizer: broker })).wait();
    expect((await hub.viewContribution(taskid, a.address)).enclaveChallenge).to.equal(enclave.address);

    // A contribution without an enclave (to a deal that does not need one) is still the scheduler's to authorize.
    const plain = await makeDeal(setup, { trust: 5n });
    const plainTask = await initTask(setup, plain);
    const noEnclave = { enclave: ethers.ZeroAddress };
    await expectRejected(
      setup,
      [deal, plain],
      plainTask,
      b,
      () => contributeInEnclave(setup, b, plainTask, DIGEST, { ...noEnclave, authorizer: broker }),
      "InvalidAuthorization",
      plainTask,
      b.address,
      scheduler.address,
    );
    await (await contributeInEnclave(setup, b, plainTask, DIGEST, noEnclave)).wait();

    // Unset, the broker no longer authorizes: the scheduler does again.
    await (await hub.setTeeBroker(ethers.ZeroAddress)).wait();
    await expectRejected(
      setup,
      [deal, plain],
      taskid,
      c,
      () => contributeInEnclave(setup, c, taskid, DIGEST, { ...inEnclave, authorizer: broker }),
      "InvalidAuthorization",
      taskid,
      c.address,
      scheduler.address,
    );
    await (await contributeInEnclave(setup, c, taskid, DIGEST, inEnclave)).wait();
    expect((await hub.viewTask(taskid)).contributors).to.deep.equal([a.address, c.address]);
    await expectMoneyConserved(setup, [deal, plain]);
  });

  it("rejects an enclave signature by another key, over another commitment, or garbage", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers } = setup;
    const [worker] = workers;
    const deal = await makeTeeDeal(setup);
    const taskid = await initTask(setup, deal);
    const enclave = ethers.Wallet.createRandom();
    const impostor = ethers.Wallet.createRandom();
    const hash = computeResultHash(taskid, DIGEST);
    const seal = computeResultSeal(worker.address, taskid, DIGEST);
    const bad: EnclaveContribution[] = [
      { enclave: enclave.address, enclaveSigner: impostor },
      { enclave: enclave.address, enclaveSign: await signEnclaveResult(worker, hash, seal) },
      // Signed over the honest seal, submitted with another one.
      { enclave: enclave.address, enclaveSigner: enclave, seal: ethers.id("another seal") },
      { enclave: enclave.address, enclaveSign: await signEnclaveResult(enclave, seal, hash) },
      { enclave: enclave.address, enclaveSign: "0x" },
      { enclave: enclave.address, enclaveSign: "0x" + "ab".repeat(65) },
    ];
    for (const contribution of bad) {
      await expectRejected(
        setup,
        [deal],
        taskid,
        worker,
        () => contributeInEnclave(setup, worker, taskid, DIGEST, contribution),
        "InvalidEnclaveSignature",
        taskid,
        enclave.address,
      );
    }
    await (
      await contributeInEnclave(setup, worker, taskid, DIGEST, {
        enclave: enclave.address,
        enclaveSigner: enclave,
      })
    ).wait();
    expect((await hub.viewContribution(taskid, worker.address)).enclaveChallenge).to.equal(enclave.address);
    await expectMoneyConserved(setup, [deal]);
  });

  it("contributeAndFinalize in an enclave: the enclave signs the hash and seal derived from the digest", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers } = setup;
    const [worker] = workers;
    const deal = await makeTeeDeal(setup);
    const taskid = await initTask(setup, deal);
    const enclave = ethers.Wallet.createRandom();
    await expectRejected(
      setup,
      [deal],
      taskid,
      worker,
      () =>
        contributeAndFinalizeInEnclave(setup, worker, taskid, {
          enclave: enclave.address,
          enclaveSigner: ethers.Wallet.createRandom(),
        }),
      "InvalidEnclaveSignature",
      taskid,
      enclave.address,
    );
    await expect(
      contributeAndFinalizeInEnclave(setup, worker, taskid, {
        enclave: enclave.address,
        enclaveSigner: enclave,
      }),
    )
      .to.emit(hub, "TaskFinalize")
      .withArgs(taskid, RESULTS);
    const contribution = await hub.viewContribution(taskid, worker.address);
    expect(contribution.status).to.equal(ContributionStatus.PROVED);
    expect(contribution.enclaveChallenge).to.equal(enclave.address);
    expect(contribution.resultHash).to.equal(computeResultHash(taskid, DIGEST));
    expect(contribution.resultSeal).to.equal(computeResultSeal(worker.address, taskid, DIGEST));
    await expectMoneyConserved(setup, [deal]);
  });

  it("the TEE broker authorizes enclaves on TEE deals only: on a plain deal the scheduler decides, enclave or not", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, scheduler, workers } = setup;
    const [a, b] = workers;
    const broker = ethers.Wallet.createRandom();
    await (await hub.setTeeBroker(broker.address)).wait();
    const plain = await makeDeal(setup, { trust: 5n });
    const taskid = await initTask(setup, plain);
    const enclave = ethers.Wallet.createRandom();
    const inEnclave = { enclave: enclave.address, enclaveSigner: enclave };
    const owner = scheduler.address;
    // The SDK's twin of the rule names the same authorizer as the hub.
    expect(expectedAuthorizer(owner, broker.address, enclave.address, ethers.ZeroHash)).to.equal(owner);
    expect(expectedAuthorizer(owner, broker.address, enclave.address, ethers.toBeHex(1n, 32))).to.equal(
      broker.address,
    );
    expect(expectedAuthorizer(owner, broker.address, ethers.ZeroAddress, ethers.toBeHex(1n, 32))).to.equal(
      owner,
    );

    await expectRejected(
      setup,
      [plain],
      taskid,
      a,
      () => contributeInEnclave(setup, a, taskid, DIGEST, { ...inEnclave, authorizer: broker }),
      "InvalidAuthorization",
      taskid,
      a.address,
      owner,
    );
    await (
      await contributeInEnclave(setup, b, taskid, DIGEST, { ...inEnclave, authorizer: scheduler })
    ).wait();
    expect((await hub.viewTask(taskid)).contributors).to.deep.equal([b.address]);
    await expectMoneyConserved(setup, [plain]);
  });

  it("an enclave may also contribute to a deal that does not require one", async () => {
    const setup = await loadFixture(taskSetup);
    const { hub, workers } = setup;
    const [worker] = workers;
    const deal = await makeDeal(setup);
    const taskid = await initTask(setup, deal);
    const enclave = ethers.Wallet.createRandom();
    await expectRejected(
      setup,
      [deal],
      taskid,
      worker,
      () => contributeInEnclave(setup, worker, taskid, DIGEST, { enclave: enclave.address }),
      "InvalidEnclaveSignature",
      taskid,
      enclave.address,
    );
    await (
      await contributeInEnclave(setup, worker, taskid, DIGEST, {
        enclave: enclave.address,
        enclaveSigner: enclave,
      })
    ).wait();
    expect((await hub.viewContribution(taskid, worker.address)).enclaveChallenge).to.equal(enclave.address);
    await expectMoneyConserved(setup, [deal]);
  });
});
