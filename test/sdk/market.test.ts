import { expect } from "chai";
import { TypedDataEncoder, Wallet, ZeroAddress, verifyTypedData } from "ethers";
import {
  CHALLENGE_TYPES,
  MarketClient,
  challengeDomain,
  challengeText,
  challengeTypedData,
  hashChallenge,
  parseMarketAuthorization,
  recoverChallengeSigner,
  signChallenge,
} from "../../src/sdk/core/market";
import { appOrder, hashOrder, hubDomain, signOrder, workerpoolOrder } from "../../src/sdk/core/orders";
import {
  InvalidInputError,
  NotFoundError,
  ServiceError,
  ServiceUnavailableError,
} from "../../src/sdk/core/errors";
import { closedPortUrl, sendJson, startStub } from "./stub-server";
import type { Recorded, Stub } from "./stub-server";
import { rejection } from "../rejection";

const CHAIN_ID = 31337n;
const HUB = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";
const APP = "0x1111111111111111111111111111111111111111";

/** A market stub that hands out one-use challenges and checks Authorization headers like the official one. */
async function marketStub(answer: (req: Recorded) => [number, unknown]) {
  const issued = new Map<string, string>(); // challenge hash -> text
  const authFailures: string[] = [];
  let counter = 0;
  const stub = await startStub((req, res) => {
    if (req.path === "/challenge") {
      const text = challengeText(`value-${++counter}`);
      issued.set(hashChallenge(BigInt(req.query.get("chainId") ?? "0"), text), text);
      return sendJson(res, 200, { ok: true, data: challengeTypedData(CHAIN_ID, text) });
    }
    if (req.method === "POST" || req.method === "PUT") {
      try {
        const { hash, signature, address } = parseMarketAuthorization(String(req.headers.authorization));
        const text = issued.get(hash);
        if (text === undefined) throw new Error("unknown challenge");
        issued.delete(hash);
        if (recoverChallengeSigner(CHAIN_ID, text, signature) !== address) throw new Error("bad signature");
      } catch (error) {
        authFailures.push(String(error));
        return sendJson(res, 401, { ok: false, error: "Authorization check failed" });
      }
    }
    const [status, body] = answer(req);
    sendJson(res, status, body);
  });
  return { stub, authFailures };
}

const publishedJson = (order: Record<string, unknown>, orderHash: string) => ({
  orderHash,
  chainId: 31337,
  order,
  remaining: 3,
  status: "open",
  signer: "0x2222222222222222222222222222222222222222",
  publicationTimestamp: "2024-01-01T00:00:00.000Z",
});

describe("SDK market client", function () {
  let stub: Stub | undefined;

  afterEach(async function () {
    await stub?.close();
    stub = undefined;
  });

  it("challenge helpers agree with ethers' EIP-712 hashing and recovery", async function () {
    const wallet = Wallet.createRandom();
    const text = challengeText("abc");
    const expected = TypedDataEncoder.hash(
      { name: "iExec Gateway", version: "1", chainId: CHAIN_ID },
      { Challenge: [{ name: "challenge", type: "string" }] },
      { challenge: text },
    );
    expect(hashChallenge(CHAIN_ID, text)).to.equal(expected);
    const signed = await signChallenge(wallet, CHAIN_ID, text);
    expect(signed.authorization).to.equal(`${expected}_${signed.signature}_${wallet.address}`);
    expect(
      verifyTypedData(challengeDomain(CHAIN_ID), CHALLENGE_TYPES, { challenge: text }, signed.signature),
    ).to.equal(wallet.address);
    expect(recoverChallengeSigner(CHAIN_ID, text, signed.signature)).to.equal(wallet.address);
    // Another chain gives another hash: a challenge cannot be replayed across chains.
    expect(hashChallenge(1n, text)).to.not.equal(expected);
    expect(() => parseMarketAuthorization("0x12_0x34_0x56")).to.throw(InvalidInputError);
  });

  it("version() and categories() read the official answers", async function () {
    const m = await marketStub((req) =>
      req.path === "/version"
        ? [200, { ok: true, version: "6.3.0" }]
        : [
            200,
            {
              ok: true,
              categories: [{ catid: 0, name: "XS", description: "{}", workClockTimeRef: 300 }],
              count: 1,
            },
          ],
    );
    stub = m.stub;
    const client = new MarketClient(stub.url, CHAIN_ID);
    expect(await client.version()).to.equal("6.3.0");
    const { categories, count, nextPage } = await client.categories();
    expect(categories).to.deep.equal([
      {
        catid: 0n,
        name: "XS",
        description: "{}",
        workClockTimeRef: 300n,
        transactionHash: undefined,
        blockNumber: undefined,
        blockTimestamp: undefined,
      },
    ]);
    expect(count).to.equal(1);
    expect(nextPage).to.equal(undefined);
    expect(stub.requests[1].path).to.equal("/categories");
    expect(stub.requests[1].query.get("chainId")).to.equal("31337");
  });

  it("orderbook() sends the official filters and converts orders to bigints", async function () {
    const order = {
      workerpool: "0x3333333333333333333333333333333333333333",
      workerpoolprice: "1000000000000000000000", // above 2^53: must stay exact
      volume: 5,
      tag: "0x0000000000000000000000000000000000000000000000000000000000000003",
      category: 2,
      trust: 1,
      apprestrict: ZeroAddress,
      datasetrestrict: ZeroAddress,
      requesterrestrict: ZeroAddress,
      salt: "0x" + "ab".repeat(32),
      sign: "0x" + "cd".repeat(65),
    };
    const m = await marketStub(() => [
      200,
      { ok: true, orders: [publishedJson(order, "0x" + "01".repeat(32))], count: 25, nextPage: 1 },
    ]);
    stub = m.stub;
    const client = new MarketClient(stub.url, CHAIN_ID);
    const book = await client.orderbook(
      "workerpool",
      {
        category: 2n,
        app: APP,
        isAppStrict: true,
        minTag: order.tag,
        minTrust: 1n,
        minVolume: 2n,
        workerpoolOwner: "0x4444444444444444444444444444444444444444",
      },
      { pageIndex: 0, pageSize: 20 },
    );
    const [req] = stub.requests;
    expect(req.method).to.equal("GET");
    expect(req.path).to.equal("/workerpoolorders");
    expect(Object.fromEntries(req.query)).to.deep.equal({
      chainId: "31337",
      category: "2",
      app: APP,
      isAppStrict: "true",
      minTag: order.tag,
      minTrust: "1",
      minVolume: "2",
      workerpoolOwner: "0x4444444444444444444444444444444444444444",
      pageIndex: "0",
      pageSize: "20",
    });
    expect(book.count).to.equal(25);
    expect(book.nextPage).to.equal(1);
    expect(book.orders).to.have.length(1);
    const [published] = book.orders;
    expect(published.remaining).to.equal(3n);
    expect(published.chainId).to.equal(31337n);
    expect(published.order.workerpoolprice).to.equal(1000000000000000000000n);
    expect(published.order.volume).to.equal(5n);
    expect(published.order.category).to.equal(2n);
    expect(published.order.sign).to.equal(order.sign);
  });

  it("orderbook() refuses filters the kind does not have and app books without an app", async function () {
    const client = new MarketClient("http://127.0.0.1:1", CHAIN_ID);
    expect(await rejection(client.orderbook("request", { minTrust: 1n }))).to.be.instanceOf(
      InvalidInputError,
    );
    expect(await rejection(client.orderbook("app", {}))).to.be.instanceOf(InvalidInputError);
    expect(await rejection(client.orderbook("request", {}, { pageSize: 5 }))).to.be.instanceOf(
      InvalidInputError,
    );
  });

  it("order() fetches one order and maps 404 to NotFoundError", async function () {
    const hash = "0x" + "02".repeat(32);
    const order = { ...appOrder({ app: APP, appprice: 5n }), sign: "0x" + "11".repeat(65) };
    const m = await marketStub((req) =>
      req.path.endsWith(hash)
        ? [
            200,
            {
              ok: true,
              ...publishedJson(
                JSON.parse(JSON.stringify(order, (_k, v) => (typeof v === "bigint" ? Number(v) : v))),
                hash,
              ),
            },
          ]
        : [404, { ok: false, error: "apporder not found" }],
    );
    stub = m.stub;
    const client = new MarketClient(stub.url, CHAIN_ID);
    const found = await client.order("app", hash);
    expect(found.order).to.deep.equal(order);
    expect(stub.requests[0].path).to.equal(`/apporders/${hash}`);
    expect(stub.requests[0].query.get("chainId")).to.equal("31337");
    const error = await rejection(client.order("app", "0x" + "03".repeat(32)));
    expect(error).to.be.instanceOf(NotFoundError);
  });

  it("publish() signs a fresh challenge and posts {order} with the Authorization header", async function () {
    const wallet = Wallet.createRandom();
    const domain = hubDomain(CHAIN_ID, HUB);
    const signed = await signOrder(
      wallet,
      domain,
      "app",
      appOrder({ app: APP, appprice: 10n ** 20n, volume: 4n }),
    );
    const orderHash = hashOrder(domain, "app", signed);
    const m = await marketStub(() => [200, { ok: true, published: { orderHash } }]);
    stub = m.stub;
    const client = new MarketClient(stub.url, CHAIN_ID);
    expect(await client.publish("app", signed, wallet)).to.equal(orderHash);
    expect(m.authFailures).to.deep.equal([]);
    const [challengeReq, post] = stub.requests;
    expect(challengeReq.path).to.equal("/challenge");
    expect(Object.fromEntries(challengeReq.query)).to.deep.equal({
      chainId: "31337",
      address: wallet.address,
    });
    expect(post.method).to.equal("POST");
    expect(post.path).to.equal("/apporders");
    expect(Object.fromEntries(post.query)).to.deep.equal({ chainId: "31337" });
    const body = JSON.parse(post.body) as { order: Record<string, string> };
    expect(body.order.appprice).to.equal("100000000000000000000");
    expect(body.order.volume).to.equal("4");
    expect(body.order.sign).to.equal(signed.sign);
    const { signature, address } = parseMarketAuthorization(String(post.headers.authorization));
    expect(address).to.equal(wallet.address);
    expect(recoverChallengeSigner(CHAIN_ID, challengeText("value-1"), signature)).to.equal(wallet.address);
  });

  it("publish() refuses an unsigned order", async function () {
    const client = new MarketClient("http://127.0.0.1:1", CHAIN_ID);
    const error = await rejection(client.publish("app", appOrder({ app: APP }), Wallet.createRandom()));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.contain("sign");
  });

  it("unpublish, unpublishLast and unpublishAll send the official PUT bodies", async function () {
    const wallet = Wallet.createRandom();
    const h1 = "0x" + "0a".repeat(32);
    const h2 = "0x" + "0b".repeat(32);
    const m = await marketStub((req) => {
      const body = JSON.parse(req.body) as { target: string };
      return [200, { ok: true, unpublished: body.target === "unpublish_all" ? [h1, h2] : [h1] }];
    });
    stub = m.stub;
    const client = new MarketClient(stub.url, CHAIN_ID);
    expect(await client.unpublish("workerpool", h1, wallet)).to.equal(h1);
    expect(await client.unpublishLast("dataset", wallet, APP)).to.equal(h1);
    expect(await client.unpublishAll("request", wallet)).to.deep.equal([h1, h2]);
    expect(m.authFailures).to.deep.equal([]);
    const puts = stub.requests.filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.path)).to.deep.equal(["/workerpoolorders", "/datasetorders", "/requestorders"]);
    expect(puts.map((r) => JSON.parse(r.body) as unknown)).to.deep.equal([
      { target: "unpublish_orderHash", orderHash: h1 },
      { target: "unpublish_last", dataset: APP },
      { target: "unpublish_all", requester: wallet.address },
    ]);
    for (const put of puts) expect(put.query.get("chainId")).to.equal("31337");
    expect(await rejection(client.unpublishAll("app", wallet))).to.be.instanceOf(InvalidInputError);
  });

  it("a rejected authorization surfaces as ServiceError with the market's message", async function () {
    const wallet = Wallet.createRandom();
    const signed = await signOrder(wallet, hubDomain(CHAIN_ID, HUB), "workerpool", workerpoolOrder());
    stub = await startStub((req, res) =>
      req.path === "/challenge"
        ? sendJson(res, 200, { ok: true, data: challengeTypedData(CHAIN_ID, challengeText("x")) })
        : sendJson(res, 401, { ok: false, error: "Challenge not valid. Need to request a new challenge." }),
    );
    const error = await rejection(new MarketClient(stub.url, CHAIN_ID).publish("workerpool", signed, wallet));
    expect(error).to.be.instanceOf(ServiceError);
    expect(error.message).to.contain("Challenge not valid");
  });

  it("refuses a challenge for another chain", async function () {
    stub = await startStub((_req, res) =>
      sendJson(res, 200, { ok: true, data: challengeTypedData(1n, "x") }),
    );
    const error = await rejection(new MarketClient(stub.url, CHAIN_ID).authorize(Wallet.createRandom()));
    expect(error).to.be.instanceOf(ServiceError);
    expect(error.message).to.contain("chain 31337");
  });

  it("signs nothing but its own login text: a workerpool's logs challenge relayed by a hostile market is refused", async function () {
    const relayed = `Sign this message to read the task logs of workerpool ${HUB}: ${"ab".repeat(32)}`;
    stub = await startStub((_req, res) =>
      sendJson(res, 200, { ok: true, data: challengeTypedData(CHAIN_ID, relayed) }),
    );
    const error = await rejection(new MarketClient(stub.url, CHAIN_ID).authorize(Wallet.createRandom()));
    expect(error).to.be.instanceOf(ServiceError);
    expect(error.message).to.contain("nothing was signed");
    expect(stub.requests.map((r) => r.path)).to.deep.equal(["/challenge"]);
  });

  it("deals() sends the official filters", async function () {
    const deal = {
      dealid: "0x" + "0d".repeat(32),
      app: { pointer: APP, owner: APP, price: 1 },
      dataset: { pointer: ZeroAddress, owner: ZeroAddress, price: 0 },
      workerpool: { pointer: APP, owner: APP, price: 2 },
      requester: APP,
      beneficiary: APP,
      callback: ZeroAddress,
      tag: "0x" + "00".repeat(32),
      params: "{}",
      category: 0,
      trust: 1,
      volume: 1,
      botFirst: 0,
      botSize: 1,
      startTime: 1700000000,
      workerStake: 0,
      schedulerRewardRatio: 1,
    };
    const m = await marketStub(() => [200, { ok: true, deals: [deal], count: 1 }]);
    stub = m.stub;
    const { deals } = await new MarketClient(stub.url, CHAIN_ID).deals({ requester: APP, category: 0n });
    expect(deals[0].dealid).to.equal(deal.dealid);
    expect(deals[0].workerpool.price).to.equal(2n);
    expect(deals[0].startTime).to.equal(1700000000n);
    expect(Object.fromEntries(stub.requests[0].query)).to.deep.equal({
      chainId: "31337",
      requester: APP,
      category: "0",
    });
  });

  it("an unreachable market gives ServiceUnavailableError naming its URL", async function () {
    const url = await closedPortUrl();
    const client = new MarketClient(url, CHAIN_ID);
    for (const call of [
      () => client.version(),
      () => client.orderbook("workerpool"),
      () => client.authorize(Wallet.createRandom()),
    ]) {
      const error = await rejection(call());
      expect(error).to.be.instanceOf(ServiceUnavailableError);
      expect(error.message).to.contain(url).and.contain("market API");
    }
  });
});
