import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { matchArgs, matchSetup, signedOrders, type MatchSetup, type OrderSet } from "./fixtures";
import { InvalidInputError, matchIssues, parseOrder, orderToJson, appOrder } from "../../src/sdk";

// Edges found by the preflight property test, each pinned: the hub and the twin agree on them.
describe("preflight twin: edges the hub judges without chain state", () => {
  const MAX_U64 = 2n ** 64n - 1n;

  async function hubError(s: MatchSetup, orders: OrderSet): Promise<string | undefined> {
    try {
      await s.hub.connect(s.requester).matchOrders.staticCall(...matchArgs(orders));
      return undefined;
    } catch (error) {
      return s.hub.interface.parseError((error as { data: string }).data)?.name;
    }
  }
  const twin = (o: OrderSet) =>
    matchIssues({ ...o, dataset: o.dataset.dataset === ethers.ZeroAddress ? undefined : o.dataset }).map(
      (i) => i.code,
    );

  it("price above 2^64 - 1 within the maximum", async () => {
    const s = await loadFixture(matchSetup);
    const o = await signedOrders(s, {
      app: { appprice: MAX_U64 + 1n },
      request: { appmaxprice: MAX_U64 + 1n },
    });
    expect(await hubError(s, o)).to.equal("ValueOutOfRange");
    expect(twin(o)).to.include("ValueOutOfRange");
  });

  it("request trust above 2^64 - 1 within the offer", async () => {
    const s = await loadFixture(matchSetup);
    const o = await signedOrders(s, {
      workerpool: { trust: MAX_U64 + 1n },
      request: { trust: MAX_U64 + 1n },
    });
    expect(await hubError(s, o)).to.equal("ValueOutOfRange");
    expect(twin(o)).to.include("ValueOutOfRange");
  });

  it("params longer than 24000 bytes", async () => {
    const s = await loadFixture(matchSetup);
    const o = await signedOrders(s, { request: { params: "p".repeat(24_001) } });
    expect(await hubError(s, o)).to.equal("ValueOutOfRange");
    expect(twin(o)).to.include("ValueOutOfRange");
  });

  it("an empty dataset order (dataset 0) given as the dataset", async () => {
    const s = await loadFixture(matchSetup);
    const o = await signedOrders(s, { noDataset: true, dataset: { datasetprice: 1n } });
    expect(await hubError(s, o)).to.equal(undefined);
    expect(matchIssues(o).map((i) => i.code)).to.deep.equal([]);
  });

  it("parseOrder names a negative bigint or a bigint address instead of crashing on it", () => {
    const json = orderToJson("app", appOrder());
    for (const bad of [{ appprice: -1n }, { app: 1n }])
      expect(() => parseOrder("app", { ...json, ...bad }, "x")).to.throw(InvalidInputError, /must be/);
  });
});
