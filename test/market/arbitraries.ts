/** fast-check arbitraries of published orders and orderbook queries, shared by the store property tests. */
import fc from "fast-check";
import { ZeroAddress, getAddress, toBeHex } from "ethers";
import { UINT256_MAX } from "../../src/market/sql/encoding";
import { BULK_MIN_VOLUME } from "../../src/market/sqlite-store";
import type { OrderQuery, OrderRecord, PublishedStatus } from "../../src/market/store";
import {
  appOrder,
  datasetOrder,
  requestOrder,
  workerpoolOrder,
  type OrderByKind,
  type OrderKind,
} from "../../src/sdk/core/orders";

export const KINDS: OrderKind[] = ["app", "dataset", "workerpool", "request"];
const ADDRESSES = [1, 2, 3].map((n) => getAddress(toBeHex(0xabc0 + n, 20)));
export const BASE = Date.parse("2024-01-01T00:00:00.000Z");
const TAG_BITS = [0, 1, 62, 63, 64, 128, 191, 192, 254, 255];

// Small pools, so that filters both keep and drop orders.
const address = fc.constantFrom(...ADDRESSES);
const restriction = fc.constantFrom(ZeroAddress, ...ADDRESSES);
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: 4n }),
  fc.constantFrom(
    BULK_MIN_VOLUME - 1n,
    BULK_MIN_VOLUME,
    2n ** 53n,
    2n ** 63n - 1n,
    2n ** 63n,
    2n ** 64n,
    UINT256_MAX,
  ),
  fc.bigInt({ min: 0n, max: UINT256_MAX }),
);
const tag = fc.subarray(TAG_BITS).map((bits) =>
  toBeHex(
    bits.reduce((t, bit) => t | (1n << BigInt(bit)), 0n),
    32,
  ),
);
const status = fc.constantFrom<PublishedStatus>("open", "open", "open", "filled", "canceled", "dead");

const orderOf: { [K in OrderKind]: fc.Arbitrary<OrderByKind[K]> } = {
  app: fc
    .record({
      app: address,
      appprice: amount,
      volume: amount,
      tag,
      datasetrestrict: restriction,
      workerpoolrestrict: restriction,
      requesterrestrict: restriction,
    })
    .map((fields) => appOrder(fields)),
  dataset: fc
    .record({
      dataset: address,
      datasetprice: amount,
      volume: amount,
      tag,
      apprestrict: restriction,
      workerpoolrestrict: restriction,
      requesterrestrict: restriction,
    })
    .map((fields) => datasetOrder(fields)),
  workerpool: fc
    .record({
      workerpool: address,
      workerpoolprice: amount,
      volume: amount,
      tag,
      category: fc.oneof(fc.bigInt({ min: 0n, max: 2n }), amount),
      trust: amount,
      apprestrict: restriction,
      datasetrestrict: restriction,
      requesterrestrict: restriction,
    })
    .map((fields) => workerpoolOrder(fields)),
  request: fc
    .record({
      app: address,
      dataset: restriction,
      workerpool: restriction,
      workerpoolmaxprice: amount,
      requester: address,
      beneficiary: address,
      volume: amount,
      tag,
      category: fc.oneof(fc.bigInt({ min: 0n, max: 2n }), amount),
      trust: amount,
    })
    .map((fields) => requestOrder(fields)),
};

export const record = fc
  .constantFrom(...KINDS)
  .chain((kind) =>
    fc.record({
      kind: fc.constant(kind),
      order: orderOf[kind] as fc.Arbitrary<OrderByKind[OrderKind]>,
      owner: address,
      remaining: amount,
      status,
      seconds: fc.integer({ min: 0, max: 5 }),
    }),
  )
  .map(({ kind, order, owner, remaining, status, seconds }): Omit<OrderRecord, "orderHash"> => ({
    kind,
    order,
    chainId: 134n,
    signer: owner,
    owner,
    remaining,
    status,
    publicationTimestamp: new Date(BASE + seconds * 1000).toISOString(),
  }));

export const filterValues = fc.record({
  app: address,
  dataset: fc.oneof(address, fc.constant(ZeroAddress)),
  workerpool: fc.oneof(address, fc.constant(ZeroAddress)),
  requester: address,
  beneficiary: address,
  appOwner: address,
  datasetOwner: address,
  workerpoolOwner: address,
  category: fc.bigInt({ min: 0n, max: 2n }),
  minTag: tag,
  maxTag: tag,
  minVolume: amount,
  minTrust: amount,
  maxTrust: amount,
  bulkOnly: fc.boolean(),
});
export const FILTERS: (keyof OrderQuery)[] = [
  "app",
  "dataset",
  "workerpool",
  "requester",
  "beneficiary",
  "appOwner",
  "datasetOwner",
  "workerpoolOwner",
  "category",
  "minTag",
  "maxTag",
  "minVolume",
  "minTrust",
  "maxTrust",
  "bulkOnly",
];
/** A few filters at a time (more would keep nothing), and any strict flags. */
export const query: fc.Arbitrary<OrderQuery> = fc
  .tuple(
    filterValues,
    fc.subarray(FILTERS, { maxLength: 3 }),
    fc.record(
      {
        isAppStrict: fc.boolean(),
        isDatasetStrict: fc.boolean(),
        isWorkerpoolStrict: fc.boolean(),
        isRequesterStrict: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([values, chosen, flags]) => {
    const q: Record<string, unknown> = { ...flags };
    for (const name of chosen) q[name] = (values as Record<string, unknown>)[name];
    return q as OrderQuery;
  });

// The model: the documented semantics, written plainly.
