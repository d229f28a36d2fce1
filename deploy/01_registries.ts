import type { DeployFunction } from "hardhat-deploy/types";
import { coreDeployOptions } from "../scripts/lib/deploy-options";

/** The three asset registries (ERC-721), each with its asset implementation. */
const deployRegistries: DeployFunction = async ({ deployments, getNamedAccounts }) => {
  const { deployer } = await getNamedAccounts();
  for (const name of ["AppRegistry", "DatasetRegistry", "WorkerpoolRegistry"]) {
    await deployments.deploy(name, { from: deployer, args: [deployer], ...coreDeployOptions() });
  }
};

deployRegistries.tags = ["registries", "core"];
export default deployRegistries;
