import { expect } from "chai";
import { ethers } from "hardhat";
import { deployCore } from "../fixtures";

describe("RLC test token", () => {
  it("has 9 decimals and gives the whole supply to the deployer", async () => {
    const { rlc, deployer } = await deployCore();
    expect(await rlc.decimals()).to.equal(9n);
    expect(await rlc.symbol()).to.equal("RLC");
    expect(await rlc.totalSupply()).to.equal(87_000_000n * 10n ** 9n);
    expect(await rlc.balanceOf(deployer.address)).to.equal(await rlc.totalSupply());
  });

  it("approveAndCall sets the allowance and calls receiveApproval on the spender", async () => {
    const { rlc, deployer } = await deployCore();
    const receiver = await (await ethers.getContractFactory("ApprovalReceiverMock")).deploy();
    await expect(rlc.approveAndCall(await receiver.getAddress(), 42n, "0x01"))
      .to.emit(receiver, "ApprovalReceived")
      .withArgs(deployer.address, 42n, await rlc.getAddress(), "0x01");
    expect(await rlc.allowance(deployer.address, await receiver.getAddress())).to.equal(42n);
  });

  it("approveAndCall reverts whole when the spender cannot receive the call", async () => {
    const { rlc, deployer, accounts } = await deployCore();
    await expect(rlc.approveAndCall(accounts[0].address, 42n, "0x")).to.be.reverted;
    expect(await rlc.allowance(deployer.address, accounts[0].address)).to.equal(0n);
  });
});
