/** `account deposit|withdraw|show`: the escrow account that pays for and stakes on deals. */
import type { Command } from "commander";
import { checkedAddress } from "../../sdk/core/client/account";
import { formatRlc, parseRlc } from "../../sdk/core/units";
import { action } from "../action";
import type { Session } from "../session";

async function deposit(session: Session, amount: string, unit: string | undefined): Promise<void> {
  const value = parseRlc(amount, unit);
  const poco = await session.connect(true);
  const sent = await session.out.step(`Depositing ${formatRlc(value)}`, poco.account.deposit(value));
  session.out.success(`Deposited ${formatRlc(value)} to your account`, { txHash: sent.txHash });
  session.out.set({ amount: value, txHash: sent.txHash });
}

async function withdraw(session: Session, amount: string, unit: string | undefined): Promise<void> {
  const value = parseRlc(amount, unit);
  const poco = await session.connect(true);
  const sent = await session.out.step(`Withdrawing ${formatRlc(value)}`, poco.account.withdraw(value));
  session.out.success(`Withdrew ${formatRlc(value)} from your account`, { txHash: sent.txHash });
  session.out.set({ amount: value, txHash: sent.txHash });
}

async function show(session: Session, address: string | undefined): Promise<void> {
  const who = address ? checkedAddress(address) : (await session.walletFile()).address;
  const poco = await session.connect(false);
  const balances = await session.out.step("Reading the account", poco.account.show(who));
  session.out.success(`Account ${who}`, {
    stake: formatRlc(balances.stake),
    locked: formatRlc(balances.locked),
  });
  session.out.set({ address: who, balance: { stake: balances.stake, locked: balances.locked } });
}

/** Registers `account`. */
export function registerAccount(program: Command): void {
  const account = program.command("account").description("manage the escrow account (stake)");
  account
    .command("deposit")
    .argument("<amount>", "amount, e.g. 5 RLC or 300 (nRLC)")
    .argument("[unit]", "RLC or nRLC (default nRLC)")
    .description("move RLC from the wallet to the escrow account")
    .action(action(deposit));
  account
    .command("withdraw")
    .argument("<amount>", "amount, e.g. 5 RLC or 300 (nRLC)")
    .argument("[unit]", "RLC or nRLC (default nRLC)")
    .description("move free stake from the escrow account back to the wallet")
    .action(action(withdraw));
  account
    .command("show")
    .argument("[address]", "address to show (default: the wallet's)")
    .description("show the free and locked stake of an account")
    .action(action(show));
}
