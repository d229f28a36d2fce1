/**
 * The workerpool's standing offer: keeps open on the market, for each category the workerpool
 * serves, a target number of workerpool orders on its terms (price, volume, trust, tag), and signs
 * and publishes a fresh one whenever they are consumed, cancelled or unpublished. A real workerpool
 * keeps such an offer so that requesters are served without its owner acting.
 *
 * It keeps no state of its own: each pass counts the open orders on the market that carry its terms,
 * so a restart (or two publishers by mistake, one pass at a time) never piles up orders beyond the
 * target.
 */
import { ZeroAddress, ZeroHash, getAddress, isHexString, type Signer } from "ethers";
import type { OpenPoco } from "../sdk/core/client";
import { InvalidInputError } from "../sdk/core/errors";
import type { MarketClient, PublishedOrder } from "../sdk/core/market";
import { workerpoolOrder, type WorkerpoolOrder } from "../sdk/core/orders";

/** The terms of the standing offer. */
export interface OfferTerms {
  /** Price of one task, in nRLC. */
  price: bigint;
  /** Tasks each order sells. */
  volume: bigint;
  /** Highest trust sold (a request's trust must not exceed it). */
  trust: bigint;
  /** bytes32 tag (0x0…0: standard tasks). */
  tag: string;
  /** Categories served; undefined: every category of the chain, read at each pass. */
  categories?: bigint[];
  /** Open orders kept per category (default 1). */
  ordersPerCategory?: number;
}

/**
 * Default terms. Price 0: the local stack sells free compute so a newcomer's first run costs only
 * the app and dataset. Volume 100: enough for a walkthrough's bags of tasks, small enough that an
 * order is consumed and refilled in a day of testing. Trust 1: a pool of unknown size promises only
 * what one worker can deliver (the stack raises it to what its workers can reach).
 */
export const DEFAULT_OFFER: Readonly<Required<Omit<OfferTerms, "categories">>> = {
  price: 0n,
  volume: 100n,
  trust: 1n,
  tag: ZeroHash,
  ordersPerCategory: 1,
};

/** One category's part of the offer, as last seen. */
export interface CategoryOfferState {
  category: string;
  /** Open orders on the market carrying the offer's terms. */
  openOrders: number;
  /** Tasks left to sell across them. */
  remaining: string;
  /** Hash of the last order this publisher published for the category. */
  lastOrderHash?: string;
  /** When this publisher last published for the category (ISO date). */
  lastRefill?: string;
}

/** What `stack status` and `openpoco workerpool offer` show. */
export interface PublisherState {
  workerpool: string;
  owner: string;
  terms: { price: string; volume: string; trust: string; tag: string; ordersPerCategory: number };
  categories: CategoryOfferState[];
  /** Orders published since this publisher started. */
  published: number;
  /** End of the last pass (ISO date). */
  lastCheck?: string;
  /** Last publication (ISO date). */
  lastRefill?: string;
  /** The last pass's failure, cleared by the next successful pass. */
  lastError?: { at: string; message: string };
}

/** What the publisher works with. */
export interface OfferPublisherOptions {
  /** A client whose signer is the workerpool's owner. */
  client: OpenPoco;
  market: MarketClient;
  workerpool: string;
  terms?: Partial<OfferTerms>;
  /** Called with the state after each pass (the CLI writes it to a file). */
  onState?: (state: PublisherState) => void;
  /** Called with each order published. */
  onPublished?: (order: PublishedOrder<"workerpool">["order"], orderHash: string) => void;
  /** Clock (tests). */
  now?: () => Date;
}

/** Checks terms given by a user; throws `InvalidInputError` naming the bad one. */
export function checkTerms(terms: Partial<OfferTerms>): Required<Omit<OfferTerms, "categories">> & {
  categories?: bigint[];
} {
  const merged = { ...DEFAULT_OFFER, ...terms };
  if (merged.price < 0n)
    throw new InvalidInputError(`The offer's price must be 0 or more, got ${merged.price}.`);
  if (merged.volume < 1n)
    throw new InvalidInputError(`The offer's volume must be at least 1, got ${merged.volume}.`);
  if (merged.trust < 0n)
    throw new InvalidInputError(`The offer's trust must be 0 or more, got ${merged.trust}.`);
  if (!isHexString(merged.tag, 32))
    throw new InvalidInputError(`The offer's tag must be a bytes32 (0x + 64 hex digits), got ${merged.tag}.`);
  if (!Number.isSafeInteger(merged.ordersPerCategory) || merged.ordersPerCategory < 1)
    throw new InvalidInputError(`Orders per category must be at least 1, got ${merged.ordersPerCategory}.`);
  if (merged.categories?.some((c) => c < 0n))
    throw new InvalidInputError("Categories are numbers from 0: give the ids of existing categories.");
  return { ...merged, tag: merged.tag.toLowerCase() };
}

/** Keeps the standing offer of one workerpool; see the module comment. */
export class OfferPublisher {
  private readonly terms: ReturnType<typeof checkTerms>;
  private readonly workerpool: string;
  private readonly signer: Signer;
  private state: PublisherState;
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: OfferPublisherOptions) {
    this.terms = checkTerms(options.terms ?? {});
    this.workerpool = getAddress(options.workerpool);
    this.signer = options.client.context.requireSigner("publish the workerpool's offer");
    this.state = {
      workerpool: this.workerpool,
      owner: "",
      terms: {
        price: this.terms.price.toString(),
        volume: this.terms.volume.toString(),
        trust: this.terms.trust.toString(),
        tag: this.terms.tag,
        ordersPerCategory: this.terms.ordersPerCategory,
      },
      categories: [],
      published: 0,
    };
  }

  /** The state after the last pass. */
  status(): PublisherState {
    return structuredClone(this.state);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Whether a published order carries this offer's terms (other orders of the pool do not count). */
  private isOurs(order: WorkerpoolOrder, category: bigint): boolean {
    return (
      getAddress(order.workerpool) === this.workerpool &&
      order.category === category &&
      order.workerpoolprice === this.terms.price &&
      order.trust === this.terms.trust &&
      order.tag.toLowerCase() === this.terms.tag &&
      order.apprestrict === ZeroAddress &&
      order.datasetrestrict === ZeroAddress &&
      order.requesterrestrict === ZeroAddress
    );
  }

  /**
   * Open orders of this offer, by category, from the market: one listing of the pool's orders per
   * pass (not one per category), so that the publisher takes little of the market's rate limit.
   */
  private async openOrders(): Promise<Map<bigint, PublishedOrder<"workerpool">[]>> {
    const byCategory = new Map<bigint, PublishedOrder<"workerpool">[]>();
    for (let pageIndex = 0; ; pageIndex++) {
      const page = await this.options.market.orderbook(
        "workerpool",
        { workerpool: this.workerpool },
        { pageIndex, pageSize: 100 },
      );
      for (const published of page.orders) {
        const category = published.order.category;
        if (
          published.status !== "open" ||
          published.remaining === 0n ||
          !this.isOurs(published.order, category)
        )
          continue;
        byCategory.set(category, [...(byCategory.get(category) ?? []), published]);
      }
      if (page.nextPage === undefined) return byCategory;
    }
  }

  /** Categories served: the configured ones, or every category of the chain. */
  private async categories(): Promise<bigint[]> {
    if (this.terms.categories) return this.terms.categories;
    const count = await this.options.client.categories.count();
    return Array.from({ length: Number(count) }, (_, i) => BigInt(i));
  }

  /** Signs and publishes one order of the offer in `category`; returns its hash. */
  private async publishOne(category: bigint): Promise<string> {
    const order = await this.options.client.orders.sign(
      "workerpool",
      workerpoolOrder({
        workerpool: this.workerpool,
        workerpoolprice: this.terms.price,
        volume: this.terms.volume,
        trust: this.terms.trust,
        tag: this.terms.tag,
        category,
      }),
    );
    const orderHash = await this.options.market.publish("workerpool", order, this.signer);
    this.options.onPublished?.(order, orderHash);
    return orderHash;
  }

  /**
   * One pass: for each category, counts the offer's open orders and publishes what is missing up
   * to the target. Passes never overlap; a failure is recorded in the state and thrown.
   */
  async refill(): Promise<PublisherState> {
    while (this.running) await this.running;
    const pass = this.pass();
    this.running = pass.finally(() => (this.running = undefined)).catch(() => undefined);
    await pass;
    return this.status();
  }

  private async pass(): Promise<void> {
    try {
      this.state.owner = await this.signer.getAddress();
      const previous = new Map(this.state.categories.map((c) => [c.category, c]));
      const seen: CategoryOfferState[] = [];
      const openByCategory = await this.openOrders();
      for (const category of await this.categories()) {
        const open = openByCategory.get(category) ?? [];
        const entry: CategoryOfferState = {
          ...previous.get(category.toString()),
          category: category.toString(),
          openOrders: open.length,
          remaining: open.reduce((sum, o) => sum + o.remaining, 0n).toString(),
        };
        for (let missing = this.terms.ordersPerCategory - open.length; missing > 0; missing--) {
          entry.lastOrderHash = await this.publishOne(category);
          entry.lastRefill = this.now().toISOString();
          entry.openOrders++;
          entry.remaining = (BigInt(entry.remaining) + this.terms.volume).toString();
          this.state.published++;
          this.state.lastRefill = entry.lastRefill;
        }
        seen.push(entry);
      }
      this.state.categories = seen;
      this.state.lastCheck = this.now().toISOString();
      delete this.state.lastError;
    } catch (error) {
      this.state.lastError = { at: this.now().toISOString(), message: (error as Error).message };
      throw error;
    } finally {
      this.options.onState?.(this.status());
    }
  }

  /** Refills now, then every `intervalMs`; failures are kept in the state and retried. */
  start(intervalMs: number): void {
    this.stopped = false;
    const loop = async () => {
      await this.refill().catch(() => undefined);
      if (!this.stopped) this.timer = setTimeout(() => void loop(), intervalMs);
    };
    void loop();
  }

  /** Stops the passes (after the current one). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.running) await this.running;
  }
}
