import { expect } from "chai";
import { ethers } from "hardhat";
import { deployCore, fundAndDeposit, RLC_UNIT, type Core } from "../fixtures";
import { PRICES, matchArgs, matchSetup, signedOrders } from "../matching/fixtures";

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

  it("never spends frozen SRLC: transfer and transferFrom beyond the free balance revert and change nothing", async () => {
    // Not loadFixture: this file deploys afresh in its other tests, which would invalidate a shared snapshot of
    // matchSetup for the matching tests that run after it.
    const s = await matchSetup();
    const { hub } = s;
    const [sponsor, spender, recipient] = s.others;
    // 30 RLC deposited, 28 of them frozen by a deal the account sponsors: 2 RLC free.
    const price = PRICES.app + PRICES.dataset + PRICES.workerpool;
    const free = 30n * RLC_UNIT - price;
    await fundAndDeposit(s, sponsor, 30n * RLC_UNIT);
    await (await hub.connect(sponsor).sponsorMatchOrders(...matchArgs(await signedOrders(s)))).wait();
    const state = async () => ({
      sponsor: [await hub.balanceOf(sponsor.address), await hub.frozenOf(sponsor.address)],
      recipient: [await hub.balanceOf(recipient.address), await hub.frozenOf(recipient.address)],
      allowance: await hub.allowance(sponsor.address, spender.address),
      supply: await hub.totalSupply(),
    });
    const supply = await hub.totalSupply();
    expect(await state()).to.deep.equal({
      sponsor: [free, price],
      recipient: [0n, 0n],
      allowance: 0n,
      supply,
    });

    for (const amount of [free + 1n, price, free + price]) {
      await expect(hub.connect(sponsor).transfer(recipient.address, amount))
        .to.be.revertedWithCustomError(hub, "ERC20InsufficientBalance")
        .withArgs(sponsor.address, free, amount);
    }
    expect(await state()).to.deep.equal({
      sponsor: [free, price],
      recipient: [0n, 0n],
      allowance: 0n,
      supply,
    });

    await (await hub.connect(sponsor).approve(spender.address, 30n * RLC_UNIT)).wait();
    for (const amount of [free + 1n, price, free + price]) {
      await expect(hub.connect(spender).transferFrom(sponsor.address, recipient.address, amount))
        .to.be.revertedWithCustomError(hub, "ERC20InsufficientBalance")
        .withArgs(sponsor.address, free, amount);
    }
    const allowance = 30n * RLC_UNIT;
    expect(await state()).to.deep.equal({ sponsor: [free, price], recipient: [0n, 0n], allowance, supply });

    // The whole free balance moves, with an allowance of exactly that much; the frozen part stays.
    await (await hub.connect(sponsor).approve(spender.address, free)).wait();
    await expect(hub.connect(spender).transferFrom(sponsor.address, recipient.address, free))
      .to.emit(hub, "Transfer")
      .withArgs(sponsor.address, recipient.address, free);
    expect(await state()).to.deep.equal({
      sponsor: [0n, price],
      recipient: [free, 0n],
      allowance: 0n,
      supply,
    });
    await expect(hub.connect(sponsor).transfer(recipient.address, 1n))
      .to.be.revertedWithCustomError(hub, "ERC20InsufficientBalance")
      .withArgs(sponsor.address, 0n, 1n);
    expect(await state()).to.deep.equal({
      sponsor: [0n, price],
      recipient: [free, 0n],
      allowance: 0n,
      supply,
    });
  });
});
