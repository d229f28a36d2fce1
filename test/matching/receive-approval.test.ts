import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RLC_UNIT, fund } from "../fixtures";
import {
  PRICES,
  matchArgs,
  matchSetup,
  orderHashes,
  signedOrders,
  type MatchSetup,
  type OrderSet,
} from "./fixtures";
import { computeDealId } from "../../src/sdk";

/** matchSetup whose requester (and a stranger) hold 100 RLC each and nothing in the hub. */
async function approvalSetup() {
  const s = await matchSetup();
  const [payer, stranger] = s.others;
  await fund(s.rlc, 100n * RLC_UNIT, payer, stranger);
  return { ...s, requester: payer, stranger };
}

const LOCK = PRICES.app + PRICES.dataset + PRICES.workerpool;

const matchCalldata = (s: MatchSetup, orders: OrderSet) =>
  s.hub.interface.encodeFunctionData("matchOrders", matchArgs(orders));

async function approveAndCall(s: MatchSetup, from: HardhatEthersSigner, amount: bigint, data: string) {
  return s.rlc.connect(from).approveAndCall(await s.hub.getAddress(), amount, data);
}

/** RLC held by `account` and the hub, `account`'s allowance to the hub and escrow account, the SRLC supply. */
async function funds(s: MatchSetup, account: string) {
  const hub = await s.hub.getAddress();
  const { stake, locked } = await s.hub.viewAccount(account);
  return {
    rlc: await s.rlc.balanceOf(account),
    hubRlc: await s.rlc.balanceOf(hub),
    allowance: await s.rlc.allowance(account, hub),
    escrow: [stake, locked],
    supply: await s.hub.totalSupply(),
  };
}

describe("receiveApproval: deposit and match in one transaction (RLC.approveAndCall)", () => {
  it("deposits the amount for the requester, then matches with the requester as sponsor", async () => {
    const s = await loadFixture(approvalSetup);
    const orders = await signedOrders(s);
    const hashes = orderHashes(s, orders);
    const dealid = computeDealId(hashes.request, 0n);
    const amount = 50n * RLC_UNIT;
    const before = await funds(s, s.requester.address);

    const sent = approveAndCall(s, s.requester, amount, matchCalldata(s, orders));
    await expect(sent)
      .to.emit(s.hub, "OrdersMatched")
      .withArgs(dealid, hashes.app, hashes.dataset, hashes.workerpool, hashes.request, 1n);
    await expect(sent).to.emit(s.hub, "Lock").withArgs(s.requester.address, LOCK);
    await expect(sent).not.to.emit(s.hub, "DealSponsored");

    const deal = await s.hub.viewDeal(dealid);
    expect([deal.app.pointer, deal.requester, deal.sponsor]).to.deep.equal([
      s.app,
      s.requester.address,
      s.requester.address,
    ]);
    expect(await funds(s, s.requester.address)).to.deep.equal({
      rlc: before.rlc - amount,
      hubRlc: before.hubRlc + amount,
      allowance: 0n,
      escrow: [amount - LOCK, LOCK],
      supply: before.supply + amount,
    });
    expect(await s.hub.viewConsumed(hashes.request)).to.equal(1n);
  });

  it("refuses a match whose request belongs to another account than the approver", async () => {
    const s = await loadFixture(approvalSetup);
    const orders = await signedOrders(s);
    const before = await funds(s, s.stranger.address);
    await expect(approveAndCall(s, s.stranger, 50n * RLC_UNIT, matchCalldata(s, orders)))
      .to.be.revertedWithCustomError(s.hub, "ApprovalNotFromRequester")
      .withArgs(s.stranger.address, s.requester.address);
    expect(await funds(s, s.stranger.address)).to.deep.equal(before);
  });

  it("refuses data that is not a matchOrders call", async () => {
    const s = await loadFixture(approvalSetup);
    const orders = await signedOrders(s);
    const sponsored = s.hub.interface.encodeFunctionData("sponsorMatchOrders", matchArgs(orders));
    const before = await funds(s, s.requester.address);
    for (const [data, selector] of [
      [sponsored, s.hub.interface.getFunction("sponsorMatchOrders").selector],
      ["0xdeadbeef", "0xdeadbeef"],
    ]) {
      await expect(approveAndCall(s, s.requester, 50n * RLC_UNIT, data))
        .to.be.revertedWithCustomError(s.hub, "UnsupportedApprovalData")
        .withArgs(selector);
    }
    expect(await funds(s, s.requester.address)).to.deep.equal(before);
  });

  it("a failing match leaves no deposit: the whole transaction reverts", async () => {
    const s = await loadFixture(approvalSetup);
    const payer = s.requester.address;
    const cases = [
      {
        orders: await signedOrders(s, { app: { appprice: PRICES.app + 1n } }),
        amount: 50n * RLC_UNIT,
        error: "PriceAboveMax",
        args: ["apporder.appprice", PRICES.app + 1n, PRICES.app],
      },
      {
        // The deposit is made first, so the lock sees it, and it is not enough.
        orders: await signedOrders(s),
        amount: 10n * RLC_UNIT,
        error: "ERC20InsufficientBalance",
        args: [payer, 10n * RLC_UNIT, LOCK],
      },
    ];
    const before = await funds(s, payer);
    for (const { orders, amount, error, args } of cases) {
      await expect(approveAndCall(s, s.requester, amount, matchCalldata(s, orders)))
        .to.be.revertedWithCustomError(s.hub, error)
        .withArgs(...args);
      expect(await funds(s, payer)).to.deep.equal(before);
      expect(await s.hub.viewConsumed(orderHashes(s, orders).request)).to.equal(0n);
    }
  });
});
