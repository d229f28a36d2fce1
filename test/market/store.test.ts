import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database from "better-sqlite3";
import { ZeroAddress, getAddress, toBeHex } from "ethers";
import { UINT256_MAX, tagWords } from "../../src/market/sql/encoding";
import { BULK_MIN_VOLUME, SqliteMarketStore } from "../../src/market/sqlite-store";
import {
  DuplicateOrderError,
  type DealRecord,
  type OrderQuery,
  type OrderRecord,
  type PublishedStatus,
} from "../../src/market/store";
import { InvalidInputError } from "../../src/sdk/core/errors";
import { StoreVersionError } from "../../src/server/database";
import {
  appOrder,
  datasetOrder,
  requestOrder,
  workerpoolOrder,
  type OrderByKind,
  type OrderKind,
} from "../../src/sdk/core/orders";

const addr = (n: number) => getAddress(toBeHex(0x1000 + n, 20));
const hash = (n: number) => toBeHex(n, 32);
const tag = (...bits: number[]) =>
  toBeHex(
    bits.reduce((t, bit) => t | (1n << BigInt(bit)), 0n),
    32,
  );
const BASE = Date.parse("2024-05-01T00:00:00.000Z");
const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString();

let next = 1;

/** A published record around `order`, with a fresh hash unless given. */
function rec<K extends OrderKind>(
  kind: K,
  order: OrderByKind[K],
  extra: Partial<OrderRecord<K>> = {},
): OrderRecord<K> {
  const signer = kind === "request" ? (order as OrderByKind["request"]).requester : addr(900);
  return {
    kind,
    orderHash: hash(next++),
    chainId: 134n,
    order,
    signer,
    owner: signer,
    remaining: (order as { volume: bigint }).volume,
    status: "open",
    publicationTimestamp: at(next),
    ...extra,
  };
}

const app = (fields: Partial<OrderByKind["app"]> = {}, extra: Partial<OrderRecord<"app">> = {}) =>
  rec("app", appOrder({ app: addr(1), salt: hash(7), ...fields }), extra);
const dataset = (fields: Partial<OrderByKind["dataset"]> = {}, extra: Partial<OrderRecord<"dataset">> = {}) =>
  rec("dataset", datasetOrder({ dataset: addr(2), salt: hash(7), ...fields }), extra);
const pool = (
  fields: Partial<OrderByKind["workerpool"]> = {},
  extra: Partial<OrderRecord<"workerpool">> = {},
) => rec("workerpool", workerpoolOrder({ workerpool: addr(3), salt: hash(7), ...fields }), extra);
const request = (fields: Partial<OrderByKind["request"]> = {}, extra: Partial<OrderRecord<"request">> = {}) =>
  rec(
    "request",
    requestOrder({ app: addr(1), requester: addr(4), beneficiary: addr(4), salt: hash(7), ...fields }),
    extra,
  );

describe("@market SqliteMarketStore", () => {
  let store: SqliteMarketStore;

  beforeEach(() => {
    store = SqliteMarketStore.memory();
  });
  afterEach(() => store.close());
  after(() => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Inserts the records and returns the hashes `listOrders` gives for `query`, with the count. */
  function list<K extends OrderKind>(kind: K, query: OrderQuery, pageSize = 100, pageIndex = 0) {
    const page = store.listOrders(kind, query, { pageIndex, pageSize });
    return { hashes: page.items.map((item) => item.orderHash), count: page.count };
  }
  function insert(...records: OrderRecord[]): string[] {
    for (const record of records) store.insertOrder(record);
    return records.map((record) => record.orderHash);
  }

  describe("orders", () => {
    it("round-trips every kind with exact uint256 amounts", () => {
      const big = 2n ** 64n + 3n;
      const records: OrderRecord[] = [
        app(
          { appprice: UINT256_MAX, volume: big, tag: tag(0, 255), sign: "0x1234" },
          { remaining: big - 1n },
        ),
        dataset({ datasetprice: big, volume: UINT256_MAX, apprestrict: addr(5) }, { remaining: UINT256_MAX }),
        pool(
          {
            workerpoolprice: 2n ** 63n,
            volume: 2n ** 63n - 1n,
            category: UINT256_MAX,
            trust: big,
            tag: tag(255),
          },
          { status: "filled", remaining: 0n, owner: addr(77) },
        ),
        request({
          appmaxprice: UINT256_MAX,
          datasetmaxprice: big,
          workerpoolmaxprice: 2n ** 200n,
          dataset: addr(2),
          workerpool: addr(3),
          category: 2n ** 70n,
          trust: UINT256_MAX,
          callback: addr(9),
          params: '{"iexec_args":"--x ü"}',
          volume: UINT256_MAX,
        }),
      ];
      insert(...records);
      for (const record of records)
        expect(store.getOrder(record.kind, record.orderHash)).to.deep.equal(record);
    });

    it("finds an order only under its own kind", () => {
      const [h] = insert(app());
      expect(store.getOrder("dataset", h)).to.equal(undefined);
      expect(store.getOrder("app", hash(123456))).to.equal(undefined);
    });

    it("refuses a duplicate hash and keeps the first order", () => {
      const first = app({ appprice: 5n });
      insert(first);
      const second = app({ appprice: 9n }, { orderHash: first.orderHash });
      expect(() => store.insertOrder(second))
        .to.throw(DuplicateOrderError)
        .with.property("code", "ORDER_ALREADY_PUBLISHED");
      expect(store.getOrder("app", first.orderHash)).to.deep.equal(first);
    });

    it("refuses amounts outside uint256", () => {
      expect(() => store.insertOrder(app({ appprice: 2n ** 256n }))).to.throw(InvalidInputError);
      expect(() => store.insertOrder(app({ volume: -1n }))).to.throw(InvalidInputError);
      expect(() => list("workerpool", { minTrust: -1n })).to.throw(InvalidInputError);
    });

    describe("filters", () => {
      it("app orders: app, appOwner and the dataset/workerpool/requester restrictions", () => {
        const [open, toDataset, toPool, toRequester, other] = insert(
          app(),
          app({ datasetrestrict: addr(20) }),
          app({ workerpoolrestrict: addr(30) }),
          app({ requesterrestrict: addr(40) }),
          app({ app: addr(11) }, { owner: addr(901) }),
        );
        expect(list("app", {}).hashes).to.have.members([open, toDataset, toPool, toRequester, other]);
        expect(list("app", { app: addr(11) }).hashes).to.deep.equal([other]);
        expect(list("app", { appOwner: addr(901) }).hashes).to.deep.equal([other]);
        expect(list("app", { appOwner: addr(900) }).hashes).to.have.members([
          open,
          toDataset,
          toPool,
          toRequester,
        ]);
        // Zero restrictions match any address; others only theirs.
        expect(list("app", { dataset: addr(20) }).hashes).to.have.members([
          open,
          toPool,
          toRequester,
          other,
          toDataset,
        ]);
        expect(list("app", { dataset: addr(21) }).hashes).to.have.members([open, toPool, toRequester, other]);
        expect(list("app", { dataset: addr(20), isDatasetStrict: true }).hashes).to.deep.equal([toDataset]);
        expect(list("app", { workerpool: addr(31) }).hashes).to.have.members([
          open,
          toDataset,
          toRequester,
          other,
        ]);
        expect(list("app", { workerpool: addr(30), isWorkerpoolStrict: true }).hashes).to.deep.equal([
          toPool,
        ]);
        expect(list("app", { requester: addr(40) }).hashes).to.have.length(5);
        expect(list("app", { requester: addr(41) }).hashes).to.not.include(toRequester);
        expect(list("app", { requester: addr(40), isRequesterStrict: true }).hashes).to.deep.equal([
          toRequester,
        ]);
        // Strict on the zero address: unrestricted orders only.
        expect(list("app", { requester: ZeroAddress, isRequesterStrict: true }).hashes).to.have.length(4);
        // Addresses compare case-insensitively.
        expect(list("app", { app: addr(11).toLowerCase() }).hashes).to.deep.equal([other]);
        // Filters of other kinds are ignored.
        expect(list("app", { category: 9n, beneficiary: addr(1), maxTrust: 0n }).count).to.equal(5);
      });

      it("dataset orders: dataset, datasetOwner, app/workerpool/requester restrictions and bulkOnly", () => {
        const [open, toApp, toPool, toRequester, bulk, other] = insert(
          dataset(),
          dataset({ apprestrict: addr(10) }),
          dataset({ workerpoolrestrict: addr(30) }),
          dataset({ requesterrestrict: addr(40) }),
          dataset({ volume: BULK_MIN_VOLUME }),
          dataset({ dataset: addr(22), volume: UINT256_MAX }, { owner: addr(902) }),
        );
        expect(list("dataset", { dataset: addr(22) }).hashes).to.deep.equal([other]);
        expect(list("dataset", { datasetOwner: addr(902) }).hashes).to.deep.equal([other]);
        expect(list("dataset", { app: addr(11) }).hashes).to.not.include(toApp);
        expect(list("dataset", { app: addr(10) }).count).to.equal(6);
        expect(list("dataset", { app: addr(10), isAppStrict: true }).hashes).to.deep.equal([toApp]);
        expect(list("dataset", { workerpool: addr(31) }).hashes).to.not.include(toPool);
        expect(list("dataset", { workerpool: addr(30), isWorkerpoolStrict: true }).hashes).to.deep.equal([
          toPool,
        ]);
        expect(list("dataset", { requester: addr(41) }).hashes).to.not.include(toRequester);
        expect(list("dataset", { requester: addr(40), isRequesterStrict: true }).hashes).to.deep.equal([
          toRequester,
        ]);
        expect(list("dataset", { bulkOnly: true }).hashes).to.have.members([bulk, other]);
        expect(list("dataset", { bulkOnly: false }).hashes).to.include(open);
      });

      it("workerpool orders: workerpool, owner, restrictions, category and minTrust", () => {
        const [cat1, cat2, trusted, toApp, toDataset, toRequester] = insert(
          pool({ category: 1n }),
          pool({ category: 2n, workerpool: addr(33) }, { owner: addr(903) }),
          pool({ trust: 2n ** 70n }),
          pool({ apprestrict: addr(10) }),
          pool({ datasetrestrict: addr(20) }),
          pool({ requesterrestrict: addr(40) }),
        );
        expect(list("workerpool", { workerpool: addr(33) }).hashes).to.deep.equal([cat2]);
        expect(list("workerpool", { workerpoolOwner: addr(903) }).hashes).to.deep.equal([cat2]);
        expect(list("workerpool", { category: 1n }).hashes).to.deep.equal([cat1]);
        expect(list("workerpool", { category: 0n }).count).to.equal(4);
        expect(list("workerpool", { minTrust: 1n }).hashes).to.deep.equal([trusted]);
        expect(list("workerpool", { minTrust: 2n ** 70n }).hashes).to.deep.equal([trusted]);
        expect(list("workerpool", { minTrust: 2n ** 70n + 1n }).hashes).to.deep.equal([]);
        expect(list("workerpool", { minTrust: 0n }).count).to.equal(6);
        expect(list("workerpool", { app: addr(11) }).hashes).to.not.include(toApp);
        expect(list("workerpool", { app: addr(10), isAppStrict: true }).hashes).to.deep.equal([toApp]);
        expect(list("workerpool", { dataset: addr(21) }).hashes).to.not.include(toDataset);
        expect(list("workerpool", { dataset: addr(20), isDatasetStrict: true }).hashes).to.deep.equal([
          toDataset,
        ]);
        expect(list("workerpool", { requester: addr(41) }).hashes).to.not.include(toRequester);
        expect(list("workerpool", { requester: addr(40), isRequesterStrict: true }).hashes).to.deep.equal([
          toRequester,
        ]);
      });

      it("request orders: app, dataset, workerpool (zero or that one), requester, beneficiary, category, maxTrust", () => {
        const [plain, withDataset, onPool, byOther, trusting, cat3] = insert(
          request(),
          request({ dataset: addr(20) }),
          request({ workerpool: addr(30) }),
          request({ app: addr(11), requester: addr(44), beneficiary: addr(45) }),
          request({ trust: 2n ** 100n }),
          request({ category: 3n }),
        );
        expect(list("request", { app: addr(11) }).hashes).to.deep.equal([byOther]);
        expect(list("request", { dataset: addr(20) }).hashes).to.deep.equal([withDataset]);
        expect(list("request", { dataset: ZeroAddress }).count).to.equal(5);
        expect(list("request", { workerpool: addr(30) }).count).to.equal(6);
        expect(list("request", { workerpool: addr(31) }).hashes).to.not.include(onPool);
        expect(list("request", { workerpool: addr(30), isWorkerpoolStrict: true }).hashes).to.deep.equal([
          onPool,
        ]);
        expect(list("request", { requester: addr(44) }).hashes).to.deep.equal([byOther]);
        expect(list("request", { beneficiary: addr(45) }).hashes).to.deep.equal([byOther]);
        expect(list("request", { category: 3n }).hashes).to.deep.equal([cat3]);
        expect(list("request", { maxTrust: 0n }).hashes).to.not.include(trusting);
        expect(list("request", { maxTrust: 2n ** 100n }).count).to.equal(6);
        expect(list("request", { maxTrust: 2n ** 100n - 1n }).count).to.equal(5);
        expect(plain).to.be.a("string");
      });

      it("minVolume compares the remaining volume, exactly for any uint256", () => {
        const [small, huge, max] = insert(
          app({ volume: 10n }, { remaining: 3n }),
          app({ volume: UINT256_MAX }, { remaining: 2n ** 255n }),
          app({ volume: UINT256_MAX }),
        );
        expect(list("app", { minVolume: 3n }).hashes).to.have.members([small, huge, max]);
        expect(list("app", { minVolume: 4n }).hashes).to.have.members([huge, max]);
        expect(list("app", { minVolume: 2n ** 255n + 1n }).hashes).to.deep.equal([max]);
        expect(list("app", { minVolume: UINT256_MAX }).hashes).to.deep.equal([max]);
      });

      it("minTag keeps tags with every bit, maxTag tags with no other bit, high bits included", () => {
        const [none, tee, high, both, low64] = insert(
          app({ tag: tag() }),
          app({ tag: tag(0) }),
          app({ tag: tag(255) }),
          app({ tag: tag(0, 255, 130) }),
          app({ tag: tag(63, 64) }),
        );
        expect(list("app", { minTag: tag() }).count).to.equal(5);
        expect(list("app", { minTag: tag(0) }).hashes).to.have.members([tee, both]);
        expect(list("app", { minTag: tag(255) }).hashes).to.have.members([high, both]);
        expect(list("app", { minTag: tag(0, 255) }).hashes).to.deep.equal([both]);
        expect(list("app", { minTag: tag(63) }).hashes).to.deep.equal([low64]);
        expect(list("app", { maxTag: tag() }).hashes).to.deep.equal([none]);
        expect(list("app", { maxTag: tag(0) }).hashes).to.have.members([none, tee]);
        expect(list("app", { maxTag: tag(255) }).hashes).to.have.members([none, high]);
        expect(list("app", { maxTag: tag(0, 255, 130) }).hashes).to.have.members([none, tee, high, both]);
        expect(list("app", { maxTag: "0x" + "f".repeat(64) }).count).to.equal(5);
        expect(list("app", { minTag: tag(255), maxTag: tag(255, 0) }).hashes).to.deep.equal([high]);
        expect(list("app", { minTag: tag(64), maxTag: tag(63, 64) }).hashes).to.deep.equal([low64]);
      });

      it("splits tags into signed 64-bit words, most significant first", () => {
        expect(tagWords(tag(255))).to.deep.equal([-(2n ** 63n), 0n, 0n, 0n]);
        expect(tagWords(tag(0))).to.deep.equal([0n, 0n, 0n, 1n]);
        expect(tagWords("0x" + "f".repeat(64))).to.deep.equal([-1n, -1n, -1n, -1n]);
        expect(() => tagWords("0x12")).to.throw(InvalidInputError);
      });
    });

    describe("sorting and paging", () => {
      it("sorts offers by price ascending then publication, over the whole uint256 range", () => {
        const [p5late, p5early, pMax, p0, p64] = insert(
          app({ appprice: 5n }, { publicationTimestamp: at(100) }),
          app({ appprice: 5n }, { publicationTimestamp: at(50) }),
          app({ appprice: UINT256_MAX }, { publicationTimestamp: at(1) }),
          app({ appprice: 0n }, { publicationTimestamp: at(200) }),
          app({ appprice: 2n ** 64n }, { publicationTimestamp: at(2) }),
        );
        expect(list("app", {}).hashes).to.deep.equal([p0, p5early, p5late, p64, pMax]);
      });

      it("sorts requests by workerpoolmaxprice descending then publication", () => {
        const [low, highLate, highEarly, max] = insert(
          request({ workerpoolmaxprice: 1n }, { publicationTimestamp: at(1) }),
          request({ workerpoolmaxprice: 2n ** 70n }, { publicationTimestamp: at(20) }),
          request({ workerpoolmaxprice: 2n ** 70n }, { publicationTimestamp: at(10) }),
          request({ workerpoolmaxprice: UINT256_MAX }, { publicationTimestamp: at(30) }),
        );
        expect(list("request", {}).hashes).to.deep.equal([max, highEarly, highLate, low]);
      });

      it("pages through the same order with a count independent of the page", () => {
        const hashes = insert(...Array.from({ length: 7 }, (_, i) => pool({ workerpoolprice: BigInt(i) })));
        insert(pool({ workerpoolprice: 0n, category: 9n }));
        const pages = [0, 1, 2, 3].map((pageIndex) => list("workerpool", { category: 0n }, 3, pageIndex));
        expect(pages.map((page) => page.count)).to.deep.equal([7, 7, 7, 7]);
        expect(pages.flatMap((page) => page.hashes)).to.deep.equal(hashes);
        expect(pages[3].hashes).to.deep.equal([]);
        expect(list("workerpool", {}, 0).hashes).to.deep.equal([]);
        expect(list("workerpool", {}, 0).count).to.equal(8);
        expect(() => store.listOrders("app", {}, { pageIndex: -1, pageSize: 10 })).to.throw(
          InvalidInputError,
        );
      });
    });

    it("updateOrder changes remaining and status; closed orders leave the book but stay readable", () => {
      const [a, b, c, d] = insert(app(), app(), app(), app());
      const statuses: PublishedStatus[] = ["filled", "canceled", "dead"];
      [a, b, c].forEach((h, i) => expect(store.updateOrder(h, { status: statuses[i] })).to.equal(true));
      expect(store.updateOrder(d, { remaining: 2n ** 100n })).to.equal(true);
      expect(store.updateOrder(hash(999999), { status: "dead" })).to.equal(false);
      expect(list("app", {}).hashes).to.deep.equal([d]);
      expect(store.getOrder("app", a)?.status).to.equal("filled");
      expect(store.getOrder("app", c)?.status).to.equal("dead");
      expect(store.getOrder("app", d)?.remaining).to.equal(2n ** 100n);
      expect(store.getOrder("app", d)?.status).to.equal("open");
      expect(store.updateOrder(a, { status: "open", remaining: 0n })).to.equal(true);
      expect(list("app", {}).hashes).to.have.members([a, d]);
      expect(store.getOrder("app", a)?.remaining).to.equal(0n);
      expect(() => store.updateOrder(a, { status: "gone" as PublishedStatus })).to.throw(InvalidInputError);
    });

    it("deleteOrders returns the hashes that existed", () => {
      const [a, b, c] = insert(app(), dataset(), request());
      expect(store.deleteOrders([a, hash(424242), c])).to.deep.equal([a, c]);
      expect(store.getOrder("app", a)).to.equal(undefined);
      expect(store.getOrder("dataset", b)).to.not.equal(undefined);
      expect(store.deleteOrders([a])).to.deep.equal([]);
      expect(store.deleteOrders([])).to.deep.equal([]);
    });

    it("openOrderHashes lists the open orders of an asset, oldest first", () => {
      const [late, early, , closed] = insert(
        app({}, { publicationTimestamp: at(30) }),
        app({ appprice: 9n }, { publicationTimestamp: at(10) }),
        app({ app: addr(12) }, { publicationTimestamp: at(5) }),
        app({}, { publicationTimestamp: at(1), status: "canceled" }),
      );
      const [mine] = insert(request({ requester: addr(50) }), request());
      expect(store.openOrderHashes("app", addr(1))).to.deep.equal([early, late]);
      expect(store.openOrderHashes("dataset", addr(1))).to.deep.equal([]);
      expect(store.openOrderHashes("request", addr(50))).to.deep.equal([mine]);
      expect(closed).to.be.a("string");
    });

    it("setOwner moves the open orders of an asset to the new owner", () => {
      const [a, b, closed, other] = insert(
        app(),
        app(),
        app({}, { status: "filled" }),
        app({ app: addr(12) }),
      );
      expect(store.setOwner("app", addr(1), addr(800))).to.equal(2);
      expect(store.getOrder("app", a)?.owner).to.equal(addr(800));
      expect(store.getOrder("app", b)?.owner).to.equal(addr(800));
      expect(store.getOrder("app", closed)?.owner).to.equal(addr(900));
      expect(store.getOrder("app", other)?.owner).to.equal(addr(900));
      expect(store.setOwner("dataset", addr(1), addr(800))).to.equal(0);
      expect(list("app", { appOwner: addr(800) }).hashes).to.have.members([a, b]);
    });

    it("openOrdersOfSigner lists the open orders an address owns, of every kind", () => {
      const [a, , d, r] = insert(
        app({}, { owner: addr(60), signer: addr(60), publicationTimestamp: at(1) }),
        app({}, { owner: addr(60), signer: addr(60), status: "dead" }),
        dataset({}, { owner: addr(60), signer: addr(60), publicationTimestamp: at(2) }),
        request({ requester: addr(60) }, { publicationTimestamp: at(3) }),
        pool(),
      );
      expect(store.openOrdersOfSigner(addr(60)).map((o) => o.orderHash)).to.deep.equal([a, d, r]);
      expect(store.openOrdersOfSigner(addr(61))).to.deep.equal([]);
    });
  });

  describe("deals", () => {
    function deal(n: number, fields: Partial<DealRecord> = {}): DealRecord {
      return {
        dealid: hash(5000 + n),
        chainId: 134n,
        app: { pointer: addr(1), owner: addr(101), price: 2n ** 80n },
        dataset: { pointer: addr(2), owner: addr(102), price: 0n },
        workerpool: { pointer: addr(3), owner: addr(103), price: UINT256_MAX },
        appHash: hash(6001),
        datasetHash: hash(6002),
        workerpoolHash: hash(6003),
        requestHash: hash(6004),
        requester: addr(4),
        beneficiary: addr(5),
        callback: ZeroAddress,
        category: 0n,
        trust: 2n ** 65n,
        tag: tag(0),
        params: "{}",
        botFirst: 0n,
        botSize: 1n,
        volume: 3n,
        workerStake: 10n ** 20n,
        schedulerRewardRatio: 1n,
        startTime: 1714521600n,
        blockNumber: n,
        blockTimestamp: at(n),
        transactionHash: hash(7000 + n),
        ...fields,
      };
    }

    it("round-trips, upserts and filters deals, newest first", () => {
      const d1 = deal(1);
      const d2 = deal(2, { requester: addr(40), category: 2n, requestHash: hash(6104) });
      const d3 = deal(3, { app: { pointer: addr(11), owner: addr(111), price: 1n }, appHash: hash(6101) });
      for (const d of [d1, d2, d3]) store.upsertDeal(d);
      expect(store.getDeal(d1.dealid)).to.deep.equal(d1);
      expect(store.getDeal(hash(1))).to.equal(undefined);
      const ids = (query: Parameters<SqliteMarketStore["listDeals"]>[0], pageSize = 10, pageIndex = 0) =>
        store.listDeals(query, { pageIndex, pageSize }).items.map((d) => d.dealid);
      expect(ids({})).to.deep.equal([d3.dealid, d2.dealid, d1.dealid]);
      expect(ids({ requester: addr(40) })).to.deep.equal([d2.dealid]);
      expect(ids({ category: 2n })).to.deep.equal([d2.dealid]);
      expect(ids({ category: 0n })).to.deep.equal([d3.dealid, d1.dealid]);
      expect(ids({ app: addr(11) })).to.deep.equal([d3.dealid]);
      expect(ids({ appOwner: addr(101) })).to.deep.equal([d2.dealid, d1.dealid]);
      expect(ids({ datasetOwner: addr(102), dataset: addr(2), workerpool: addr(3) })).to.have.length(3);
      expect(ids({ workerpoolOwner: addr(104) })).to.deep.equal([]);
      expect(ids({ beneficiary: addr(5) })).to.have.length(3);
      expect(ids({ apporderHash: hash(6101) })).to.deep.equal([d3.dealid]);
      expect(ids({ datasetorderHash: hash(6002), workerpoolorderHash: hash(6003) })).to.have.length(3);
      expect(ids({ requestorderHash: hash(6104) })).to.deep.equal([d2.dealid]);
      expect(ids({}, 2, 1)).to.deep.equal([d1.dealid]);
      expect(store.listDeals({}, { pageIndex: 1, pageSize: 2 }).count).to.equal(3);

      const moved = { ...d2, blockNumber: 9, requester: addr(41) };
      store.upsertDeal(moved);
      expect(store.getDeal(d2.dealid)).to.deep.equal(moved);
      expect(ids({ requester: addr(40) })).to.deep.equal([]);
      expect(ids({})[0]).to.equal(d2.dealid);
    });

    it("deleteDealsFrom removes the deals of that block and later", () => {
      for (const n of [1, 2, 3, 4]) store.upsertDeal(deal(n));
      expect(store.deleteDealsFrom(3)).to.equal(2);
      expect(
        store.listDeals({}, { pageIndex: 0, pageSize: 10 }).items.map((d) => d.blockNumber),
      ).to.deep.equal([2, 1]);
      expect(store.deleteDealsFrom(10)).to.equal(0);
    });
  });

  describe("categories", () => {
    const category = (catid: bigint, workClockTimeRef: bigint) => ({
      catid,
      chainId: 134n,
      name: `cat ${catid}`,
      description: "{}",
      workClockTimeRef,
      blockNumber: 1,
      transactionHash: hash(8000),
    });

    it("round-trips, upserts and filters by work clock time ref, by ascending catid", () => {
      const cats = [category(0n, 300n), category(1n, 1200n), category(2n, 3600n), category(10n, UINT256_MAX)];
      for (const c of [...cats].reverse()) store.upsertCategory(c);
      expect(store.getCategory(10n)).to.deep.equal(cats[3]);
      expect(store.getCategory(5n)).to.equal(undefined);
      const ids = (query: { minWorkClockTimeRef?: bigint; maxWorkClockTimeRef?: bigint }) =>
        store.listCategories(query, { pageIndex: 0, pageSize: 10 }).items.map((c) => c.catid);
      expect(ids({})).to.deep.equal([0n, 1n, 2n, 10n]);
      expect(ids({ minWorkClockTimeRef: 1200n })).to.deep.equal([1n, 2n, 10n]);
      expect(ids({ maxWorkClockTimeRef: 1200n })).to.deep.equal([0n, 1n]);
      expect(ids({ minWorkClockTimeRef: 301n, maxWorkClockTimeRef: 3600n })).to.deep.equal([1n, 2n]);
      expect(ids({ minWorkClockTimeRef: 2n ** 255n })).to.deep.equal([10n]);
      const page = store.listCategories({}, { pageIndex: 1, pageSize: 3 });
      expect(page.items.map((c) => c.catid)).to.deep.equal([10n]);
      expect(page.count).to.equal(4);
      store.upsertCategory({ ...cats[0], name: "renamed" });
      expect(store.getCategory(0n)?.name).to.equal("renamed");
    });
  });

  it("keeps a single sync cursor", () => {
    expect(store.getCursor()).to.equal(undefined);
    store.setCursor({ blockNumber: 10, blockHash: hash(10) });
    store.setCursor({ blockNumber: 11, blockHash: hash(11) });
    expect(store.getCursor()).to.deep.equal({ blockNumber: 11, blockHash: hash(11) });
  });

  describe("challenges", () => {
    it("gives a challenge once, and only before it expires", () => {
      store.saveChallenge(hash(1), "sign me", addr(1), 1000);
      store.saveChallenge(hash(2), "sign me too", addr(2), 1000);
      expect(store.takeChallenge(hash(1), 999)).to.deep.equal({ text: "sign me", address: addr(1) });
      expect(store.takeChallenge(hash(1), 999)).to.equal(undefined);
      expect(store.takeChallenge(hash(2), 1000)).to.equal(undefined);
      expect(store.takeChallenge(hash(2), 0)).to.equal(undefined);
      expect(store.takeChallenge(hash(3), 0)).to.equal(undefined);
    });

    it("purges expired challenges now and then", () => {
      const file = tempFile();
      const fileStore = SqliteMarketStore.open(file);
      try {
        for (let i = 0; i < 50; i++) fileStore.saveChallenge(hash(i), "old", addr(1), 10);
        fileStore.saveChallenge(hash(100), "fresh", addr(1), 10_000);
        for (let i = 0; i < 100; i++) fileStore.takeChallenge(hash(200 + i), 20);
        const db = new Database(file, { readonly: true });
        try {
          expect(db.prepare("SELECT hash FROM challenges").pluck().all()).to.deep.equal([hash(100)]);
        } finally {
          db.close();
        }
        expect(fileStore.takeChallenge(hash(100), 20)).to.deep.equal({ text: "fresh", address: addr(1) });
      } finally {
        fileStore.close();
      }
    });
  });

  describe("transactions", () => {
    it("writes nothing when the work throws", () => {
      const kept = app();
      insert(kept);
      expect(() =>
        store.transaction(() => {
          store.insertOrder(app());
          store.updateOrder(kept.orderHash, { status: "dead" });
          store.setCursor({ blockNumber: 5, blockHash: hash(5) });
          throw new Error("boom");
        }),
      ).to.throw("boom");
      expect(list("app", {}).hashes).to.deep.equal([kept.orderHash]);
      expect(store.getCursor()).to.equal(undefined);
    });

    it("nests: an inner transaction joins the outer one", () => {
      const a = app();
      const b = app();
      const result = store.transaction(() => {
        store.insertOrder(a);
        return store.transaction(() => {
          store.insertOrder(b);
          return 42;
        });
      });
      expect(result).to.equal(42);
      expect(list("app", {}).count).to.equal(2);
      expect(() =>
        store.transaction(() => {
          store.transaction(() => store.deleteOrders([a.orderHash]));
          throw new Error("outer fails");
        }),
      ).to.throw("outer fails");
      expect(list("app", {}).count).to.equal(2);
    });

    it("a duplicate inside a transaction can be caught without losing the rest", () => {
      const a = app();
      store.transaction(() => {
        store.insertOrder(a);
        expect(() => store.insertOrder(a)).to.throw(DuplicateOrderError);
        store.insertOrder(app());
      });
      expect(list("app", {}).count).to.equal(2);
    });
  });

  describe("files", () => {
    it("creates the folder, and keeps the data across reopening", () => {
      const file = path.join(path.dirname(tempFile()), "nested", "deeper", "market.db");
      const record = request({ workerpoolmaxprice: UINT256_MAX, tag: tag(255) });
      let fileStore = SqliteMarketStore.open(file);
      fileStore.insertOrder(record);
      fileStore.setCursor({ blockNumber: 7, blockHash: hash(7) });
      const compass = {
        workerpool: "0x386ea8e4B47080b3b78D2D49e5a2962D5D1d75b3",
        apiUrl: "http://127.0.0.1:13100",
        registeredBy: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        updatedAt: "2026-01-01T00:00:00.000Z",
      };
      fileStore.setWorkerpoolApi(compass);
      fileStore.close();
      fileStore = SqliteMarketStore.open(file);
      try {
        expect(fileStore.getOrder("request", record.orderHash)).to.deep.equal(record);
        expect(
          fileStore.listOrders("request", { minTag: tag(255) }, { pageIndex: 0, pageSize: 5 }).count,
        ).to.equal(1);
        expect(fileStore.getCursor()).to.deep.equal({ blockNumber: 7, blockHash: hash(7) });
        // Compass registrations too, found whatever the address's case.
        expect(fileStore.getWorkerpoolApi(compass.workerpool.toLowerCase())).to.deep.equal(compass);
      } finally {
        fileStore.close();
      }
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma("journal_mode", { simple: true })).to.equal("wal");
        // Migration 2 (Compass) applied.
        expect(db.pragma("user_version", { simple: true })).to.equal(2);
      } finally {
        db.close();
      }
    });

    it("refuses a database from a newer schema", () => {
      const file = tempFile();
      const db = new Database(file);
      db.pragma("user_version = 99");
      db.close();
      expect(() => SqliteMarketStore.open(file)).to.throw(StoreVersionError);
    });
  });
});

const tempDirs: string[] = [];
/** A path in a fresh temporary folder, removed after the tests. */
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openpoco-store-"));
  tempDirs.push(dir);
  return path.join(dir, "market.db");
}
