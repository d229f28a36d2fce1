import { expect } from "chai";
import fc from "fast-check";
import { getAddress, hexlify } from "ethers";
import { InvalidInputError } from "../../src/sdk/core/errors";
import { orderKey, orderToJson, parseOrder } from "../../src/sdk/core/order-json";
import {
  ORDER_TYPES,
  appOrder,
  datasetOrder,
  requestOrder,
  workerpoolOrder,
  type OrderByKind,
  type OrderKind,
} from "../../src/sdk/core/orders";
import { runs } from "../property-runs";

const KINDS: OrderKind[] = ["app", "dataset", "workerpool", "request"];
const ZERO_SALT = "0x" + "00".repeat(32);
const ADDRESS = "0x3Aa5ebB10DC797CAC828524e59A333d0A371443c";

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => getAddress(hexlify(bytes)));
const uint256 = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n }),
  fc.bigInt({ min: 0n, max: 2n ** 64n }),
  fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
);
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => hexlify(bytes));
const sign = fc.oneof(
  fc.constant("0x"),
  fc.uint8Array({ minLength: 65, maxLength: 65 }).map((bytes) => hexlify(bytes)),
  fc.uint8Array({ maxLength: 80 }).map((bytes) => hexlify(bytes)),
);

/** Random orders of each kind, built with the SDK's factories. */
const orders: { [K in OrderKind]: fc.Arbitrary<OrderByKind[K]> } = {
  app: fc
    .record({
      app: address,
      appprice: uint256,
      volume: uint256,
      tag: bytes32,
      datasetrestrict: address,
      workerpoolrestrict: address,
      requesterrestrict: address,
      salt: bytes32,
      sign,
    })
    .map((fields) => appOrder(fields)),
  dataset: fc
    .record({
      dataset: address,
      datasetprice: uint256,
      volume: uint256,
      tag: bytes32,
      apprestrict: address,
      workerpoolrestrict: address,
      requesterrestrict: address,
      salt: bytes32,
      sign,
    })
    .map((fields) => datasetOrder(fields)),
  workerpool: fc
    .record({
      workerpool: address,
      workerpoolprice: uint256,
      volume: uint256,
      tag: bytes32,
      category: uint256,
      trust: uint256,
      apprestrict: address,
      datasetrestrict: address,
      requesterrestrict: address,
      salt: bytes32,
      sign,
    })
    .map((fields) => workerpoolOrder(fields)),
  request: fc
    .record({
      app: address,
      appmaxprice: uint256,
      dataset: address,
      datasetmaxprice: uint256,
      workerpool: address,
      workerpoolmaxprice: uint256,
      requester: address,
      volume: uint256,
      tag: bytes32,
      category: uint256,
      trust: uint256,
      beneficiary: address,
      callback: address,
      params: fc.string({ maxLength: 60, unit: "binary" }),
      salt: bytes32,
      sign,
    })
    .map((fields) => requestOrder(fields)),
};

/** A valid JSON order of each kind (the factories' defaults), to break one field at a time. */
function validJson(kind: OrderKind): Record<string, unknown> {
  const factory = {
    app: appOrder,
    dataset: datasetOrder,
    workerpool: workerpoolOrder,
    request: requestOrder,
  }[kind];
  return orderToJson(kind, factory({}) as never);
}

function fieldsOf(kind: OrderKind) {
  const { primaryType, types } = ORDER_TYPES[kind];
  return types[primaryType];
}

function failure(kind: OrderKind, json: unknown, where = "orders.json apporder"): string {
  try {
    parseOrder(kind, json, where);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError);
    return (error as Error).message;
  }
  return expect.fail(`parseOrder accepted ${JSON.stringify(json)}`);
}

describe("SDK order JSON (parseOrder, orderToJson, orderKey)", () => {
  it("names the JSON key of each kind", () => {
    expect(KINDS.map(orderKey)).to.deep.equal([
      "apporder",
      "datasetorder",
      "workerpoolorder",
      "requestorder",
    ]);
  });

  for (const kind of KINDS) {
    it(`round-trips random ${kind} orders through orderToJson and parseOrder`, () => {
      fc.assert(
        fc.property(orders[kind], (order) => {
          const json = orderToJson(kind, order);
          // Every value is a string; fields in EIP-712 order, then sign.
          expect(Object.keys(json)).to.deep.equal([...fieldsOf(kind).map((f) => f.name), "sign"]);
          for (const value of Object.values(json)) expect(value).to.be.a("string");
          expect(parseOrder(kind, json, kind)).to.deep.equal(order);
          // Through text too, as the files carry them.
          expect(parseOrder(kind, JSON.parse(JSON.stringify(json)), kind)).to.deep.equal(order);
        }),
        { numRuns: runs(100) },
      );
    });
  }

  it("accepts numbers, decimal strings and bigints for integers", () => {
    const json = { ...validJson("workerpool"), workerpoolprice: 5, volume: "12", category: 3n, trust: 0 };
    const order = parseOrder("workerpool", json, "w");
    expect(order.workerpoolprice).to.equal(5n);
    expect(order.volume).to.equal(12n);
    expect(order.category).to.equal(3n);
    expect(order.trust).to.equal(0n);
    const huge = (2n ** 256n - 1n).toString();
    expect(parseOrder("app", { ...validJson("app"), appprice: huge }, "a").appprice).to.equal(
      2n ** 256n - 1n,
    );
  });

  it("checksums addresses and lowercases bytes32", () => {
    const tag = "0x" + "AB".repeat(32);
    const order = parseOrder("app", { ...validJson("app"), app: ADDRESS.toLowerCase(), tag }, "a");
    expect(order.app).to.equal(ADDRESS);
    expect(order.tag).to.equal(tag.toLowerCase());
  });

  it("turns a params object into its JSON string", () => {
    const params = { iexec_args: "--x", iexec_input_files: ["https://example.org/a"] };
    const order = parseOrder("request", { ...validJson("request"), params }, "r");
    expect(order.params).to.equal(JSON.stringify(params));
    expect(parseOrder("request", { ...validJson("request"), params: "plain args" }, "r").params).to.equal(
      "plain args",
    );
  });

  it("defaults sign to 0x and salt to zero", () => {
    for (const kind of KINDS) {
      const json = validJson(kind);
      delete json.sign;
      delete json.salt;
      const order = parseOrder(kind, json, kind) as { sign: string; salt: string };
      expect(order.sign).to.equal("0x", kind);
      expect(order.salt).to.equal(ZERO_SALT, kind);
    }
  });

  it("refuses what is not an object", () => {
    for (const bad of [null, undefined, "order", 42])
      expect(failure("app", bad, "iexec.json order.apporder")).to.equal(
        "iexec.json order.apporder must be a JSON object.",
      );
  });

  it("refuses a sign that is not hex", () => {
    for (const bad of ["deadbeef", "0xzz", 42, true])
      expect(failure("app", { ...validJson("app"), sign: bad }, "x.apporder")).to.equal(
        "x.apporder.sign must be hex.",
      );
  });

  describe("names each bad field", () => {
    const bad: Record<string, { values: unknown[]; expected: string }> = {
      address: { values: [undefined, "0x1234", "not an address", 42, null], expected: "an address" },
      uint256: {
        values: [
          undefined,
          -1,
          1.5,
          "1.5",
          "-1",
          "0x10",
          "",
          "1e3",
          2 ** 53,
          null,
          true,
          (2n ** 256n).toString(),
        ],
        expected: "an integer from 0 to 2^256 - 1",
      },
      bytes32: {
        values: [undefined, "0x" + "00".repeat(31), "0x" + "00".repeat(33), "00".repeat(32), 0, null],
        expected: "0x + 64 hex digits",
      },
      string: { values: [undefined, 42, true, null], expected: "a string or a JSON object" },
    };
    for (const kind of KINDS)
      it(`${kind} order`, () => {
        const where = `orders.json ${orderKey(kind)}`;
        for (const { name, type } of fieldsOf(kind)) {
          const { values, expected } = bad[type];
          for (const value of values) {
            // An absent salt is the one absent field that has a default.
            if (name === "salt" && value === undefined) continue;
            const json = { ...validJson(kind), [name]: value };
            if (value === undefined) delete json[name];
            const got = value === undefined ? "nothing" : (JSON.stringify(value) ?? "nothing");
            expect(failure(kind, json, where)).to.equal(`${where}.${name} must be ${expected}, got ${got}.`);
          }
        }
      });
  });
});
