/** `orderbook app|dataset|workerpool|requester`: the market's open orders, with the official filters. */
import type { Command } from "commander";
import { InvalidInputError } from "../../sdk/core/errors";
import type { OrderbookFilters } from "../../sdk/core/market";
import { orderToJson } from "../../sdk/core/order-json";
import { priceOf, type OrderKind } from "../../sdk/core/orders";
import { formatRlc } from "../../sdk/core/units";
import { action } from "../action";
import type { Session } from "../session";

interface OrderbookOptions {
  app?: string;
  dataset?: string;
  workerpool?: string;
  requester?: string;
  category?: string;
  minTag?: string;
  maxTag?: string;
  minVolume?: string;
  minTrust?: string;
  maxTrust?: string;
  pageIndex?: string;
  pageSize?: string;
}

function integer(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new InvalidInputError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}.`);
  return BigInt(value);
}

async function list(session: Session, kind: OrderKind, filters: OrderbookFilters, options: OrderbookOptions) {
  const market = await session.market();
  const book = await session.out.step(
    `Reading the ${kind} orderbook`,
    market.orderbook(
      kind,
      {
        ...filters,
        category: filters.category ?? integer("category", options.category),
        minTag: options.minTag,
        maxTag: options.maxTag,
        minVolume: integer("min-volume", options.minVolume),
        minTrust: integer("min-trust", options.minTrust),
        maxTrust: integer("max-trust", options.maxTrust),
      },
      {
        pageIndex: options.pageIndex ? Number(integer("page-index", options.pageIndex)) : undefined,
        pageSize: options.pageSize ? Number(integer("page-size", options.pageSize)) : undefined,
      },
    ),
  );
  session.out.success(`${book.count} ${kind} order(s) in the orderbook`);
  for (const entry of book.orders) {
    const price = priceOf(kind, entry.order);
    session.out.print(`  ${entry.orderHash}  ${formatRlc(price)}  remaining ${entry.remaining}`);
  }
  session.out.set({
    count: book.count,
    nextPage: book.nextPage,
    orders: book.orders.map((entry) => ({ ...entry, order: orderToJson(kind, entry.order) })),
  });
}

function withFilters(command: Command, names: string[]): Command {
  const described: Record<string, string> = {
    app: "--app <address>",
    dataset: "--dataset <address>",
    workerpool: "--workerpool <address>",
    requester: "--requester <address>",
    category: "--category <id>",
  };
  for (const name of names) command.option(described[name], `only orders that allow this ${name}`);
  return command
    .option("--min-tag <tag>", "only orders with at least these tag bits")
    .option("--max-tag <tag>", "only orders with at most these tag bits")
    .option("--min-volume <n>", "only orders with at least this remaining volume")
    .option("--page-index <n>", "page to show, from 0")
    .option("--page-size <n>", "orders per page");
}

/** Registers `orderbook`. */
export function registerOrderbook(program: Command): void {
  const book = program.command("orderbook").description("open orders of the market");
  withFilters(book.command("app").argument("<address>", "app address"), [
    "dataset",
    "workerpool",
    "requester",
  ])
    .description("app orders of an app")
    .action(
      action((session: Session, app: string, o: OrderbookOptions) =>
        list(session, "app", { ...o, app } as OrderbookFilters, o),
      ),
    );
  withFilters(book.command("dataset").argument("<address>", "dataset address"), [
    "app",
    "workerpool",
    "requester",
  ])
    .description("dataset orders of a dataset")
    .action(
      action((session: Session, dataset: string, o: OrderbookOptions) =>
        list(session, "dataset", { ...o, dataset } as OrderbookFilters, o),
      ),
    );
  withFilters(book.command("workerpool").argument("[address]", "workerpool address"), [
    "category",
    "app",
    "dataset",
    "requester",
  ])
    .option("--min-trust <n>", "only orders offering at least this trust")
    .description("workerpool orders")
    .action(
      action((session: Session, workerpool: string | undefined, o: OrderbookOptions) =>
        list(
          session,
          "workerpool",
          { app: o.app, dataset: o.dataset, requester: o.requester, workerpool },
          o,
        ),
      ),
    );
  withFilters(book.command("requester").argument("[address]", "requester address"), [
    "category",
    "app",
    "dataset",
    "workerpool",
  ])
    .option("--max-trust <n>", "only requests asking at most this trust")
    .description("request orders")
    .action(
      action((session: Session, requester: string | undefined, o: OrderbookOptions) =>
        list(session, "request", { app: o.app, dataset: o.dataset, workerpool: o.workerpool, requester }, o),
      ),
    );
}
