import { ethers } from "hardhat";
import { hashOrder, type OrderByKind, type OrderKind } from "../../src/sdk";
import { MemoryMarketStore } from "../../src/market/memory-store";
import type { OrderRecord } from "../../src/market/store";
import { matchSetup, type MatchSetup } from "../matching/fixtures";

/**
 * Publishes a signed order into `store` as the market API does: its hash on the setup's chain,
 * the signer as owner, its whole volume remaining, open. Returns the order's hash.
 */
export function publish<K extends OrderKind>(
  store: MemoryMarketStore,
  setup: MatchSetup,
  kind: K,
  order: OrderByKind[K],
  signer: string,
): string {
  const orderHash = hashOrder(setup.domain, kind, order);
  const record: OrderRecord<K> = {
    kind,
    orderHash,
    chainId: BigInt(setup.domain.chainId!),
    order,
    signer,
    owner: signer,
    remaining: order.volume,
    status: "open",
    publicationTimestamp: new Date().toISOString(),
  };
  store.insertOrder(record as OrderRecord);
  return orderHash;
}

/** The deal id of a `matchOrders` transaction, from its OrdersMatched log. */
export async function dealIdOf(setup: MatchSetup, txHash: string): Promise<string> {
  const receipt = await ethers.provider.getTransactionReceipt(txHash);
  for (const log of receipt!.logs) {
    const parsed = setup.hub.interface.parseLog(log);
    if (parsed?.name === "OrdersMatched") return String(parsed.args.dealid);
  }
  throw new Error(`no OrdersMatched in ${txHash}`);
}

/**
 * The matching scenario for the market tests, as a fixture of its own: `loadFixture` snapshots it
 * here, so that the matching tests, which run later and reset the chain to the core deployment
 * first, do not find `matchSetup`'s snapshot taken by another file and invalidated since.
 */
export async function marketSetup(): Promise<MatchSetup> {
  return matchSetup();
}
