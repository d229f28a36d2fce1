import { ethers } from "hardhat";
import type { DeployFunction } from "hardhat-deploy/types";
import type { IHub } from "../typechain-types";
import { txOverrides } from "../scripts/lib/deploy-options";

/** The five default categories of PoCo, by work clock time reference (seconds). */
export const DEFAULT_CATEGORIES = [
  { name: "XS", description: '{"name":"XS","ref":"5 minutes"}', workClockTimeRef: 300 },
  { name: "S", description: '{"name":"S","ref":"20 minutes"}', workClockTimeRef: 1200 },
  { name: "M", description: '{"name":"M","ref":"1 hour"}', workClockTimeRef: 3600 },
  { name: "L", description: '{"name":"L","ref":"3 hours"}', workClockTimeRef: 10800 },
  { name: "XL", description: '{"name":"XL","ref":"10 hours"}', workClockTimeRef: 36000 },
];

const deployCategories: DeployFunction = async ({ deployments, getNamedAccounts }) => {
  const { deployer } = await getNamedAccounts();
  const address = (await deployments.get("Hub")).address;
  const hub = (await ethers.getContractAt(
    "IHub",
    address,
    await ethers.getSigner(deployer),
  )) as unknown as IHub;
  const existing = Number(await hub.countCategory());
  for (const category of DEFAULT_CATEGORIES.slice(existing)) {
    await (
      await hub.createCategory(category.name, category.description, category.workClockTimeRef, txOverrides())
    ).wait();
    deployments.log(`category ${category.name} (${category.workClockTimeRef} s) created`);
  }
};

deployCategories.tags = ["categories", "core"];
deployCategories.dependencies = ["hub"];
export default deployCategories;
