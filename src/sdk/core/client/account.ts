/** The escrow account of a wallet: stake (free), locked, and RLC in the wallet itself. */
import { getAddress } from "ethers";
import { InvalidInputError } from "../errors";
import { formatRlc } from "../units";
import type { ClientContext, Sent } from "./context";

/** Balances of an address, in nRLC. */
export interface Balances {
  address: string;
  /** Escrow balance free to use (deposit minus locked). */
  stake: bigint;
  /** Escrow balance locked in running deals. */
  locked: bigint;
  /** RLC held by the wallet, outside the escrow. */
  wallet: bigint;
  /** Ether held by the wallet, in wei, to pay for gas. */
  ether: bigint;
}

/** Deposits, withdrawals and balances of the escrow. */
export class AccountApi {
  constructor(private readonly context: ClientContext) {}

  /** Balances of `address` (the signer's by default). */
  async show(address?: string): Promise<Balances> {
    const who = address ? checkedAddress(address) : await this.context.signerAddress("show the account");
    const [account, wallet, ether] = await this.context.call("read the account", () =>
      Promise.all([
        this.context.hub.viewAccount(who),
        this.context.token.balanceOf(who),
        this.context.provider.getBalance(who),
      ]),
    );
    return { address: who, stake: account.stake, locked: account.locked, wallet, ether };
  }

  /** Moves `amount` nRLC from the wallet into the escrow, in one transaction (`approveAndCall`). */
  async deposit(amount: bigint): Promise<Sent & { amount: bigint }> {
    positive(amount, "deposit");
    const owner = await this.context.signerAddress("deposit");
    const held = await this.context.call("read the wallet balance", () =>
      this.context.token.balanceOf(owner),
    );
    if (held < amount)
      throw new InvalidInputError(
        `Cannot deposit ${formatRlc(amount)}: the wallet ${owner} holds only ${formatRlc(held)}; get RLC first.`,
      );
    const token = this.context.token.connect(this.context.requireSigner("deposit"));
    const sent = await this.context.send("deposit", () =>
      token.approveAndCall(this.context.addresses.hub, amount, "0x"),
    );
    return { ...sent, amount };
  }

  /** Moves `amount` nRLC of free stake from the escrow back to the wallet. */
  async withdraw(amount: bigint): Promise<Sent & { amount: bigint }> {
    positive(amount, "withdraw");
    const owner = await this.context.signerAddress("withdraw");
    const { stake } = await this.context.call("read the account", () => this.context.hub.viewAccount(owner));
    if (stake < amount)
      throw new InvalidInputError(
        `Cannot withdraw ${formatRlc(amount)}: the account has only ${formatRlc(stake)} of free stake.`,
      );
    const hub = this.context.hub.connect(this.context.requireSigner("withdraw"));
    const sent = await this.context.send("withdraw", () => hub.withdraw(amount));
    return { ...sent, amount };
  }
}

function positive(amount: bigint, action: string): void {
  if (amount <= 0n)
    throw new InvalidInputError(`Cannot ${action} ${amount} nRLC: give an amount above zero.`);
}

/** `value` as a checksummed address, or an error naming it. */
export function checkedAddress(value: string, what = "address"): string {
  try {
    return getAddress(value);
  } catch {
    // 40 hex digits in mixed case carry an EIP-55 checksum: a typo breaks it, not the length.
    if (/^0x[0-9a-fA-F]{40}$/.test(value))
      throw new InvalidInputError(
        `Invalid ${what} ${value}: its EIP-55 checksum (the mixed case) fails, so a character is probably mistyped: check it, or give it all in lower case to skip the check.`,
      );
    throw new InvalidInputError(
      `Invalid ${what} ${JSON.stringify(value)}: give a 0x-prefixed 20-byte address.`,
    );
  }
}
