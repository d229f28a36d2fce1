/**
 * Client of the market API (the official iExec market API's paths, query names and answers): reads
 * orderbooks, deals and categories, and publishes or unpublishes orders with a signed challenge.
 */
import type { Signer } from "ethers";
import { InvalidInputError, NotFoundError, ServiceError } from "../errors";
import { joinUrl, requestJson } from "../http";
import type { OrderByKind, OrderKind } from "../orders";
import {
  CHALLENGE_DOMAIN_NAME,
  CHALLENGE_DOMAIN_VERSION,
  CHALLENGE_TEXT_PREFIX,
  signChallenge,
} from "./auth";
import {
  SERVICE,
  categoryFromJson,
  dealFromJson,
  malformed,
  page,
  publishedFromJson,
  toBigInt,
  toRecord,
  toStr,
} from "./decode";
import { OWNER_FIELDS, checkAddress, checkBytes32, checkPaging, endpointOf, filterQuery } from "./query";
import { ORDERBOOK_FILTERS } from "./wire";
import type {
  DealFilters,
  MarketCategory,
  MarketDeal,
  Orderbook,
  OrderbookFilters,
  Paging,
  PublishedOrder,
} from "./wire";

type Json = Record<string, unknown>;

/** Client of a market API serving chain `chainId`. */
export class MarketClient {
  /**
   * @param baseUrl URL of the market API, for example `http://localhost:3000`.
   * @param chainId Chain whose orders to read and publish.
   * @param timeoutMs Time to wait for each answer.
   */
  constructor(
    readonly baseUrl: string,
    readonly chainId: bigint,
    readonly timeoutMs?: number,
  ) {}

  private url(path: string, query: Record<string, string | undefined> = {}): string {
    return joinUrl(this.baseUrl, path, { chainId: this.chainId.toString(), ...query });
  }

  private get<T>(url: string): Promise<T> {
    return requestJson<T>(SERVICE, url, { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs });
  }

  /** Version of the market API. */
  async version(): Promise<string> {
    const url = joinUrl(this.baseUrl, "/version");
    const json = await this.get<Json>(url);
    return toStr(json.version, url, "version");
  }

  /** One page of the categories. */
  async categories(
    paging: Paging = {},
  ): Promise<{ categories: MarketCategory[]; count: number; nextPage?: number }> {
    const url = this.url("/categories", checkPaging(paging));
    const json = await this.get<Json>(url);
    if (!Array.isArray(json.categories)) throw malformed(url, "categories is not a list");
    return { categories: json.categories.map((c: unknown) => categoryFromJson(c, url)), ...page(json, url) };
  }

  /** One page of the deals matching `filters`. */
  async deals(
    filters: DealFilters = {},
    paging: Paging = {},
  ): Promise<{ deals: MarketDeal[]; count: number; nextPage?: number }> {
    const allowed = [
      "category",
      "requester",
      "beneficiary",
      "app",
      "dataset",
      "workerpool",
      "appOwner",
      "datasetOwner",
      "workerpoolOwner",
      "apporderHash",
      "datasetorderHash",
      "workerpoolorderHash",
      "requestorderHash",
    ];
    const query = filterQuery(filters, allowed, "deal list");
    for (const [name, value] of Object.entries(query))
      if (value === "any") throw new InvalidInputError(`Invalid ${name} "any": pass a 0x address.`);
    const url = this.url("/deals", { ...query, ...checkPaging(paging) });
    const json = await this.get<Json>(url);
    if (!Array.isArray(json.deals)) throw malformed(url, "deals is not a list");
    return { deals: json.deals.map((d: unknown) => dealFromJson(d, url)), ...page(json, url) };
  }

  /** One page of the `kind` orderbook matching `filters`, best orders first as the market sorts them. */
  async orderbook<K extends OrderKind>(
    kind: K,
    filters: OrderbookFilters = {},
    paging: Paging = {},
  ): Promise<Orderbook<K>> {
    const endpoint = endpointOf(kind);
    // The official market requires the asset (or its owner) for the app and dataset orderbooks.
    if (kind === "app" && filters.app === undefined && filters.appOwner === undefined)
      throw new InvalidInputError("The app orderbook needs an app or an appOwner filter: pass one of them.");
    if (kind === "dataset" && filters.dataset === undefined && filters.datasetOwner === undefined)
      throw new InvalidInputError(
        "The dataset orderbook needs a dataset or a datasetOwner filter: pass one of them.",
      );
    const query = filterQuery(filters, ORDERBOOK_FILTERS[kind], `${kind} orderbook`);
    const url = this.url(endpoint, { ...query, ...checkPaging(paging) });
    const json = await this.get<Json>(url);
    if (!Array.isArray(json.orders)) throw malformed(url, "orders is not a list");
    return { orders: json.orders.map((o: unknown) => publishedFromJson(kind, o, url)), ...page(json, url) };
  }

  /** The market's record of deal `dealid` (orders, prices, transaction); throws `NotFoundError` when it has none. */
  async deal(dealid: string): Promise<MarketDeal> {
    const url = this.url(`/deals/${checkBytes32("dealid", dealid)}`);
    try {
      return dealFromJson(await this.get<Json>(url), url);
    } catch (error) {
      if (error instanceof ServiceError && error.status === 404)
        throw new NotFoundError(
          `The market at ${this.baseUrl} has no deal ${dealid}: check the id, or wait for it to sync.`,
        );
      throw error;
    }
  }

  /** The published `kind` order of hash `orderHash`; throws `NotFoundError` when the market has none. */
  async order<K extends OrderKind>(kind: K, orderHash: string): Promise<PublishedOrder<K>> {
    const url = this.url(`${endpointOf(kind)}/${checkBytes32("orderHash", orderHash)}`);
    try {
      return publishedFromJson(kind, await this.get<Json>(url), url);
    } catch (error) {
      if (error instanceof ServiceError && error.status === 404)
        throw new NotFoundError(
          `No ${kind} order ${orderHash} is published on the market at ${this.baseUrl}: check the hash or publish the order.`,
        );
      throw error;
    }
  }

  /** Authorization header for `signer`: fetches a challenge (valid once) and signs it. */
  async authorize(signer: Signer): Promise<string> {
    const address = await signer.getAddress();
    const url = this.url("/challenge", { address });
    const json = await this.get<Json>(url);
    // The official market wraps the typed data in `data`; accept it bare too.
    const typedData = toRecord(json.data ?? json, url, "challenge");
    const domain = toRecord(typedData.domain, url, "challenge domain");
    const message = toRecord(typedData.message, url, "challenge message");
    const challenge = toStr(message.challenge, url, "challenge");
    // Only the market's own login text: never a workerpool's logs challenge relayed by a hostile market.
    if (
      !new RegExp(`^${CHALLENGE_TEXT_PREFIX}\\S{1,256}$`).test(challenge) ||
      domain.name !== CHALLENGE_DOMAIN_NAME ||
      domain.version !== CHALLENGE_DOMAIN_VERSION ||
      toBigInt(domain.chainId, url, "challenge chainId") !== this.chainId
    )
      throw new ServiceError(
        SERVICE,
        url,
        200,
        `the challenge is not a ${CHALLENGE_DOMAIN_NAME} v${CHALLENGE_DOMAIN_VERSION} login on chain ${this.chainId}: nothing was signed; point the client at this chain's market.`,
      );
    return (await signChallenge(signer, this.chainId, challenge)).authorization;
  }

  /** Publishes a signed order; returns its hash as the market computed it. */
  async publish<K extends OrderKind>(kind: K, order: OrderByKind[K], signer: Signer): Promise<string> {
    const endpoint = endpointOf(kind);
    if (!order.sign || order.sign === "0x")
      throw new InvalidInputError(
        `The ${kind} order is not signed: sign it (signOrder) before publishing it.`,
      );
    const authorization = await this.authorize(signer);
    const url = this.url(endpoint);
    const json = await requestJson<Json>(SERVICE, url, {
      method: "POST",
      body: { order },
      headers: { Authorization: authorization },
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
    });
    const published = toRecord(json.published, url, "published");
    return toStr(published.orderHash, url, "published.orderHash");
  }

  private async unpublishRequest(
    signer: Signer,
    kind: OrderKind,
    body: Record<string, string>,
  ): Promise<string[]> {
    const endpoint = endpointOf(kind);
    const authorization = await this.authorize(signer);
    const url = this.url(endpoint);
    const json = await requestJson<Json>(SERVICE, url, {
      method: "PUT",
      body,
      headers: { Authorization: authorization },
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
    });
    if (!Array.isArray(json.unpublished) || !json.unpublished.every((h) => typeof h === "string"))
      throw malformed(url, "unpublished is not a list of hashes");
    return json.unpublished as string[];
  }

  /** Unpublishes the `kind` order of hash `orderHash` (signer: its owner); returns the hash. */
  async unpublish(kind: OrderKind, orderHash: string, signer: Signer): Promise<string> {
    checkBytes32("orderHash", orderHash);
    const [hash] = await this.unpublishRequest(signer, kind, { target: "unpublish_orderHash", orderHash });
    return hash ?? orderHash;
  }

  private async ownerBody(
    kind: OrderKind,
    signer: Signer,
    assetAddress?: string,
  ): Promise<Record<string, string>> {
    endpointOf(kind);
    // Request orders are owned by their requester: the signer's own address unless told otherwise.
    const address = assetAddress ?? (kind === "request" ? await signer.getAddress() : undefined);
    if (address === undefined)
      throw new InvalidInputError(`Unpublishing ${kind} orders needs the ${kind}'s address: pass it.`);
    return { [OWNER_FIELDS[kind]]: checkAddress(OWNER_FIELDS[kind], address, false) };
  }

  /** Unpublishes the last published `kind` order of `assetAddress` (the signer for request orders). */
  async unpublishLast(kind: OrderKind, signer: Signer, assetAddress?: string): Promise<string> {
    const body = { target: "unpublish_last", ...(await this.ownerBody(kind, signer, assetAddress)) };
    const [hash] = await this.unpublishRequest(signer, kind, body);
    if (hash === undefined)
      throw new NotFoundError(
        `No ${kind} order of ${Object.values(body)[1]} is published: nothing to unpublish.`,
      );
    return hash;
  }

  /** Unpublishes every published `kind` order of `assetAddress` (the signer for request orders). */
  async unpublishAll(kind: OrderKind, signer: Signer, assetAddress?: string): Promise<string[]> {
    const body = { target: "unpublish_all", ...(await this.ownerBody(kind, signer, assetAddress)) };
    return this.unpublishRequest(signer, kind, body);
  }
}
