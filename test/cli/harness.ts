/**
 * Runs the real `openpoco` binary (dist/src/cli/main.js, built by `npm run build`, which `npm test`
 * runs first) in a temporary folder, against the in-process Hardhat chain served over JSON-RPC.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre, { deployments } from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import type { Json } from "../json";

export const CLI = path.resolve(__dirname, "../../dist/src/cli/main.js");

/** What one run of the binary printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface JsonRpcServer {
  listen(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

/** A port nobody listens on: services "not started yet" answer there. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Serves the in-process Hardhat network over JSON-RPC on a free port, for child processes and services. */
export async function serveInProcessChain(): Promise<{ url: string; close(): Promise<void> }> {
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, {
    hostname: "127.0.0.1",
    port: 0,
    provider: hre.network.provider,
  })) as JsonRpcServer;
  const { port } = await server.listen();
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** A temporary project folder, a JSON-RPC server over the test chain, and a way to run the CLI there. */
export class CliHarness {
  private constructor(
    readonly dir: string,
    readonly rpcUrl: string,
    readonly hub: string,
    readonly deadUrl: string,
    private readonly server: { close(): Promise<void> },
  ) {}

  /** Deploys the core contracts (the fixture), serves the chain, and makes a temporary folder. */
  static async start(): Promise<CliHarness> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
    await deployments.fixture(["core"]);
    const chain = await serveInProcessChain();
    const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-cli-"));
    const hub = (await deployments.get("Hub")).address;
    return new CliHarness(dir, chain.url, hub, `http://127.0.0.1:${await closedPort()}`, chain);
  }

  /** The chain.json of the test chain; the services point at a closed port until they exist (IPFS: absent). */
  writeChainJson(
    services: {
      iexecGateway?: string;
      sms?: string;
      resultProxy?: string;
      ipfsGateway?: string;
      ipfsNode?: string;
    } = {},
  ): void {
    const chain = {
      host: this.rpcUrl,
      id: "31337",
      hub: this.hub,
      iexecGateway: services.iexecGateway ?? this.deadUrl,
      sms: services.sms ?? this.deadUrl,
      resultProxy: services.resultProxy ?? this.deadUrl,
      // IPFS is optional in chain.json: left out unless given.
      ipfsGateway: services.ipfsGateway,
      ipfsNode: services.ipfsNode,
    };
    writeFileSync(
      path.join(this.dir, "chain.json"),
      JSON.stringify({ default: "test", chains: { test: chain } }, null, 2),
    );
  }

  /** Runs `openpoco <args>` in the project folder (asynchronously: the chain answers from this process). */
  run(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { cwd: this.dir, env: { ...process.env, HOME: this.dir, ...env }, maxBuffer: 16 << 20 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Runs with --raw and returns the JSON object, asserting it succeeded. */
  async raw(args: string[], env: Record<string, string> = {}): Promise<Json> {
    const result = await this.run([...args, "--raw"], env);
    const json = parseSingleJson(result);
    expect(json.ok, `openpoco ${args.join(" ")} failed: ${result.stdout} ${result.stderr}`).to.equal(true);
    expect(result.code).to.equal(0);
    return json;
  }

  /** Runs with --raw and returns the error object, asserting it failed with exit code 1. */
  async rawError(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ name: string; message: string; code?: string }> {
    const result = await this.run([...args, "--raw"], env);
    const json = parseSingleJson(result);
    expect(json.ok, `openpoco ${args.join(" ")} should have failed: ${result.stdout}`).to.equal(false);
    expect(result.code).to.equal(1);
    return json.error;
  }

  /** Stops the server and removes the folder. */
  async stop(): Promise<void> {
    await this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** --raw promises exactly one JSON object on stdout. */
function parseSingleJson(result: CliRun): Json {
  const lines = result.stdout.trim().split("\n");
  expect(lines, `stdout should be one JSON line: ${result.stdout} / ${result.stderr}`).to.have.length(1);
  return JSON.parse(lines[0]);
}
