/**
 * The market's storage contract: everything the API and the chain watcher read and write goes
 * through `MarketStore`, so the embedded SQLite store can be swapped for another database (a
 * PostgreSQL store would implement the same interface and pass the same tests).
 */
import { OpenPocoError } from "../sdk/core/errors";
import type { DealFilters, OrderbookFilters } from "../sdk/core/market";
import type { OrderByKind, OrderKind } from "../sdk/core/orders";

/** Status of a published order, as the official market reports it. */
export type PublishedStatus = "open" | "filled" | "canceled" | "dead";

/** A published order and what the market knows about it. */
export interface OrderRecord<K extends OrderKind = OrderKind> {
  kind: K;
  /** EIP-712 hash of the order on the market's chain. */
  orderHash: string;
  chainId: bigint;
  /** The signed order. */
  order: OrderByKind[K];
  /** Address that signed it: the asset owner, or the requester for request orders. */
  signer: string;
  /** The asset's owner when published (the requester for request orders); updated on NFT transfers. */
  owner: string;
  /** Volume left on chain: order volume minus consumed. */
  remaining: bigint;
  status: PublishedStatus;
  /** ISO 8601 date of publication. */
  publicationTimestamp: string;
}

/**
 * Orderbook filters, with the official API's meaning. Address filters are checksummed addresses;
 * for the kinds whose order carries a restriction on that party (for example `dataset` on app
 * orders), they keep orders whose restriction is zero or that address, and only that address when
 * the matching `is<Party>Strict` flag is set. On the order's own asset field (`app` for app
 * orders, `requester` for request orders...) they are plain equality. `bulkOnly` keeps dataset
 * orders whose volume is at least `BULK_MIN_VOLUME`.
 */
export type OrderQuery = OrderbookFilters;

/**
 * Dataset orders with at least this volume are usable in bulk (`bulkOnly`): the "infinite" volume
 * the official SDK gives such orders, `Number.MAX_SAFE_INTEGER`.
 */
export const BULK_MIN_VOLUME = BigInt(Number.MAX_SAFE_INTEGER);

/** A page request: `pageSize` items from item `pageIndex * pageSize`. */
export interface Page {
  pageIndex: number;
  pageSize: number;
}

/** One page of results and the total across pages. */
export interface PageOf<T> {
  items: T[];
  count: number;
}

/** A deal, as matched on chain (from `OrdersMatched` and the hub's `viewDeal`). */
export interface DealRecord {
  dealid: string;
  chainId: bigint;
  app: { pointer: string; owner: string; price: bigint };
  dataset: { pointer: string; owner: string; price: bigint };
  workerpool: { pointer: string; owner: string; price: bigint };
  appHash: string;
  datasetHash: string;
  workerpoolHash: string;
  requestHash: string;
  requester: string;
  beneficiary: string;
  callback: string;
  category: bigint;
  trust: bigint;
  tag: string;
  params: string;
  botFirst: bigint;
  botSize: bigint;
  volume: bigint;
  workerStake: bigint;
  schedulerRewardRatio: bigint;
  startTime: bigint;
  blockNumber: number;
  blockTimestamp: string;
  transactionHash: string;
}

/** Deal filters of the official API (addresses checksummed, hashes lowercase). */
export type DealQuery = DealFilters;

/** A category, as created on chain. */
export interface CategoryRecord {
  catid: bigint;
  chainId: bigint;
  name: string;
  description: string;
  workClockTimeRef: bigint;
  blockNumber: number;
  transactionHash: string;
}

/** Where the chain watcher stopped: the last block applied, and its hash to detect reorganisations. */
export interface SyncCursor {
  blockNumber: number;
  blockHash: string;
}

/** A workerpool's API URL as registered in Compass by its owner. */
export interface WorkerpoolApiRecord {
  /** Checksummed workerpool address. */
  workerpool: string;
  apiUrl: string;
  /** Owner who registered it. */
  registeredBy: string;
  /** ISO 8601 date of the registration. */
  updatedAt: string;
}

/** The market's storage. Every method is synchronous and atomic; `transaction` groups several. */
export interface MarketStore {
  /** Runs `work` atomically: all its writes or none. Nested calls join the outer transaction. */
  transaction<T>(work: () => T): T;

  /** Stores a new order; throws `DuplicateOrderError` when its hash is already published. */
  insertOrder(record: OrderRecord): void;
  /** The order of that hash and kind, whatever its status. */
  getOrder<K extends OrderKind>(kind: K, orderHash: string): OrderRecord<K> | undefined;
  /** Open orders of `kind` matching `query`, best first (lowest price, then oldest; request orders: highest workerpoolmaxprice first). */
  listOrders<K extends OrderKind>(kind: K, query: OrderQuery, page: Page): PageOf<OrderRecord<K>>;
  /** Sets the remaining volume and status of an order (any kind). False if the hash is unknown. */
  updateOrder(orderHash: string, update: { remaining?: bigint; status?: PublishedStatus }): boolean;
  /** Deletes orders by hash; returns the hashes that existed. */
  deleteOrders(orderHashes: string[]): string[];
  /** Hashes of the open orders of `kind` whose own asset (or requester) is `address`, oldest first. */
  openOrderHashes(kind: OrderKind, address: string): string[];
  /** Records the new owner of an asset on its open orders (NFT transfer); returns how many changed. */
  setOwner(kind: Exclude<OrderKind, "request">, asset: string, owner: string): number;
  /** Open orders whose signer (`owner`) is `address`, for stake and balance re-checks. */
  openOrdersOfSigner(address: string): OrderRecord[];

  /** Stores a deal (idempotent on `dealid`). */
  upsertDeal(deal: DealRecord): void;
  getDeal(dealid: string): DealRecord | undefined;
  listDeals(query: DealQuery, page: Page): PageOf<DealRecord>;
  /** Deletes deals recorded at or after `blockNumber` (reorganisations); returns how many. */
  deleteDealsFrom(blockNumber: number): number;

  /** Stores a category (idempotent on `catid`). */
  upsertCategory(category: CategoryRecord): void;
  getCategory(catid: bigint): CategoryRecord | undefined;
  listCategories(
    query: { minWorkClockTimeRef?: bigint; maxWorkClockTimeRef?: bigint },
    page: Page,
  ): PageOf<CategoryRecord>;

  getCursor(): SyncCursor | undefined;
  setCursor(cursor: SyncCursor): void;

  /** Stores a login challenge for `address`, valid until `expiresAt` (ms since epoch). */
  saveChallenge(hash: string, text: string, address: string, expiresAt: number): void;
  /** Removes and returns the challenge of `hash` if it exists and has not expired (one use). */
  takeChallenge(hash: string, now: number): { text: string; address: string } | undefined;

  /** Records (or replaces) the API URL of a workerpool (Compass). */
  setWorkerpoolApi(record: WorkerpoolApiRecord): void;
  /** The registered API URL of a workerpool, if any. */
  getWorkerpoolApi(workerpool: string): WorkerpoolApiRecord | undefined;

  /** Releases the database. */
  close(): void;
}

/** Thrown by `insertOrder` for an order already published. */
export class DuplicateOrderError extends OpenPocoError {
  constructor(readonly orderHash: string) {
    super("ORDER_ALREADY_PUBLISHED", `Order ${orderHash} is already published: nothing to do.`);
  }
}
