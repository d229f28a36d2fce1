/**
 * A read cache in front of any `MarketStore`: orderbook, deal and category pages are kept until the
 * next write, so the popular queries of a busy orderbook cost a map lookup. Every write goes through
 * this wrapper (the API and the watcher share it), so no stale page can be served.
 */
import type { OrderKind } from "../sdk/core/orders";
import { toJson } from "../sdk/core/http";
import type {
  CategoryRecord,
  DealQuery,
  DealRecord,
  MarketStore,
  OrderQuery,
  OrderRecord,
  Page,
  PageOf,
  SyncCursor,
  WorkerpoolApiRecord,
} from "./store";

/** Caches read pages of `store` until its next write; at most `maxEntries` pages (oldest dropped first). */
export class CachedMarketStore implements MarketStore {
  private readonly pages = new Map<string, PageOf<unknown>>();

  constructor(
    readonly store: MarketStore,
    private readonly maxEntries = 2000,
  ) {}

  private cached<T>(key: string, read: () => PageOf<T>): PageOf<T> {
    const hit = this.pages.get(key);
    if (hit) return hit as PageOf<T>;
    const page = read();
    if (this.pages.size >= this.maxEntries) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(key, page as PageOf<unknown>);
    return page;
  }

  /** Any write may change any page: drop them all (writes are rare next to reads). */
  private written<T>(result: T): T {
    this.pages.clear();
    return result;
  }

  transaction<T>(work: () => T): T {
    try {
      return this.store.transaction(work);
    } finally {
      // Committed or rolled back, its reads may have cached pages of a state that is gone.
      this.pages.clear();
    }
  }
  insertOrder(record: OrderRecord): void {
    this.written(this.store.insertOrder(record));
  }
  getOrder<K extends OrderKind>(kind: K, orderHash: string): OrderRecord<K> | undefined {
    return this.store.getOrder(kind, orderHash);
  }
  listOrders<K extends OrderKind>(kind: K, query: OrderQuery, page: Page): PageOf<OrderRecord<K>> {
    return this.cached(`o|${kind}|${toJson(query)}|${page.pageIndex}|${page.pageSize}`, () =>
      this.store.listOrders(kind, query, page),
    );
  }
  updateOrder(orderHash: string, update: { remaining?: bigint; status?: OrderRecord["status"] }): boolean {
    return this.written(this.store.updateOrder(orderHash, update));
  }
  deleteOrders(orderHashes: string[]): string[] {
    return this.written(this.store.deleteOrders(orderHashes));
  }
  openOrderHashes(kind: OrderKind, address: string): string[] {
    return this.store.openOrderHashes(kind, address);
  }
  setOwner(kind: Exclude<OrderKind, "request">, asset: string, owner: string): number {
    return this.written(this.store.setOwner(kind, asset, owner));
  }
  openOrdersOfSigner(address: string): OrderRecord[] {
    return this.store.openOrdersOfSigner(address);
  }
  upsertDeal(deal: DealRecord): void {
    this.written(this.store.upsertDeal(deal));
  }
  getDeal(dealid: string): DealRecord | undefined {
    return this.store.getDeal(dealid);
  }
  listDeals(query: DealQuery, page: Page): PageOf<DealRecord> {
    return this.cached(`d|${toJson(query)}|${page.pageIndex}|${page.pageSize}`, () =>
      this.store.listDeals(query, page),
    );
  }
  deleteDealsFrom(blockNumber: number): number {
    return this.written(this.store.deleteDealsFrom(blockNumber));
  }
  upsertCategory(category: CategoryRecord): void {
    this.written(this.store.upsertCategory(category));
  }
  getCategory(catid: bigint): CategoryRecord | undefined {
    return this.store.getCategory(catid);
  }
  listCategories(
    query: { minWorkClockTimeRef?: bigint; maxWorkClockTimeRef?: bigint },
    page: Page,
  ): PageOf<CategoryRecord> {
    return this.cached(`c|${toJson(query)}|${page.pageIndex}|${page.pageSize}`, () =>
      this.store.listCategories(query, page),
    );
  }
  getCursor(): SyncCursor | undefined {
    return this.store.getCursor();
  }
  setCursor(cursor: SyncCursor): void {
    // The cursor changes no page.
    this.store.setCursor(cursor);
  }
  saveChallenge(hash: string, text: string, address: string, expiresAt: number): void {
    this.store.saveChallenge(hash, text, address, expiresAt);
  }
  takeChallenge(hash: string, now: number): { text: string; address: string } | undefined {
    return this.store.takeChallenge(hash, now);
  }
  setWorkerpoolApi(record: WorkerpoolApiRecord): void {
    // Compass entries are not cached: no page changes.
    this.store.setWorkerpoolApi(record);
  }
  getWorkerpoolApi(workerpool: string): WorkerpoolApiRecord | undefined {
    return this.store.getWorkerpoolApi(workerpool);
  }
  close(): void {
    this.pages.clear();
    this.store.close();
  }
}
