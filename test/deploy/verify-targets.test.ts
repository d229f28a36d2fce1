/**
 * What scripts/verify-deployment.ts submits to the explorer, built from the deployments: every
 * contract once, under its fully qualified name, with the constructor arguments it was deployed
 * with (checked by rebuilding its init code and finding its CREATE2 address again).
 */
import { expect } from "chai";
import hre, { deployments, ethers } from "hardhat";
import type { Deployment } from "hardhat-deploy/types";
import {
  type ContractLookup,
  assetMasterTargets,
  contractLookup,
  verificationTargets,
} from "../../scripts/lib/verify-targets";
import { DEFAULT_DEPLOY_SALT, create2Address } from "../../scripts/lib/deterministic";
import { HUB_FACETS } from "../../scripts/lib/hub-facets";
import { CORE_CONTRACTS } from "./child";

describe("@deploy verification targets", () => {
  let all: Record<string, Deployment>;
  let lookup: ContractLookup;

  before(async () => {
    await deployments.fixture(["core"]);
    all = await deployments.all();
    lookup = await contractLookup(hre.artifacts);
  });

  it("lists every deployed contract once, the proxy as HubProxy rather than Hub", () => {
    const targets = verificationTargets(all, lookup);
    const names = targets.map((target) => target.name).sort();
    expect(names).to.deep.equal([...CORE_CONTRACTS, ...HUB_FACETS.map((facet) => facet.name)].sort());
    expect(new Set(targets.map((target) => target.address)).size).to.equal(targets.length);
  });

  it("names each contract as compiled and gives the arguments it was deployed with", async () => {
    const [deployer] = await ethers.getSigners();
    const targets = verificationTargets(all, lookup);
    const proxy = targets.find((target) => target.name === "HubProxy")!;
    expect(proxy.contract).to.equal("contracts/hub/HubProxy.sol:HubProxy");
    expect(proxy.address).to.equal((await deployments.get("Hub")).address);
    expect(proxy.constructorArguments).to.deep.equal([
      deployer.address,
      (await deployments.get("RouterFacet")).address,
    ]);
    expect(targets.find((target) => target.name === "EscrowFacet")!.constructorArguments).to.deep.equal([
      (await deployments.get("RLC")).address,
    ]);
    for (const target of targets) {
      const [source, name] = target.contract.split(":");
      expect((await hre.artifacts.readArtifact(name)).sourceName, target.name).to.equal(source);
      const { data } = await (
        await ethers.getContractFactory(name)
      ).getDeployTransaction(...target.constructorArguments);
      expect(create2Address(DEFAULT_DEPLOY_SALT, data), target.name).to.equal(target.address);
    }
  });

  it("skips a token given by RLC_ADDRESS, which has no bytecode in its deployment", () => {
    const external = { ...all, RLC: { address: "0x" + "11".repeat(20), abi: [] } as unknown as Deployment };
    const targets = verificationTargets(external, lookup);
    expect(targets.map((target) => target.name)).not.to.include("RLC");
    expect(targets).to.have.length(verificationTargets(all, lookup).length - 1);
  });

  it("adds each registry's asset implementation, whose argument is the registry", async () => {
    const master = async (registry: string) => (await ethers.getContractAt("IRegistry", registry)).master();
    const targets = await assetMasterTargets(all, master);
    const apps = (await deployments.get("AppRegistry")).address;
    expect(targets.map((target) => target.contract)).to.deep.equal([
      "contracts/assets/App.sol:App",
      "contracts/assets/Dataset.sol:Dataset",
      "contracts/assets/Workerpool.sol:Workerpool",
    ]);
    expect(targets[0].constructorArguments).to.deep.equal([apps]);
    // The registry's constructor created it: the registry's first CREATE.
    expect(targets[0].address).to.equal(ethers.getCreateAddress({ from: apps, nonce: 1 }));
  });
});
