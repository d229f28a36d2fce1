/**
 * The IPFS node as a part of the stack, with the real binary: `stack up --workers 0` (no Docker) starts
 * it before the workers, writes its URL to chain.json as `ipfsNode` and `ipfsGateway`, `stack status`
 * shows it answering, and content added to it is still there after the stack is stopped and started
 * again. (@stack: no contract coverage; needs `npm run build`, as `npm test` does first.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { IPFS_NODE_FLAGS } from "../../src/ipfs/process-flags";
import { CHAIN_EXTRAS_JSON } from "../../src/sdk/core/chains";
import { stackPorts } from "../../src/stack/layout";
import { portFree, runCli, startCli, type Running } from "../cli/child";
import { added } from "./world";

/** An offset whose ports are all free (not the launcher test's: it starts at 2,100). */
async function freeOffset(): Promise<number> {
  for (let offset = 2_650; offset <= 18_000; offset += 1_100) {
    const free = await Promise.all(Object.values(stackPorts(offset)).map(portFree));
    if (free.every(Boolean)) return offset;
  }
  throw new Error("no free port offset for the stack");
}

/** The command line of the process running `ipfs start` for the stack in `dataDir`, if any. */
function ipfsPartCommandLine(dataDir: string): string[] | undefined {
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // Exited meanwhile.
    }
    const at = args.indexOf("ipfs");
    if (at > 0 && args[at + 1] === "start" && args.some((arg) => arg.startsWith(dataDir))) return args;
  }
  return undefined;
}

/** Starts `stack up --workers 0 --raw` and waits for its answer line. */
async function stackUp(dataDir: string, offset: number, cwd: string): Promise<Running> {
  const stack = startCli(
    ["stack", "up", "--raw", "--workers", "0", "--data-dir", dataDir, "--port-offset", String(offset)],
    cwd,
  );
  for (let i = 0; i < 1500 && !stack.output().includes('{"ok":') && stack.child.exitCode === null; i++)
    await new Promise((resolve) => setTimeout(resolve, 200));
  const line = stack
    .output()
    .split("\n")
    .find((l) => l.startsWith('{"ok":'));
  expect(line, stack.output()).to.not.equal(undefined);
  expect(JSON.parse(line!).ok, line).to.equal(true);
  return stack;
}

async function stackDown(stack: Running, dataDir: string, cwd: string): Promise<void> {
  const down = await runCli(["stack", "down", "--data-dir", dataDir], cwd);
  expect(down.code, down.stderr).to.equal(0);
  expect(await stack.exited).to.equal(0);
}

describe("IPFS node in the stack @stack", function () {
  this.timeout(900_000);
  let cwd: string;
  let stack: Running | undefined;

  before(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), "openpoco-ipfs-stack-"));
  });
  after(async () => {
    if (stack && stack.child.exitCode === null) {
      stack.child.kill("SIGTERM");
      await stack.exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  it("runs the node, names it in chain.json and keeps its content across a restart", async () => {
    const dataDir = path.join(cwd, "data");
    const offset = await freeOffset();
    const url = `http://127.0.0.1:${13600 + offset}`;
    stack = await stackUp(dataDir, offset, cwd);

    // The gateway is an official key of chain.json; the node's RPC URL is ours, in its companion.
    const chain = JSON.parse(readFileSync(path.join(dataDir, "chain.json"), "utf8")).chains.local;
    const extras = JSON.parse(readFileSync(path.join(dataDir, CHAIN_EXTRAS_JSON), "utf8")).chains.local;
    expect(chain.ipfsGateway).to.equal(url);
    expect(extras.ipfsNode).to.equal(url);
    const status = await runCli(["stack", "status", "--raw", "--data-dir", dataDir], cwd);
    const parts = JSON.parse(status.stdout).parts as { name: string; answers: boolean; url: string }[];
    expect(
      parts.find((part) => part.name === "ipfs"),
      status.stdout,
    ).to.include({ answers: true });

    // The part runs with the node flags that keep its memory low (src/ipfs/process-flags.ts).
    const ipfsPart = ipfsPartCommandLine(dataDir);
    expect(ipfsPart, "the ipfs part's process").to.not.equal(undefined);
    expect(ipfsPart!.slice(0, ipfsPart!.indexOf("ipfs"))).to.include.members([...IPFS_NODE_FLAGS]);

    const bytes = randomBytes(300 * 1024);
    const { Hash } = await added(url, bytes);
    await stackDown(stack, dataDir, cwd);

    stack = await stackUp(dataDir, offset, cwd);
    const back = await fetch(`${url}/ipfs/${Hash}`);
    expect(back.status).to.equal(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).to.equal(true);
    await stackDown(stack, dataDir, cwd);
  });
});
