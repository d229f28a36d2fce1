import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { digestOf, signAuthorization } from "../../src/sdk";
import { initTask, makeDeal, taskSetup, type TaskSetup } from "./fixtures";

const DIGEST = digestOf("result-digest-of-the-task-output");
const coder = ethers.AbiCoder.defaultAbiCoder();

/** Completes a fresh trust-1 task with `results`; returns its id and the finalize block time. */
async function completeWith(setup: TaskSetup, results: string): Promise<{ taskid: string; time: bigint }> {
  const taskid = await initTask(setup, await makeDeal(setup));
  const [worker] = setup.workers;
  const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
  const receipt = await (
    await setup.hub
      .connect(worker)
      .contributeAndFinalize(taskid, DIGEST, results, "0x", ethers.ZeroAddress, "0x", authorization)
  ).wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return { taskid, time: BigInt(block!.timestamp) };
}

describe("Task results", () => {
  // ABI-encoded strings are stored as their bytes and encoded again on read; anything else is stored as is.
  // Either way viewTask must return exactly what finalize received.
  const cases: [string, string][] = [
    ["an ABI-encoded JSON location", coder.encode(["string"], ['{"storage":"ipfs","location":"/ipfs/QmX"}'])],
    ["an ABI-encoded string of exactly one word", coder.encode(["string"], ["x".repeat(32)])],
    ["an ABI-encoded empty string", coder.encode(["string"], [""])],
    ["raw UTF-8 bytes", ethers.hexlify(ethers.toUtf8Bytes("https://results.example/0x1234"))],
    ["a single byte", "0x01"],
    ["an encoding with a non-zero padding byte", coder.encode(["string"], ["abc"]).slice(0, -2) + "01"],
    ["an encoding whose offset is not 32", coder.encode(["uint256", "string"], [7n, "abc"])],
    [
      "an encoding whose length overruns the data",
      ethers.concat([coder.encode(["uint256", "uint256"], [32n, 99n])]),
    ],
    [
      "an encoding with a trailing extra word",
      ethers.concat([coder.encode(["string"], ["abc"]), ethers.ZeroHash]),
    ],
  ];
  for (const [name, results] of cases) {
    it(`returns ${name} byte for byte, with the finalize time`, async () => {
      const setup = await loadFixture(taskSetup);
      const { taskid, time } = await completeWith(setup, results);
      const task = await setup.hub.viewTask(taskid);
      expect(task.results).to.equal(ethers.hexlify(results));
      expect(task.resultsTimestamp).to.equal(time);
      expect(task.resultsCallback).to.equal("0x");
      expect((await setup.hub.viewTaskABILegacy(taskid))[11]).to.equal(ethers.hexlify(results));
    });
  }

  it("keeps the finalize time of a task without results or callback data", async () => {
    const setup = await loadFixture(taskSetup);
    const { taskid, time } = await completeWith(setup, "0x");
    const task = await setup.hub.viewTask(taskid);
    expect(task.results).to.equal("0x");
    expect(task.resultsTimestamp).to.equal(time);
    expect(await setup.hub.resultFor(taskid)).to.equal("0x");
  });

  it("rejects results too large for a data contract, leaving the task open", async () => {
    const setup = await loadFixture(taskSetup);
    const taskid = await initTask(setup, await makeDeal(setup));
    const [worker] = setup.workers;
    const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
    const results = ethers.hexlify(ethers.randomBytes(24_570));
    await expect(
      setup.hub
        .connect(worker)
        .contributeAndFinalize(taskid, DIGEST, results, "0x", ethers.ZeroAddress, "0x", authorization),
    )
      .to.be.revertedWithCustomError(setup.hub, "ResultsTooLarge")
      .withArgs(taskid, 24_580n, 24_575n);
    expect((await setup.hub.viewTask(taskid)).status).to.equal(1n);
  });

  it("an unknown task reads as zeros", async () => {
    const setup = await loadFixture(taskSetup);
    const task = await setup.hub.viewTask(ethers.id("nothing"));
    expect(task.status).to.equal(0n);
    expect(task.dealid).to.equal(ethers.ZeroHash);
    expect(task.contributors).to.deep.equal([]);
    expect(task.results).to.equal("0x");
  });
});
