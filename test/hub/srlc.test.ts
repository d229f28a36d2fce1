import { expect } from "chai";
import { ethers } from "hardhat";
import { deployCore, fundAndDeposit, RLC_UNIT, type Core } from "../fixtures";

describe("Hub SRLC (ERC-20 view of the escrow)", () => {
  async function withBalances(): Promise<Core> {
    const core = await deployCore();
    await fundAndDeposit(core, core.accounts[0], 10n * RLC_UNIT);
    return core;
  }

  it("transfers free balances, never to or from the zero address, never beyond the balance", async () => {
    const { hub, accounts } = await withBalances();
    const [alice, bob] = accounts;
    await expect(hub.connect(alice).transfer(bob.address, 4n * RLC_UNIT))
      .to.emit(hub, "Transfer")
      .withArgs(alice.address, bob.address, 4n * RLC_UNIT);
    expect(await hub.balanceOf(alice.address)).to.equal(6n * RLC_UNIT);
    expect(await hub.balanceOf(bob.address)).to.equal(4n * RLC_UNIT);
    expect(await hub.totalSupply()).to.equal(10n * RLC_UNIT);
    await expect(hub.connect(alice).transfer(bob.address, 7n * RLC_UNIT))
      .to.be.revertedWithCustomError(hub, "ERC20InsufficientBalance")
      .withArgs(alice.address, 6n * RLC_UNIT, 7n * RLC_UNIT);
    await expect(hub.connect(alice).transfer(ethers.ZeroAddress, 1n))
      .to.be.revertedWithCustomError(hub, "ERC20InvalidReceiver")
      .withArgs(ethers.ZeroAddress);
    await expect(hub.transferFrom(ethers.ZeroAddress, bob.address, 0n))
      .to.be.revertedWithCustomError(hub, "ERC20InvalidSender")
      .withArgs(ethers.ZeroAddress);
  });

  it("approves and spends allowances; an infinite allowance is never consumed", async () => {
    const { hub, accounts } = await withBalances();
    const [alice, bob, carol] = accounts;
    await expect(hub.connect(alice).approve(bob.address, 3n * RLC_UNIT))
      .to.emit(hub, "Approval")
      .withArgs(alice.address, bob.address, 3n * RLC_UNIT);
    await hub.connect(bob).transferFrom(alice.address, carol.address, 2n * RLC_UNIT);
    expect(await hub.allowance(alice.address, bob.address)).to.equal(RLC_UNIT);
    expect(await hub.balanceOf(carol.address)).to.equal(2n * RLC_UNIT);
    await expect(hub.connect(bob).transferFrom(alice.address, carol.address, 2n * RLC_UNIT))
      .to.be.revertedWithCustomError(hub, "ERC20InsufficientAllowance")
      .withArgs(bob.address, RLC_UNIT, 2n * RLC_UNIT);

    await hub.connect(alice).approve(bob.address, ethers.MaxUint256);
    await hub.connect(bob).transferFrom(alice.address, carol.address, RLC_UNIT);
    expect(await hub.allowance(alice.address, bob.address)).to.equal(ethers.MaxUint256);
    await expect(hub.connect(alice).approve(ethers.ZeroAddress, 1n))
      .to.be.revertedWithCustomError(hub, "ERC20InvalidSpender")
      .withArgs(ethers.ZeroAddress);
  });

  it("increases and decreases allowances, never below zero", async () => {
    const { hub, accounts } = await withBalances();
    const [alice, bob] = accounts;
    await expect(hub.connect(alice).increaseAllowance(bob.address, 5n))
      .to.emit(hub, "Approval")
      .withArgs(alice.address, bob.address, 5n);
    await hub.connect(alice).increaseAllowance(bob.address, 2n);
    await expect(hub.connect(alice).decreaseAllowance(bob.address, 3n))
      .to.emit(hub, "Approval")
      .withArgs(alice.address, bob.address, 4n);
    await expect(hub.connect(alice).decreaseAllowance(bob.address, 5n))
      .to.be.revertedWithCustomError(hub, "ERC20FailedDecreaseAllowance")
      .withArgs(bob.address, 4n, 5n);
    expect(await hub.allowance(alice.address, bob.address)).to.equal(4n);
  });

  it("approveAndCall approves the spender and notifies it with the hub as token", async () => {
    const { hub, accounts } = await withBalances();
    const [alice] = accounts;
    const receiver = await (await ethers.getContractFactory("ApprovalReceiverMock")).deploy();
    await expect(hub.connect(alice).approveAndCall(await receiver.getAddress(), 7n, "0xabcd"))
      .to.emit(receiver, "ApprovalReceived")
      .withArgs(alice.address, 7n, await hub.getAddress(), "0xabcd");
    expect(await hub.allowance(alice.address, await receiver.getAddress())).to.equal(7n);
  });
});
