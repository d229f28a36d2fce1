import { type Env, optionalGwei } from "./env";
import { deploySalt } from "./deterministic";

/**
 * Gas setting of every transaction of the deploy scripts: GAS_PRICE_GWEI, a fixed (legacy) gas
 * price, for chains without EIP-1559 or whose fee estimates are off. Unset, the node's fee data
 * decide. Gas limits are always estimated.
 */
export function txOverrides(env: Env = process.env): { gasPrice?: bigint } {
  const gasPrice = optionalGwei(env, "GAS_PRICE_GWEI");
  return gasPrice === undefined ? {} : { gasPrice };
}

/** The options shared by every `deployments.deploy` of the core: CREATE2 with the salt, gas settings. */
export function coreDeployOptions(env: Env = process.env): {
  deterministicDeployment: string;
  log: true;
  gasPrice?: string;
} {
  const { gasPrice } = txOverrides(env);
  return {
    deterministicDeployment: deploySalt(env),
    log: true,
    ...(gasPrice === undefined ? {} : { gasPrice: gasPrice.toString() }),
  };
}
