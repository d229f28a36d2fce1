/** `wallet create|import|show`: encrypted keystore files, and the balances of an address. */
import type { Command } from "commander";
import { Wallet, formatEther } from "ethers";
import { checkedAddress } from "../../sdk/core/client/account";
import { InvalidInputError } from "../../sdk/core/errors";
import { listWallets, saveWallet } from "../../sdk/node/keystore";
import { formatRlc } from "../../sdk/core/units";
import { action } from "../action";
import { promptPassword } from "../prompt";
import { PASSWORD_ENV, type Session } from "../session";

async function newPassword(session: Session): Promise<string> {
  const given = session.options.password ?? process.env[PASSWORD_ENV];
  if (given !== undefined) return given;
  const first = await promptPassword("Choose a password to encrypt the wallet:");
  const again = await promptPassword("Type it again:");
  if (first !== again) throw new InvalidInputError("The two passwords differ: run the command again.");
  return first;
}

async function save(session: Session, wallet: Wallet, verb: string, force = false): Promise<void> {
  const dir = session.keystoreDir();
  const existing = await listWallets(dir);
  // One wallet per folder unless asked: commands then find it without --wallet-address.
  if (existing.length > 0 && !force)
    throw new InvalidInputError(
      `${existing.length} wallet(s) already in ${dir}: pass --force to add another, or use it.`,
    );
  const password = await newPassword(session);
  const file = await session.out.step("Encrypting the wallet", saveWallet(wallet, password, dir));
  session.out.success(`Wallet ${verb}`, { address: wallet.address, fileName: file });
  session.out.set({ address: wallet.address, fileName: file });
}

/** Creates a random wallet and saves it encrypted (used by `init` too). */
export async function createWallet(session: Session, options: { force?: boolean } = {}): Promise<void> {
  const random = Wallet.createRandom();
  await save(session, new Wallet(random.privateKey), "created", options.force);
}

async function importWallet(
  session: Session,
  privateKey: string,
  options: { force?: boolean },
): Promise<void> {
  let wallet: Wallet;
  try {
    wallet = new Wallet(privateKey.startsWith("0x") ? privateKey : `0x${privateKey}`);
  } catch {
    throw new InvalidInputError("The private key is not 32 bytes of hex: check what you pasted.");
  }
  await save(session, wallet, "imported", options.force);
}

async function show(
  session: Session,
  address: string | undefined,
  options: { showPrivateKey?: boolean },
): Promise<void> {
  let who = address ? checkedAddress(address) : undefined;
  let privateKey: string | undefined;
  if (!who || options.showPrivateKey) {
    if (options.showPrivateKey) {
      const wallet = await session.wallet();
      who = wallet.address;
      privateKey = wallet.privateKey;
    } else who = (await session.walletFile()).address;
  }
  const poco = await session.connect(false);
  const balances = await session.out.step("Reading balances", poco.account.show(who));
  const fields = {
    address: who,
    privateKey,
    ETH: formatEther(balances.ether),
    RLC: formatRlc(balances.wallet),
    stake: formatRlc(balances.stake),
    locked: formatRlc(balances.locked),
  };
  session.out.success(`Wallet ${who}`, fields);
  session.out.set({
    wallet: { address: who, privateKey },
    balance: { ETH: balances.ether, nRLC: balances.wallet },
    account: { stake: balances.stake, locked: balances.locked },
  });
}

/** Registers `wallet`. */
export function registerWallet(program: Command): void {
  const wallet = program.command("wallet").description("manage the wallet (encrypted keystore files)");
  wallet
    .command("create")
    .option("--force", "add a wallet to a keystore folder that already has one")
    .description("create a new wallet")
    .action(action(createWallet));
  wallet
    .command("import")
    .argument("<privateKey>", "private key to import (hex)")
    .option("--force", "add a wallet to a keystore folder that already has one")
    .description("import a private key as an encrypted wallet")
    .action(action(importWallet));
  wallet
    .command("show")
    .argument("[address]", "address to show (default: the wallet's)")
    .option("--show-private-key", "unlock the wallet and print its private key")
    .description("show a wallet's address and balances")
    .action(action(show));
}
