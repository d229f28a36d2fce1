import { expect } from "chai";
import { ethers } from "hardhat";
import { deployCore, fundAndDeposit, RLC_UNIT } from "../fixtures";

describe("Hub proxy and routing", () => {
  it("routes every selector of IHub to a facet", async () => {
    const { hub } = await deployCore();
    const missing: string[] = [];
    const selectors: [string, string][] = [];
    hub.interface.forEachFunction((fragment) =>
      selectors.push([fragment.format("sighash"), fragment.selector]),
    );
    for (const [signature, selector] of selectors) {
      if ((await hub.facetOf(selector)) === ethers.ZeroAddress) missing.push(signature);
    }
    expect(missing).to.deep.equal([]);
  });

  it("rejects an unknown selector with FunctionNotFound", async () => {
    const { hub, deployer } = await deployCore();
    await expect(deployer.sendTransaction({ to: await hub.getAddress(), data: "0xdeadbeef" }))
      .to.be.revertedWithCustomError(hub, "FunctionNotFound")
      .withArgs("0xdeadbeef");
  });

  it("refuses plain ether and ether sent with a non-payable call", async () => {
    const { hub, deployer } = await deployCore();
    await expect(
      deployer.sendTransaction({ to: await hub.getAddress(), value: 1n }),
    ).to.be.revertedWithCustomError(hub, "EtherNotAccepted");
    const data = hub.interface.encodeFunctionData("deposit", [0n]);
    await expect(deployer.sendTransaction({ to: await hub.getAddress(), data, value: 1n })).to.be.reverted;
    expect(await ethers.provider.getBalance(await hub.getAddress())).to.equal(0n);
  });

  it("lets only the owner change routes, and only to contracts", async () => {
    const { hub, accounts } = await deployCore();
    const selector = hub.interface.getFunction("countCategory")!.selector;
    await expect(hub.connect(accounts[0]).setRoutes([selector], await hub.getAddress()))
      .to.be.revertedWithCustomError(hub, "OwnableUnauthorizedAccount")
      .withArgs(accounts[0].address);
    await expect(hub.setRoutes([selector], accounts[0].address))
      .to.be.revertedWithCustomError(hub, "FacetHasNoCode")
      .withArgs(accounts[0].address);
  });

  it("removes a route, then upgrades it to a new facet with the state kept", async () => {
    const core = await deployCore();
    const { hub, accounts } = core;
    await fundAndDeposit(core, accounts[0], 7n * RLC_UNIT);
    const selector = hub.interface.getFunction("countCategory")!.selector;
    const facet = await hub.facetOf(selector);

    await expect(hub.setRoutes([selector], ethers.ZeroAddress))
      .to.emit(hub, "RoutesUpdated")
      .withArgs(ethers.ZeroAddress, [selector]);
    await expect(hub.countCategory())
      .to.be.revertedWithCustomError(hub, "FunctionNotFound")
      .withArgs(selector);

    const replacement = await (await ethers.getContractFactory("CategoryFacet")).deploy();
    await hub.setRoutes([selector], await replacement.getAddress());
    expect(await hub.facetOf(selector))
      .to.equal(await replacement.getAddress())
      .and.not.equal(facet);
    expect(await hub.countCategory()).to.equal(5n);
    expect(await hub.balanceOf(accounts[0].address)).to.equal(7n * RLC_UNIT);
  });

  it("checks its constructor arguments", async () => {
    const { hub, deployer } = await deployCore();
    const factory = await ethers.getContractFactory("HubProxy");
    const router = await hub.facetOf(hub.interface.getFunction("setRoutes")!.selector);
    await expect(factory.deploy(ethers.ZeroAddress, router))
      .to.be.revertedWithCustomError(hub, "OwnableInvalidOwner")
      .withArgs(ethers.ZeroAddress);
    await expect(factory.deploy(deployer.address, deployer.address))
      .to.be.revertedWithCustomError(hub, "FacetHasNoCode")
      .withArgs(deployer.address);
  });

  it("refuses money paths called on a facet directly", async () => {
    const { hub, rlc, deployer } = await deployCore();
    const escrow = await ethers.getContractAt(
      "EscrowFacet",
      await hub.facetOf(hub.interface.getFunction("deposit")!.selector),
    );
    await rlc.approve(await escrow.getAddress(), RLC_UNIT);
    await expect(escrow.deposit(RLC_UNIT)).to.be.revertedWithCustomError(hub, "DirectCallNotAllowed");
    await expect(escrow.depositFor(RLC_UNIT, deployer.address)).to.be.revertedWithCustomError(
      hub,
      "DirectCallNotAllowed",
    );
    await expect(escrow.depositForArray([RLC_UNIT], [deployer.address])).to.be.revertedWithCustomError(
      hub,
      "DirectCallNotAllowed",
    );
    await expect(
      escrow.receiveApproval(deployer.address, 1n, await rlc.getAddress(), "0x"),
    ).to.be.revertedWithCustomError(hub, "DirectCallNotAllowed");
    expect(await rlc.balanceOf(await escrow.getAddress())).to.equal(0n);
  });
});
