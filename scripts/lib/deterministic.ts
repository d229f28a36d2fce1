import { getCreate2Address, id, isHexString, keccak256, zeroPadValue } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { type Env, EnvError, optional } from "./env";
import { HUB_FACETS } from "./hub-facets";

/**
 * Every contract of the core deployment goes through CREATE2 from this factory (Arachnid's
 * deterministic deployment proxy, hardhat-deploy's default), so that its address depends on the
 * salt and the init code (bytecode + constructor arguments, the deployer among them) only, not on
 * the chain or the deployer's nonce. hardhat-deploy sets the factory up where it is missing.
 */
export const CREATE2_FACTORY = "0x4e59b44847b379578588920ca78fbf26c0b4956c";

/** The salt when DEPLOY_SALT is unset: keccak256("OpenPoCo"). */
export const DEFAULT_DEPLOY_SALT = id("OpenPoCo");

/** The CREATE2 salt: DEPLOY_SALT (0x + 64 hex digits) or the default. */
export function deploySalt(env: Env = process.env): string {
  const value = optional(env, "DEPLOY_SALT");
  if (value === undefined) return DEFAULT_DEPLOY_SALT;
  if (!isHexString(value, 32)) {
    throw new EnvError(
      "DEPLOY_SALT",
      `DEPLOY_SALT must be 32 bytes in hex (0x followed by 64 hex digits), got ${JSON.stringify(value)}.`,
    );
  }
  return zeroPadValue(value, 32);
}

/** Where the factory puts `initCode` with `salt`. */
export function create2Address(salt: string, initCode: string): string {
  return getCreate2Address(CREATE2_FACTORY, salt, keccak256(initCode));
}

/**
 * The address of each contract of the core deployment for `deployer` and `salt`, computed from
 * the compiled artifacts without touching any chain. `token` is an existing RLC (RLC_ADDRESS);
 * without it the test token is predicted too. `Hub` is the HubProxy.
 */
export async function predictCoreAddresses(
  hre: HardhatRuntimeEnvironment,
  deployer: string,
  salt: string,
  token?: string,
): Promise<Record<string, string>> {
  const at = async (name: string, args: unknown[]) => {
    const factory = await hre.ethers.getContractFactory(name);
    const { data } = await factory.getDeployTransaction(...args);
    return create2Address(salt, data);
  };
  const addresses: Record<string, string> = {};
  if (token === undefined) token = addresses.RLC = await at("RLC", [deployer]);
  for (const name of ["AppRegistry", "DatasetRegistry", "WorkerpoolRegistry"]) {
    addresses[name] = await at(name, [deployer]);
  }
  addresses.RouterFacet = await at("RouterFacet", []);
  for (const facet of HUB_FACETS) addresses[facet.name] = await at(facet.name, facet.args(token));
  addresses.HubProxy = addresses.Hub = await at("HubProxy", [deployer, addresses.RouterFacet]);
  return addresses;
}
