import { expect } from "chai";
import { ethers } from "hardhat";
import { deployCore } from "../fixtures";

describe("Hub ownership", () => {
  it("starts owned by the deployer", async () => {
    const { hub, deployer } = await deployCore();
    expect(await hub.owner()).to.equal(deployer.address);
  });

  it("transfers ownership, after which only the new owner acts", async () => {
    const { hub, deployer, accounts } = await deployCore();
    const [next] = accounts;
    await expect(hub.transferOwnership(next.address))
      .to.emit(hub, "OwnershipTransferred")
      .withArgs(deployer.address, next.address);
    expect(await hub.owner()).to.equal(next.address);
    await expect(hub.createCategory("Z", "", 1))
      .to.be.revertedWithCustomError(hub, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    await expect(hub.connect(next).createCategory("Z", "", 1)).to.emit(hub, "CreateCategory");
  });

  it("rejects a non-owner and the zero address", async () => {
    const { hub, accounts } = await deployCore();
    await expect(hub.connect(accounts[0]).transferOwnership(accounts[0].address))
      .to.be.revertedWithCustomError(hub, "OwnableUnauthorizedAccount")
      .withArgs(accounts[0].address);
    await expect(hub.connect(accounts[0]).renounceOwnership()).to.be.revertedWithCustomError(
      hub,
      "OwnableUnauthorizedAccount",
    );
    await expect(hub.transferOwnership(ethers.ZeroAddress))
      .to.be.revertedWithCustomError(hub, "OwnableInvalidOwner")
      .withArgs(ethers.ZeroAddress);
  });

  it("renounces ownership for good: no more upgrades", async () => {
    const { hub, deployer } = await deployCore();
    await expect(hub.renounceOwnership())
      .to.emit(hub, "OwnershipTransferred")
      .withArgs(deployer.address, ethers.ZeroAddress);
    expect(await hub.owner()).to.equal(ethers.ZeroAddress);
    await expect(hub.setRoutes([], ethers.ZeroAddress)).to.be.revertedWithCustomError(
      hub,
      "OwnableUnauthorizedAccount",
    );
  });
});
