/**
 * Client of the market API (the official iExec market API's paths, query names and answers), and the
 * challenge authentication it uses for publishing: the same functions let a market service verify it.
 */
import { TypedDataEncoder, getAddress, isAddress, isHexString } from "ethers";
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";
import { InvalidInputError, NotFoundError, ServiceError } from "./errors";
import { joinUrl, requestJson } from "./http";
import { parseOrder } from "./order-json";
import { fastRecoverAddress } from "./recover";
import { UnknownOrderKindError } from "./orders";
import type { OrderByKind, OrderKind } from "./orders";

const SERVICE = "market API";

/** EIP-712 domain name of the market's login challenge. */
export const CHALLENGE_DOMAIN_NAME = "iExec Gateway";
/** EIP-712 domain version of the market's login challenge. */
export const CHALLENGE_DOMAIN_VERSION = "1";
/** EIP-712 types of the market's login challenge. */
export const CHALLENGE_TYPES: Record<string, TypedDataField[]> = {
  Challenge: [{ name: "challenge", type: "string" }],
};
/** Prefix of the challenge text the official market hands out before its random value. */
export const CHALLENGE_TEXT_PREFIX = "Sign this message to log into iExec Gateway: ";

/** The challenge's EIP-712 domain on chain `chainId`. */
export function challengeDomain(chainId: bigint): TypedDataDomain {
  return { name: CHALLENGE_DOMAIN_NAME, version: CHALLENGE_DOMAIN_VERSION, chainId };
}

/** The text a market signs in for a random `value`. */
export function challengeText(value: string): string {
  return CHALLENGE_TEXT_PREFIX + value;
}

/** The typed data the market serves on GET /challenge (`data` of its answer). */
export interface ChallengeTypedData {
  types: Record<string, { name: string; type: string }[]>;
  domain: { name: string; version: string; chainId: string | number };
  primaryType: "Challenge";
  message: { challenge: string };
}

/** The typed data of a challenge, as the market serves it (EIP712Domain type included). */
export function challengeTypedData(chainId: bigint, challenge: string): ChallengeTypedData {
  return {
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
      ],
      Challenge: [{ name: "challenge", type: "string" }],
    },
    domain: { name: CHALLENGE_DOMAIN_NAME, version: CHALLENGE_DOMAIN_VERSION, chainId: chainId.toString() },
    primaryType: "Challenge",
    message: { challenge },
  };
}

/** EIP-712 typed-data hash of a challenge: the first part of the Authorization header. */
export function hashChallenge(chainId: bigint, challenge: string): string {
  return TypedDataEncoder.hash(challengeDomain(chainId), CHALLENGE_TYPES, { challenge });
}

/** Address that signed `challenge` on chain `chainId` with `signature`. */
export function recoverChallengeSigner(chainId: bigint, challenge: string, signature: string): string {
  return fastRecoverAddress(hashChallenge(chainId, challenge), signature);
}

/** The three parts of a market Authorization header. */
export interface MarketAuthorization {
  /** Typed-data hash of the challenge. */
  hash: string;
  /** Signature of the challenge's typed data. */
  signature: string;
  /** Address that claims to have signed. */
  address: string;
}

/** Signs a challenge; returns the parts and the header value `<hash>_<signature>_<address>`. */
export async function signChallenge(
  signer: Signer,
  chainId: bigint,
  challenge: string,
): Promise<MarketAuthorization & { authorization: string }> {
  const address = await signer.getAddress();
  const signature = await signer.signTypedData(challengeDomain(chainId), CHALLENGE_TYPES, { challenge });
  const hash = hashChallenge(chainId, challenge);
  return { hash, signature, address, authorization: `${hash}_${signature}_${address}` };
}

/** Splits an Authorization header into its parts; throws `InvalidInputError` when malformed. */
export function parseMarketAuthorization(header: string): MarketAuthorization {
  const parts = header.split("_");
  const [hash, signature, address] = parts;
  if (parts.length !== 3 || !isHexString(hash, 32) || !isHexString(signature, 65) || !isAddress(address))
    throw new InvalidInputError(
      "Malformed Authorization header: send <challenge hash>_<signature>_<address> from a signed GET /challenge.",
    );
  return { hash, signature, address: getAddress(address) };
}

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

const ENDPOINTS: Readonly<Record<OrderKind, string>> = {
  app: "/apporders",
  dataset: "/datasetorders",
  workerpool: "/workerpoolorders",
  request: "/requestorders",
};

// Field of the unpublish body naming whose orders to unpublish, per kind (official API).
const OWNER_FIELDS: Readonly<Record<OrderKind, string>> = {
  app: "app",
  dataset: "dataset",
  workerpool: "workerpool",
  request: "requester",
};

const ADDRESS_FILTERS = new Set<string>([
  "app",
  "dataset",
  "workerpool",
  "requester",
  "beneficiary",
  "appOwner",
  "datasetOwner",
  "workerpoolOwner",
]);

function endpointOf(kind: OrderKind): string {
  if (!Object.prototype.hasOwnProperty.call(ENDPOINTS, kind)) throw new UnknownOrderKindError(kind);
  return ENDPOINTS[kind];
}

function checkAddress(name: string, value: string, allowAny: boolean): string {
  if (allowAny && value === "any") return value;
  if (!isAddress(value))
    throw new InvalidInputError(
      `Invalid ${name} ${JSON.stringify(value)}: pass a 0x address${allowAny ? ' or "any"' : ""}.`,
    );
  return getAddress(value);
}

function checkBytes32(name: string, value: string): string {
  if (!isHexString(value, 32))
    throw new InvalidInputError(`Invalid ${name} ${JSON.stringify(value)}: pass 0x and 64 hex digits.`);
  return value;
}

function checkPaging(paging: Paging): Record<string, string | undefined> {
  const { pageIndex, pageSize } = paging;
  if (pageIndex !== undefined && !(Number.isSafeInteger(pageIndex) && pageIndex >= 0))
    throw new InvalidInputError(`Invalid pageIndex ${pageIndex}: pass an integer from 0.`);
  if (pageSize !== undefined && !(Number.isSafeInteger(pageSize) && pageSize >= 10))
    throw new InvalidInputError(`Invalid pageSize ${pageSize}: pass an integer of at least 10.`);
  return { pageIndex: pageIndex?.toString(), pageSize: pageSize?.toString() };
}

function filterQuery(filters: object, allowed: readonly string[], what: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if (!allowed.includes(name))
      throw new InvalidInputError(
        `The ${what} has no filter ${JSON.stringify(name)}: use one of ${allowed.join(", ")}.`,
      );
    if (typeof value === "bigint") {
      if (value < 0n) throw new InvalidInputError(`Invalid ${name} ${value}: pass a non-negative integer.`);
      query[name] = value.toString();
    } else if (typeof value === "boolean") query[name] = String(value);
    else if (typeof value === "string")
      query[name] = ADDRESS_FILTERS.has(name)
        ? checkAddress(name, value, true)
        : name.endsWith("Tag") || name.endsWith("Hash")
          ? checkBytes32(name, value)
          : value;
    else
      throw new InvalidInputError(`Invalid ${name} ${String(value)}: pass a string, a bigint or a boolean.`);
  }
  return query;
}

// Conversion of the market's JSON (numbers or decimal strings) to the SDK's types. A malformed answer is a
// service fault, reported as such rather than as a TypeError deep in the caller.
function malformed(url: string, what: string): ServiceError {
  return new ServiceError(
    SERVICE,
    url,
    200,
    `malformed answer (${what}); check that the URL points at a market API.`,
  );
}

function toBigInt(value: unknown, url: string, what: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  throw malformed(url, `${what} is not an integer`);
}

function toStr(value: unknown, url: string, what: string): string {
  if (typeof value === "string") return value;
  throw malformed(url, `${what} is not a string`);
}

function toRecord(value: unknown, url: string, what: string): Record<string, unknown> {
  if (typeof value === "object" && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  throw malformed(url, `${what} is not an object`);
}

/** An order of the market's answer, checked field by field like any order read from JSON. */
function orderFromJson<K extends OrderKind>(kind: K, json: unknown, url: string): OrderByKind[K] {
  try {
    return parseOrder(kind, json, "order");
  } catch (error) {
    if (error instanceof InvalidInputError) throw malformed(url, error.message.replace(/\.$/, ""));
    throw error;
  }
}

function publishedFromJson<K extends OrderKind>(kind: K, json: unknown, url: string): PublishedOrder<K> {
  const entry = toRecord(json, url, "published order");
  return {
    orderHash: toStr(entry.orderHash, url, "orderHash"),
    chainId: toBigInt(entry.chainId, url, "chainId"),
    order: orderFromJson(kind, entry.order, url),
    remaining: toBigInt(entry.remaining, url, "remaining"),
    status: toStr(entry.status, url, "status"),
    signer: toStr(entry.signer, url, "signer"),
    publicationTimestamp: toStr(entry.publicationTimestamp, url, "publicationTimestamp"),
  };
}

function page(json: Record<string, unknown>, url: string): { count: number; nextPage?: number } {
  const count = typeof json.count === "number" ? json.count : Number(toBigInt(json.count, url, "count"));
  const nextPage = json.nextPage === undefined || json.nextPage === null ? undefined : json.nextPage;
  if (nextPage !== undefined && typeof nextPage !== "number")
    throw malformed(url, "nextPage is not a number");
  return nextPage === undefined ? { count } : { count, nextPage };
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function dealFromJson(json: unknown, url: string): MarketDeal {
  const deal = toRecord(json, url, "deal");
  const resource = (name: string): MarketDealResource => {
    const r = toRecord(deal[name], url, `deal.${name}`);
    return {
      pointer: toStr(r.pointer, url, `deal.${name}.pointer`),
      owner: toStr(r.owner, url, `deal.${name}.owner`),
      price: toBigInt(r.price, url, `deal.${name}.price`),
    };
  };
  const int = (name: string) => toBigInt(deal[name], url, `deal.${name}`);
  const str = (name: string) => toStr(deal[name], url, `deal.${name}`);
  return {
    // The router answers `dealid`, the OpenAPI description says `dealId`: accept both.
    dealid: toStr(deal.dealid ?? deal.dealId, url, "deal.dealid"),
    app: resource("app"),
    dataset: resource("dataset"),
    workerpool: resource("workerpool"),
    appHash: optionalString(deal.appHash),
    datasetHash: optionalString(deal.datasetHash),
    workerpoolHash: optionalString(deal.workerpoolHash),
    requestHash: optionalString(deal.requestHash),
    requester: str("requester"),
    beneficiary: str("beneficiary"),
    callback: str("callback"),
    tag: str("tag"),
    params: str("params"),
    category: int("category"),
    trust: int("trust"),
    volume: int("volume"),
    botFirst: int("botFirst"),
    botSize: int("botSize"),
    startTime: int("startTime"),
    workerStake: int("workerStake"),
    schedulerRewardRatio: int("schedulerRewardRatio"),
    transactionHash: optionalString(deal.transactionHash),
    blockNumber: optionalNumber(deal.blockNumber),
    blockTimestamp: optionalString(deal.blockTimestamp),
  };
}

function categoryFromJson(json: unknown, url: string): MarketCategory {
  const category = toRecord(json, url, "category");
  return {
    catid: toBigInt(category.catid, url, "category.catid"),
    name: toStr(category.name, url, "category.name"),
    description: toStr(category.description, url, "category.description"),
    workClockTimeRef: toBigInt(category.workClockTimeRef, url, "category.workClockTimeRef"),
    transactionHash: optionalString(category.transactionHash),
    blockNumber: optionalNumber(category.blockNumber),
    blockTimestamp: optionalString(category.blockTimestamp),
  };
}

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
    if (
      domain.name !== CHALLENGE_DOMAIN_NAME ||
      domain.version !== CHALLENGE_DOMAIN_VERSION ||
      toBigInt(domain.chainId, url, "challenge chainId") !== this.chainId
    )
      throw new ServiceError(
        SERVICE,
        url,
        200,
        `the challenge is not for ${CHALLENGE_DOMAIN_NAME} v${CHALLENGE_DOMAIN_VERSION} on chain ${this.chainId}; point the client at this chain's market.`,
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
