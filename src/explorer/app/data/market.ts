/** Orders and deals through the market API (the SDK's MarketClient), page by page. */
import {
  MarketClient,
  ServiceUnavailableError,
  type DealFilters,
  type MarketDeal,
  type OrderKind,
  type Orderbook,
  type OrderbookFilters,
} from "../../../sdk/browser";
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
    // GET /deals/:dealid, which the MarketClient does not wrap.
    return this.call(async (client) => {
      const url = `${client.baseUrl.replace(/\/+$/, "")}/deals/${dealid}?chainId=${client.chainId}`;
      let response: Response;
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      } catch (error) {
        throw new ServiceUnavailableError("market", client.baseUrl, error);
      }
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`The market answered HTTP ${response.status} for deal ${dealid}.`);
      const json = (await response.json()) as { deal?: Record<string, unknown> } & Record<string, unknown>;
      const record = (json.deal ?? json) as Record<string, unknown>;
      return parseDeal(record);
    });
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

/** The fields of a market deal record the deal page shows. */
function parseDeal(record: Record<string, unknown>): MarketDeal | undefined {
  if (typeof record.dealid !== "string" && typeof record.dealId !== "string") return undefined;
  const text = (name: string) => (typeof record[name] === "string" ? (record[name] as string) : undefined);
  const int = (name: string) => {
    const value = record[name];
    return typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))
      ? BigInt(value)
      : 0n;
  };
  const resource = (name: string) => {
    const r = (record[name] ?? {}) as Record<string, unknown>;
    return {
      pointer: String(r.pointer ?? ""),
      owner: String(r.owner ?? ""),
      price: typeof r.price === "number" || typeof r.price === "string" ? BigInt(r.price) : 0n,
    };
  };
  return {
    dealid: (text("dealid") ?? text("dealId"))!,
    app: resource("app"),
    dataset: resource("dataset"),
    workerpool: resource("workerpool"),
    appHash: text("appHash"),
    datasetHash: text("datasetHash"),
    workerpoolHash: text("workerpoolHash"),
    requestHash: text("requestHash"),
    requester: text("requester") ?? "",
    beneficiary: text("beneficiary") ?? "",
    callback: text("callback") ?? "",
    tag: text("tag") ?? "",
    params: text("params") ?? "",
    category: int("category"),
    trust: int("trust"),
    volume: int("volume"),
    botFirst: int("botFirst"),
    botSize: int("botSize"),
    startTime: int("startTime"),
    workerStake: int("workerStake"),
    schedulerRewardRatio: int("schedulerRewardRatio"),
    transactionHash: text("transactionHash"),
    blockNumber: typeof record.blockNumber === "number" ? record.blockNumber : undefined,
    blockTimestamp: text("blockTimestamp"),
  };
}
