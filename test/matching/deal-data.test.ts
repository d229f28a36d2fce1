import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { computeDealId, hashOrder } from "../../src/sdk";
import { matchArgs, matchSetup, signedOrders } from "./fixtures";

/** The creation code every data contract is deployed with (see contracts/hub/libs/CodeData.sol). */
const INIT_CODE = "0x6330e008425f525f5f6004601c335afa503d5f5f3e3d5ff3";

describe("Deal data contracts", () => {
  it("the creation code calls back dataInFlight()", async () => {
    const selector = ethers.id("dataInFlight()").slice(0, 10);
    expect(INIT_CODE.slice(4, 12)).to.equal(selector.slice(2));
  });

  it("deploys each deal at the CREATE2 address of its id, its code starting with STOP", async () => {
    const setup = await loadFixture(matchSetup);
    const { hub, requester, domain } = setup;
    const orders = await signedOrders(setup);
    const dealid = computeDealId(hashOrder(domain, "request", orders.request), 0n);
    const expected = ethers.getCreate2Address(await hub.getAddress(), dealid, ethers.keccak256(INIT_CODE));
    expect(await ethers.provider.getCode(expected)).to.equal("0x");
    await (await hub.connect(requester).matchOrders(...matchArgs(orders))).wait();
    const code = await ethers.provider.getCode(expected);
    // 153 fixed bytes and 48 for the dataset: the usual deal.
    expect(ethers.dataLength(code)).to.equal(201);
    expect(code.slice(0, 4)).to.equal("0x00");
    // Calling the data contract runs STOP: nothing happens, nothing is returned.
    expect(await ethers.provider.call({ to: expected, data: "0x12345678" })).to.equal("0x");
    expect((await hub.viewDeal(dealid)).app.pointer).to.equal(setup.app);
  });

  it("the hub answers dataInFlight() with nothing outside a match", async () => {
    const { hub } = await loadFixture(matchSetup);
    const data = new ethers.Interface(["function dataInFlight()"]).encodeFunctionData("dataInFlight");
    expect(await ethers.provider.call({ to: await hub.getAddress(), data })).to.equal("0x");
  });
});
