import { expect } from "chai";
import { makeError } from "ethers";
import { IAppRegistry__factory, IHub__factory } from "../../typechain-types";
import { ChainError, InvalidInputError, OpenPocoError } from "../../src/sdk/core/errors";
import { explainRevert, formatCustomError } from "../../src/sdk/core/client/revert";

const hub = IHub__factory.createInterface();
const registry = IAppRegistry__factory.createInterface();
const RLC = 10n ** 9n;
const ACCOUNT = "0x3Aa5ebB10DC797CAC828524e59A333d0A371443c";
const OTHER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const HASH = "0x" + "ab".repeat(32);

/** What explainRevert makes of `error`, checked to be a ChainError. */
function explain(error: unknown, action = "match the orders"): ChainError {
  const explained = explainRevert(action, error);
  expect(explained).to.be.instanceOf(ChainError);
  expect(explained.code).to.equal("CHAIN_REVERT");
  expect(explained.cause).to.equal(error);
  return explained as ChainError;
}

describe("SDK explainRevert", () => {
  const exhausted = hub.encodeErrorResult("OrderExhausted", ["apporder", HASH]);

  it("finds the revert data wherever ethers puts it", () => {
    const wrappings: [string, unknown][] = [
      ["on the error", { data: exhausted, message: "execution reverted" }],
      ["in info.error", { message: "could not coalesce", info: { error: { code: 3, data: exhausted } } }],
      ["on a nested error", { message: "outer", error: { message: "inner", data: exhausted } }],
      ["two levels down", { error: { error: { data: exhausted } } }],
      ["in info.error of a nested error", { error: { info: { error: { data: exhausted } } } }],
      ["on the cause", new Error("wrapped", { cause: { data: exhausted } })],
    ];
    for (const [where, error] of wrappings) {
      const explained = explain(error);
      expect(explained.reason).to.equal("OrderExhausted", where);
      expect(explained.message).to.equal(
        `Could not match the orders: The apporder ${HASH} is already consumed or cancelled: use another order. (OrderExhausted(apporder, ${HASH}))`,
        where,
      );
    }
  });

  it("gives the fix for the common errors, with the values", () => {
    const cases: [string, string, unknown[], string][] = [
      [
        "ERC20InsufficientBalance",
        "deposit",
        [ACCOUNT, 1_500_000_000n, 3n * RLC],
        `Could not deposit: Not enough RLC: ${ACCOUNT} has 1.5 RLC available and 3 RLC is needed; deposit more with \`openpoco account deposit\`. (ERC20InsufficientBalance(${ACCOUNT}, 1500000000, 3000000000))`,
      ],
      [
        "InvalidOrderSignature",
        "match",
        ["requestorder", HASH, ACCOUNT],
        `Could not match: The requestorder ${HASH} has no valid signature of ${ACCOUNT}: sign it again on this chain. (InvalidOrderSignature(requestorder, ${HASH}, ${ACCOUNT}))`,
      ],
      [
        "PriceAboveMax",
        "match",
        ["apporder.appprice", 5n, 4n],
        "Could not match: The apporder.appprice (5 nRLC) is above the requester's maximum (4 nRLC): raise the maximum or lower the price. (PriceAboveMax(apporder.appprice, 5, 4))",
      ],
      [
        "CategoryMismatch",
        "match",
        [1n, 2n],
        "Could not match: The request asks for category 1 and the workerpool order offers category 2: make them equal. (CategoryMismatch(1, 2))",
      ],
      [
        "TrustAboveOffer",
        "match",
        [3n, 1n],
        "Could not match: The request asks for trust 3 and the workerpool order offers only 1: lower the trust. (TrustAboveOffer(3, 1))",
      ],
      [
        "RestrictionNotMet",
        "match",
        ["apporder.requesterrestrict", OTHER, ACCOUNT],
        `Could not match: The apporder.requesterrestrict restriction ${OTHER} excludes ${ACCOUNT}: pick orders that allow each other. (RestrictionNotMet(apporder.requesterrestrict, ${OTHER}, ${ACCOUNT}))`,
      ],
      [
        "UnknownCategory",
        "match",
        [7n, 5n],
        "Could not match: Category 7 does not exist (there are 5): pick one with `openpoco category show`. (UnknownCategory(7, 5))",
      ],
      [
        "TaskNotClaimable",
        "claim",
        [HASH, 3],
        `Could not claim: Task ${HASH} cannot be claimed: it is completed, failed, or its final deadline has not passed. (TaskNotClaimable(${HASH}, 3))`,
      ],
      [
        "FinalDeadlineNotReached",
        "claim",
        [HASH, 1_700_000_000n],
        `Could not claim: Task ${HASH} can be claimed only after its final deadline (2023-11-14T22:13:20.000Z). (FinalDeadlineNotReached(${HASH}, 1700000000))`,
      ],
      [
        "DealNotFound",
        "initialize",
        [HASH],
        `Could not initialize: No match recorded a deal with id ${HASH}: check the deal id (\`openpoco deal show\`). (DealNotFound(${HASH}))`,
      ],
      [
        "TooManyContributors",
        "contribute",
        [HASH],
        `Could not contribute: Task ${HASH} already has the most contributions a task takes (256): it can no longer take yours. (TooManyContributors(${HASH}))`,
      ],
      [
        "ResultsNotRecorded",
        "finalize",
        [HASH, 2n],
        `Could not finalize: The results of task ${HASH} ran out of gas at chunk 2: send the transaction again with a higher gas limit. (ResultsNotRecorded(${HASH}, 2))`,
      ],
    ];
    for (const [name, action, args, message] of cases) {
      const explained = explain({ data: hub.encodeErrorResult(name, args) }, action);
      expect(explained.reason).to.equal(name);
      expect(explained.message).to.equal(message, name);
    }
  });

  it("decodes the registries' errors and the ownership error", () => {
    const data = registry.encodeErrorResult("AssetAlreadyRegistered", [ACCOUNT]);
    const explained = explain({ data }, "deploy the app");
    expect(explained.reason).to.equal("AssetAlreadyRegistered");
    expect(explained.message).to.equal(
      `Could not deploy the app: An asset with the same fields is already registered at ${ACCOUNT}: change a field (the name) or use it. (AssetAlreadyRegistered(${ACCOUNT}))`,
    );
    const owner = hub.encodeErrorResult("OwnableUnauthorizedAccount", [OTHER]);
    expect(explain({ data: owner }, "transfer").message).to.equal(
      `Could not transfer: ${OTHER} is not the owner allowed to do this: use the owner's wallet. (OwnableUnauthorizedAccount(${OTHER}))`,
    );
  });

  it("names other custom errors with their values", () => {
    const cases: [string, unknown[], string][] = [
      ["ZeroRequester", [], "ZeroRequester()"],
      [
        "AssetMismatch",
        ["requestorder.app", ACCOUNT, OTHER],
        `AssetMismatch(requestorder.app, ${ACCOUNT}, ${OTHER})`,
      ],
      [
        "ValueOutOfRange",
        ["requestorder.trust", 2n ** 64n, 2n ** 64n - 1n],
        `ValueOutOfRange(requestorder.trust, ${2n ** 64n}, ${2n ** 64n - 1n})`,
      ],
      ["TagNotOffered", [HASH, "0x" + "00".repeat(32)], `TagNotOffered(${HASH}, 0x${"00".repeat(32)})`],
    ];
    for (const [name, args, detail] of cases) {
      const explained = explain({ data: hub.encodeErrorResult(name, args) });
      expect(explained.reason).to.equal(name);
      expect(explained.message).to.equal(`Could not match the orders: the chain reverted with ${detail}.`);
    }
  });

  it("formats a decoded error as Name(values)", () => {
    const decoded = hub.parseError(hub.encodeErrorResult("TrustAboveOffer", [3n, 1n]))!;
    expect(formatCustomError(decoded)).to.equal("TrustAboveOffer(3, 1)");
  });

  it("explains an error without enough ether for gas", () => {
    const error = makeError("insufficient funds for intrinsic transaction cost", "INSUFFICIENT_FUNDS", {
      transaction: {},
    });
    const explained = explain(error, "deposit");
    expect(explained.reason).to.equal(undefined);
    expect(explained.message).to.equal(
      "Could not deposit: the wallet has not enough ether to pay for gas; fund it first.",
    );
  });

  it("explains a node that does not answer", () => {
    const network = makeError("network error", "NETWORK_ERROR", { event: "noNetwork" });
    const refused = new Error("connect ECONNREFUSED 127.0.0.1:8545");
    const undetected = new Error("JsonRpcProvider failed to detect network and cannot start up; retry in 1s");
    for (const error of [network, refused, undetected])
      expect(explain(error, "read the deal").message).to.equal(
        `Could not read the deal: the chain's node does not answer; check "host" in chain.json.`,
      );
  });

  it("falls back to the error's short message, or its text", () => {
    const unknownSelector = { data: "0xdeadbeef", shortMessage: "execution reverted (unknown custom error)" };
    const explained = explain(unknownSelector);
    expect(explained.reason).to.equal(undefined);
    expect(explained.message).to.equal(
      "Could not match the orders: execution reverted (unknown custom error).",
    );
    // Data too short to hold a selector is no revert data.
    expect(explain({ data: "0x", shortMessage: "missing revert data" }).message).to.equal(
      "Could not match the orders: missing revert data.",
    );
    expect(explain(new Error("boom")).message).to.equal("Could not match the orders: Error: boom.");
    expect(explain("plain text").message).to.equal("Could not match the orders: plain text.");
  });

  it("passes OpenPocoErrors through unchanged", () => {
    const errors: OpenPocoError[] = [
      new InvalidInputError("bad input"),
      new ChainError("already explained", "OrderExhausted"),
      new OpenPocoError("SOMETHING", "something"),
    ];
    for (const error of errors) expect(explainRevert("do it", error)).to.equal(error);
  });

  it("prefers the decoded revert over the generic INSUFFICIENT_FUNDS and network explanations", () => {
    const data = hub.encodeErrorResult("ERC20InsufficientBalance", [ACCOUNT, 0n, RLC]);
    const error = makeError("insufficient funds", "INSUFFICIENT_FUNDS", { transaction: {} });
    Object.assign(error, { data });
    expect(explain(error).reason).to.equal("ERC20InsufficientBalance");
    expect(explain(new Error("ECONNREFUSED", { cause: { data } })).reason).to.equal(
      "ERC20InsufficientBalance",
    );
  });
});
