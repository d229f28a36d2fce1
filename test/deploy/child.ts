import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { DEPLOY_VARIABLES } from "../../src/stack/layout";

/** Child Hardhat processes for the deploy tests: `hardhat node` on another chain, `hardhat deploy`. */

export const ROOT = path.join(__dirname, "..", "..");

/** The core deployment's contracts besides the facets (the hub is also saved as "Hub", HubProxy's address). */
export const CORE_CONTRACTS = [
  "RLC",
  "AppRegistry",
  "DatasetRegistry",
  "WorkerpoolRegistry",
  "RouterFacet",
  "HubProxy",
];
const HARDHAT = require.resolve("hardhat/internal/cli/cli.js");

export interface Run {
  code: number | null;
  output: string;
}

/** Runs the project's Hardhat with `args` and `env` on top of a clean environment. */
export function hardhat(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { ...process.env };
  for (const name of DEPLOY_VARIABLES) delete base[name];
  const child = spawn(process.execPath, [HARDHAT, ...args], { cwd: ROOT, env: { ...base, ...env } });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Node {
  url: string;
  stop(): Promise<void>;
}

/**
 * A fresh `hardhat node` (default mnemonic, cancun) with chain id `chainId`, from a throwaway
 * config so that the project's hardhat network (31337) stays as it is.
 */
export async function startNode(chainId: number): Promise<Node> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-node-"));
  const config = path.join(dir, "hardhat.config.js");
  writeFileSync(
    config,
    `module.exports = { networks: { hardhat: { chainId: ${chainId}, hardfork: "cancun" } } };\n`,
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [HARDHAT, "--config", config, "node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: ROOT, stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let waited = 0; ; waited += 250) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || waited > 30_000) {
      await stop();
      throw new Error(`hardhat node on port ${port} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
