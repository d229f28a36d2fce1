/**
 * Deals: ids and the values the hub derives when it matches orders, computed off chain.
 */
import { solidityPackedKeccak256 } from "ethers";
import { isOrderOf, type OrderByKind, type OrderKind } from "./orders";

/** Stake the workerpool owner locks per task, as a percentage of the workerpool price (`WORKERPOOL_STAKE_RATIO`). */
export const WORKERPOOL_STAKE_RATIO = 30n;

/** Id of the deal made from the request order `requestHash` when `botFirst` of its volume was already consumed. */
export function computeDealId(requestHash: string, botFirst: bigint): string {
  return solidityPackedKeccak256(["bytes32", "uint256"], [requestHash, botFirst]);
}

/** Prices of a deal's resources per task, in nRLC. */
export interface DealPrices {
  appprice: bigint;
  datasetprice: bigint;
  workerpoolprice: bigint;
}

/** Stake the scheduler (workerpool owner) locks for one task at `workerpoolprice`: 30%, rounded down. */
export function schedulerStakePerTask(workerpoolprice: bigint): bigint {
  return (workerpoolprice * WORKERPOOL_STAKE_RATIO) / 100n;
}

/**
 * Free account balance the signer of `order` needs for one task of it to be matched: a workerpool
 * owner's stake, or a requester's payment at its maximum prices. App and dataset owners need none (0).
 */
export function taskFundsOf<K extends OrderKind>(kind: K, order: OrderByKind[K]): bigint {
  if (isOrderOf(kind, order, "workerpool")) return schedulerStakePerTask(order.workerpoolprice);
  if (isOrderOf(kind, order, "request"))
    return order.appmaxprice + order.datasetmaxprice + order.workerpoolmaxprice;
  return 0n;
}

/** What a match locks: the sponsor pays every task in advance, the scheduler stakes 30% of its price per task. */
export function computeDealLocks(prices: DealPrices, volume: bigint): { sponsor: bigint; scheduler: bigint } {
  return {
    sponsor: (prices.appprice + prices.datasetprice + prices.workerpoolprice) * volume,
    // Rounded per task, then multiplied: the hub's order of operations.
    scheduler: schedulerStakePerTask(prices.workerpoolprice) * volume,
  };
}
