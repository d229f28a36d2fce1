import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { BytesLike } from "ethers";
import { App__factory, AppRegistry__factory } from "../../typechain-types";
import type { AppRegistry } from "../../typechain-types";

// Runtime code of an asset: proxy head, implementation address, proxy tail, then the packed data.
const RUNTIME_HEAD = "0x365f5f375f5f365f73";
const RUNTIME_TAIL = "0x5af43d5f5f3e6029573d5ffd5b3d5ff3";
const MAX_CODE_SIZE = 24_576;
const MAX_DATA_SIZE = MAX_CODE_SIZE - 45;

interface AppArgs {
  name: string;
  appType: string;
  multiaddr: BytesLike;
  checksum: string;
  mrenclave: BytesLike;
}

const SCENARIO: AppArgs = {
  name: "my-app",
  appType: "DOCKER",
  multiaddr: ethers.toUtf8Bytes("docker.io/org/app:1.0.0"),
  checksum: ethers.id("app-checksum"),
  mrenclave: "0x",
};

const field = (value: BytesLike) => ethers.concat([ethers.toBeHex(ethers.dataLength(value), 2), value]);

const pack = (a: AppArgs) =>
  ethers.concat([
    a.checksum,
    field(ethers.toUtf8Bytes(a.name)),
    field(ethers.toUtf8Bytes(a.appType)),
    field(a.multiaddr),
    field(a.mrenclave),
  ]);

const argsOf = (owner: string, a: AppArgs) =>
  [owner, a.name, a.appType, a.multiaddr, a.checksum, a.mrenclave] as const;

const predict = (registry: AppRegistry, owner: string, a: AppArgs) =>
  registry.predictApp(...argsOf(owner, a));

describe("AppRegistry", () => {
  async function deployFixture() {
    const [admin, creator, alice, bob] = await ethers.getSigners();
    const registry = await new AppRegistry__factory(admin).deploy(admin.address);
    return { registry, admin, creator, alice, bob };
  }

  it("has the reference collection name and symbol", async () => {
    const { registry } = await loadFixture(deployFixture);
    expect(await registry.name()).to.equal("iExec Application Registry (V5)");
    expect(await registry.symbol()).to.equal("iExecAppsV5");
  });

  it("creates the app at the predicted address and mints its token to the owner", async () => {
    const { registry, creator, alice } = await loadFixture(deployFixture);
    const predicted = await predict(registry, alice.address, SCENARIO);
    expect(await registry.isRegistered(predicted)).to.equal(false);
    expect(await ethers.provider.getCode(predicted)).to.equal("0x");

    // Anyone may create an app for anyone: `creator` pays, `alice` owns.
    expect(await registry.connect(creator).createApp.staticCall(...argsOf(alice.address, SCENARIO))).to.equal(
      predicted,
    );
    await expect(registry.connect(creator).createApp(...argsOf(alice.address, SCENARIO)))
      .to.emit(registry, "Transfer")
      .withArgs(ethers.ZeroAddress, alice.address, BigInt(predicted));

    const app = App__factory.connect(predicted, ethers.provider);
    expect(await registry.isRegistered(predicted)).to.equal(true);
    expect(await registry.ownerOf(BigInt(predicted))).to.equal(alice.address);
    expect(await registry.balanceOf(alice.address)).to.equal(1n);
    expect(await registry.balanceOf(creator.address)).to.equal(0n);
    expect(await app.owner()).to.equal(alice.address);
    expect(await app.registry()).to.equal(await registry.getAddress());
  });

  describe("stored data", () => {
    const cases: Record<string, AppArgs> = {
      "the benchmark scenario": SCENARIO,
      "empty fields and a zero checksum": {
        name: "",
        appType: "",
        multiaddr: "0x",
        checksum: ethers.ZeroHash,
        mrenclave: "0x",
      },
      "long fields (300-byte multiaddr, 100-byte mrenclave, non-ASCII name)": {
        name: "ünïcødé app 🚀 ".repeat(5),
        appType: "DOCKER",
        multiaddr: ethers.hexlify(ethers.randomBytes(300)),
        checksum: ethers.id("long"),
        mrenclave: ethers.hexlify(ethers.randomBytes(100)),
      },
      "fields whose lengths need both length bytes": {
        name: "n".repeat(0x1ff),
        appType: "t".repeat(0x100),
        multiaddr: ethers.hexlify(new Uint8Array(0x2ff).fill(0xff)),
        checksum: ethers.toBeHex(ethers.MaxUint256, 32),
        mrenclave: ethers.hexlify(new Uint8Array(0x101).fill(0x5b)),
      },
    };

    for (const [label, args] of Object.entries(cases)) {
      it(`returns the exact creation arguments: ${label}`, async () => {
        const { registry, alice } = await loadFixture(deployFixture);
        const predicted = await predict(registry, alice.address, args);
        await registry.createApp(...argsOf(alice.address, args));
        const app = App__factory.connect(predicted, ethers.provider);
        expect(await app.m_appName()).to.equal(args.name);
        expect(await app.m_appType()).to.equal(args.appType);
        expect(await app.m_appMultiaddr()).to.equal(ethers.hexlify(args.multiaddr));
        expect(await app.m_appChecksum()).to.equal(args.checksum);
        expect(await app.m_appMREnclave()).to.equal(ethers.hexlify(args.mrenclave));
      });
    }

    it("lays the app code out as proxy + implementation + packed data", async () => {
      const { registry, alice } = await loadFixture(deployFixture);
      const predicted = await predict(registry, alice.address, SCENARIO);
      await registry.createApp(...argsOf(alice.address, SCENARIO));
      const expected = ethers.concat([RUNTIME_HEAD, await registry.master(), RUNTIME_TAIL, pack(SCENARIO)]);
      expect(await ethers.provider.getCode(predicted)).to.equal(ethers.hexlify(expected).toLowerCase());
    });
  });

  describe("addresses and duplicates", () => {
    it("predicts a distinct address for each owner and each argument change", async () => {
      const { registry, alice, bob } = await loadFixture(deployFixture);
      const variants: [string, AppArgs][] = [
        [alice.address, SCENARIO],
        [bob.address, SCENARIO],
        [alice.address, { ...SCENARIO, name: "my-app2" }],
        [alice.address, { ...SCENARIO, appType: "DOCKER2" }],
        [alice.address, { ...SCENARIO, multiaddr: "0x01" }],
        [alice.address, { ...SCENARIO, checksum: ethers.id("other") }],
        [alice.address, { ...SCENARIO, mrenclave: "0x01" }],
        // Same bytes, split differently between fields: the length prefixes tell them apart.
        [alice.address, { ...SCENARIO, name: "my-ap", appType: "pDOCKER" }],
      ];
      const addresses = await Promise.all(variants.map(([owner, a]) => predict(registry, owner, a)));
      expect(new Set(addresses).size).to.equal(variants.length);
    });

    it("reverts when the same owner creates the same app twice, but not for another owner", async () => {
      const { registry, alice, bob } = await loadFixture(deployFixture);
      const predicted = await predict(registry, alice.address, SCENARIO);
      await registry.createApp(...argsOf(alice.address, SCENARIO));
      await expect(registry.connect(bob).createApp(...argsOf(alice.address, SCENARIO)))
        .to.be.revertedWithCustomError(registry, "AssetAlreadyRegistered")
        .withArgs(predicted);
      await expect(registry.createApp(...argsOf(bob.address, SCENARIO))).to.emit(registry, "Transfer");
      expect(await registry.totalSupply()).to.equal(2n);
    });

    it("rejects a zero owner", async () => {
      const { registry } = await loadFixture(deployFixture);
      await expect(registry.createApp(...argsOf(ethers.ZeroAddress, SCENARIO)))
        .to.be.revertedWithCustomError(registry, "ERC721InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("size limits", () => {
    // 32-byte checksum and four 2-byte length prefixes around the multiaddr.
    const withMultiaddrSize = (size: number): AppArgs => ({
      ...SCENARIO,
      name: "",
      appType: "",
      multiaddr: ethers.hexlify(new Uint8Array(size).fill(0xab)),
    });
    const overhead = 32 + 4 * 2;

    it("accepts data filling the EIP-170 code size limit exactly", async () => {
      const { registry, alice } = await loadFixture(deployFixture);
      const args = withMultiaddrSize(MAX_DATA_SIZE - overhead);
      const predicted = await predict(registry, alice.address, args);
      await registry.createApp(...argsOf(alice.address, args));
      expect(ethers.dataLength(await ethers.provider.getCode(predicted))).to.equal(MAX_CODE_SIZE);
      const app = App__factory.connect(predicted, ethers.provider);
      expect(await app.m_appMultiaddr()).to.equal(args.multiaddr);
      expect(await app.m_appMREnclave()).to.equal("0x");
    });

    it("rejects data one byte over the limit, in create and predict", async () => {
      const { registry, alice } = await loadFixture(deployFixture);
      const args = withMultiaddrSize(MAX_DATA_SIZE - overhead + 1);
      await expect(registry.createApp(...argsOf(alice.address, args)))
        .to.be.revertedWithCustomError(registry, "AssetDataTooLarge")
        .withArgs(MAX_DATA_SIZE + 1, MAX_DATA_SIZE);
      await expect(predict(registry, alice.address, args))
        .to.be.revertedWithCustomError(registry, "AssetDataTooLarge")
        .withArgs(MAX_DATA_SIZE + 1, MAX_DATA_SIZE);
    });

    it("rejects a field longer than its 16-bit length prefix", async () => {
      const { registry, alice } = await loadFixture(deployFixture);
      const args = withMultiaddrSize(0x10000);
      await expect(registry.createApp(...argsOf(alice.address, args)))
        .to.be.revertedWithCustomError(registry, "AssetDataTooLarge")
        .withArgs(0x10000 + overhead, MAX_DATA_SIZE);
    });

    it("reverts with AssetCreationFailed when the code deposit runs out of gas", async () => {
      const { registry, alice } = await loadFixture(deployFixture);
      const args = withMultiaddrSize(20_000); // ~4M gas of code deposit
      const predicted = await predict(registry, alice.address, args);
      const gas = await registry.createApp.estimateGas(...argsOf(alice.address, args));
      await expect(registry.createApp(...argsOf(alice.address, args), { gasLimit: gas - 500_000n }))
        .to.be.revertedWithCustomError(registry, "AssetCreationFailed")
        .withArgs(predicted);
      expect(await registry.isRegistered(predicted)).to.equal(false);
      await expect(registry.createApp(...argsOf(alice.address, args), { gasLimit: gas })).to.emit(
        registry,
        "Transfer",
      );
    });
  });

  describe("app contract", () => {
    it("keeps initialize for ABI compatibility but always reverts", async () => {
      const { registry, alice } = await loadFixture(deployFixture);
      const predicted = await predict(registry, alice.address, SCENARIO);
      await registry.createApp(...argsOf(alice.address, SCENARIO));
      const app = App__factory.connect(predicted, alice);
      await expect(app.initialize("x", "y", "0x01", ethers.ZeroHash, "0x")).to.be.revertedWithCustomError(
        app,
        "AssetAlreadyInitialized",
      );
    });

    it("refuses to decode data when called on the implementation itself", async () => {
      const { registry } = await loadFixture(deployFixture);
      const master = App__factory.connect(await registry.master(), ethers.provider);
      expect(await master.registry()).to.equal(await registry.getAddress());
      for (const read of [
        master.m_appName,
        master.m_appType,
        master.m_appMultiaddr,
        master.m_appChecksum,
        master.m_appMREnclave,
      ]) {
        await expect(read()).to.be.revertedWithCustomError(master, "AssetUnauthorizedCallContext");
      }
      await expect(master.owner())
        .to.be.revertedWithCustomError(registry, "ERC721NonexistentToken")
        .withArgs(BigInt(await master.getAddress()));
    });
  });
});
