/**
 * Decoders of the market API's JSON answers into the SDK's types (see wire.ts). The market writes
 * integers as numbers or decimal strings; anything else is a malformed answer.
 */
import { InvalidInputError, ServiceError } from "../errors";
import { parseOrder } from "../order-json";
import type { OrderByKind, OrderKind } from "../orders";
import type { MarketCategory, MarketDeal, MarketDealResource, PublishedOrder } from "./wire";

/** Name of the service in errors about the market API. */
export const SERVICE = "market API";

// Conversion of the market's JSON (numbers or decimal strings) to the SDK's types. A malformed answer is a
// service fault, reported as such rather than as a TypeError deep in the caller.
export function malformed(url: string, what: string): ServiceError {
  return new ServiceError(
    SERVICE,
    url,
    200,
    `malformed answer (${what}); check that the URL points at a market API.`,
  );
}

export function toBigInt(value: unknown, url: string, what: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  throw malformed(url, `${what} is not an integer`);
}

export function toStr(value: unknown, url: string, what: string): string {
  if (typeof value === "string") return value;
  throw malformed(url, `${what} is not a string`);
}

export function toRecord(value: unknown, url: string, what: string): Record<string, unknown> {
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

export function publishedFromJson<K extends OrderKind>(
  kind: K,
  json: unknown,
  url: string,
): PublishedOrder<K> {
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

export function page(json: Record<string, unknown>, url: string): { count: number; nextPage?: number } {
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

export function dealFromJson(json: unknown, url: string): MarketDeal {
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

export function categoryFromJson(json: unknown, url: string): MarketCategory {
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
