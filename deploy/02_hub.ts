import { ethers } from "hardhat";
import type { DeployFunction } from "hardhat-deploy/types";
import { HUB_FACETS, applyRoutes, routingTable } from "../scripts/lib/hub-facets";
import { coreDeployOptions, txOverrides } from "../scripts/lib/deploy-options";
import type { IHub } from "../typechain-types";

/**
 * The hub: its facets, the proxy, the routes of every facet's selectors, then the one-time
 * configuration. Re-running routes only what changed, so the same script upgrades the hub. Every
 * contract goes through CREATE2 (coreDeployOptions): a changed facet lands at a new address and
 * is re-routed, an unchanged one is found where it already is, on this chain or any other.
 */
const deployHub: DeployFunction = async (hre) => {
  const { deployments, getNamedAccounts, artifacts } = hre;
  const { deployer } = await getNamedAccounts();
  const token = (await deployments.get("RLC")).address;
  const options = coreDeployOptions();

  const router = await deployments.deploy("RouterFacet", { from: deployer, ...options });
  const facets = new Map<string, string>();
  for (const facet of HUB_FACETS) {
    const result = await deployments.deploy(facet.name, {
      from: deployer,
      args: facet.args(token),
      ...options,
    });
    facets.set(facet.name, result.address);
  }
  const proxy = await deployments.deploy("HubProxy", {
    from: deployer,
    args: [deployer, router.address],
    ...options,
  });
  const { abi } = await artifacts.readArtifact("IHub");
  await deployments.save("Hub", { ...proxy, abi });

  const hub = (await ethers.getContractAt(
    "IHub",
    proxy.address,
    await ethers.getSigner(deployer),
  )) as unknown as IHub;
  const table = await routingTable(hre, [...facets.keys()]);
  const changed = await applyRoutes(hub, table, facets, txOverrides());
  if (changed > 0) deployments.log(`routed ${changed} selectors`);

  if ((await hub.appregistry()) === ethers.ZeroAddress) {
    await (
      await hub.configure(
        token,
        "Staked RLC",
        "SRLC",
        9,
        (await deployments.get("AppRegistry")).address,
        (await deployments.get("DatasetRegistry")).address,
        (await deployments.get("WorkerpoolRegistry")).address,
        ethers.ZeroAddress,
        txOverrides(),
      )
    ).wait();
    deployments.log("hub configured");
  }
};

deployHub.tags = ["hub", "core"];
deployHub.dependencies = ["RLC", "registries"];
export default deployHub;
