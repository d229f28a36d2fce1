/**
 * What the local stack needs on its chain before the services start, done once and checked on every
 * start: the workerpool, stake for its owner and its workers, RLC in the wallets of the walkthrough's
 * roles, and keystore files for the services that sign (the scheduler and the workers).
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { Wallet, getAddress } from "ethers";
import { IWorkerpoolRegistry__factory, RLC__factory } from "../../typechain-types";
import {
  InvalidInputError,
  OpenPoco,
  formatRlc,
  listWallets,
  parseRlc,
  saveWallet,
  type ChainConfig,
} from "../sdk";
import { FIRST_WORKER_ACCOUNT, STACK_ROLES, localAccountKey } from "./accounts";

/** The password of the stack's keystore files: their keys come from the public mnemonic anyway. */
export const STACK_WALLET_PASSWORD = "openpoco-local";
/** The description (and so the address) of the stack's workerpool. */
export const STACK_WORKERPOOL_DESCRIPTION = "OpenPoCo local workerpool";

const WORKERPOOL_OWNER_STAKE = parseRlc("1000", "RLC");
const WORKER_STAKE = parseRlc("100", "RLC");
const ROLE_WALLET_RLC = parseRlc("1000", "RLC");

/** A keystore file of the stack (one wallet per folder, so `--keystoredir` + `--wallet-file` pick it). */
export interface StackWallet {
  address: string;
  keystoreDir: string;
  walletFile: string;
}

/** What provisioning left in place. */
export interface Provisioned {
  workerpool: string;
  scheduler: StackWallet;
  workers: StackWallet[];
  /** Steps taken this time (empty when everything was there). */
  actions: string[];
}

async function stackWallet(keystoreRoot: string, key: string): Promise<StackWallet> {
  const wallet = new Wallet(key);
  const keystoreDir = path.join(keystoreRoot, wallet.address.toLowerCase());
  mkdirSync(keystoreDir, { recursive: true });
  const existing = (await listWallets(keystoreDir))[0];
  const walletFile = existing?.file ?? (await saveWallet(wallet, STACK_WALLET_PASSWORD, keystoreDir));
  return { address: wallet.address, keystoreDir, walletFile: path.basename(walletFile) };
}

/** Makes sure the stack's workerpool, stakes, role wallets and keystores exist on `chain`. */
export async function provisionStack(
  chain: ChainConfig,
  dataDir: string,
  workers: number,
): Promise<Provisioned> {
  const actions: string[] = [];
  const deployer = await OpenPoco.connect({ chain, signer: localAccountKey(STACK_ROLES.deployer) });
  const token = RLC__factory.connect(deployer.addresses.token, deployer.context.signer!);
  const funder = new Wallet(localAccountKey(STACK_ROLES.deployer)).address;
  /** Sends RLC from account #0, which holds the supply on a chain the stack deployed. */
  const fund = async (to: string, amount: bigint) => {
    const held = await token.balanceOf(funder);
    if (held < amount)
      throw new InvalidInputError(
        `The stack funds its accounts from account #0 of Hardhat's mnemonic (${funder}), which holds ` +
          `${formatRlc(held)}: attach it (--rpc) only to a development node with Hardhat's accounts, where ` +
          "account #0 deployed the contracts.",
      );
    await (await token.transfer(to, amount)).wait();
  };
  try {
    const ownerKey = localAccountKey(STACK_ROLES.workerpoolOwner);
    const owner = new Wallet(ownerKey).address;
    const registry = IWorkerpoolRegistry__factory.connect(
      deployer.addresses.workerpoolRegistry,
      deployer.context.provider,
    );
    const workerpool = getAddress(await registry.predictWorkerpool(owner, STACK_WORKERPOOL_DESCRIPTION));
    const ownerClient = await OpenPoco.connect({ chain, signer: ownerKey });
    try {
      if (!(await registry.isRegistered(workerpool))) {
        await ownerClient.assets.deployWorkerpool({ owner, description: STACK_WORKERPOOL_DESCRIPTION });
        actions.push(`workerpool ${workerpool} registered`);
      }
    } finally {
      ownerClient.close();
    }

    const stakeUp = async (key: string, target: bigint) => {
      const client = await OpenPoco.connect({ chain, signer: key });
      try {
        const { stake, address } = await client.account.show();
        if (stake >= target) return;
        const missing = target - stake;
        await fund(address, missing);
        await client.account.deposit(missing);
        actions.push(`${address} staked ${formatRlc(missing)}`);
      } finally {
        client.close();
      }
    };
    await stakeUp(ownerKey, WORKERPOOL_OWNER_STAKE);
    const workerKeys = Array.from({ length: workers }, (_, i) => localAccountKey(FIRST_WORKER_ACCOUNT + i));
    for (const key of workerKeys) await stakeUp(key, WORKER_STAKE);

    for (const role of [STACK_ROLES.appDeveloper, STACK_ROLES.datasetOwner, STACK_ROLES.requester]) {
      const address = new Wallet(localAccountKey(role)).address;
      const held = await token.balanceOf(address);
      if (held < ROLE_WALLET_RLC / 10n) {
        await fund(address, ROLE_WALLET_RLC - held);
        actions.push(`${address} received ${formatRlc(ROLE_WALLET_RLC - held)}`);
      }
    }

    const keystoreRoot = path.join(dataDir, "keystore");
    if (!existsSync(keystoreRoot)) mkdirSync(keystoreRoot, { recursive: true });
    return {
      workerpool,
      scheduler: await stackWallet(keystoreRoot, ownerKey),
      workers: await Promise.all(workerKeys.map((key) => stackWallet(keystoreRoot, key))),
      actions,
    };
  } finally {
    deployer.close();
  }
}
