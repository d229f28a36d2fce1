import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { Workerpool__factory, WorkerpoolRegistry__factory } from "../../typechain-types";

const RUNTIME_HEAD = "0x365f5f375f5f365f73";
const RUNTIME_TAIL = "0x5af43d5f5f3e6029573d5ffd5b3d5ff3";

describe("WorkerpoolRegistry", () => {
  async function deployFixture() {
    const [admin, creator, alice, bob] = await ethers.getSigners();
    const registry = await new WorkerpoolRegistry__factory(admin).deploy(admin.address);
    const address = await registry.predictWorkerpool(alice.address, "my-pool");
    await registry.connect(creator).createWorkerpool(alice.address, "my-pool");
    const workerpool = Workerpool__factory.connect(address, alice);
    return { registry, workerpool, admin, creator, alice, bob };
  }

  it("has the reference collection name and symbol", async () => {
    const { registry } = await loadFixture(deployFixture);
    expect(await registry.name()).to.equal("iExec Workerpool Registry (V5)");
    expect(await registry.symbol()).to.equal("iExecWorkerpoolsV5");
  });

  it("creates the workerpool at the predicted address and mints its token to the owner", async () => {
    const { registry, creator, bob } = await loadFixture(deployFixture);
    const predicted = await registry.predictWorkerpool(bob.address, "bob's pool");
    expect(await registry.connect(creator).createWorkerpool.staticCall(bob.address, "bob's pool")).to.equal(
      predicted,
    );
    await expect(registry.connect(creator).createWorkerpool(bob.address, "bob's pool"))
      .to.emit(registry, "Transfer")
      .withArgs(ethers.ZeroAddress, bob.address, BigInt(predicted));
    const workerpool = Workerpool__factory.connect(predicted, ethers.provider);
    expect(await registry.isRegistered(predicted)).to.equal(true);
    expect(await workerpool.owner()).to.equal(bob.address);
    expect(await workerpool.registry()).to.equal(await registry.getAddress());
    expect(await workerpool.m_workerpoolDescription()).to.equal("bob's pool");
    const description = ethers.toUtf8Bytes("bob's pool");
    const expectedCode = ethers.concat([
      RUNTIME_HEAD,
      await registry.master(),
      RUNTIME_TAIL,
      ethers.toBeHex(description.length, 2),
      description,
    ]);
    expect(await ethers.provider.getCode(predicted)).to.equal(ethers.hexlify(expectedCode).toLowerCase());
  });

  for (const description of ["", "x", "a long description: ".repeat(40)]) {
    it(`returns the exact description (${description.length} bytes)`, async () => {
      const { registry, bob } = await loadFixture(deployFixture);
      const predicted = await registry.predictWorkerpool(bob.address, description);
      await registry.createWorkerpool(bob.address, description);
      expect(
        await Workerpool__factory.connect(predicted, ethers.provider).m_workerpoolDescription(),
      ).to.equal(description);
    });
  }

  it("reverts on a duplicate, a zero owner and an oversized description", async () => {
    const { registry, workerpool, alice, bob } = await loadFixture(deployFixture);
    await expect(registry.connect(bob).createWorkerpool(alice.address, "my-pool"))
      .to.be.revertedWithCustomError(registry, "AssetAlreadyRegistered")
      .withArgs(await workerpool.getAddress());
    await expect(registry.createWorkerpool(ethers.ZeroAddress, "my-pool"))
      .to.be.revertedWithCustomError(registry, "ERC721InvalidReceiver")
      .withArgs(ethers.ZeroAddress);
    const maxData = 24_576 - 45;
    await expect(registry.createWorkerpool(alice.address, "d".repeat(maxData - 1)))
      .to.be.revertedWithCustomError(registry, "AssetDataTooLarge")
      .withArgs(maxData + 1, maxData);
    // Same description, another owner: another workerpool.
    expect(await registry.predictWorkerpool(bob.address, "my-pool")).to.not.equal(
      await workerpool.getAddress(),
    );
  });

  it("keeps initialize for ABI compatibility but always reverts", async () => {
    const { workerpool } = await loadFixture(deployFixture);
    await expect(workerpool.initialize("other")).to.be.revertedWithCustomError(
      workerpool,
      "AssetAlreadyInitialized",
    );
  });

  it("refuses to decode the description on the implementation itself", async () => {
    const { registry } = await loadFixture(deployFixture);
    const master = Workerpool__factory.connect(await registry.master(), ethers.provider);
    await expect(master.m_workerpoolDescription()).to.be.revertedWithCustomError(
      master,
      "AssetUnauthorizedCallContext",
    );
  });

  describe("policy", () => {
    it("defaults to a 30% worker stake and a 1% scheduler reward, with no storage written", async () => {
      const { workerpool } = await loadFixture(deployFixture);
      expect(await workerpool.m_workerStakeRatioPolicy()).to.equal(30n);
      expect(await workerpool.m_schedulerRewardRatioPolicy()).to.equal(1n);
      expect(await ethers.provider.getStorage(await workerpool.getAddress(), 0)).to.equal(ethers.ZeroHash);
    });

    it("lets the owner change both ratios, emitting old and new values", async () => {
      const { workerpool } = await loadFixture(deployFixture);
      await expect(workerpool.changePolicy(40, 5)).to.emit(workerpool, "PolicyUpdate").withArgs(30, 40, 1, 5);
      expect(await workerpool.m_workerStakeRatioPolicy()).to.equal(40n);
      expect(await workerpool.m_schedulerRewardRatioPolicy()).to.equal(5n);
      await expect(workerpool.changePolicy(100, 100))
        .to.emit(workerpool, "PolicyUpdate")
        .withArgs(40, 100, 5, 100);
      expect(await workerpool.m_workerStakeRatioPolicy()).to.equal(100n);
      expect(await workerpool.m_schedulerRewardRatioPolicy()).to.equal(100n);
    });

    it("stores zero ratios as zero, not as the defaults", async () => {
      const { workerpool } = await loadFixture(deployFixture);
      await expect(workerpool.changePolicy(0, 0)).to.emit(workerpool, "PolicyUpdate").withArgs(30, 0, 1, 0);
      expect(await workerpool.m_workerStakeRatioPolicy()).to.equal(0n);
      expect(await workerpool.m_schedulerRewardRatioPolicy()).to.equal(0n);
      await expect(workerpool.changePolicy(30, 1)).to.emit(workerpool, "PolicyUpdate").withArgs(0, 30, 0, 1);
    });

    it("rejects ratios above 100, naming the value", async () => {
      const { workerpool } = await loadFixture(deployFixture);
      await expect(workerpool.changePolicy(101, 1))
        .to.be.revertedWithCustomError(workerpool, "InvalidWorkerStakeRatioPolicy")
        .withArgs(101);
      await expect(workerpool.changePolicy(30, 101))
        .to.be.revertedWithCustomError(workerpool, "InvalidSchedulerRewardRatioPolicy")
        .withArgs(101);
      // 256 would wrap to 0 in a uint8: it must be rejected, not truncated.
      await expect(workerpool.changePolicy(256, 1))
        .to.be.revertedWithCustomError(workerpool, "InvalidWorkerStakeRatioPolicy")
        .withArgs(256);
      await expect(workerpool.changePolicy(30, ethers.MaxUint256))
        .to.be.revertedWithCustomError(workerpool, "InvalidSchedulerRewardRatioPolicy")
        .withArgs(ethers.MaxUint256);
      expect(await workerpool.m_workerStakeRatioPolicy()).to.equal(30n);
      expect(await workerpool.m_schedulerRewardRatioPolicy()).to.equal(1n);
    });

    it("is owner only, and the owner is whoever holds the token", async () => {
      const { registry, workerpool, alice, bob } = await loadFixture(deployFixture);
      await expect(workerpool.connect(bob).changePolicy(40, 5))
        .to.be.revertedWithCustomError(workerpool, "OwnableUnauthorizedAccount")
        .withArgs(bob.address);
      await registry
        .connect(alice)
        .transferFrom(alice.address, bob.address, BigInt(await workerpool.getAddress()));
      expect(await workerpool.owner()).to.equal(bob.address);
      await expect(workerpool.connect(alice).changePolicy(40, 5))
        .to.be.revertedWithCustomError(workerpool, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      await expect(workerpool.connect(bob).changePolicy(40, 5)).to.emit(workerpool, "PolicyUpdate");
    });

    it("is kept per workerpool", async () => {
      const { registry, workerpool, alice } = await loadFixture(deployFixture);
      const other = await registry.predictWorkerpool(alice.address, "second");
      await registry.createWorkerpool(alice.address, "second");
      await workerpool.changePolicy(50, 10);
      const second = Workerpool__factory.connect(other, ethers.provider);
      expect(await second.m_workerStakeRatioPolicy()).to.equal(30n);
      expect(await second.m_schedulerRewardRatioPolicy()).to.equal(1n);
    });

    it("lives in the registry beside the owner, and survives token transfers of it and of its neighbours", async () => {
      const { registry, workerpool, alice, bob } = await loadFixture(deployFixture);
      const second = await registry.predictWorkerpool(alice.address, "second");
      await registry.createWorkerpool(alice.address, "second");
      await workerpool.changePolicy(45, 7);
      const pool = await workerpool.getAddress();
      expect(await registry.ownerAndPolicyOf(pool)).to.deep.equal([alice.address, 45n, 7n]);
      // Moving the first token re-indexes the second one in alice's list; moving it keeps its policy.
      await registry.connect(alice).transferFrom(alice.address, bob.address, BigInt(pool));
      expect(await registry.ownerAndPolicyOf(pool)).to.deep.equal([bob.address, 45n, 7n]);
      expect(await registry.ownerAndPolicyOf(second)).to.deep.equal([alice.address, 30n, 1n]);
      expect(await registry.tokenOfOwnerByIndex(alice.address, 0)).to.equal(BigInt(second));
      expect(await registry.ownerAndPolicyOf(ethers.ZeroAddress)).to.deep.equal([
        ethers.ZeroAddress,
        30n,
        1n,
      ]);
    });

    it("can only be recorded by a registered workerpool, within bounds", async () => {
      const { registry, bob } = await loadFixture(deployFixture);
      await expect(registry.connect(bob).setPolicy(40, 5))
        .to.be.revertedWithCustomError(registry, "NotAWorkerpool")
        .withArgs(bob.address);
    });
  });
});
