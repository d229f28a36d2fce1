import { expect } from "chai";
import { ZeroAddress, getAddress } from "ethers";
import { IHub__factory } from "../../typechain-types";
import { computeDealLocks, schedulerStakePerTask, taskFundsOf } from "../../src/sdk/core/deals";
import {
  ORDER_KINDS,
  ORDER_KIND_NAMES,
  ORDER_TYPES,
  UnknownOrderKindError,
  appOrder,
  assetOf,
  categoryTrustOf,
  datasetOrder,
  isOrderKind,
  isOrderOf,
  kindOfClosedEvent,
  orderKind,
  priceOf,
  requestOrder,
  restrictionsOf,
  signerOf,
  workerpoolOrder,
  type OrderByKind,
  type OrderKind,
} from "../../src/sdk/core/orders";

/** A distinct checksummed address per number, so that reading the wrong field shows. */
const at = (n: number) => getAddress("0x" + n.toString(16).padStart(40, "0"));

// Every address and amount field of every order holds a different value.
const ORDERS: { [K in OrderKind]: OrderByKind[K] } = {
  app: appOrder({
    app: at(1),
    appprice: 11n,
    volume: 21n,
    datasetrestrict: at(2),
    workerpoolrestrict: at(3),
    requesterrestrict: at(4),
  }),
  dataset: datasetOrder({
    dataset: at(5),
    datasetprice: 12n,
    volume: 22n,
    apprestrict: at(6),
    workerpoolrestrict: at(7),
    requesterrestrict: at(8),
  }),
  workerpool: workerpoolOrder({
    workerpool: at(9),
    workerpoolprice: 13n,
    volume: 23n,
    category: 3n,
    trust: 5n,
    apprestrict: at(10),
    datasetrestrict: at(11),
    requesterrestrict: at(12),
  }),
  request: requestOrder({
    app: at(13),
    appmaxprice: 14n,
    dataset: at(14),
    datasetmaxprice: 15n,
    workerpool: at(15),
    workerpoolmaxprice: 16n,
    requester: at(16),
    volume: 24n,
    category: 4n,
    trust: 6n,
    beneficiary: at(17),
    callback: at(18),
  }),
};

describe("order kind descriptors", () => {
  it("describe the four kinds, in the hub's order", () => {
    expect(ORDER_KIND_NAMES).to.deep.equal(["app", "dataset", "workerpool", "request"]);
    expect(Object.keys(ORDER_KINDS)).to.have.members([...ORDER_KIND_NAMES]);
    for (const kind of ORDER_KIND_NAMES) {
      expect(ORDER_KINDS[kind].kind).to.equal(kind);
      expect(ORDER_KINDS[kind].label).to.equal(`${kind}order`);
    }
  });

  it("name fields of the right EIP-712 type of their kind", () => {
    for (const kind of ORDER_KIND_NAMES) {
      const { primaryType, types } = ORDER_TYPES[kind];
      const typeOf = new Map(types[primaryType].map(({ name, type }) => [name, type]));
      const d = ORDER_KINDS[kind];
      expect(typeOf.get(d.assetField), `${kind} asset`).to.equal("address");
      expect(typeOf.get(d.priceField), `${kind} price`).to.equal("uint256");
      for (const field of Object.values(d.restrictionFields))
        expect(typeOf.get(field), `${kind} ${field}`).to.equal("address");
      expect(typeOf.has("category"), `${kind} category`).to.equal(d.hasCategory);
      expect(typeOf.has("trust"), `${kind} trust`).to.equal(d.hasCategory);
    }
  });

  it("read the asset (the requester of a request order)", () => {
    expect(assetOf("app", ORDERS.app)).to.equal(at(1));
    expect(assetOf("dataset", ORDERS.dataset)).to.equal(at(5));
    expect(assetOf("workerpool", ORDERS.workerpool)).to.equal(at(9));
    expect(assetOf("request", ORDERS.request)).to.equal(at(16));
  });

  it("read the ranking price (the workerpool max price of a request order)", () => {
    expect(priceOf("app", ORDERS.app)).to.equal(11n);
    expect(priceOf("dataset", ORDERS.dataset)).to.equal(12n);
    expect(priceOf("workerpool", ORDERS.workerpool)).to.equal(13n);
    expect(priceOf("request", ORDERS.request)).to.equal(16n);
  });

  it("read the restrictions by party (a request's app, dataset and workerpool)", () => {
    expect(restrictionsOf("app", ORDERS.app)).to.deep.equal({
      dataset: at(2),
      workerpool: at(3),
      requester: at(4),
    });
    expect(restrictionsOf("dataset", ORDERS.dataset)).to.deep.equal({
      app: at(6),
      workerpool: at(7),
      requester: at(8),
    });
    expect(restrictionsOf("workerpool", ORDERS.workerpool)).to.deep.equal({
      app: at(10),
      dataset: at(11),
      requester: at(12),
    });
    expect(restrictionsOf("request", ORDERS.request)).to.deep.equal({
      app: at(13),
      dataset: at(14),
      workerpool: at(15),
    });
  });

  it("read category and trust of workerpool and request orders only", () => {
    expect(categoryTrustOf("app", ORDERS.app)).to.equal(undefined);
    expect(categoryTrustOf("dataset", ORDERS.dataset)).to.equal(undefined);
    expect(categoryTrustOf("workerpool", ORDERS.workerpool)).to.deep.equal({ category: 3n, trust: 5n });
    expect(categoryTrustOf("request", ORDERS.request)).to.deep.equal({ category: 4n, trust: 6n });
  });

  it("say who signs: the asset's owner, or the requester itself", () => {
    expect(signerOf("app", ORDERS.app)).to.deep.equal({ by: "assetOwner", assetKind: "app", asset: at(1) });
    expect(signerOf("dataset", ORDERS.dataset)).to.deep.equal({
      by: "assetOwner",
      assetKind: "dataset",
      asset: at(5),
    });
    expect(signerOf("workerpool", ORDERS.workerpool)).to.deep.equal({
      by: "assetOwner",
      assetKind: "workerpool",
      asset: at(9),
    });
    expect(signerOf("request", ORDERS.request)).to.deep.equal({ by: "self", address: at(16) });
    expect(ORDER_KIND_NAMES.map((kind) => ORDER_KINDS[kind].signerRole)).to.deep.equal([
      "app owner",
      "dataset owner",
      "workerpool owner",
      "requester",
    ]);
  });

  it("name the hub's Closed*Order events, and map them back", () => {
    const hub = IHub__factory.createInterface();
    for (const kind of ORDER_KIND_NAMES) {
      const name = ORDER_KINDS[kind].closedEvent;
      expect(hub.getEvent(name), name).to.not.equal(null);
      expect(kindOfClosedEvent(name)).to.equal(kind);
    }
    expect(kindOfClosedEvent("OrdersMatched")).to.equal(undefined);
  });

  it("narrow orders by kind and refuse unknown kinds", () => {
    expect(isOrderOf("request", ORDERS.request, "request")).to.equal(true);
    expect(isOrderOf("app", ORDERS.app, "request")).to.equal(false);
    expect(isOrderKind("workerpool")).to.equal(true);
    expect(isOrderKind("toString")).to.equal(false);
    expect(() => orderKind("deal" as OrderKind))
      .to.throw(UnknownOrderKindError)
      .with.property("code", "ORDER_KIND_UNKNOWN");
    expect(() => assetOf("deal" as OrderKind, ORDERS.app)).to.throw(UnknownOrderKindError);
  });
});

describe("task funds", () => {
  it("a scheduler stakes 30% of the workerpool price per task, rounded down", () => {
    expect(schedulerStakePerTask(0n)).to.equal(0n);
    expect(schedulerStakePerTask(13n)).to.equal(3n);
    expect(schedulerStakePerTask(100n)).to.equal(30n);
    expect(computeDealLocks({ appprice: 1n, datasetprice: 2n, workerpoolprice: 13n }, 4n)).to.deep.equal({
      sponsor: 64n,
      scheduler: 12n,
    });
  });

  it("one task needs the scheduler's stake, or the requester's max prices, and nothing of asset owners", () => {
    expect(taskFundsOf("app", ORDERS.app)).to.equal(0n);
    expect(taskFundsOf("dataset", ORDERS.dataset)).to.equal(0n);
    expect(taskFundsOf("workerpool", ORDERS.workerpool)).to.equal(3n);
    expect(taskFundsOf("request", ORDERS.request)).to.equal(14n + 15n + 16n);
    expect(taskFundsOf("request", requestOrder({ requester: ZeroAddress }))).to.equal(0n);
  });
});
