/** Orders and deals through the market API (the SDK's MarketClient), page by page. */
import {
  MarketClient,
  NotFoundError,
  ServiceUnavailableError,
  type DealFilters,
  type MarketDeal,
  type OrderKind,
  type Orderbook,
  type OrderbookFilters,
} from "../../../sdk/core/index";
import type { ExplorerConfig } from "../config";
import { Unreachable } from "./errors";

const TIMEOUT_MS = 8000;

/** Size of a page of every list. */
export const PAGE_SIZE = 20;

/** A page of a list, with the total count. */
export interface ListPage<T> {
  items: T[];
  count: number;
}

/** Market reads of the explorer. */
export class MarketReader {
  private readonly client?: MarketClient;

  constructor(readonly config: ExplorerConfig) {
    if (config.marketUrl)
      this.client = new MarketClient(config.marketUrl, BigInt(config.chainId), TIMEOUT_MS);
  }

  private async call<T>(read: (client: MarketClient) => Promise<T>): Promise<T> {
    if (!this.client) throw new Error('No market is configured: add "marketUrl" to config.json.');
    try {
      return await read(this.client);
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw new Unreachable("market", this.config.marketUrl!);
      throw error;
    }
  }

  version(): Promise<string> {
    return this.call((client) => client.version());
  }

  async deals(filters: DealFilters, page: number, size = PAGE_SIZE): Promise<ListPage<MarketDeal>> {
    const answer = await this.call((client) => client.deals(filters, { pageIndex: page, pageSize: size }));
    return { items: answer.deals, count: answer.count };
  }

  /** The market's record of one deal (transaction, order hashes), or undefined when it has none. */
  async deal(dealid: string): Promise<MarketDeal | undefined> {
    return this.call((client) =>
      client.deal(dealid).catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }),
    );
  }

  async orderbook<K extends OrderKind>(
    kind: K,
    filters: OrderbookFilters,
    page: number,
    size = PAGE_SIZE,
  ): Promise<Orderbook<K>> {
    return this.call((client) => client.orderbook(kind, filters, { pageIndex: page, pageSize: size }));
  }
}
