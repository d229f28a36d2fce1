import { expect } from "chai";
import { ethers } from "hardhat";
import { deployCore, fund, fundAndDeposit, RLC_UNIT } from "../fixtures";

describe("Hub escrow", () => {
  it("deposits: pulls RLC, mints SRLC, keeps RLC held == SRLC supply", async () => {
    const core = await deployCore();
    const { hub, rlc, accounts } = core;
    const [alice] = accounts;
    const hubAddress = await hub.getAddress();
    await fund(rlc, 10n * RLC_UNIT, alice);
    await rlc.connect(alice).approve(hubAddress, 4n * RLC_UNIT);
    await expect(hub.connect(alice).deposit(4n * RLC_UNIT))
      .to.emit(hub, "Transfer")
      .withArgs(ethers.ZeroAddress, alice.address, 4n * RLC_UNIT);
    expect(await hub.balanceOf(alice.address)).to.equal(4n * RLC_UNIT);
    expect(await rlc.balanceOf(alice.address)).to.equal(6n * RLC_UNIT);
    expect(await hub.totalSupply()).to.equal(4n * RLC_UNIT);
    expect(await rlc.balanceOf(hubAddress)).to.equal(4n * RLC_UNIT);
    const account = await hub.viewAccount(alice.address);
    expect([account.stake, account.locked]).to.deep.equal([4n * RLC_UNIT, 0n]);
    expect(await hub.frozenOf(alice.address)).to.equal(0n);
  });

  it("refuses a deposit over the allowance or the balance, leaving nothing behind", async () => {
    const { hub, rlc, accounts } = await deployCore();
    const [alice] = accounts;
    await fund(rlc, 2n * RLC_UNIT, alice);
    await rlc.connect(alice).approve(await hub.getAddress(), RLC_UNIT);
    await expect(hub.connect(alice).deposit(2n * RLC_UNIT))
      .to.be.revertedWithCustomError(rlc, "ERC20InsufficientAllowance")
      .withArgs(await hub.getAddress(), RLC_UNIT, 2n * RLC_UNIT);
    await rlc.connect(alice).approve(await hub.getAddress(), 3n * RLC_UNIT);
    await expect(hub.connect(alice).deposit(3n * RLC_UNIT))
      .to.be.revertedWithCustomError(rlc, "ERC20InsufficientBalance")
      .withArgs(alice.address, 2n * RLC_UNIT, 3n * RLC_UNIT);
    expect(await hub.balanceOf(alice.address)).to.equal(0n);
    expect(await hub.totalSupply()).to.equal(0n);
  });

  it("deposits for another account, never for the zero address", async () => {
    const { hub, rlc, deployer, accounts } = await deployCore();
    await rlc.approve(await hub.getAddress(), 5n * RLC_UNIT);
    await expect(hub.depositFor(5n * RLC_UNIT, accounts[1].address))
      .to.emit(hub, "Transfer")
      .withArgs(ethers.ZeroAddress, accounts[1].address, 5n * RLC_UNIT);
    expect(await hub.balanceOf(accounts[1].address)).to.equal(5n * RLC_UNIT);
    expect(await hub.balanceOf(deployer.address)).to.equal(0n);
    await expect(hub.depositFor(1n, ethers.ZeroAddress))
      .to.be.revertedWithCustomError(hub, "ERC20InvalidReceiver")
      .withArgs(ethers.ZeroAddress);
  });

  it("deposits for many accounts with a single token transfer", async () => {
    const { hub, rlc, accounts } = await deployCore();
    const targets = accounts.slice(0, 3).map((a) => a.address);
    const amounts = [1n, 2n, 3n].map((n) => n * RLC_UNIT);
    await rlc.approve(await hub.getAddress(), 6n * RLC_UNIT);
    const tx = hub.depositForArray(amounts, targets);
    await expect(tx).to.changeTokenBalance(rlc, await hub.getAddress(), 6n * RLC_UNIT);
    const receipt = await (await tx).wait();
    const rlcTransfers = receipt!.logs.filter((log) => log.address === (rlc.target as string));
    expect(rlcTransfers).to.have.length(1);
    for (let i = 0; i < 3; i++) expect(await hub.balanceOf(targets[i])).to.equal(amounts[i]);
    expect(await hub.totalSupply()).to.equal(6n * RLC_UNIT);
  });

  it("rejects depositForArray with mismatched arrays or a zero target, atomically", async () => {
    const { hub, rlc, accounts } = await deployCore();
    await rlc.approve(await hub.getAddress(), 10n * RLC_UNIT);
    await expect(hub.depositForArray([1n, 2n], [accounts[0].address]))
      .to.be.revertedWithCustomError(hub, "ArrayLengthMismatch")
      .withArgs(2n, 1n);
    await expect(hub.depositForArray([1n, 2n], [accounts[0].address, ethers.ZeroAddress]))
      .to.be.revertedWithCustomError(hub, "ERC20InvalidReceiver")
      .withArgs(ethers.ZeroAddress);
    expect(await hub.balanceOf(accounts[0].address)).to.equal(0n);
    expect(await hub.totalSupply()).to.equal(0n);
  });

  it("withdraws to the caller or to a target, within the free balance, up to all of it", async () => {
    const core = await deployCore();
    const { hub, rlc, accounts } = core;
    const [alice, bob] = accounts;
    await fundAndDeposit(core, alice, 10n * RLC_UNIT);
    await expect(hub.connect(alice).withdraw(3n * RLC_UNIT))
      .to.emit(hub, "Transfer")
      .withArgs(alice.address, ethers.ZeroAddress, 3n * RLC_UNIT);
    expect(await rlc.balanceOf(alice.address)).to.equal(3n * RLC_UNIT);
    await expect(hub.connect(alice).withdrawTo(2n * RLC_UNIT, bob.address)).to.changeTokenBalance(
      rlc,
      bob,
      2n * RLC_UNIT,
    );
    expect(await hub.balanceOf(alice.address)).to.equal(5n * RLC_UNIT);
    expect(await hub.totalSupply()).to.equal(5n * RLC_UNIT);

    await expect(hub.connect(alice).withdraw(6n * RLC_UNIT))
      .to.be.revertedWithCustomError(hub, "ERC20InsufficientBalance")
      .withArgs(alice.address, 5n * RLC_UNIT, 6n * RLC_UNIT);
    await expect(hub.connect(alice).withdrawTo(6n * RLC_UNIT, bob.address))
      .to.be.revertedWithCustomError(hub, "ERC20InsufficientBalance")
      .withArgs(alice.address, 5n * RLC_UNIT, 6n * RLC_UNIT);
    await expect(hub.connect(alice).withdrawTo(RLC_UNIT, ethers.ZeroAddress))
      .to.be.revertedWithCustomError(hub, "ERC20InvalidReceiver")
      .withArgs(ethers.ZeroAddress);
    expect(await hub.balanceOf(alice.address)).to.equal(5n * RLC_UNIT);

    // The whole free balance leaves, down to the last nRLC.
    await expect(hub.connect(alice).withdraw(5n * RLC_UNIT))
      .to.emit(hub, "Transfer")
      .withArgs(alice.address, ethers.ZeroAddress, 5n * RLC_UNIT);
    expect(await hub.balanceOf(alice.address)).to.equal(0n);
    expect(await rlc.balanceOf(alice.address)).to.equal(8n * RLC_UNIT);
    expect(await hub.totalSupply()).to.equal(0n);
    expect(await rlc.balanceOf(await hub.getAddress())).to.equal(0n);
  });

  it("recovers RLC sent to the hub by plain transfer, for the owner only", async () => {
    const core = await deployCore();
    const { hub, rlc, deployer, accounts } = core;
    await fundAndDeposit(core, accounts[0], 4n * RLC_UNIT);
    await rlc.transfer(await hub.getAddress(), 3n * RLC_UNIT);
    await expect(hub.connect(accounts[0]).recover())
      .to.be.revertedWithCustomError(hub, "OwnableUnauthorizedAccount")
      .withArgs(accounts[0].address);
    expect(await hub.recover.staticCall()).to.equal(3n * RLC_UNIT);
    await expect(hub.recover())
      .to.emit(hub, "Transfer")
      .withArgs(ethers.ZeroAddress, deployer.address, 3n * RLC_UNIT);
    expect(await hub.balanceOf(deployer.address)).to.equal(3n * RLC_UNIT);
    expect(await hub.totalSupply()).to.equal(await rlc.balanceOf(await hub.getAddress()));
    expect(await hub.recover.staticCall()).to.equal(0n);
  });

  it("deposits in one transaction with RLC.approveAndCall", async () => {
    const { hub, rlc, accounts } = await deployCore();
    const [alice] = accounts;
    await fund(rlc, 10n * RLC_UNIT, alice);
    await expect(rlc.connect(alice).approveAndCall(await hub.getAddress(), 10n * RLC_UNIT, "0x"))
      .to.emit(hub, "Transfer")
      .withArgs(ethers.ZeroAddress, alice.address, 10n * RLC_UNIT);
    expect(await hub.balanceOf(alice.address)).to.equal(10n * RLC_UNIT);
    expect(await rlc.allowance(alice.address, await hub.getAddress())).to.equal(0n);
  });

  it("refuses receiveApproval from anything but the RLC token, and unknown payloads", async () => {
    const { hub, rlc, deployer, accounts } = await deployCore();
    const token = await rlc.getAddress();
    await rlc.approve(await hub.getAddress(), RLC_UNIT);
    await expect(hub.receiveApproval(deployer.address, RLC_UNIT, token, "0x"))
      .to.be.revertedWithCustomError(hub, "UnexpectedToken")
      .withArgs(deployer.address);
    // A fake token forwarding a real RLC address must not pass either.
    const fake = await (await ethers.getContractFactory("RLC")).deploy(deployer.address);
    await expect(fake.approveAndCall(await hub.getAddress(), RLC_UNIT, "0x"))
      .to.be.revertedWithCustomError(hub, "UnexpectedToken")
      .withArgs(await fake.getAddress());
    await expect(rlc.approveAndCall(await hub.getAddress(), RLC_UNIT, "0x12345678aa"))
      .to.be.revertedWithCustomError(hub, "UnsupportedApprovalData")
      .withArgs("0x12345678");
    expect(await hub.balanceOf(deployer.address)).to.equal(0n);
    expect(await hub.balanceOf(accounts[0].address)).to.equal(0n);
  });
});
