import type { DeployFunction } from "hardhat-deploy/types";
import { coreDeployOptions } from "../scripts/lib/deploy-options";

/**
 * RLC: on local and test chains a fresh test token whose supply goes to the deployer; on a
 * network with a real RLC, give its address in RLC_ADDRESS and nothing is deployed.
 */
const deployToken: DeployFunction = async ({ deployments, getNamedAccounts }) => {
  const { deployer } = await getNamedAccounts();
  const existing = process.env.RLC_ADDRESS;
  if (existing) {
    const { abi } = await deployments.getArtifact("RLC");
    await deployments.save("RLC", { address: existing, abi });
    deployments.log(`RLC: using ${existing} from RLC_ADDRESS`);
    return;
  }
  await deployments.deploy("RLC", { from: deployer, args: [deployer], ...coreDeployOptions() });
};

deployToken.tags = ["RLC", "core"];
export default deployToken;
