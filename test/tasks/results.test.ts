import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { digestOf, signAuthorization } from "../../src/sdk";
import { initTask, makeDeal, taskSetup, type TaskSetup } from "./fixtures";
import { DEAL_INIT_CODE, RESULTS_INIT_CODE } from "../fixtures";

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

  // One data contract holds 24,575 bytes: 10 of head, then results and callback data. Larger data is cut into
  // chunks, the last one found as the first that is not full. Sizes around each boundary, and 64 KiB.
  for (const size of [24_564, 24_565, 24_566, 49_140, 49_141, 65_536]) {
    it(`keeps ${size.toLocaleString("en-US")} bytes of results byte for byte`, async () => {
      const setup = await loadFixture(taskSetup);
      const results = ethers.hexlify(ethers.randomBytes(size));
      const { taskid, time } = await completeWith(setup, results);
      const task = await setup.hub.viewTask(taskid);
      expect(task.status).to.equal(3n);
      expect(task.results).to.equal(results);
      expect(task.resultsCallback).to.equal("0x");
      expect(task.resultsTimestamp).to.equal(time);
    });
  }

  it("a finalize short of gas for a chunk reverts with ResultsNotRecorded and leaves the task open", async () => {
    const setup = await loadFixture(taskSetup);
    const taskid = await initTask(setup, await makeDeal(setup));
    const [worker] = setup.workers;
    const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
    const results = ethers.hexlify(ethers.randomBytes(65_536));
    const args = [taskid, DIGEST, results, "0x", ethers.ZeroAddress, "0x", authorization] as const;
    const needed = await setup.hub.connect(worker).contributeAndFinalize.estimateGas(...args);
    // Enough for the first two chunks (about 5M gas each), not for the third.
    await expect(setup.hub.connect(worker).contributeAndFinalize(...args, { gasLimit: (needed * 3n) / 4n }))
      .to.be.revertedWithCustomError(setup.hub, "ResultsNotRecorded")
      .withArgs(taskid, 2n);
    expect((await setup.hub.viewTask(taskid)).status).to.equal(1n);
    expect((await setup.hub.viewTask(taskid)).contributors).to.deep.equal([]);
  });

  it("keeps 64 KiB of ABI-encoded results (stored compact) byte for byte", async () => {
    const setup = await loadFixture(taskSetup);
    const results = coder.encode(["string"], ["r".repeat(65_536)]);
    const { taskid } = await completeWith(setup, results);
    expect((await setup.hub.viewTask(taskid)).results).to.equal(results);
  });

  it("keeps a task's results in their own address space, under the task id", async () => {
    const setup = await loadFixture(taskSetup);
    const hub = await setup.hub.getAddress();
    const taskid = await initTask(setup, await makeDeal(setup));
    const [worker] = setup.workers;
    const authorization = await signAuthorization(setup.scheduler, worker.address, taskid);
    await (
      await setup.hub
        .connect(worker)
        .contributeAndFinalize(taskid, digestOf("x"), "0x0102", "0x", ethers.ZeroAddress, "0x", authorization)
    ).wait();
    const results = ethers.getCreate2Address(hub, taskid, ethers.keccak256(RESULTS_INIT_CODE));
    const code = await ethers.provider.getCode(results);
    // Marker, flags (not an ABI string), 5 bytes of time, 4 of length, the results.
    expect(code.slice(0, 6)).to.equal("0xfe00");
    expect(ethers.dataSlice(code, 7, 11)).to.equal("0x00000002");
    expect(ethers.dataSlice(code, 11)).to.equal("0x0102");
    // Nothing of it is in the deals' space, under any salt the results ever used.
    for (const salt of [taskid, ethers.solidityPackedKeccak256(["bytes32", "string"], [taskid, "results"])]) {
      const asDeal = ethers.getCreate2Address(hub, salt, ethers.keccak256(DEAL_INIT_CODE));
      expect(await ethers.provider.getCode(asDeal)).to.equal("0x");
    }
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
