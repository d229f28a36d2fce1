import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { TypedDataEncoder, getAddress, hexlify, keccak256, toUtf8Bytes, verifyTypedData } from "ethers";
import type { Interface, TypedDataDomain, TypedDataField } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { OrdersHarness } from "../../typechain-types";
import {
  ORDER_OPERATION_TYPES,
  ORDER_TYPES,
  OrderOperation,
  OrdersError,
  UnknownOrderKindError,
  UnknownOrderOperationError,
  InvalidHubAddressError,
  appOrder,
  createSalt,
  datasetOrder,
  hashOrder,
  hashOrderOperation,
  hashOrderOperationStruct,
  hashOrderStruct,
  hubDomain,
  requestOrder,
  signOrder,
  signOrderOperation,
  workerpoolOrder,
} from "../../src/sdk";
import type {
  AppOrder,
  DatasetOrder,
  OrderByKind,
  OrderKind,
  RequestOrder,
  SignedOrderOperation,
  WorkerpoolOrder,
} from "../../src/sdk";
import { runs } from "../property-runs";

/**
 * The hub's `Orders` library (hand-written assembly over calldata) against the SDK and against ethers'
 * own EIP-712 encoder, on random orders. A plain `abi.encode` version in the harness is a third oracle
 * for the order struct hashes and the baseline for the gas figures printed at the end.
 */
describe("Orders hashing", () => {
  const RUNS = runs(50);

  let harness: OrdersHarness;
  let signers: HardhatEthersSigner[];
  let domain: TypedDataDomain;
  let separator: string;

  before(async () => {
    harness = await (await ethers.getContractFactory("OrdersHarness")).deploy();
    signers = await ethers.getSigners();
    const { chainId } = await ethers.provider.getNetwork();
    // Any hub address will do: the harness takes the separator as an argument.
    domain = hubDomain(chainId, "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
    separator = TypedDataEncoder.hashDomain(domain);
  });

  // ------------------------------------------------------------------ arbitraries

  const bytesHex = (length: number) =>
    fc.uint8Array({ minLength: length, maxLength: length }).map((bytes) => hexlify(bytes));
  const address = fc.oneof(
    { weight: 5, arbitrary: bytesHex(20).map((hex) => getAddress(hex)) },
    { weight: 1, arbitrary: fc.constant(ethers.ZeroAddress) },
  );
  const uint256 = fc.oneof(
    { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: ethers.MaxUint256 }) },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, ethers.MaxUint256) },
  );
  const bytes32 = fc.oneof(
    { weight: 4, arbitrary: bytesHex(32) },
    { weight: 1, arbitrary: fc.constant(ethers.ZeroHash) },
  );
  const sign = fc.uint8Array({ maxLength: 130 }).map((bytes) => hexlify(bytes));
  const params = fc.oneof(
    fc.constant(""),
    fc.string({ maxLength: 64 }),
    fc.string({ unit: "grapheme", maxLength: 64 }),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.string({ minLength: 1_000, maxLength: 4_000 }),
    fc.json({ maxDepth: 3 }),
  );

  const appOrders: fc.Arbitrary<AppOrder> = fc.record({
    app: address,
    appprice: uint256,
    volume: uint256,
    tag: bytes32,
    datasetrestrict: address,
    workerpoolrestrict: address,
    requesterrestrict: address,
    salt: bytes32,
    sign,
  });
  const datasetOrders: fc.Arbitrary<DatasetOrder> = fc.record({
    dataset: address,
    datasetprice: uint256,
    volume: uint256,
    tag: bytes32,
    apprestrict: address,
    workerpoolrestrict: address,
    requesterrestrict: address,
    salt: bytes32,
    sign,
  });
  const workerpoolOrders: fc.Arbitrary<WorkerpoolOrder> = fc.record({
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
  });
  const requestOrders: fc.Arbitrary<RequestOrder> = fc.record({
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
    params,
    salt: bytes32,
    sign,
  });
  const operation = fc.constantFrom(OrderOperation.SIGN, OrderOperation.CLOSE);

  // ------------------------------------------------------------------ per-kind tests

  /** What the tests of one order kind need from the harness. */
  interface KindCase<K extends OrderKind> {
    kind: K;
    name: string;
    orders: fc.Arbitrary<OrderByKind[K]>;
    /** A typical order, for the gas figures. */
    sample: () => OrderByKind[K];
    /** Head word index of every address field, for the dirty-address checks. */
    addressWords: number[];
    hash: (order: OrderByKind[K]) => Promise<string>;
    typed: (separator: string, order: OrderByKind[K]) => Promise<string>;
    plain: (order: OrderByKind[K]) => Promise<[string, bigint]>;
    gas: (order: OrderByKind[K]) => Promise<[string, bigint]>;
    hashOperation: (operation: SignedOrderOperation<K>) => Promise<string>;
    typedOperation: (separator: string, operation: SignedOrderOperation<K>) => Promise<string>;
    gasOperation: (operation: SignedOrderOperation<K>) => Promise<[string, bigint]>;
  }

  const gasTable: Record<string, { assembly: bigint; plain?: bigint }> = {};

  function kindTests<K extends OrderKind>(c: KindCase<K>): void {
    const { kind, name } = c;
    const { primaryType, types } = ORDER_TYPES[kind];
    const opTypes = ORDER_OPERATION_TYPES[kind].types as Record<string, TypedDataField[]>;

    describe(`${name}`, () => {
      it("struct and typed-data hashes agree with the SDK and ethers; sign is never hashed", async () => {
        await fc.assert(
          fc.asyncProperty(c.orders, sign, async (order, otherSign) => {
            const structHash = hashOrderStruct(kind, order);
            const digest = hashOrder(domain, kind, order);
            expect(structHash).to.equal(
              TypedDataEncoder.hashStruct(primaryType, types as Record<string, TypedDataField[]>, order),
            );
            expect(digest).to.equal(
              TypedDataEncoder.hash(domain, types as Record<string, TypedDataField[]>, order),
            );
            expect(await c.hash(order)).to.equal(structHash);
            expect(await c.typed(separator, order)).to.equal(digest);
            expect((await c.plain(order))[0]).to.equal(structHash);
            expect(await harness.toTypedDataHash(separator, structHash)).to.equal(digest);

            const resigned = { ...order, sign: otherSign };
            expect(hashOrder(domain, kind, resigned)).to.equal(digest);
            expect(await c.typed(separator, resigned)).to.equal(digest);
          }),
          { numRuns: RUNS },
        );
      });

      it("operation hashes agree with the SDK and ethers; neither sign is hashed", async () => {
        await fc.assert(
          fc.asyncProperty(c.orders, operation, sign, sign, async (order, op, opSign, otherSign) => {
            const value: SignedOrderOperation<K> = { order, operation: op, sign: opSign };
            const structHash = hashOrderOperationStruct(kind, order, op);
            const digest = hashOrderOperation(domain, kind, order, op);
            expect(digest).to.equal(TypedDataEncoder.hash(domain, opTypes, { order, operation: op }));
            expect(await c.hashOperation(value)).to.equal(structHash);
            expect(await c.typedOperation(separator, value)).to.equal(digest);

            const resigned = { order: { ...order, sign: otherSign }, operation: op, sign: otherSign };
            expect(await c.typedOperation(separator, resigned)).to.equal(digest);
          }),
          { numRuns: RUNS },
        );
      });

      it("signOrder and signOrderOperation signatures recover to the signer", async () => {
        const signer = signers[1];
        const order = c.sample();
        const signed = await signOrder(signer, domain, kind, order);
        const recovered = verifyTypedData(
          domain,
          types as Record<string, TypedDataField[]>,
          signed,
          signed.sign,
        );
        expect(recovered).to.equal(signer.address);
        // The digest the hub computes is the one that was signed.
        const digest = await c.typed(separator, signed);
        expect(ethers.recoverAddress(digest, signed.sign)).to.equal(signer.address);

        const managed = await signOrderOperation(signer, domain, kind, order, OrderOperation.CLOSE);
        expect(managed.operation).to.equal(OrderOperation.CLOSE);
        expect(managed.order.sign).to.equal(order.sign);
        expect(
          verifyTypedData(domain, opTypes, { order, operation: OrderOperation.CLOSE }, managed.sign),
        ).to.equal(signer.address);
        const opDigest = await c.typedOperation(separator, managed);
        expect(ethers.recoverAddress(opDigest, managed.sign)).to.equal(signer.address);
      });

      it("reverts on an address word with dirty upper bits, like the ABI decoder", async () => {
        const order = c.sample();
        const iface: Interface = harness.interface;
        const data = iface.encodeFunctionData(`hash${name}`, [order]);
        // Selector, then the offset of the struct (0x20), then the struct's head words.
        const head = 4 + 32;
        for (const word of c.addressWords) {
          const bytes = ethers.getBytes(data);
          bytes[head + word * 32] = 0x01;
          await expect(ethers.provider.call({ to: await harness.getAddress(), data: hexlify(bytes) })).to.be
            .reverted;
        }
        // The untouched encoding goes through.
        await ethers.provider.call({ to: await harness.getAddress(), data });
      });

      it("reverts on an operation out of the enum's range", async () => {
        const iface: Interface = harness.interface;
        const data = iface.encodeFunctionData(`hash${name}Operation`, [
          { order: c.sample(), operation: 2, sign: "0x" },
        ]);
        await expect(ethers.provider.call({ to: await harness.getAddress(), data })).to.be.reverted;
      });

      it("measures gas", async () => {
        const order = c.sample();
        const [structHash, used] = await c.gas(order);
        const [plainHash, plainUsed] = await c.plain(order);
        expect(structHash).to.equal(plainHash);
        expect(used).to.be.lessThan(plainUsed);
        gasTable[`hash(${name})`] = { assembly: used, plain: plainUsed };
        const [, opUsed] = await c.gasOperation({ order, operation: OrderOperation.SIGN, sign: "0x" });
        gasTable[`hash(${name}Operation)`] = { assembly: opUsed };
      });
    });
  }

  // A request's params as the SDKs usually send them: a small JSON object.
  const sampleParams = JSON.stringify({
    iexec_args: "--input data.csv --threshold 0.5",
    iexec_result_storage_provider: "ipfs",
    iexec_result_storage_proxy: "https://result.v8-bellecour.iex.ec",
  });

  kindTests<"app">({
    kind: "app",
    name: "AppOrder",
    orders: appOrders,
    sample: () => appOrder({ app: signers[2].address, appprice: 10n ** 9n, volume: 100n, sign: "0x1234" }),
    addressWords: [0, 4, 5, 6],
    hash: (order) => harness.hashAppOrder(order),
    typed: (sep, order) => harness.typedHashAppOrder(sep, order),
    plain: (order) => harness.plainAppOrder(order),
    gas: (order) => harness.gasAppOrder(order),
    hashOperation: (op) => harness.hashAppOrderOperation(op),
    typedOperation: (sep, op) => harness.typedHashAppOrderOperation(sep, op),
    gasOperation: (op) => harness.gasAppOrderOperation(op),
  });

  kindTests<"dataset">({
    kind: "dataset",
    name: "DatasetOrder",
    orders: datasetOrders,
    sample: () => datasetOrder({ dataset: signers[3].address, datasetprice: 10n ** 9n, volume: 100n }),
    addressWords: [0, 4, 5, 6],
    hash: (order) => harness.hashDatasetOrder(order),
    typed: (sep, order) => harness.typedHashDatasetOrder(sep, order),
    plain: (order) => harness.plainDatasetOrder(order),
    gas: (order) => harness.gasDatasetOrder(order),
    hashOperation: (op) => harness.hashDatasetOrderOperation(op),
    typedOperation: (sep, op) => harness.typedHashDatasetOrderOperation(sep, op),
    gasOperation: (op) => harness.gasDatasetOrderOperation(op),
  });

  kindTests<"workerpool">({
    kind: "workerpool",
    name: "WorkerpoolOrder",
    orders: workerpoolOrders,
    sample: () =>
      workerpoolOrder({
        workerpool: signers[4].address,
        workerpoolprice: 10n ** 9n,
        volume: 100n,
        category: 2n,
        trust: 1n,
      }),
    addressWords: [0, 6, 7, 8],
    hash: (order) => harness.hashWorkerpoolOrder(order),
    typed: (sep, order) => harness.typedHashWorkerpoolOrder(sep, order),
    plain: (order) => harness.plainWorkerpoolOrder(order),
    gas: (order) => harness.gasWorkerpoolOrder(order),
    hashOperation: (op) => harness.hashWorkerpoolOrderOperation(op),
    typedOperation: (sep, op) => harness.typedHashWorkerpoolOrderOperation(sep, op),
    gasOperation: (op) => harness.gasWorkerpoolOrderOperation(op),
  });

  kindTests<"request">({
    kind: "request",
    name: "RequestOrder",
    orders: requestOrders,
    sample: () =>
      requestOrder({
        app: signers[2].address,
        appmaxprice: 10n ** 9n,
        dataset: signers[3].address,
        datasetmaxprice: 10n ** 9n,
        workerpool: signers[4].address,
        workerpoolmaxprice: 10n ** 9n,
        requester: signers[1].address,
        beneficiary: signers[1].address,
        category: 2n,
        params: sampleParams,
      }),
    addressWords: [0, 2, 4, 6, 11, 12],
    hash: (order) => harness.hashRequestOrder(order),
    typed: (sep, order) => harness.typedHashRequestOrder(sep, order),
    plain: (order) => harness.plainRequestOrder(order),
    gas: (order) => harness.gasRequestOrder(order),
    hashOperation: (op) => harness.hashRequestOrderOperation(op),
    typedOperation: (sep, op) => harness.typedHashRequestOrderOperation(sep, op),
    gasOperation: (op) => harness.gasRequestOrderOperation(op),
  });

  describe("tails outside the calldata", () => {
    // Selector, then the offset of the struct (0x20): the struct's head starts here.
    const HEAD = 4 + 32;

    /** Calls the harness with `data` after overwriting the head word `word` with `value`. */
    async function callWithWord(data: string, word: number, value: bigint): Promise<string> {
      const bytes = ethers.getBytes(data);
      bytes.set(ethers.getBytes(ethers.toBeHex(value, 32)), HEAD + word * 32);
      return ethers.provider.call({ to: await harness.getAddress(), data: hexlify(bytes) });
    }

    it("request params: offset or length out of range reverts", async () => {
      const iface: Interface = harness.interface;
      const data = iface.encodeFunctionData("hashRequestOrder", [requestOrder({ params: "abc" })]);
      const paramsRel = ethers.toBigInt(ethers.dataSlice(data, HEAD + 13 * 32, HEAD + 14 * 32));
      await expect(callWithWord(data, 13, 2n ** 64n)).to.be.reverted;
      await expect(callWithWord(data, 13, 0x10000n)).to.be.reverted;
      // The length word of params, read at the tail's start.
      const lengthWord = Number(paramsRel) / 32;
      await expect(callWithWord(data, lengthWord, 0x10000n)).to.be.reverted;
      await expect(callWithWord(data, lengthWord, 2n ** 255n)).to.be.reverted;
      // In range, the hash goes through (a length of 0 is valid).
      await callWithWord(data, lengthWord, 0n);
    });

    it("operation: an order offset out of range reverts", async () => {
      const iface: Interface = harness.interface;
      const cases: [string, object][] = [
        ["hashAppOrderOperation", appOrder()],
        ["hashDatasetOrderOperation", datasetOrder()],
        ["hashWorkerpoolOrderOperation", workerpoolOrder()],
        ["hashRequestOrderOperation", requestOrder()],
      ];
      for (const [fn, order] of cases) {
        const data = iface.encodeFunctionData(fn, [{ order, operation: 0, sign: "0x" }]);
        await expect(callWithWord(data, 0, 2n ** 64n)).to.be.reverted;
        await expect(callWithWord(data, 0, 2n ** 256n - 32n)).to.be.reverted;
        // Just far enough that the order's head crosses the end of the calldata.
        const size = BigInt(ethers.dataLength(data) - HEAD);
        await expect(callWithWord(data, 0, size - 0x40n)).to.be.reverted;
        await callWithWord(data, 0, 0x60n);
      }
    });
  });

  // ------------------------------------------------------------------ constants, helpers, errors

  it("typehashes are the keccak256 of type strings equal to ethers' encodeType", async () => {
    const [typeStrings, typehashes] = await harness.types();
    const tables = [ORDER_TYPES, ORDER_OPERATION_TYPES];
    const kinds: OrderKind[] = ["app", "dataset", "workerpool", "request"];
    const expected = tables.flatMap((table) =>
      kinds.map((kind) =>
        TypedDataEncoder.from(table[kind].types as Record<string, TypedDataField[]>).encodeType(
          table[kind].primaryType,
        ),
      ),
    );
    expect([...typeStrings]).to.deep.equal(expected);
    for (let i = 0; i < expected.length; i++)
      expect(typehashes[i]).to.equal(keccak256(toUtf8Bytes(typeStrings[i])));
  });

  it("toTypedDataHash is keccak256(0x1901 ‖ separator ‖ structHash)", async () => {
    await fc.assert(
      fc.asyncProperty(bytes32, bytes32, async (sep, structHash) => {
        const expected = keccak256(ethers.concat(["0x1901", sep, structHash]));
        expect(await harness.toTypedDataHash(sep, structHash)).to.equal(expected);
      }),
      { numRuns: RUNS },
    );
    const [, used] = await harness.gasToTypedDataHash(separator, ethers.ZeroHash);
    gasTable["toTypedDataHash"] = { assembly: used };
  });

  it("createSalt returns 32 fresh random bytes", () => {
    const salts = new Set(Array.from({ length: 64 }, () => createSalt()));
    expect(salts.size).to.equal(64);
    for (const salt of salts) expect(ethers.dataLength(salt)).to.equal(32);
  });

  it("order helpers fill defaults and keep given fields", () => {
    const app = appOrder({ app: signers[2].address, appprice: 5n, tag: undefined });
    expect(app).to.include({
      app: signers[2].address,
      appprice: 5n,
      volume: 1n,
      tag: ethers.ZeroHash,
      datasetrestrict: ethers.ZeroAddress,
      workerpoolrestrict: ethers.ZeroAddress,
      requesterrestrict: ethers.ZeroAddress,
      sign: "0x",
    });
    expect(ethers.dataLength(app.salt)).to.equal(32);
    expect(appOrder().salt).to.not.equal(appOrder().salt);
    expect(requestOrder({ params: "x" })).to.include({ params: "x", category: 0n, trust: 0n, sign: "0x" });
    expect(datasetOrder().dataset).to.equal(ethers.ZeroAddress);
    expect(workerpoolOrder({ trust: 3n }).trust).to.equal(3n);
  });

  it("hubDomain builds the iExecODB 5.0.0 domain with a checksummed hub", () => {
    const hub = "0x3eca1b216a7df1c7689aeb259ffb83adfb894e7f";
    expect(hubDomain(134n, hub)).to.deep.equal({
      name: "iExecODB",
      version: "5.0.0",
      chainId: 134n,
      verifyingContract: getAddress(hub),
    });
  });

  it("errors carry a code and say how to fix the call", () => {
    const order = appOrder();
    const unknownKind = () => hashOrderStruct("market" as OrderKind, order as unknown as RequestOrder);
    expect(unknownKind).to.throw(UnknownOrderKindError).with.property("code", "ORDER_KIND_UNKNOWN");
    expect(unknownKind).to.throw(/pass "app", "dataset", "workerpool" or "request"/);
    expect(() => hashOrder(domain, "toString" as OrderKind, order as unknown as RequestOrder)).to.throw(
      UnknownOrderKindError,
    );
    const badOperation = () => hashOrderOperation(domain, "app", order, 2 as OrderOperation);
    expect(badOperation)
      .to.throw(UnknownOrderOperationError)
      .with.property("code", "ORDER_OPERATION_UNKNOWN");
    const badHub = () => hubDomain(1n, "0x1234");
    expect(badHub).to.throw(InvalidHubAddressError).with.property("code", "HUB_ADDRESS_INVALID");
    expect(badHub).to.throw(OrdersError);
  });

  after(() => {
    const rows = Object.entries(gasTable).map(([fn, { assembly, plain }]) => ({
      function: fn,
      gas: Number(assembly),
      "abi.encode": plain === undefined ? "" : Number(plain),
    }));
    if (rows.length > 0) {
      console.log("      Orders library gas (internal call, measured with gasleft in the harness):");
      console.table(rows);
    }
  });
});
