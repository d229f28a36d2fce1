/**
 * The local stack's accounts: Hardhat's default mnemonic, public and for local chains only. Each role
 * of the marketplace gets its own account, the same ones the end-to-end tests use.
 */
import { HDNodeWallet } from "ethers";

/** Hardhat's default mnemonic. Never use its accounts on a public chain. */
export const LOCAL_MNEMONIC = "test test test test test test test test test test test junk";

/** Account indices of the roles (the deployer holds the whole RLC supply). */
export const STACK_ROLES = {
  deployer: 0,
  appDeveloper: 1,
  datasetOwner: 2,
  workerpoolOwner: 3,
  requester: 4,
} as const;

/** Index of the first worker's account; worker i uses FIRST_WORKER_ACCOUNT + i. */
export const FIRST_WORKER_ACCOUNT = 10;

/** The private key of the default mnemonic's account `index`. */
export function localAccountKey(index: number): string {
  return HDNodeWallet.fromPhrase(LOCAL_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}
