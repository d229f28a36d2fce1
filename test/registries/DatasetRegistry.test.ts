import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { BytesLike } from "ethers";
import { Dataset__factory, DatasetRegistry__factory } from "../../typechain-types";
import type { DatasetRegistry } from "../../typechain-types";

const RUNTIME_HEAD = "0x365f5f375f5f365f73";
const RUNTIME_TAIL = "0x5af43d5f5f3e6029573d5ffd5b3d5ff3";
const MAX_DATA_SIZE = 24_576 - 45;

interface DatasetArgs {
  name: string;
  multiaddr: BytesLike;
  checksum: string;
}

const SCENARIO: DatasetArgs = {
  name: "my-dataset",
  multiaddr: ethers.toUtf8Bytes("https://example.com/data.zip"),
  checksum: ethers.id("dataset-checksum"),
};

const field = (value: BytesLike) => ethers.concat([ethers.toBeHex(ethers.dataLength(value), 2), value]);

const pack = (d: DatasetArgs) =>
  ethers.concat([d.checksum, field(ethers.toUtf8Bytes(d.name)), field(d.multiaddr)]);

const argsOf = (owner: string, d: DatasetArgs) => [owner, d.name, d.multiaddr, d.checksum] as const;

const predict = (registry: DatasetRegistry, owner: string, d: DatasetArgs) =>
  registry.predictDataset(...argsOf(owner, d));

describe("DatasetRegistry", () => {
  async function deployFixture() {
    const [admin, creator, alice, bob] = await ethers.getSigners();
    const registry = await new DatasetRegistry__factory(admin).deploy(admin.address);
    return { registry, admin, creator, alice, bob };
  }

  it("has the reference collection name and symbol", async () => {
    const { registry } = await loadFixture(deployFixture);
    expect(await registry.name()).to.equal("iExec Dataset Registry (V5)");
    expect(await registry.symbol()).to.equal("iExecDatasetsV5");
  });

  it("creates the dataset at the predicted address and mints its token to the owner", async () => {
    const { registry, creator, alice } = await loadFixture(deployFixture);
    const predicted = await predict(registry, alice.address, SCENARIO);
    expect(await registry.isRegistered(predicted)).to.equal(false);
    expect(
      await registry.connect(creator).createDataset.staticCall(...argsOf(alice.address, SCENARIO)),
    ).to.equal(predicted);
    await expect(registry.connect(creator).createDataset(...argsOf(alice.address, SCENARIO)))
      .to.emit(registry, "Transfer")
      .withArgs(ethers.ZeroAddress, alice.address, BigInt(predicted));
    const dataset = Dataset__factory.connect(predicted, ethers.provider);
    expect(await registry.isRegistered(predicted)).to.equal(true);
    expect(await registry.ownerOf(BigInt(predicted))).to.equal(alice.address);
    expect(await dataset.owner()).to.equal(alice.address);
    expect(await dataset.registry()).to.equal(await registry.getAddress());
    const expectedCode = ethers.concat([RUNTIME_HEAD, await registry.master(), RUNTIME_TAIL, pack(SCENARIO)]);
    expect(await ethers.provider.getCode(predicted)).to.equal(ethers.hexlify(expectedCode).toLowerCase());
  });

  const cases: Record<string, DatasetArgs> = {
    "the benchmark scenario": SCENARIO,
    "empty fields and a zero checksum": { name: "", multiaddr: "0x", checksum: ethers.ZeroHash },
    "long fields (300-byte multiaddr, non-ASCII name)": {
      name: "jeu de données ✓ ".repeat(8),
      multiaddr: ethers.hexlify(ethers.randomBytes(300)),
      checksum: ethers.id("long"),
    },
  };
  for (const [label, args] of Object.entries(cases)) {
    it(`returns the exact creation arguments: ${label}`, async () => {
      const { registry, alice } = await loadFixture(deployFixture);
      const predicted = await predict(registry, alice.address, args);
      await registry.createDataset(...argsOf(alice.address, args));
      const dataset = Dataset__factory.connect(predicted, ethers.provider);
      expect(await dataset.m_datasetName()).to.equal(args.name);
      expect(await dataset.m_datasetMultiaddr()).to.equal(ethers.hexlify(args.multiaddr));
      expect(await dataset.m_datasetChecksum()).to.equal(args.checksum);
    });
  }

  it("predicts a distinct address for each owner and each argument change", async () => {
    const { registry, alice, bob } = await loadFixture(deployFixture);
    const variants: [string, DatasetArgs][] = [
      [alice.address, SCENARIO],
      [bob.address, SCENARIO],
      [alice.address, { ...SCENARIO, name: "other" }],
      [alice.address, { ...SCENARIO, multiaddr: "0x00" }],
      [alice.address, { ...SCENARIO, checksum: ethers.id("other") }],
    ];
    const addresses = await Promise.all(variants.map(([owner, d]) => predict(registry, owner, d)));
    expect(new Set(addresses).size).to.equal(variants.length);
  });

  it("reverts when the same owner creates the same dataset twice", async () => {
    const { registry, alice, bob } = await loadFixture(deployFixture);
    const predicted = await predict(registry, alice.address, SCENARIO);
    await registry.createDataset(...argsOf(alice.address, SCENARIO));
    await expect(registry.connect(bob).createDataset(...argsOf(alice.address, SCENARIO)))
      .to.be.revertedWithCustomError(registry, "AssetAlreadyRegistered")
      .withArgs(predicted);
  });

  it("rejects a zero owner and oversized data", async () => {
    const { registry, alice } = await loadFixture(deployFixture);
    await expect(registry.createDataset(...argsOf(ethers.ZeroAddress, SCENARIO)))
      .to.be.revertedWithCustomError(registry, "ERC721InvalidReceiver")
      .withArgs(ethers.ZeroAddress);
    const big = { ...SCENARIO, name: "", multiaddr: new Uint8Array(MAX_DATA_SIZE - 36 + 1) };
    await expect(registry.createDataset(...argsOf(alice.address, big)))
      .to.be.revertedWithCustomError(registry, "AssetDataTooLarge")
      .withArgs(MAX_DATA_SIZE + 1, MAX_DATA_SIZE);
  });

  it("keeps initialize for ABI compatibility but always reverts", async () => {
    const { registry, alice } = await loadFixture(deployFixture);
    const predicted = await predict(registry, alice.address, SCENARIO);
    await registry.createDataset(...argsOf(alice.address, SCENARIO));
    const dataset = Dataset__factory.connect(predicted, alice);
    await expect(dataset.initialize("x", "0x01", ethers.ZeroHash)).to.be.revertedWithCustomError(
      dataset,
      "AssetAlreadyInitialized",
    );
  });

  it("refuses to decode data when called on the implementation itself", async () => {
    const { registry } = await loadFixture(deployFixture);
    const master = Dataset__factory.connect(await registry.master(), ethers.provider);
    for (const read of [master.m_datasetName, master.m_datasetMultiaddr, master.m_datasetChecksum]) {
      await expect(read()).to.be.revertedWithCustomError(master, "AssetUnauthorizedCallContext");
    }
  });
});
