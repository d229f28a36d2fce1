/**
 * Types of the market API's requests and answers (the official iExec market API's names), as the SDK
 * hands them to programs: filters, paging, published orders, deals and categories.
 */
import type { OrderByKind, OrderKind } from "../orders";

/** An order as the market publishes it, with its metadata. */
export interface PublishedOrder<K extends OrderKind> {
  /** Typed-data hash of the order. */
  orderHash: string;
  /** Chain the order is for. */
  chainId: bigint;
  /** The signed order. */
  order: OrderByKind[K];
  /** Volume not consumed yet. */
  remaining: bigint;
  /** "open", "filled", "canceled" or "dead". */
  status: string;
  /** Address that signed the order. */
  signer: string;
  /** When the order was published (ISO date). */
  publicationTimestamp: string;
}

/**
 * Orderbook filters, with the official query names. Addresses accept "any". Which filters apply depends
 * on the kind (the official API's): see ORDERBOOK_FILTERS.
 */
export interface OrderbookFilters {
  app?: string;
  dataset?: string;
  workerpool?: string;
  requester?: string;
  beneficiary?: string;
  appOwner?: string;
  datasetOwner?: string;
  workerpoolOwner?: string;
  category?: bigint;
  minTag?: string;
  maxTag?: string;
  minVolume?: bigint;
  minTrust?: bigint;
  maxTrust?: bigint;
  /** Leave out orders whose restriction allows any app (only with `app`). */
  isAppStrict?: boolean;
  /** Leave out orders whose restriction allows any dataset (only with `dataset`). */
  isDatasetStrict?: boolean;
  /** Leave out orders whose restriction allows any workerpool (only with `workerpool`). */
  isWorkerpoolStrict?: boolean;
  /** Leave out orders whose restriction allows any requester (only with `requester`). */
  isRequesterStrict?: boolean;
  /** Only dataset orders usable in bulk processing. */
  bulkOnly?: boolean;
}

/** Paging of a list query. */
export interface Paging {
  /** Page index, from 0. */
  pageIndex?: number;
  /** Page size; the official SDK asks at least 10. */
  pageSize?: number;
}

/** One page of an orderbook. */
export interface Orderbook<K extends OrderKind> {
  orders: PublishedOrder<K>[];
  /** Number of orders matching the filters, all pages together. */
  count: number;
  /** Index of the next page, when there is one. */
  nextPage?: number;
}

/** The filters each orderbook accepts (those of the official market API and SDK). */
export const ORDERBOOK_FILTERS: Readonly<Record<OrderKind, readonly (keyof OrderbookFilters)[]>> = {
  app: [
    "app",
    "appOwner",
    "dataset",
    "workerpool",
    "requester",
    "minTag",
    "maxTag",
    "minVolume",
    "isDatasetStrict",
    "isWorkerpoolStrict",
    "isRequesterStrict",
  ],
  dataset: [
    "dataset",
    "datasetOwner",
    "app",
    "workerpool",
    "requester",
    "minTag",
    "maxTag",
    "minVolume",
    "isAppStrict",
    "isWorkerpoolStrict",
    "isRequesterStrict",
    "bulkOnly",
  ],
  workerpool: [
    "category",
    "workerpool",
    "workerpoolOwner",
    "app",
    "dataset",
    "requester",
    "minTag",
    "maxTag",
    "minTrust",
    "minVolume",
    "isAppStrict",
    "isDatasetStrict",
    "isRequesterStrict",
  ],
  request: [
    "category",
    "requester",
    "beneficiary",
    "app",
    "dataset",
    "workerpool",
    "minTag",
    "maxTag",
    "maxTrust",
    "minVolume",
    "isWorkerpoolStrict",
  ],
};

/** Deal filters of GET /deals, with the official query names. */
export interface DealFilters {
  category?: bigint;
  requester?: string;
  beneficiary?: string;
  app?: string;
  dataset?: string;
  workerpool?: string;
  appOwner?: string;
  datasetOwner?: string;
  workerpoolOwner?: string;
  apporderHash?: string;
  datasetorderHash?: string;
  workerpoolorderHash?: string;
  requestorderHash?: string;
}

/** A resource of a deal as the market lists it. */
export interface MarketDealResource {
  pointer: string;
  owner: string;
  price: bigint;
}

/** A deal as the market lists it. */
export interface MarketDeal {
  dealid: string;
  app: MarketDealResource;
  dataset: MarketDealResource;
  workerpool: MarketDealResource;
  appHash?: string;
  datasetHash?: string;
  workerpoolHash?: string;
  requestHash?: string;
  requester: string;
  beneficiary: string;
  callback: string;
  tag: string;
  params: string;
  category: bigint;
  trust: bigint;
  volume: bigint;
  botFirst: bigint;
  botSize: bigint;
  startTime: bigint;
  workerStake: bigint;
  schedulerRewardRatio: bigint;
  transactionHash?: string;
  blockNumber?: number;
  blockTimestamp?: string;
}

/** A category as the market lists it. */
export interface MarketCategory {
  catid: bigint;
  name: string;
  description: string;
  workClockTimeRef: bigint;
  transactionHash?: string;
  blockNumber?: number;
  blockTimestamp?: string;
}
