/**
 * `hardhat deploy` on a network named on the command line, built from RPC_URL: a `hardhat node`
 * child with another chain id (1338) gets the very addresses of the in-process chain (31337); a
 * re-run sends nothing; a fresh node is deployed anew despite the previous chain's files; missing
 * or malformed variables fail naming the variable.
 */
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { deployments, ethers } from "hardhat";
import { HUB_FACETS } from "../../scripts/lib/hub-facets";
import { CORE_CONTRACTS, ROOT, hardhat, startNode, type Node } from "./child";

const NAMES = [...CORE_CONTRACTS, "Hub", ...HUB_FACETS.map((facet) => facet.name)];
/** Hardhat's account #0 of the default mnemonic: public test key. */
const ACCOUNT0_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ACCOUNT0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

describe("@deploy any chain from the environment", function () {
  this.timeout(180_000);
  const network = `deploytest${process.pid}`;
  const folder = path.join(ROOT, "deployments", network);
  let node: Node | undefined;
  let local: Record<string, string>;

  /** Addresses written to deployments/<network>/. */
  const written = () =>
    Object.fromEntries(
      readdirSync(folder)
        .filter((file) => file.endsWith(".json"))
        .map((file) => [
          file.slice(0, -5),
          JSON.parse(readFileSync(path.join(folder, file), "utf8")).address,
        ]),
    );
  const deploy = (env: Record<string, string>) => hardhat(["deploy", "--network", network], env);
  /** Moves account #0's nonce away from the in-process chain's, so that only CREATE2 can match. */
  const bumpNonce = async (url: string) => {
    const provider = new JsonRpcProvider(url);
    const tx = { from: ACCOUNT0, to: ACCOUNT0, value: "0x0" };
    for (let i = 0; i < 3; i++) await provider.send("eth_sendTransaction", [tx]);
    provider.destroy();
  };

  before(async function () {
    await deployments.fixture(["core"]);
    local = Object.fromEntries(
      await Promise.all(NAMES.map(async (name) => [name, (await deployments.get(name)).address])),
    );
    node = await startNode(1338);
  });

  after(async () => {
    await node?.stop();
    rmSync(folder, { recursive: true, force: true });
    // deployments/ itself only when this test created it (nothing else in it).
    const parent = path.dirname(folder);
    if (existsSync(parent) && readdirSync(parent).length === 0) rmdirSync(parent);
  });

  it("deploys at the in-process chain's addresses, with the node's unlocked account #0", async () => {
    await bumpNonce(node!.url);
    const run = await deploy({ RPC_URL: node!.url });
    expect(run.code, run.output).to.equal(0);
    expect(readFileSync(path.join(folder, ".chainId"), "utf8")).to.equal("1338");
    const addresses = written();
    for (const name of NAMES) expect(addresses[name], name).to.equal(local[name]);
    expect((await ethers.provider.getNetwork()).chainId).to.equal(31337n);
  });

  it("re-running against the same chain sends nothing", async () => {
    const provider = new JsonRpcProvider(node!.url);
    const nonce = await provider.getTransactionCount(ACCOUNT0);
    const run = await deploy({ RPC_URL: node!.url });
    expect(run.code, run.output).to.equal(0);
    expect(run.output).not.to.match(/deploying|routed|configured|category/);
    expect(await provider.getTransactionCount(ACCOUNT0)).to.equal(nonce);
    provider.destroy();
  });

  it("deploys a fresh chain anew although the folder holds the previous chain's files", async () => {
    await node!.stop();
    node = await startNode(1338);
    expect(existsSync(path.join(folder, "HubProxy.json"))).to.equal(true);
    await bumpNonce(node.url);
    const run = await deploy({ RPC_URL: node.url, DEPLOYER_PRIVATE_KEY: ACCOUNT0_KEY, CHAIN_ID: "1338" });
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.include("deploying create2 deployer contract");
    const provider = new JsonRpcProvider(node.url);
    const hub = await ethers.getContractAt("IHub", local.Hub);
    expect(await provider.getCode(local.Hub)).not.to.equal("0x");
    const count = await provider.call({
      to: local.Hub,
      data: hub.interface.encodeFunctionData("countCategory"),
    });
    expect(BigInt(count)).to.equal(5n);
    expect(written().Hub).to.equal(local.Hub);
    provider.destroy();
  });

  it("fails naming RPC_URL and the network when RPC_URL is missing", async () => {
    const run = await deploy({});
    expect(run.code).not.to.equal(0);
    expect(run.output).to.include(
      `RPC_URL is not set: set it to the JSON-RPC URL of the node of network "${network}"`,
    );
  });

  it("fails naming DEPLOYER_PRIVATE_KEY when malformed, without printing it", async () => {
    const run = await deploy({ RPC_URL: node!.url, DEPLOYER_PRIVATE_KEY: "0xabc123secret" });
    expect(run.code).not.to.equal(0);
    expect(run.output).to.include("DEPLOYER_PRIVATE_KEY is not a private key");
    expect(run.output).not.to.include("abc123secret");
  });
});
