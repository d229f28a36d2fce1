/**
 * Schema of the SQLite market store, as a list of migrations. Migration `i` takes the database
 * from `PRAGMA user_version = i` to `i + 1`; the store applies the missing ones on open (through
 * `openDatabase` of `src/server/database.ts`, one transaction each). Never edit a migration once
 * released: append a new one.
 *
 * Encodings (see `encoding.ts` for the code):
 * - uint256 amounts (prices, volumes, remaining, trust, category, work clock time ref) are TEXT
 *   in a sortable hex form: two hex digits giving the number of hex digits, then the value's hex
 *   digits without leading zeros, lowercase (0 is "00", 1000 is "033e8", 2^256 - 1 is "40ff…ff").
 *   Text order is numeric order, so `>=`/`<=`/`ORDER BY` are exact for any uint256 with no INTEGER
 *   overflow, and small amounts stay short (a 78-digit zero-padded decimal made rows and indexes
 *   three times bigger, and a count over 25k rows three times slower).
 * - `rank` is the orderbook sort key, ascending for every kind: the encoded price for app, dataset
 *   and workerpool orders; for request orders, the encoded workerpoolmaxprice with every hex digit
 *   complemented (d -> f - d), which reverses the order (same lengths compare digit by digit), so
 *   the highest bid comes first while one index serves every kind.
 * - The signed order itself (JSON) is in `order_docs`, apart from the filter columns, so that
 *   scans and counts over many orders read small rows.
 * - The bytes32 tag is split into four 64-bit words, tag0 the most significant, each stored as
 *   the signed INTEGER of the same bits: minTag/maxTag are bit tests in SQL.
 * - Addresses are TEXT COLLATE NOCASE: stored as given (checksummed), compared case-insensitively.
 * - Timestamps are INTEGER milliseconds since the epoch, with the ISO string kept alongside.
 */

/** The zero address, as restriction columns hold it when the order is unrestricted. */
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

const V1 = `
CREATE TABLE orders (
  order_hash TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  kind TEXT NOT NULL CHECK (kind IN ('app', 'dataset', 'workerpool', 'request')),
  chain_id TEXT NOT NULL,
  signer TEXT NOT NULL COLLATE NOCASE,
  owner TEXT NOT NULL COLLATE NOCASE,
  remaining TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'filled', 'canceled', 'dead')),
  published_at INTEGER NOT NULL,
  published_iso TEXT NOT NULL,
  asset TEXT NOT NULL COLLATE NOCASE,
  price TEXT NOT NULL,
  rank TEXT NOT NULL,
  volume TEXT NOT NULL,
  category TEXT,
  trust TEXT,
  app TEXT COLLATE NOCASE,
  dataset TEXT COLLATE NOCASE,
  workerpool TEXT COLLATE NOCASE,
  requester TEXT COLLATE NOCASE,
  beneficiary TEXT COLLATE NOCASE,
  app_restrict TEXT COLLATE NOCASE,
  dataset_restrict TEXT COLLATE NOCASE,
  workerpool_restrict TEXT COLLATE NOCASE,
  requester_restrict TEXT COLLATE NOCASE,
  tag0 INTEGER NOT NULL,
  tag1 INTEGER NOT NULL,
  tag2 INTEGER NOT NULL,
  tag3 INTEGER NOT NULL
);
CREATE TABLE order_docs (
  order_hash TEXT NOT NULL PRIMARY KEY COLLATE NOCASE REFERENCES orders (order_hash) ON DELETE CASCADE,
  order_json TEXT NOT NULL
);
-- The orderbook of each kind in sort order: unfiltered and weakly filtered pages walk it.
CREATE INDEX orders_book ON orders (kind, rank, published_at, order_hash) WHERE status = 'open';
-- Filters on the order's own asset (app, dataset, workerpool, requester of requests), and
-- openOrderHashes.
CREATE INDEX orders_asset ON orders (kind, asset, rank, published_at) WHERE status = 'open';
-- appOwner/datasetOwner/workerpoolOwner, setOwner and openOrdersOfSigner.
CREATE INDEX orders_owner ON orders (owner, kind, rank, published_at) WHERE status = 'open';
CREATE INDEX orders_asset_any ON orders (kind, asset);
-- Strict restriction filters (non-strict ones keep most orders: they walk orders_book).
CREATE INDEX orders_app_restrict ON orders (kind, app_restrict) WHERE status = 'open';
CREATE INDEX orders_dataset_restrict ON orders (kind, dataset_restrict) WHERE status = 'open';
CREATE INDEX orders_workerpool_restrict ON orders (kind, workerpool_restrict) WHERE status = 'open';
CREATE INDEX orders_requester_restrict ON orders (kind, requester_restrict) WHERE status = 'open';
-- Workerpool and request orders by category.
CREATE INDEX orders_category ON orders (kind, category, rank, published_at) WHERE status = 'open';
-- Request orders by app, dataset and beneficiary.
CREATE INDEX orders_request_app ON orders (app, rank, published_at) WHERE status = 'open' AND kind = 'request';
CREATE INDEX orders_request_dataset ON orders (dataset, rank, published_at) WHERE status = 'open' AND kind = 'request';
CREATE INDEX orders_request_beneficiary ON orders (beneficiary, rank, published_at) WHERE status = 'open' AND kind = 'request';

CREATE TABLE deals (
  dealid TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  chain_id TEXT NOT NULL,
  deal_json TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  category TEXT NOT NULL,
  requester TEXT NOT NULL COLLATE NOCASE,
  beneficiary TEXT NOT NULL COLLATE NOCASE,
  app TEXT NOT NULL COLLATE NOCASE,
  dataset TEXT NOT NULL COLLATE NOCASE,
  workerpool TEXT NOT NULL COLLATE NOCASE,
  app_owner TEXT NOT NULL COLLATE NOCASE,
  dataset_owner TEXT NOT NULL COLLATE NOCASE,
  workerpool_owner TEXT NOT NULL COLLATE NOCASE,
  app_hash TEXT NOT NULL COLLATE NOCASE,
  dataset_hash TEXT NOT NULL COLLATE NOCASE,
  workerpool_hash TEXT NOT NULL COLLATE NOCASE,
  request_hash TEXT NOT NULL COLLATE NOCASE
);
CREATE INDEX deals_block ON deals (block_number, dealid);
CREATE INDEX deals_requester ON deals (requester, block_number);
CREATE INDEX deals_beneficiary ON deals (beneficiary, block_number);
CREATE INDEX deals_app ON deals (app, block_number);
CREATE INDEX deals_dataset ON deals (dataset, block_number);
CREATE INDEX deals_workerpool ON deals (workerpool, block_number);
CREATE INDEX deals_app_owner ON deals (app_owner, block_number);
CREATE INDEX deals_dataset_owner ON deals (dataset_owner, block_number);
CREATE INDEX deals_workerpool_owner ON deals (workerpool_owner, block_number);
CREATE INDEX deals_app_hash ON deals (app_hash);
CREATE INDEX deals_dataset_hash ON deals (dataset_hash);
CREATE INDEX deals_workerpool_hash ON deals (workerpool_hash);
CREATE INDEX deals_request_hash ON deals (request_hash);

CREATE TABLE categories (
  catid TEXT NOT NULL PRIMARY KEY,
  chain_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  work_clock_time_ref TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  transaction_hash TEXT NOT NULL
);

CREATE TABLE sync_cursor (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL
);

CREATE TABLE challenges (
  hash TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  text TEXT NOT NULL,
  address TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX challenges_expiry ON challenges (expires_at);
`;

/** Compass: each workerpool's API URL, registered by its owner. */
const V2 = `
CREATE TABLE workerpool_apis (
  workerpool TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  api_url TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;

/** Migration scripts; index `i` upgrades `user_version` from `i` to `i + 1`. */
export const MIGRATIONS: readonly string[] = [V1, V2];
