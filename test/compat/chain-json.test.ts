/**
 * The chain files we write, read by the official CLI (npm `iexec` 9.x) as they are: its chain.json schema
 * refuses any key it does not know, so our extra settings must live in the companion file. The official
 * binary runs `iexec info` in a folder holding our files; it names the chain it loaded before it touches the
 * network, or fails on chain.json's validation first.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { buildProgram } from "../../src/cli/main";
import { CHAIN_EXTRAS_JSON, CHAIN_JSON, resolveChain } from "../../src/sdk/core/chains";
import { writeStackChainFiles, type StackManifest } from "../../src/stack/layout";

const IEXEC_CLI = path.resolve(__dirname, "../../node_modules/iexec/dist/esm/cli/cmd/iexec.js");

/** What the official CLI printed for `iexec info --chain <chain>` in `cwd` (it ends in a network error or not). */
function officialInfo(cwd: string, chain: string): Promise<string> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [IEXEC_CLI, "info", "--chain", chain],
      { cwd, timeout: 60_000, env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } },
      (_error, stdout, stderr) => resolve(stdout + stderr),
    ),
  );
}

/** Asserts that the official CLI loaded the chain files of `dir` as they are, and picked chain "local". */
async function expectOfficialCliAccepts(dir: string): Promise<void> {
  const printed = await officialInfo(dir, "local");
  expect(printed).not.to.include("Unknown key");
  expect(printed).not.to.include("ValidationError");
  expect(printed).to.include("Using chain local [chainId: 31337]");
}

/** The files of `dir`, parsed. */
function readJson(dir: string, file: string): never {
  return JSON.parse(readFileSync(path.join(dir, file), "utf8")) as never;
}

/** The chain of a stack's manifest, as `stack up` writes it (every extra set; nothing listens on its ports). */
const STACK_CHAIN: StackManifest["chain"] = {
  name: "local",
  host: "http://127.0.0.1:1",
  id: "31337",
  hub: "0x7fCEaF28eba6c8F8cA2351428c90b0278b496852",
  iexecGateway: "http://127.0.0.1:3000",
  sms: "http://127.0.0.1:13300",
  resultProxy: "http://127.0.0.1:13200",
  ipfsGateway: "http://127.0.0.1:13600",
  ipfsNode: "http://127.0.0.1:13600",
  compass: "http://127.0.0.1:3000/compass",
  explorer: "http://127.0.0.1:13000",
};

describe("chain.json as the official iexec CLI reads it @compat", function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-chain-json-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a chain with our extra keys (the check below sees a refusal)", async function () {
    writeFileSync(
      path.join(dir, CHAIN_JSON),
      JSON.stringify({ default: "local", chains: { local: { ...STACK_CHAIN, name: undefined } } }),
    );
    expect(await officialInfo(dir, "local")).to.match(
      /ValidationError: Unknown key "resultProxy, ipfsNode, explorer" in chain\.json/,
    );
  });

  it("accepts the stack's chain.json unchanged, and our loader reads every extra back", async function () {
    await writeStackChainFiles(dir, STACK_CHAIN);
    await expectOfficialCliAccepts(dir);
    const chain = resolveChain(readJson(dir, CHAIN_JSON), undefined, readJson(dir, CHAIN_EXTRAS_JSON));
    expect(chain).to.deep.equal({ ...STACK_CHAIN, id: 31337n });
  });

  it("accepts the chain.json of `openpoco init` unchanged, and our loader reads its extras back", async function () {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await buildProgram().parseAsync(["node", "openpoco", "init", "--skip-wallet", "--quiet"]);
    } finally {
      process.chdir(cwd);
    }
    expect(process.exitCode ?? 0).to.equal(0);
    await expectOfficialCliAccepts(dir);
    const chain = resolveChain(readJson(dir, CHAIN_JSON), undefined, readJson(dir, CHAIN_EXTRAS_JSON));
    expect(chain.resultProxy).to.equal("http://127.0.0.1:13200");
    expect(chain.ipfsNode).to.equal("http://127.0.0.1:13600");
  });
});
