import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { callbackDigest, digestOf } from "../src/sdk";
import {
  RESULTS,
  contribute,
  initTask,
  makeDeal,
  reveal,
  taskSetup,
  type TaskSetup,
} from "../test/tasks/fixtures";
import { crowdedTask } from "../test/tasks/crowd";

/**
 * The worst cases of settling a task, which no scheduler, worker or requester may push past a block: a task with
 * the most contributors (`Tasks.MAX_CONTRIBUTORS`) finalized, claimed and reopened, and finalize with 64 KiB of
 * results and of callback data (kept at any size, cut into data contracts). Prints a table.
 */

const MAX_CONTRIBUTORS = 256;
const SETTLE_BOUND = 10_000_000n;
const KIB_64 = 65_536;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("benchmark transaction failed");
  return receipt.gasUsed;
}

/** A trust-1 task (with the mock as callback when `callbackData` is set), revealed, then finalized with the data. */
async function finalizeWith(setup: TaskSetup, results: string, callbackData: string): Promise<bigint> {
  let callback = ethers.ZeroAddress;
  if (callbackData !== "0x") {
    callback = await (await (await ethers.getContractFactory("ResultConsumerMock")).deploy()).getAddress();
  }
  const deal = await makeDeal(setup, { overrides: { request: { callback } } });
  const taskid = await initTask(setup, deal);
  const digest = callbackData === "0x" ? digestOf("large results") : callbackDigest(callbackData);
  const [worker] = setup.workers;
  await (await contribute(setup, worker, taskid, digest)).wait();
  await (await reveal(setup, worker, taskid, digest)).wait();
  await ethers.provider.send("evm_setBlockGasLimit", [ethers.toQuantity(60_000_000n)]);
  try {
    return await gasOf(
      setup.hub.connect(setup.scheduler).finalize(taskid, results, callbackData, { gasLimit: 60_000_000n }),
    );
  } finally {
    await ethers.provider.send("evm_setBlockGasLimit", [ethers.toQuantity(30_000_000n)]);
  }
}

async function main() {
  const rows: [string, bigint, bigint | undefined][] = [];

  let setup = await loadFixture(taskSetup);
  let crowd = await crowdedTask(setup, MAX_CONTRIBUTORS, { consensus: true });
  for (const winner of crowd.winners)
    await (await setup.hub.connect(winner).reveal(crowd.taskid, crowd.digest)).wait();
  rows.push([
    `finalize, ${crowd.workers.length} contributors (${crowd.winners.length} winners at trust 2^64-1)`,
    await gasOf(setup.hub.connect(setup.scheduler).finalize(crowd.taskid, RESULTS, "0x")),
    SETTLE_BOUND,
  ]);

  setup = await loadFixture(taskSetup);
  crowd = await crowdedTask(setup, MAX_CONTRIBUTORS, { consensus: false });
  await time.increaseTo((await setup.hub.viewTask(crowd.taskid)).finalDeadline);
  rows.push([
    `claim, ${crowd.workers.length} contributors`,
    await gasOf(setup.hub.claim(crowd.taskid)),
    SETTLE_BOUND,
  ]);

  setup = await loadFixture(taskSetup);
  crowd = await crowdedTask(setup, MAX_CONTRIBUTORS, { consensus: true });
  await time.increaseTo((await setup.hub.viewTask(crowd.taskid)).revealDeadline);
  rows.push([
    `reopen, ${crowd.workers.length} contributors (${crowd.winners.length} winners rejected)`,
    await gasOf(setup.hub.connect(setup.scheduler).reopen(crowd.taskid)),
    SETTLE_BOUND,
  ]);

  const random = (size: number) => ethers.hexlify(ethers.randomBytes(size));
  setup = await loadFixture(taskSetup);
  rows.push([
    "finalize, usual results (a JSON location), for comparison",
    await finalizeWith(setup, RESULTS, "0x"),
    undefined,
  ]);
  setup = await loadFixture(taskSetup);
  rows.push(["finalize, 64 KiB of results", await finalizeWith(setup, random(KIB_64), "0x"), undefined]);
  setup = await loadFixture(taskSetup);
  rows.push([
    "finalize, 64 KiB of callback data (callback called, 100k gas)",
    await finalizeWith(setup, RESULTS, random(KIB_64)),
    undefined,
  ]);
  setup = await loadFixture(taskSetup);
  rows.push([
    "finalize, 64 KiB of results and 64 KiB of callback data",
    await finalizeWith(setup, random(KIB_64), random(KIB_64)),
    undefined,
  ]);

  const table = [
    ["operation", "gas", "bound"],
    ...rows.map(([op, gas, bound]) => [
      op,
      gas.toLocaleString("en-US"),
      bound === undefined ? "" : `${gas <= bound ? "ok" : "EXCEEDED"} <= ${Number(bound / 1_000_000n)}M`,
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const [i, row] of table.entries()) {
    console.log(
      row.map((cell, c) => (c === 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  "),
    );
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  const exceeded = rows.filter(([, gas, bound]) => bound !== undefined && gas > bound).length;
  console.log(`\n${rows.length} operations measured, ${exceeded} over their bound`);
  if (exceeded > 0) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
