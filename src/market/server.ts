/**
 * The market's HTTP API (the official market API's paths and answers) on Fastify: JSON-schema
 * validation of every input, CORS, per-caller rate limits, a body size limit, and errors as
 * `{ ok: false, error }` with a 4xx status naming what was wrong.
 */
import cors from "@fastify/cors";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { getAddress } from "ethers";
import { OpenPocoError } from "../sdk/core/errors";
import { toJson } from "../sdk/core/http";
import { orderToJson } from "../sdk/core/order-json";
import type { OrderKind } from "../sdk/core/orders";
import {
  CATEGORIES_QUERY,
  CATID_PARAMS,
  CHAIN_QUERY,
  CHALLENGE_QUERY,
  DEALS_QUERY,
  HASH_PARAMS,
  ORDERBOOK_QUERY,
  PUBLISH_BODY,
  UNPUBLISH_BODY,
} from "./schemas";
import { answerErrorsAsJson, rateLimitByIp } from "../server/json-errors";
import { registerCompassRoutes } from "./compass";
import type { MarketService } from "./service";
import type { CategoryRecord, DealRecord, OrderQuery, OrderRecord, Page } from "./store";

/** Server options. */
export interface MarketServerOptions {
  /** Allowed CORS origins (default: any). */
  corsOrigin?: string | string[] | boolean;
  /** Requests per client IP per window (default 600 per minute). */
  rateLimit?: { max: number; timeWindowMs: number };
  /** Largest accepted body, in bytes (default 64 KiB: an order with the largest params fits). */
  bodyLimit?: number;
  /** Version string of GET /version. */
  version?: string;
  /** Fastify logging (default off). */
  logger?: boolean;
}

const ENDPOINTS: Record<OrderKind, string> = {
  app: "/apporders",
  dataset: "/datasetorders",
  workerpool: "/workerpoolorders",
  request: "/requestorders",
};

type Query = Record<string, string | undefined>;

/** A uint for JSON: a number when exact, else its decimal string (the official API sends numbers). */
function uint(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** An order's fields as the official API shows them: uints as numbers when exact. */
function orderJson(kind: OrderKind, record: OrderRecord): Record<string, unknown> {
  const json: Record<string, unknown> = orderToJson(kind, record.order as never);
  for (const [key, value] of Object.entries(json))
    if (/^\d+$/.test(value as string) && key !== "params") json[key] = uint(BigInt(value as string));
  return json;
}

function publishedJson(record: OrderRecord): Record<string, unknown> {
  return {
    orderHash: record.orderHash,
    chainId: uint(record.chainId),
    order: orderJson(record.kind, record),
    remaining: uint(record.remaining),
    status: record.status,
    signer: record.signer,
    publicationTimestamp: record.publicationTimestamp,
  };
}

function dealJson(deal: DealRecord): Record<string, unknown> {
  const resource = (r: DealRecord["app"]) => ({ pointer: r.pointer, owner: r.owner, price: uint(r.price) });
  return {
    ...deal,
    chainId: uint(deal.chainId),
    app: resource(deal.app),
    dataset: resource(deal.dataset),
    workerpool: resource(deal.workerpool),
    category: uint(deal.category),
    trust: uint(deal.trust),
    botFirst: uint(deal.botFirst),
    botSize: uint(deal.botSize),
    volume: uint(deal.volume),
    workerStake: uint(deal.workerStake),
    schedulerRewardRatio: uint(deal.schedulerRewardRatio),
    startTime: uint(deal.startTime),
  };
}

function categoryJson(category: CategoryRecord): Record<string, unknown> {
  return {
    ...category,
    catid: uint(category.catid),
    chainId: uint(category.chainId),
    workClockTimeRef: uint(category.workClockTimeRef),
  };
}

function page(query: Query): Page {
  const pageSize = query.pageSize === undefined ? 20 : Number(query.pageSize);
  if (pageSize < 10 || pageSize > 1000)
    throw new OpenPocoError("INVALID_INPUT", `pageSize must be between 10 and 1000, got ${pageSize}.`);
  return { pageIndex: query.pageIndex === undefined ? 0 : Number(query.pageIndex), pageSize };
}

function paged<T>(key: string, result: { items: T[]; count: number }, at: Page) {
  const more = (at.pageIndex + 1) * at.pageSize < result.count;
  return {
    ok: true,
    [key]: result.items,
    count: result.count,
    ...(more ? { nextPage: at.pageIndex + 1 } : {}),
  };
}

/** The store's query from the validated query string: "any" drops a filter, strings become typed values. */
function orderQuery(query: Query): OrderQuery {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === "any" || name === "chainId" || name.startsWith("page")) continue;
    if (value === "true" || value === "false") out[name] = value === "true";
    else if (/^0x[0-9a-fA-F]{40}$/.test(value)) out[name] = getAddress(value);
    else if (/^0x[0-9a-fA-F]{64}$/.test(value)) out[name] = value.toLowerCase();
    else out[name] = BigInt(value);
  }
  return out as OrderQuery;
}

/** Builds the API; call `listen` on the result. */
export async function buildMarketServer(
  service: MarketService,
  options: MarketServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  // Answers are built with bigints already turned into numbers or strings: plain JSON.stringify is
  // several times faster than with a replacer, which stays as the fallback for any bigint left.
  app.setReplySerializer((payload) => {
    try {
      return JSON.stringify(payload);
    } catch {
      return toJson(payload);
    }
  });
  await app.register(cors, { origin: options.corsOrigin ?? "*" });
  const limit = options.rateLimit ?? { max: 600, timeWindowMs: 60_000 };
  await rateLimitByIp(app, limit);

  answerErrorsAsJson(app, {
    statusOfCode: { ORDER_ALREADY_PUBLISHED: 409 },
    messageOfStatus: { 413: "Request body too large." },
  });

  const chainOf = (request: FastifyRequest) => {
    const chainId = (request.query as Query).chainId;
    service.checkChainId(chainId === undefined ? undefined : BigInt(chainId));
  };

  app.get("/version", { schema: { querystring: CHAIN_QUERY } }, async () => ({
    ok: true,
    version: options.version ?? "openpoco-market",
  }));

  app.get("/challenge", { schema: { querystring: CHALLENGE_QUERY } }, async (request) => {
    chainOf(request);
    return { ok: true, data: service.challenge((request.query as Query).address!) };
  });

  app.get("/categories", { schema: { querystring: CATEGORIES_QUERY } }, async (request) => {
    chainOf(request);
    const query = request.query as Query;
    const at = page(query);
    const result = service.store.listCategories(
      {
        minWorkClockTimeRef: query.minWorkClockTimeRef ? BigInt(query.minWorkClockTimeRef) : undefined,
        maxWorkClockTimeRef: query.maxWorkClockTimeRef ? BigInt(query.maxWorkClockTimeRef) : undefined,
      },
      at,
    );
    return paged("categories", { items: result.items.map(categoryJson), count: result.count }, at);
  });

  app.get(
    "/categories/:catid",
    { schema: { querystring: CHAIN_QUERY, params: CATID_PARAMS } },
    async (request) => {
      chainOf(request);
      const catid = BigInt((request.params as { catid: string }).catid);
      const category = service.store.getCategory(catid);
      if (!category) throw new OpenPocoError("NOT_FOUND", `No category ${catid}.`);
      return { ok: true, ...categoryJson(category) };
    },
  );

  app.get("/deals", { schema: { querystring: DEALS_QUERY } }, async (request) => {
    chainOf(request);
    const query = request.query as Query;
    const at = page(query);
    const result = service.store.listDeals(orderQuery(query), at);
    return paged("deals", { items: result.items.map(dealJson), count: result.count }, at);
  });

  app.get("/deals/:hash", { schema: { querystring: CHAIN_QUERY, params: HASH_PARAMS } }, async (request) => {
    chainOf(request);
    const dealid = (request.params as { hash: string }).hash.toLowerCase();
    const deal = service.store.getDeal(dealid);
    if (!deal) throw new OpenPocoError("NOT_FOUND", `No deal ${dealid}.`);
    return { ok: true, ...dealJson(deal) };
  });

  for (const kind of Object.keys(ENDPOINTS) as OrderKind[]) {
    const endpoint = ENDPOINTS[kind];
    app.get(endpoint, { schema: { querystring: ORDERBOOK_QUERY[kind] } }, async (request) => {
      chainOf(request);
      const query = request.query as Query;
      const at = page(query);
      const result = service.orderbook(kind, orderQuery(query), at);
      return paged("orders", { items: result.items.map(publishedJson), count: result.count }, at);
    });
    app.get(
      `${endpoint}/:hash`,
      { schema: { querystring: CHAIN_QUERY, params: HASH_PARAMS } },
      async (request) => {
        chainOf(request);
        return { ok: true, ...publishedJson(service.order(kind, (request.params as { hash: string }).hash)) };
      },
    );
    app.post(endpoint, { schema: { querystring: CHAIN_QUERY, body: PUBLISH_BODY } }, async (request) => {
      chainOf(request);
      const caller = service.authenticate(request.headers.authorization);
      const record = await service.publish(kind, (request.body as { order: unknown }).order, caller);
      return { ok: true, published: publishedJson(record) };
    });
    app.put(
      endpoint,
      { schema: { querystring: CHAIN_QUERY, body: UNPUBLISH_BODY } },
      async (request, reply) => {
        chainOf(request);
        const body = request.body as Record<string, string>;
        const reference =
          body.target === "unpublish_orderHash"
            ? body.orderHash
            : body[kind === "request" ? "requester" : kind];
        if (!reference)
          return reply.status(400).send({
            ok: false,
            error: `${body.target} needs ${body.target === "unpublish_orderHash" ? "orderHash" : kind === "request" ? "requester" : kind}.`,
          });
        const caller = service.authenticate(request.headers.authorization);
        return { ok: true, unpublished: service.unpublish(kind, body.target as never, reference, caller) };
      },
    );
  }
  registerCompassRoutes(app, service);
  return app;
}

export type { FastifyInstance, FastifyReply };
