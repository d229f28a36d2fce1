import { expect } from "chai";
import fc from "fast-check";
import { ZeroAddress, toBeHex } from "ethers";
import { BULK_MIN_VOLUME, SqliteMarketStore } from "../../src/market/sqlite-store";
import type { OrderQuery, OrderRecord } from "../../src/market/store";
import type { OrderByKind } from "../../src/sdk/core/orders";

import { KINDS, record, query } from "./arbitraries";
import { runs } from "../property-runs";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
/** A restriction filter: zero or that address, or only that address when strict. */
const allows = (restrictionValue: string, filter: string | undefined, strict: boolean | undefined) =>
  filter === undefined || same(restrictionValue, filter) || (!strict && same(restrictionValue, ZeroAddress));
const equal = (value: string, filter: string | undefined) => filter === undefined || same(value, filter);

function matches(r: OrderRecord, q: OrderQuery): boolean {
  if (r.status !== "open") return false;
  if (q.minVolume !== undefined && r.remaining < q.minVolume) return false;
  const t = BigInt(r.order.tag);
  if (q.minTag !== undefined && (t & BigInt(q.minTag)) !== BigInt(q.minTag)) return false;
  if (q.maxTag !== undefined && (t & ~BigInt(q.maxTag)) !== 0n) return false;
  switch (r.kind) {
    case "app": {
      const o = r.order as OrderByKind["app"];
      return (
        equal(o.app, q.app) &&
        equal(r.owner, q.appOwner) &&
        allows(o.datasetrestrict, q.dataset, q.isDatasetStrict) &&
        allows(o.workerpoolrestrict, q.workerpool, q.isWorkerpoolStrict) &&
        allows(o.requesterrestrict, q.requester, q.isRequesterStrict)
      );
    }
    case "dataset": {
      const o = r.order as OrderByKind["dataset"];
      return (
        equal(o.dataset, q.dataset) &&
        equal(r.owner, q.datasetOwner) &&
        allows(o.apprestrict, q.app, q.isAppStrict) &&
        allows(o.workerpoolrestrict, q.workerpool, q.isWorkerpoolStrict) &&
        allows(o.requesterrestrict, q.requester, q.isRequesterStrict) &&
        (!q.bulkOnly || o.volume >= BULK_MIN_VOLUME)
      );
    }
    case "workerpool": {
      const o = r.order as OrderByKind["workerpool"];
      return (
        equal(o.workerpool, q.workerpool) &&
        equal(r.owner, q.workerpoolOwner) &&
        allows(o.apprestrict, q.app, q.isAppStrict) &&
        allows(o.datasetrestrict, q.dataset, q.isDatasetStrict) &&
        allows(o.requesterrestrict, q.requester, q.isRequesterStrict) &&
        (q.category === undefined || o.category === q.category) &&
        (q.minTrust === undefined || o.trust >= q.minTrust)
      );
    }
    case "request": {
      const o = r.order as OrderByKind["request"];
      return (
        equal(o.app, q.app) &&
        equal(o.dataset, q.dataset) &&
        allows(o.workerpool, q.workerpool, q.isWorkerpoolStrict) &&
        equal(o.requester, q.requester) &&
        equal(o.beneficiary, q.beneficiary) &&
        (q.category === undefined || o.category === q.category) &&
        (q.maxTrust === undefined || o.trust <= q.maxTrust)
      );
    }
  }
}

const priceOf = (r: OrderRecord): bigint => {
  const o = r.order as unknown as Record<string, bigint>;
  return {
    app: o.appprice,
    dataset: o.datasetprice,
    workerpool: o.workerpoolprice,
    request: o.workerpoolmaxprice,
  }[r.kind];
};

/** Best first: lowest price (requests: highest), then oldest, then by hash. */
function compare(a: OrderRecord, b: OrderRecord): number {
  const [pa, pb] = a.kind === "request" ? [priceOf(b), priceOf(a)] : [priceOf(a), priceOf(b)];
  if (pa !== pb) return pa < pb ? -1 : 1;
  const [ta, tb] = [Date.parse(a.publicationTimestamp), Date.parse(b.publicationTimestamp)];
  if (ta !== tb) return ta - tb;
  return a.orderHash < b.orderHash ? -1 : a.orderHash > b.orderHash ? 1 : 0;
}

describe("@market SqliteMarketStore listOrders (property)", () => {
  it("matches a plain in-memory filter and sort of the documented semantics", () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 60 }),
        fc.array(
          fc.record({
            kind: fc.constantFrom(...KINDS),
            query,
            pageSize: fc.integer({ min: 1, max: 8 }),
            pageIndex: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 15 },
        ),
        (drafts, queries) => {
          const store = SqliteMarketStore.memory();
          try {
            const records = drafts.map(
              (draft, i) => ({ ...draft, orderHash: toBeHex(i + 1, 32) }) as OrderRecord,
            );
            store.transaction(() => records.forEach((r) => store.insertOrder(r)));
            for (const { kind, query: q, pageSize, pageIndex } of queries) {
              const expected = records.filter((r) => r.kind === kind && matches(r, q)).sort(compare);
              const page = store.listOrders(kind, q, { pageIndex, pageSize });
              expect(
                page.count,
                JSON.stringify({ kind, q }, (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
              ).to.equal(expected.length);
              expect(page.items.map((item) => item.orderHash)).to.deep.equal(
                expected.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize).map((r) => r.orderHash),
              );
              // Whole-list check too, so that the order is tested beyond one page.
              const all = store.listOrders(kind, q, { pageIndex: 0, pageSize: records.length + 1 });
              expect(all.items.map((item) => item.orderHash)).to.deep.equal(expected.map((r) => r.orderHash));
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: runs(150) },
    );
  });
});
