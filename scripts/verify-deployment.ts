import hre from "hardhat";
import { assetMasterTargets, contractLookup, verificationTargets } from "./lib/verify-targets";

/**
 * Verifies on the network's explorer every contract of deployments/<network>/ with its
 * constructor arguments (plus the registries' asset implementations), through hardhat-verify:
 *   npx hardhat run scripts/verify-deployment.ts --network <name>
 * VERIFY_DRY_RUN=1 prints what would be submitted and submits nothing. Already verified contracts
 * are reported as such; the exit code is 1 when any verification failed.
 */
async function main(): Promise<void> {
  const network = hre.network.name;
  const all = await hre.deployments.all();
  if (Object.keys(all).length === 0) {
    throw new Error(
      `deployments/${network}/ holds no deployment: run \`npx hardhat deploy --network ${network}\` first.`,
    );
  }
  const lookup = await contractLookup(hre.artifacts);
  const master = async (registry: string) => (await hre.ethers.getContractAt("IRegistry", registry)).master();
  const targets = [...verificationTargets(all, lookup), ...(await assetMasterTargets(all, master))];

  if (process.env.VERIFY_DRY_RUN === "1") {
    console.log(JSON.stringify(targets, null, 2));
    return;
  }
  const { etherscan, blockscout, sourcify } = hre.config;
  if (!etherscan.enabled && !blockscout.enabled && !sourcify.enabled) {
    throw new Error(
      "No explorer to verify on: set ETHERSCAN_API_KEY, or EXPLORER_API_URL, EXPLORER_BROWSER_URL and EXPLORER_CHAIN_ID (see docs/deploying.md).",
    );
  }
  const failed: string[] = [];
  for (const target of targets) {
    console.log(`verifying ${target.name} (${target.contract}) at ${target.address}`);
    try {
      await hre.run("verify:verify", {
        address: target.address,
        contract: target.contract,
        constructorArguments: target.constructorArguments,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/already verified/i.test(message)) continue;
      console.error(`  failed: ${message}`);
      failed.push(target.name);
    }
  }
  if (failed.length > 0) throw new Error(`verification failed for ${failed.join(", ")}`);
  console.log(`${targets.length} contracts verified`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
