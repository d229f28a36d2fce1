import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { computeDealId, hashOrder } from "../../src/sdk";
import { matchArgs, matchSetup, signedOrders } from "./fixtures";
import { DEAL_INIT_CODE, RESULTS_INIT_CODE } from "../fixtures";

const DATA_IN_FLIGHT = new ethers.Interface(["function dataInFlight()"]).encodeFunctionData("dataInFlight");

describe("Data contracts (deals and results kept in code)", () => {
  it("both creation codes call back dataInFlight()", async () => {
    const selector = ethers.id("dataInFlight()").slice(2, 10);
    expect(DEAL_INIT_CODE.slice(4, 12)).to.equal(selector);
    expect(RESULTS_INIT_CODE.slice(10, 18)).to.equal(selector);
    expect(ethers.keccak256(RESULTS_INIT_CODE)).to.not.equal(ethers.keccak256(DEAL_INIT_CODE));
  });

  it("deploys each deal at the CREATE2 address of its id, its code starting with INVALID", async () => {
    const setup = await loadFixture(matchSetup);
    const { hub, requester, domain } = setup;
    const orders = await signedOrders(setup);
    const dealid = computeDealId(hashOrder(domain, "request", orders.request), 0n);
    const expected = ethers.getCreate2Address(
      await hub.getAddress(),
      dealid,
      ethers.keccak256(DEAL_INIT_CODE),
    );
    expect(await ethers.provider.getCode(expected)).to.equal("0x");
    await (await hub.connect(requester).matchOrders(...matchArgs(orders))).wait();
    const code = await ethers.provider.getCode(expected);
    // 153 fixed bytes and 48 for the dataset: the usual deal.
    expect(ethers.dataLength(code)).to.equal(201);
    expect(code.slice(0, 4)).to.equal("0xfe");
    expect((await hub.viewDeal(dealid)).app.pointer).to.equal(setup.app);
  });

  it("a data contract refuses every call, so it can never hold ether", async () => {
    const setup = await loadFixture(matchSetup);
    const { hub, requester, domain } = setup;
    const orders = await signedOrders(setup);
    const dealid = computeDealId(hashOrder(domain, "request", orders.request), 0n);
    await (await hub.connect(requester).matchOrders(...matchArgs(orders))).wait();
    const at = ethers.getCreate2Address(await hub.getAddress(), dealid, ethers.keccak256(DEAL_INIT_CODE));
    await expect(ethers.provider.call({ to: at, data: "0x12345678" })).to.be.reverted;
    await expect(requester.sendTransaction({ to: at, value: 1n, gasLimit: 100_000n })).to.be.reverted;
    await expect(requester.sendTransaction({ to: at, value: 1n, data: DATA_IN_FLIGHT, gasLimit: 100_000n }))
      .to.be.reverted;
    expect(await ethers.provider.getBalance(at)).to.equal(0n);
  });

  it("the hub answers dataInFlight() with nothing outside a match, and refuses ether with it", async () => {
    const { hub, requester } = await loadFixture(matchSetup);
    const to = await hub.getAddress();
    expect(await ethers.provider.call({ to, data: DATA_IN_FLIGHT })).to.equal("0x");
    await expect(
      requester.sendTransaction({ to, data: DATA_IN_FLIGHT, value: 1n }),
    ).to.be.revertedWithCustomError(hub, "EtherNotAccepted");
    expect(await ethers.provider.getBalance(to)).to.equal(0n);
  });
});
