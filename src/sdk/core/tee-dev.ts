/**
 * The development TEE mode's shared rules: its warning, said wherever such a task shows, and the chains
 * it may run on. Development enclaves (`--tee dev`) run TEE tasks without hardware isolation, so their
 * operator sees the secrets: they are for local development chains only.
 */
import { InvalidInputError } from "./errors";
import { LOCAL_CHAIN_ID } from "./chains";
import { isTeeTag } from "./matching";

/** What every log, output and page about a development-enclave task says. */
export const DEV_ENCLAVE_WARNING = "development enclave: no hardware isolation; never use real secrets";

/** Chain ids of local development chains: Hardhat's (31337) and Ganache's / Geth dev mode's (1337). */
export const DEVELOPMENT_CHAIN_IDS: readonly bigint[] = [LOCAL_CHAIN_ID, 1337n];

/** True when `chainId` is a local development chain (DEVELOPMENT_CHAIN_IDS). */
export function isDevelopmentChain(chainId: bigint): boolean {
  return DEVELOPMENT_CHAIN_IDS.includes(chainId);
}

/**
 * What a deal's TEE means, for people: on a local development chain a TEE deal can only have run in a
 * development enclave (there are no real ones there), so every output about it says so. Undefined
 * for a standard deal, and for a TEE deal elsewhere (its enclave is whatever its workerpool runs).
 */
export function teeNotice(tag: string, chainId: bigint): string | undefined {
  if (!isTeeTag(tag) || !isDevelopmentChain(chainId)) return undefined;
  return `TEE task in a ${DEV_ENCLAVE_WARNING}`;
}

/** The option that lets a service run development enclaves on any chain, naming the risk. */
export const TEE_DEV_ANY_CHAIN_FLAG = "--tee-dev-on-any-chain";

/**
 * Refuses the development TEE mode on a chain that is not a local development chain, unless
 * `onAnyChain` (the TEE_DEV_ANY_CHAIN_FLAG option) says the operator knows.
 */
export function assertTeeDevAllowed(chainId: bigint, onAnyChain: boolean): void {
  if (isDevelopmentChain(chainId) || onAnyChain) return;
  throw new InvalidInputError(
    `--tee dev runs TEE tasks in a ${DEV_ENCLAVE_WARNING}, and chain ${chainId} is not a local development chain (${DEVELOPMENT_CHAIN_IDS.join(", ")}): requesters there may send real secrets. Run without --tee, or add ${TEE_DEV_ANY_CHAIN_FLAG} if this chain is a test chain whose users all know.`,
  );
}
