import type { DeployFunction } from "hardhat-deploy/types";

/** The three asset registries (ERC-721), each with its asset implementation. */
const deployRegistries: DeployFunction = async ({ deployments, getNamedAccounts }) => {
  const { deployer } = await getNamedAccounts();
  for (const name of ["AppRegistry", "DatasetRegistry", "WorkerpoolRegistry"]) {
    await deployments.deploy(name, { from: deployer, args: [deployer], log: true });
  }
};

deployRegistries.tags = ["registries", "core"];
export default deployRegistries;
