/**
 * The read cache never serves a stale page: random sequences of writes (inserts, status and volume
 * updates, deletions, owner changes, rolled-back transactions) and reads give the same answers
 * through `CachedMarketStore` as from the plain store.
 */
import { expect } from "chai";
import fc from "fast-check";
import { getAddress, keccak256, toBeHex } from "ethers";
import { CachedMarketStore } from "../../src/market/cached-store";
import { MemoryMarketStore } from "../../src/market/memory-store";
import type { MarketStore, OrderRecord } from "../../src/market/store";
import { KINDS, query, record } from "./arbitraries";
import { runs } from "../property-runs";

const read = fc.record({
  op: fc.constant("read" as const),
  kind: fc.constantFrom(...KINDS),
  // Mostly the same few queries, so that pages are served from the cache after writes.
  query: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: query }),
  pageSize: fc.constant(5),
});
const step = fc.oneof(
  { weight: 3, arbitrary: read },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("insert" as const), record }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("update" as const),
      pick: fc.nat(),
      remaining: fc.bigInt({ min: 0n, max: 9n }),
      dead: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("owner" as const), pick: fc.nat(), owner: fc.nat({ max: 3 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("rollback" as const), record }) },
);

describe("@market CachedMarketStore", () => {
  it("answers like the store it caches, whatever the writes in between", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 10, maxLength: 60 }), (steps) => {
        const plain = new MemoryMarketStore();
        const cached = new CachedMarketStore(new MemoryMarketStore());
        const hashes: string[] = [];
        const both = (write: (store: MarketStore) => unknown) => {
          write(plain);
          write(cached);
        };
        steps.forEach((s, i) => {
          const hashOf = (n: number) => hashes[n % hashes.length];
          switch (s.op) {
            case "insert": {
              const full = { ...s.record, orderHash: keccak256(toBeHex(i, 32)) } as OrderRecord;
              hashes.push(full.orderHash);
              both((store) => store.insertOrder(full));
              break;
            }
            case "update":
              if (hashes.length)
                both((store) =>
                  store.updateOrder(hashOf(s.pick), {
                    remaining: s.remaining,
                    status: s.dead ? "dead" : "open",
                  }),
                );
              break;
            case "delete":
              if (hashes.length) both((store) => store.deleteOrders([hashOf(s.pick)]));
              break;
            case "owner":
              if (hashes.length) {
                const found =
                  plain.getOrder(KINDS[0], hashOf(s.pick)) ?? plain.getOrder(KINDS[1], hashOf(s.pick));
                if (found && found.kind !== "request") {
                  const asset = (found.order as unknown as Record<string, string>)[found.kind];
                  both((store) =>
                    store.setOwner(found.kind as "app", asset, getAddress(toBeHex(0xfee0 + s.owner, 20))),
                  );
                }
              }
              break;
            case "rollback":
              both((store) => {
                try {
                  store.transaction(() => {
                    store.insertOrder({
                      ...s.record,
                      orderHash: keccak256(toBeHex(10_000 + i, 32)),
                    } as OrderRecord);
                    // A read inside the transaction sees the insert; it must not outlive the rollback.
                    store.listOrders(s.record.kind, {}, { pageIndex: 0, pageSize: 5 });
                    throw new Error("rollback");
                  });
                } catch {
                  // expected
                }
              });
              break;
            case "read": {
              const page = { pageIndex: 0, pageSize: s.pageSize };
              const hashesOf = (store: MarketStore) => {
                const result = store.listOrders(s.kind, s.query, page);
                return {
                  count: result.count,
                  hashes: result.items.map((r) => `${r.orderHash}:${r.remaining}:${r.status}:${r.owner}`),
                };
              };
              expect(hashesOf(cached)).to.deep.equal(hashesOf(plain));
              // Twice: the second answer comes from the cache.
              expect(hashesOf(cached)).to.deep.equal(hashesOf(plain));
              break;
            }
          }
        });
      }),
      { numRuns: runs(200, { ciMultiplier: 3 }) },
    );
  });
});
