import type { HardhatUserConfig } from "hardhat/config";
import { type Env, EnvError, optional, optionalPositiveInteger, requireUrl } from "./env";

type VerifyConfig = Pick<HardhatUserConfig, "etherscan" | "blockscout" | "sourcify">;

/**
 * hardhat-verify's configuration for network `network`, from the environment:
 * - ETHERSCAN_API_KEY: one Etherscan key (API v2 serves every chain Etherscan knows);
 * - EXPLORER_API_URL, EXPLORER_BROWSER_URL, EXPLORER_CHAIN_ID (else CHAIN_ID): an explorer that
 *   hardhat-verify does not know, as a Blockscout instance (EXPLORER_KIND=blockscout, the default,
 *   no key needed) or an Etherscan-compatible API (EXPLORER_KIND=etherscan, with ETHERSCAN_API_KEY).
 * With neither, verification is off and the verify script says what to set.
 */
export function explorerFromEnv(network: string, env: Env): VerifyConfig {
  const apiKey = optional(env, "ETHERSCAN_API_KEY");
  const config: VerifyConfig = {
    etherscan: { enabled: apiKey !== undefined, apiKey: apiKey ?? "" },
    blockscout: { enabled: false },
    sourcify: { enabled: false },
  };
  if (optional(env, "EXPLORER_API_URL") === undefined) return config;

  const why = "the explorer needs both EXPLORER_API_URL and EXPLORER_BROWSER_URL";
  const apiURL = requireUrl(env, "EXPLORER_API_URL", why);
  const browserURL = requireUrl(env, "EXPLORER_BROWSER_URL", why);
  const chainId =
    optionalPositiveInteger(env, "EXPLORER_CHAIN_ID") ?? optionalPositiveInteger(env, "CHAIN_ID");
  if (chainId === undefined) {
    throw new EnvError(
      "EXPLORER_CHAIN_ID",
      "EXPLORER_CHAIN_ID (or CHAIN_ID) is not set: give the chain id of EXPLORER_API_URL's chain.",
    );
  }
  const custom = { network, chainId, urls: { apiURL, browserURL } };
  const kind = optional(env, "EXPLORER_KIND") ?? "blockscout";
  if (kind === "blockscout") {
    config.blockscout = { enabled: true, customChains: [custom] };
  } else if (kind === "etherscan") {
    if (apiKey === undefined) {
      throw new EnvError(
        "ETHERSCAN_API_KEY",
        "ETHERSCAN_API_KEY is not set: EXPLORER_KIND=etherscan needs the explorer's API key.",
      );
    }
    config.etherscan = { enabled: true, apiKey, customChains: [custom] };
  } else {
    throw new EnvError(
      "EXPLORER_KIND",
      `EXPLORER_KIND must be "blockscout" or "etherscan", got ${JSON.stringify(kind)}.`,
    );
  }
  return config;
}
