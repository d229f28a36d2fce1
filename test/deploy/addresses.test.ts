/**
 * The core deployment on the in-process network: every contract lands at its CREATE2 address
 * (predicted from the artifacts alone, hence the same on any chain), the hub where LOCAL_CHAIN
 * says, and re-running the scripts sends nothing unless something changed.
 */
import { expect } from "chai";
import hre, { deployments, ethers } from "hardhat";
import { LOCAL_CHAIN } from "../../src/sdk";
import { CREATE2_FACTORY, DEFAULT_DEPLOY_SALT, predictCoreAddresses } from "../../scripts/lib/deterministic";
import { HUB_FACETS, selectorsOf } from "../../scripts/lib/hub-facets";
import { CORE_CONTRACTS } from "./child";
import type { IHub } from "../../typechain-types";

/** Re-runs every deploy script against the current chain, as `hardhat deploy` would. */
async function redeploy(): Promise<void> {
  await deployments.run(["core"], {
    resetMemory: false,
    deletePreviousDeployments: false,
    writeDeploymentsToFiles: false,
  });
}

describe("@deploy deterministic addresses", function () {
  let deployer: string;
  let hub: IHub;

  beforeEach(async () => {
    await deployments.fixture(["core"]);
    deployer = (await ethers.getSigners())[0].address;
    hub = (await ethers.getContractAt("IHub", (await deployments.get("Hub")).address)) as unknown as IHub;
  });

  it("deploys every contract through the CREATE2 factory, where the artifacts predict", async () => {
    expect(await ethers.provider.getCode(CREATE2_FACTORY)).not.to.equal("0x");
    const predicted = await predictCoreAddresses(hre, deployer, DEFAULT_DEPLOY_SALT);
    for (const name of [...CORE_CONTRACTS, "Hub", ...HUB_FACETS.map((facet) => facet.name)]) {
      expect((await deployments.get(name)).address, name).to.equal(predicted[name]);
      expect(await ethers.provider.getCode(predicted[name]), name).not.to.equal("0x");
    }
  });

  it("puts the hub at LOCAL_CHAIN.hub (update it when HubProxy's or RouterFacet's code changes)", async function () {
    const predicted = await predictCoreAddresses(hre, deployer, DEFAULT_DEPLOY_SALT);
    expect(predicted.Hub).to.equal(LOCAL_CHAIN.hub);
    expect(await hub.getAddress()).to.equal(LOCAL_CHAIN.hub);
  });

  it("gives other addresses for another salt or another deployer", async () => {
    const salt = "0x" + "42".repeat(32);
    const base = await predictCoreAddresses(hre, deployer, DEFAULT_DEPLOY_SALT);
    expect((await predictCoreAddresses(hre, deployer, salt)).Hub).not.to.equal(base.Hub);
    const other = (await ethers.getSigners())[1].address;
    expect((await predictCoreAddresses(hre, other, DEFAULT_DEPLOY_SALT)).Hub).not.to.equal(base.Hub);
  });

  it("keeps the hub's owner and the token's holder the deployer, not the factory", async () => {
    expect(await hub.owner()).to.equal(deployer);
    const rlc = await ethers.getContractAt("RLC", (await deployments.get("RLC")).address);
    expect(await rlc.balanceOf(deployer)).to.equal(await rlc.totalSupply());
  });

  it("re-running the deploy sends no transaction", async () => {
    const nonce = await ethers.provider.getTransactionCount(deployer);
    const block = await ethers.provider.getBlockNumber();
    await redeploy();
    expect(await ethers.provider.getTransactionCount(deployer)).to.equal(nonce);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    expect(await hub.countCategory()).to.equal(5n);
  });

  it("re-routes selectors that point elsewhere, and only those", async () => {
    const category = (await deployments.get("CategoryFacet")).address;
    const ownership = (await deployments.get("OwnershipFacet")).address;
    const selectors = selectorsOf((await hre.artifacts.readArtifact("CategoryFacet")).abi);
    await (await hub.setRoutes(selectors, ownership)).wait();
    const nonce = await ethers.provider.getTransactionCount(deployer);
    await redeploy();
    for (const selector of selectors) expect(await hub.facetOf(selector)).to.equal(category);
    expect(await ethers.provider.getTransactionCount(deployer)).to.equal(nonce + 1);
  });

  it("redeploys and re-routes a facet whose init code changed (upgrade), keeping the hub", async () => {
    // A facet taking another token is another init code: the same path as a facet whose code changed.
    const before = {
      config: (await deployments.get("ConfigFacet")).address,
      escrow: (await deployments.get("EscrowFacet")).address,
      matching: (await deployments.get("MatchingFacet")).address,
    };
    const otherToken = await (await ethers.getContractFactory("RLC")).deploy(deployer);
    process.env.RLC_ADDRESS = await otherToken.getAddress();
    try {
      await redeploy();
    } finally {
      delete process.env.RLC_ADDRESS;
    }
    const config = (await deployments.get("ConfigFacet")).address;
    expect(config).not.to.equal(before.config);
    expect((await deployments.get("EscrowFacet")).address).not.to.equal(before.escrow);
    expect((await deployments.get("MatchingFacet")).address).to.equal(before.matching);
    expect((await deployments.get("Hub")).address).to.equal(LOCAL_CHAIN.hub);
    const [selector] = selectorsOf((await hre.artifacts.readArtifact("ConfigFacet")).abi);
    expect(await hub.facetOf(selector)).to.equal(config);
  });
});
