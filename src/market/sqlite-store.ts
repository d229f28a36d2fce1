/**
 * The market's storage in an embedded SQLite database (better-sqlite3): one file in the market's
 * data folder, in WAL mode, or an in-memory database for tests. The schema and its encodings are
 * described in `sql/schema.ts`; every value reaches SQL as a bound parameter of a prepared
 * statement, and the statements of `listOrders` are cached per query shape (the set of filters
 * present), so a shape is compiled once.
 *
 * Amounts are uint256: they are stored as length-prefixed hex text (see `sql/encoding.ts`), which
 * sorts and compares exactly for any uint256 (an INTEGER column stops at 2^63 - 1) while small
 * amounts stay a few characters long.
 */
import type Database from "better-sqlite3";
import { InvalidInputError } from "../sdk/core/errors";
import { orderToJson, parseOrder } from "../sdk/core/order-json";
import {
  assetOf,
  categoryTrustOf,
  isOrderKind,
  isOrderOf,
  priceOf,
  restrictionsOf,
  type OrderKind,
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

export { BULK_MIN_VOLUME };
import { openDatabase } from "../server/database";
import { dealFromJson, dealToJson, decodeAmount, encodeAmount, rankOf, tagWords } from "./sql/encoding";
import { orderFilters } from "./sql/order-query";
import { MIGRATIONS } from "./sql/schema";

/** `takeChallenge` purges expired challenges once every that many calls. */
const CHALLENGE_PURGE_EVERY = 100;

/** The columns an order is filtered and sorted on, besides its identity. */
interface OrderColumns {
  asset: string;
  price: bigint;
  category: bigint | null;
  trust: bigint | null;
  app: string | null;
  dataset: string | null;
  workerpool: string | null;
  requester: string | null;
  beneficiary: string | null;
  app_restrict: string | null;
  dataset_restrict: string | null;
  workerpool_restrict: string | null;
  requester_restrict: string | null;
}

/**
 * The columns of an order, from its kind's descriptor: restrictions go to the `*_restrict`
 * columns, except for request orders, whose app, dataset and workerpool (what they accept) go to
 * the plain columns, next to their requester and beneficiary.
 */
function orderColumns(record: OrderRecord): OrderColumns {
  const { kind, order } = record;
  if (!isOrderKind(kind)) throw new InvalidInputError(`Unknown order kind ${JSON.stringify(kind)}.`);
  const columns: OrderColumns = {
    asset: assetOf(kind, order),
    price: priceOf(kind, order),
    category: null,
    trust: null,
    app: null,
    dataset: null,
    workerpool: null,
    requester: null,
    beneficiary: null,
    app_restrict: null,
    dataset_restrict: null,
    workerpool_restrict: null,
    requester_restrict: null,
  };
  const terms = categoryTrustOf(kind, order);
  if (terms) {
    columns.category = terms.category;
    columns.trust = terms.trust;
  }
  const restrictions = restrictionsOf(kind, order);
  if (isOrderOf(kind, order, "request")) {
    columns.app = restrictions.app ?? null;
    columns.dataset = restrictions.dataset ?? null;
    columns.workerpool = restrictions.workerpool ?? null;
    columns.requester = columns.asset;
    columns.beneficiary = order.beneficiary;
  } else {
    columns.app_restrict = restrictions.app ?? null;
    columns.dataset_restrict = restrictions.dataset ?? null;
    columns.workerpool_restrict = restrictions.workerpool ?? null;
    columns.requester_restrict = restrictions.requester ?? null;
  }
  return columns;
}

const STATUSES: ReadonlySet<string> = new Set(["open", "filled", "canceled", "dead"]);
const KINDS: ReadonlySet<string> = new Set(["app", "dataset", "workerpool", "request"]);

function checkKind(kind: string): void {
  if (!KINDS.has(kind)) throw new InvalidInputError(`Unknown order kind ${JSON.stringify(kind)}.`);
}

function checkPage(page: Page): { limit: number; offset: number } {
  const { pageIndex, pageSize } = page;
  if (!Number.isSafeInteger(pageIndex) || pageIndex < 0 || !Number.isSafeInteger(pageSize) || pageSize < 0)
    throw new InvalidInputError(
      `A page needs a non-negative pageIndex and pageSize, got ${JSON.stringify(page)}.`,
    );
  return { limit: pageSize, offset: pageIndex * pageSize };
}

interface OrderRow {
  order_hash: string;
  kind: OrderKind;
  chain_id: string;
  order_json: string;
  signer: string;
  owner: string;
  remaining: string;
  status: PublishedStatus;
  published_iso: string;
}

function recordOf<K extends OrderKind>(row: OrderRow): OrderRecord<K> {
  return {
    kind: row.kind as K,
    orderHash: row.order_hash,
    chainId: BigInt(row.chain_id),
    order: parseOrder(
      row.kind as K,
      JSON.parse(row.order_json),
      `stored ${row.kind} order ${row.order_hash}`,
    ),
    signer: row.signer,
    owner: row.owner,
    remaining: decodeAmount(row.remaining),
    status: row.status,
    publicationTimestamp: row.published_iso,
  };
}

/** Columns of an `OrderRow`, from `ORDER_TABLES`. */
const ORDER_FIELDS =
  "o.order_hash, o.kind, o.chain_id, d.order_json, o.signer, o.owner, o.remaining, o.status, o.published_iso";
const ORDER_TABLES = "orders o JOIN order_docs d ON d.order_hash = o.order_hash";

/** A compiled `listOrders` shape: the page and the count of the same filters. */
interface ListStatements {
  page: Database.Statement;
  count: Database.Statement;
}

interface DealRow {
  deal_json: string;
}

interface CategoryRow {
  catid: string;
  chain_id: string;
  name: string;
  description: string;
  work_clock_time_ref: string;
  block_number: number;
  transaction_hash: string;
}

function categoryOf(row: CategoryRow): CategoryRecord {
  return {
    catid: decodeAmount(row.catid),
    chainId: BigInt(row.chain_id),
    name: row.name,
    description: row.description,
    workClockTimeRef: decodeAmount(row.work_clock_time_ref),
    blockNumber: row.block_number,
    transactionHash: row.transaction_hash,
  };
}

/** The market store on SQLite. Create it with `SqliteMarketStore.open(file)` or `.memory()`. */
export class SqliteMarketStore implements MarketStore {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly listStatements = new Map<string, ListStatements>();
  private takes = 0;

  private constructor(private readonly db: Database.Database) {}

  /** Opens (creating it and its folder if missing) the database `file`, migrated to the current schema. */
  static open(file: string): SqliteMarketStore {
    return new SqliteMarketStore(
      openDatabase(file, {
        owner: "market",
        migrations: MIGRATIONS,
        pragmas: [
          "foreign_keys = ON",
          // The orderbook is read far more than written: keep its pages in memory (64 MiB of cache,
          // and up to 1 GiB of the file memory-mapped) rather than going through read() for each page.
          "cache_size = -65536",
          "mmap_size = 1073741824",
          "temp_store = MEMORY",
        ],
      }),
    );
  }

  /** A store in memory, gone on close: for tests. */
  static memory(): SqliteMarketStore {
    return SqliteMarketStore.open(":memory:");
  }

  /** The prepared statement of `sql`, compiled once. */
  private sql(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  transaction<T>(work: () => T): T {
    // better-sqlite3 runs a transaction function called inside another as a savepoint.
    return this.db.transaction(work)();
  }

  insertOrder(record: OrderRecord): void {
    checkKind(record.kind);
    if (!STATUSES.has(record.status)) throw new InvalidInputError(`Unknown order status ${record.status}.`);
    const columns = orderColumns(record);
    const publishedAt = Date.parse(record.publicationTimestamp);
    if (Number.isNaN(publishedAt))
      throw new InvalidInputError(
        `publicationTimestamp must be an ISO date, got ${record.publicationTimestamp}.`,
      );
    const order: { volume: bigint; tag: string } = record.order;
    const tag = tagWords(order.tag);
    try {
      this.transaction(() => {
        this.sql(
          `INSERT INTO orders (order_hash, kind, chain_id, signer, owner, remaining, status,
           published_at, published_iso, asset, price, rank, volume, category, trust, app, dataset,
           workerpool, requester, beneficiary, app_restrict, dataset_restrict, workerpool_restrict,
           requester_restrict, tag0, tag1, tag2, tag3)
         VALUES (@order_hash, @kind, @chain_id, @signer, @owner, @remaining, @status,
           @published_at, @published_iso, @asset, @price, @rank, @volume, @category, @trust, @app,
           @dataset, @workerpool, @requester, @beneficiary, @app_restrict, @dataset_restrict,
           @workerpool_restrict, @requester_restrict, @tag0, @tag1, @tag2, @tag3)`,
        ).run({
          ...columns,
          order_hash: record.orderHash,
          kind: record.kind,
          chain_id: record.chainId.toString(),
          signer: record.signer,
          owner: record.owner,
          remaining: encodeAmount(record.remaining, "remaining"),
          status: record.status,
          published_at: publishedAt,
          published_iso: record.publicationTimestamp,
          price: encodeAmount(columns.price, "price"),
          rank: rankOf(record.kind, columns.price),
          volume: encodeAmount(order.volume, "volume"),
          category: columns.category === null ? null : encodeAmount(columns.category, "category"),
          trust: columns.trust === null ? null : encodeAmount(columns.trust, "trust"),
          tag0: tag[0],
          tag1: tag[1],
          tag2: tag[2],
          tag3: tag[3],
        });
        this.sql(`INSERT INTO order_docs (order_hash, order_json) VALUES (?, ?)`).run(
          record.orderHash,
          JSON.stringify(orderToJson(record.kind, record.order)),
        );
      });
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY")
        throw new DuplicateOrderError(record.orderHash);
      throw error;
    }
  }

  getOrder<K extends OrderKind>(kind: K, orderHash: string): OrderRecord<K> | undefined {
    const row = this.sql(
      `SELECT ${ORDER_FIELDS} FROM ${ORDER_TABLES} WHERE o.order_hash = ? AND o.kind = ?`,
    ).get(orderHash, kind) as OrderRow | undefined;
    return row && recordOf<K>(row);
  }

  listOrders<K extends OrderKind>(kind: K, query: OrderQuery, page: Page): PageOf<OrderRecord<K>> {
    checkKind(kind);
    const { limit, offset } = checkPage(page);
    const { terms, params } = orderFilters(kind, query);
    const where = terms.join(" AND ");
    let statements = this.listStatements.get(where);
    if (statements === undefined) {
      statements = {
        page: this.db.prepare(
          `SELECT ${ORDER_FIELDS} FROM ${ORDER_TABLES} WHERE ${where}
           ORDER BY o.rank, o.published_at, o.order_hash LIMIT @limit OFFSET @offset`,
        ),
        count: this.db.prepare(`SELECT count(*) AS n FROM orders WHERE ${where}`).pluck(),
      };
      this.listStatements.set(where, statements);
    }
    const { page: pageStatement, count } = statements;
    return this.transaction(() => ({
      items: (pageStatement.all({ ...params, limit, offset }) as OrderRow[]).map((row) => recordOf<K>(row)),
      count: count.get(params) as number,
    }));
  }

  updateOrder(orderHash: string, update: { remaining?: bigint; status?: PublishedStatus }): boolean {
    if (update.status !== undefined && !STATUSES.has(update.status))
      throw new InvalidInputError(`Unknown order status ${update.status}.`);
    const result = this.sql(
      `UPDATE orders SET remaining = coalesce(@remaining, remaining), status = coalesce(@status, status)
       WHERE order_hash = @hash`,
    ).run({
      hash: orderHash,
      remaining: update.remaining === undefined ? null : encodeAmount(update.remaining, "remaining"),
      status: update.status ?? null,
    });
    return result.changes > 0;
  }

  deleteOrders(orderHashes: string[]): string[] {
    const remove = this.sql(`DELETE FROM orders WHERE order_hash = ? RETURNING order_hash`).pluck();
    return this.transaction(() => {
      const deleted: string[] = [];
      for (const hash of orderHashes) {
        const found = remove.get(hash) as string | undefined;
        if (found !== undefined) deleted.push(found);
      }
      return deleted;
    });
  }

  openOrderHashes(kind: OrderKind, address: string): string[] {
    return this.sql(
      `SELECT order_hash FROM orders WHERE kind = ? AND asset = ? AND status = 'open'
       ORDER BY published_at, order_hash`,
    )
      .pluck()
      .all(kind, address) as string[];
  }

  setOwner(kind: Exclude<OrderKind, "request">, asset: string, owner: string): number {
    return this.sql(`UPDATE orders SET owner = ? WHERE kind = ? AND asset = ? AND status = 'open'`).run(
      owner,
      kind,
      asset,
    ).changes;
  }

  openOrdersOfSigner(address: string): OrderRecord[] {
    const rows = this.sql(
      `SELECT ${ORDER_FIELDS} FROM ${ORDER_TABLES} WHERE o.owner = ? AND o.status = 'open'
       ORDER BY o.published_at, o.order_hash`,
    ).all(address) as OrderRow[];
    return rows.map((row) => recordOf(row));
  }

  upsertDeal(deal: DealRecord): void {
    this.sql(
      `INSERT INTO deals (dealid, chain_id, deal_json, block_number, category, requester, beneficiary,
         app, dataset, workerpool, app_owner, dataset_owner, workerpool_owner, app_hash, dataset_hash,
         workerpool_hash, request_hash)
       VALUES (@dealid, @chain_id, @deal_json, @block_number, @category, @requester, @beneficiary,
         @app, @dataset, @workerpool, @app_owner, @dataset_owner, @workerpool_owner, @app_hash,
         @dataset_hash, @workerpool_hash, @request_hash)
       ON CONFLICT (dealid) DO UPDATE SET chain_id = excluded.chain_id, deal_json = excluded.deal_json,
         block_number = excluded.block_number, category = excluded.category,
         requester = excluded.requester, beneficiary = excluded.beneficiary, app = excluded.app,
         dataset = excluded.dataset, workerpool = excluded.workerpool, app_owner = excluded.app_owner,
         dataset_owner = excluded.dataset_owner, workerpool_owner = excluded.workerpool_owner,
         app_hash = excluded.app_hash, dataset_hash = excluded.dataset_hash,
         workerpool_hash = excluded.workerpool_hash, request_hash = excluded.request_hash`,
    ).run({
      dealid: deal.dealid,
      chain_id: deal.chainId.toString(),
      deal_json: dealToJson(deal),
      block_number: deal.blockNumber,
      category: encodeAmount(deal.category, "category"),
      requester: deal.requester,
      beneficiary: deal.beneficiary,
      app: deal.app.pointer,
      dataset: deal.dataset.pointer,
      workerpool: deal.workerpool.pointer,
      app_owner: deal.app.owner,
      dataset_owner: deal.dataset.owner,
      workerpool_owner: deal.workerpool.owner,
      app_hash: deal.appHash,
      dataset_hash: deal.datasetHash,
      workerpool_hash: deal.workerpoolHash,
      request_hash: deal.requestHash,
    });
  }

  getDeal(dealid: string): DealRecord | undefined {
    const row = this.sql(`SELECT deal_json FROM deals WHERE dealid = ?`).get(dealid) as DealRow | undefined;
    return row && dealFromJson(row.deal_json);
  }

  /** Deals matching every filter given, newest block first (then by dealid, descending). */
  listDeals(query: DealQuery, page: Page): PageOf<DealRecord> {
    const { limit, offset } = checkPage(page);
    const filters: [keyof DealQuery, string][] = [
      ["requester", "requester"],
      ["beneficiary", "beneficiary"],
      ["app", "app"],
      ["dataset", "dataset"],
      ["workerpool", "workerpool"],
      ["appOwner", "app_owner"],
      ["datasetOwner", "dataset_owner"],
      ["workerpoolOwner", "workerpool_owner"],
      ["apporderHash", "app_hash"],
      ["datasetorderHash", "dataset_hash"],
      ["workerpoolorderHash", "workerpool_hash"],
      ["requestorderHash", "request_hash"],
    ];
    const terms: string[] = [];
    const params: Record<string, unknown> = {};
    for (const [name, column] of filters) {
      const value = query[name];
      if (value === undefined) continue;
      terms.push(`${column} = @${name}`);
      params[name] = value;
    }
    if (query.category !== undefined) {
      terms.push("category = @category");
      params.category = encodeAmount(query.category, "category");
    }
    const where = terms.length === 0 ? "" : `WHERE ${terms.join(" AND ")}`;
    return this.transaction(() => ({
      items: (
        this.sql(
          `SELECT deal_json FROM deals ${where} ORDER BY block_number DESC, dealid DESC LIMIT @limit OFFSET @offset`,
        ).all({ ...params, limit, offset }) as DealRow[]
      ).map((row) => dealFromJson(row.deal_json)),
      count: this.sql(`SELECT count(*) FROM deals ${where}`).pluck().get(params) as number,
    }));
  }

  deleteDealsFrom(blockNumber: number): number {
    return this.sql(`DELETE FROM deals WHERE block_number >= ?`).run(blockNumber).changes;
  }

  upsertCategory(category: CategoryRecord): void {
    this.sql(
      `INSERT INTO categories (catid, chain_id, name, description, work_clock_time_ref, block_number, transaction_hash)
       VALUES (@catid, @chain_id, @name, @description, @work_clock_time_ref, @block_number, @transaction_hash)
       ON CONFLICT (catid) DO UPDATE SET chain_id = excluded.chain_id, name = excluded.name,
         description = excluded.description, work_clock_time_ref = excluded.work_clock_time_ref,
         block_number = excluded.block_number, transaction_hash = excluded.transaction_hash`,
    ).run({
      catid: encodeAmount(category.catid, "catid"),
      chain_id: category.chainId.toString(),
      name: category.name,
      description: category.description,
      work_clock_time_ref: encodeAmount(category.workClockTimeRef, "workClockTimeRef"),
      block_number: category.blockNumber,
      transaction_hash: category.transactionHash,
    });
  }

  getCategory(catid: bigint): CategoryRecord | undefined {
    const row = this.sql(`SELECT * FROM categories WHERE catid = ?`).get(encodeAmount(catid, "catid")) as
      CategoryRow | undefined;
    return row && categoryOf(row);
  }

  /** Categories by ascending catid, with workClockTimeRef within the bounds given (inclusive). */
  listCategories(
    query: { minWorkClockTimeRef?: bigint; maxWorkClockTimeRef?: bigint },
    page: Page,
  ): PageOf<CategoryRecord> {
    const { limit, offset } = checkPage(page);
    const params = {
      min:
        query.minWorkClockTimeRef === undefined
          ? null
          : encodeAmount(query.minWorkClockTimeRef, "minWorkClockTimeRef"),
      max:
        query.maxWorkClockTimeRef === undefined
          ? null
          : encodeAmount(query.maxWorkClockTimeRef, "maxWorkClockTimeRef"),
    };
    const where = `WHERE (@min IS NULL OR work_clock_time_ref >= @min) AND (@max IS NULL OR work_clock_time_ref <= @max)`;
    return this.transaction(() => ({
      items: (
        this.sql(`SELECT * FROM categories ${where} ORDER BY catid LIMIT @limit OFFSET @offset`).all({
          ...params,
          limit,
          offset,
        }) as CategoryRow[]
      ).map(categoryOf),
      count: this.sql(`SELECT count(*) FROM categories ${where}`).pluck().get(params) as number,
    }));
  }

  getCursor(): SyncCursor | undefined {
    const row = this.sql(`SELECT block_number, block_hash FROM sync_cursor WHERE id = 1`).get() as
      { block_number: number; block_hash: string } | undefined;
    return row && { blockNumber: row.block_number, blockHash: row.block_hash };
  }

  setCursor(cursor: SyncCursor): void {
    this.sql(
      `INSERT INTO sync_cursor (id, block_number, block_hash) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash`,
    ).run(cursor.blockNumber, cursor.blockHash);
  }

  saveChallenge(hash: string, text: string, address: string, expiresAt: number): void {
    this.sql(
      `INSERT INTO challenges (hash, text, address, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (hash) DO UPDATE SET text = excluded.text, address = excluded.address,
         expires_at = excluded.expires_at`,
    ).run(hash, text, address, expiresAt);
  }

  /** Valid while `now < expiresAt`. Expired challenges are purged every hundred calls. */
  takeChallenge(hash: string, now: number): { text: string; address: string } | undefined {
    if (++this.takes % CHALLENGE_PURGE_EVERY === 0)
      this.sql(`DELETE FROM challenges WHERE expires_at <= ?`).run(now);
    const row = this.sql(`DELETE FROM challenges WHERE hash = ? RETURNING text, address, expires_at`).get(
      hash,
    ) as { text: string; address: string; expires_at: number } | undefined;
    if (row === undefined || row.expires_at <= now) return undefined;
    return { text: row.text, address: row.address };
  }

  setWorkerpoolApi(record: WorkerpoolApiRecord): void {
    this.sql(
      `INSERT INTO workerpool_apis (workerpool, api_url, registered_by, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (workerpool) DO UPDATE SET api_url = excluded.api_url,
         registered_by = excluded.registered_by, updated_at = excluded.updated_at`,
    ).run(record.workerpool, record.apiUrl, record.registeredBy, record.updatedAt);
  }

  getWorkerpoolApi(workerpool: string): WorkerpoolApiRecord | undefined {
    const row = this.sql(
      `SELECT workerpool, api_url, registered_by, updated_at FROM workerpool_apis WHERE workerpool = ?`,
    ).get(workerpool) as
      { workerpool: string; api_url: string; registered_by: string; updated_at: string } | undefined;
    return (
      row && {
        workerpool: row.workerpool,
        apiUrl: row.api_url,
        registeredBy: row.registered_by,
        updatedAt: row.updated_at,
      }
    );
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma("optimize");
    } finally {
      this.db.close();
    }
  }
}
