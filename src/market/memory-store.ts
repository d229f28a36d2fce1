/**
 * `MemoryMarketStore`: the whole `MarketStore` interface on plain Maps. Nothing is persisted and
 * nothing is indexed: every query scans. It is meant for tests (of the chain watcher, of the API)
 * and for trying the market without a database, not for production orderbooks.
 *
 * Records are copied on the way in and on the way out, so callers can never change the stored
 * state by mutating what they passed or got back. `transaction` snapshots the whole state and
 * restores it if `work` throws.
 */
import { ZeroAddress } from "ethers";
import {
  assetOf,
  categoryTrustOf,
  isOrderOf,
  orderKind,
  priceOf,
  restrictionsOf,
  type AssetOrderKind,
  type OrderKind,
  type OrderParty,
} from "../sdk/core/orders";
import {
  BULK_MIN_VOLUME,
  DuplicateOrderError,
  type CategoryRecord,
  type DealQuery,
  type DealRecord,
  type MarketStore,
  type OrderQuery,
  type OrderRecord,
  type Page,
  type PageOf,
  type PublishedStatus,
  type SyncCursor,
  type WorkerpoolApiRecord,
} from "./store";

interface Challenge {
  text: string;
  address: string;
  expiresAt: number;
}

interface State {
  /** Orders by hash (lowercase), in publication order. */
  orders: Map<string, OrderRecord>;
  deals: Map<string, DealRecord>;
  categories: Map<bigint, CategoryRecord>;
  challenges: Map<string, Challenge>;
  /** Compass registrations by lowercase workerpool address. */
  workerpoolApis: Map<string, WorkerpoolApiRecord>;
  cursor: SyncCursor | undefined;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A restriction-like field: zero (anyone) or `wanted`, only `wanted` when strict. */
function restrictionMatches(field: string, wanted: string | undefined, strict: boolean | undefined) {
  if (wanted === undefined) return true;
  if (same(field, wanted)) return true;
  return !strict && same(field, ZeroAddress);
}

function tagMatches(tag: string, minTag?: string, maxTag?: string): boolean {
  const value = BigInt(tag);
  if (minTag !== undefined && (value & BigInt(minTag)) !== BigInt(minTag)) return false;
  if (maxTag !== undefined && (value & ~BigInt(maxTag)) !== 0n) return false;
  return true;
}

/** The filter making a restriction filter strict, by party. */
const STRICT = {
  app: "isAppStrict",
  dataset: "isDatasetStrict",
  workerpool: "isWorkerpoolStrict",
  requester: "isRequesterStrict",
} as const satisfies Record<OrderParty, keyof OrderQuery>;

/** The filter on the owner of an order's asset, by kind. */
const OWNER_FILTER = {
  app: "appOwner",
  dataset: "datasetOwner",
  workerpool: "workerpoolOwner",
} as const satisfies Record<AssetOrderKind, keyof OrderQuery>;

/**
 * Whether an order matches a query; filters that do not apply to the order's kind are ignored. A
 * request's app, dataset and workerpool are what it accepts: they count as restrictions (zero = any
 * workerpool, or no dataset).
 */
function orderMatches(record: OrderRecord, q: OrderQuery): boolean {
  if (q.minVolume !== undefined && record.remaining < q.minVolume) return false;
  if (!tagMatches(record.order.tag, q.minTag, q.maxTag)) return false;
  const { kind, order } = record;
  const equal = (field: string, wanted: string | undefined) => wanted === undefined || same(field, wanted);
  if (!equal(assetOf(kind, order), q[orderKind(kind).assetField])) return false;
  if (kind !== "request" && !equal(record.owner, q[OWNER_FILTER[kind]])) return false;
  for (const [party, field] of Object.entries(restrictionsOf(kind, order)) as [OrderParty, string][])
    if (!restrictionMatches(field, q[party], q[STRICT[party]])) return false;
  const terms = categoryTrustOf(kind, order);
  if (terms && q.category !== undefined && terms.category !== q.category) return false;
  if (isOrderOf(kind, order, "dataset")) return !q.bulkOnly || order.volume >= BULK_MIN_VOLUME;
  if (isOrderOf(kind, order, "workerpool")) return q.minTrust === undefined || order.trust >= q.minTrust;
  if (isOrderOf(kind, order, "request"))
    return equal(order.beneficiary, q.beneficiary) && (q.maxTrust === undefined || order.trust <= q.maxTrust);
  return true;
}

function pageOf<T>(all: T[], page: Page): PageOf<T> {
  const start = page.pageIndex * page.pageSize;
  return { items: all.slice(start, start + page.pageSize), count: all.length };
}

function dealMatches(deal: DealRecord, q: DealQuery): boolean {
  const equal = (field: string, wanted: string | undefined) => wanted === undefined || same(field, wanted);
  return (
    (q.category === undefined || deal.category === q.category) &&
    equal(deal.requester, q.requester) &&
    equal(deal.beneficiary, q.beneficiary) &&
    equal(deal.app.pointer, q.app) &&
    equal(deal.dataset.pointer, q.dataset) &&
    equal(deal.workerpool.pointer, q.workerpool) &&
    equal(deal.app.owner, q.appOwner) &&
    equal(deal.dataset.owner, q.datasetOwner) &&
    equal(deal.workerpool.owner, q.workerpoolOwner) &&
    equal(deal.appHash, q.apporderHash) &&
    equal(deal.datasetHash, q.datasetorderHash) &&
    equal(deal.workerpoolHash, q.workerpoolorderHash) &&
    equal(deal.requestHash, q.requestorderHash)
  );
}

/** An in-memory `MarketStore`; see the module comment. */
export class MemoryMarketStore implements MarketStore {
  private state: State = {
    orders: new Map(),
    deals: new Map(),
    categories: new Map(),
    challenges: new Map(),
    workerpoolApis: new Map(),
    cursor: undefined,
  };
  private depth = 0;
  private closed = false;

  private live(): State {
    if (this.closed) throw new Error("MemoryMarketStore: the store is closed.");
    return this.state;
  }

  transaction<T>(work: () => T): T {
    const state = this.live();
    if (this.depth > 0) return work();
    const snapshot = structuredClone(state);
    this.depth++;
    try {
      return work();
    } catch (error) {
      this.state = snapshot;
      throw error;
    } finally {
      this.depth--;
    }
  }

  insertOrder(record: OrderRecord): void {
    const orders = this.live().orders;
    const key = record.orderHash.toLowerCase();
    if (orders.has(key)) throw new DuplicateOrderError(record.orderHash);
    orders.set(key, structuredClone(record));
  }

  getOrder<K extends OrderKind>(kind: K, orderHash: string): OrderRecord<K> | undefined {
    const record = this.live().orders.get(orderHash.toLowerCase());
    return record && record.kind === kind ? (structuredClone(record) as OrderRecord<K>) : undefined;
  }

  listOrders<K extends OrderKind>(kind: K, query: OrderQuery, page: Page): PageOf<OrderRecord<K>> {
    const found: { record: OrderRecord; index: number }[] = [];
    let index = 0;
    for (const record of this.live().orders.values()) {
      if (record.kind === kind && record.status === "open" && orderMatches(record, query))
        found.push({ record, index });
      index++;
    }
    const direction = kind === "request" ? -1 : 1;
    found.sort((a, b) => {
      const pa = priceOf(a.record.kind, a.record.order);
      const pb = priceOf(b.record.kind, b.record.order);
      if (pa !== pb) return (pa < pb ? -1 : 1) * direction;
      const ta = Date.parse(a.record.publicationTimestamp);
      const tb = Date.parse(b.record.publicationTimestamp);
      if (ta !== tb) return ta - tb;
      return a.index - b.index;
    });
    return pageOf(
      found.map(({ record }) => structuredClone(record) as OrderRecord<K>),
      page,
    );
  }

  updateOrder(orderHash: string, update: { remaining?: bigint; status?: PublishedStatus }): boolean {
    const record = this.live().orders.get(orderHash.toLowerCase());
    if (!record) return false;
    if (update.remaining !== undefined) record.remaining = update.remaining;
    if (update.status !== undefined) record.status = update.status;
    return true;
  }

  deleteOrders(orderHashes: string[]): string[] {
    const orders = this.live().orders;
    const deleted: string[] = [];
    for (const hash of orderHashes) {
      const key = hash.toLowerCase();
      const record = orders.get(key);
      if (record) {
        orders.delete(key);
        deleted.push(record.orderHash);
      }
    }
    return deleted;
  }

  openOrderHashes(kind: OrderKind, address: string): string[] {
    const hashes: string[] = [];
    for (const record of this.live().orders.values())
      if (
        record.kind === kind &&
        record.status === "open" &&
        same(assetOf(record.kind, record.order), address)
      )
        hashes.push(record.orderHash);
    return hashes;
  }

  setOwner(kind: Exclude<OrderKind, "request">, asset: string, owner: string): number {
    let changed = 0;
    for (const record of this.live().orders.values()) {
      if (
        record.kind !== kind ||
        record.status !== "open" ||
        !same(assetOf<OrderKind>(record.kind, record.order), asset)
      )
        continue;
      if (record.owner !== owner) {
        record.owner = owner;
        changed++;
      }
    }
    return changed;
  }

  /** Open orders whose `owner` field is `address` (the account whose escrow backs them). */
  openOrdersOfSigner(address: string): OrderRecord[] {
    const found: OrderRecord[] = [];
    for (const record of this.live().orders.values())
      if (record.status === "open" && same(record.owner, address)) found.push(structuredClone(record));
    return found;
  }

  upsertDeal(deal: DealRecord): void {
    this.live().deals.set(deal.dealid.toLowerCase(), structuredClone(deal));
  }

  getDeal(dealid: string): DealRecord | undefined {
    const deal = this.live().deals.get(dealid.toLowerCase());
    return deal && structuredClone(deal);
  }

  /** Deals matching `query`, newest first (block number, then deal id). */
  listDeals(query: DealQuery, page: Page): PageOf<DealRecord> {
    const found = [...this.live().deals.values()].filter((deal) => dealMatches(deal, query));
    found.sort((a, b) =>
      a.blockNumber !== b.blockNumber ? b.blockNumber - a.blockNumber : a.dealid < b.dealid ? -1 : 1,
    );
    return pageOf(
      found.map((deal) => structuredClone(deal)),
      page,
    );
  }

  deleteDealsFrom(blockNumber: number): number {
    const deals = this.live().deals;
    let deleted = 0;
    for (const [key, deal] of deals)
      if (deal.blockNumber >= blockNumber) {
        deals.delete(key);
        deleted++;
      }
    return deleted;
  }

  upsertCategory(category: CategoryRecord): void {
    this.live().categories.set(category.catid, structuredClone(category));
  }

  getCategory(catid: bigint): CategoryRecord | undefined {
    const category = this.live().categories.get(catid);
    return category && structuredClone(category);
  }

  /** Categories within the work clock bounds, by id. */
  listCategories(
    query: { minWorkClockTimeRef?: bigint; maxWorkClockTimeRef?: bigint },
    page: Page,
  ): PageOf<CategoryRecord> {
    const found = [...this.live().categories.values()].filter(
      (c) =>
        (query.minWorkClockTimeRef === undefined || c.workClockTimeRef >= query.minWorkClockTimeRef) &&
        (query.maxWorkClockTimeRef === undefined || c.workClockTimeRef <= query.maxWorkClockTimeRef),
    );
    found.sort((a, b) => (a.catid < b.catid ? -1 : a.catid > b.catid ? 1 : 0));
    return pageOf(
      found.map((c) => structuredClone(c)),
      page,
    );
  }

  getCursor(): SyncCursor | undefined {
    const cursor = this.live().cursor;
    return cursor && { ...cursor };
  }

  setCursor(cursor: SyncCursor): void {
    this.live().cursor = { ...cursor };
  }

  saveChallenge(hash: string, text: string, address: string, expiresAt: number): void {
    this.live().challenges.set(hash.toLowerCase(), { text, address, expiresAt });
  }

  takeChallenge(hash: string, now: number): { text: string; address: string } | undefined {
    const challenges = this.live().challenges;
    const key = hash.toLowerCase();
    const challenge = challenges.get(key);
    if (!challenge) return undefined;
    challenges.delete(key);
    if (challenge.expiresAt <= now) return undefined;
    return { text: challenge.text, address: challenge.address };
  }

  setWorkerpoolApi(record: WorkerpoolApiRecord): void {
    this.live().workerpoolApis.set(record.workerpool.toLowerCase(), { ...record });
  }

  getWorkerpoolApi(workerpool: string): WorkerpoolApiRecord | undefined {
    const record = this.live().workerpoolApis.get(workerpool.toLowerCase());
    return record && { ...record };
  }

  close(): void {
    this.closed = true;
  }
}
