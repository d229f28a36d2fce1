import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { brokenEntries, currentLayout, readSnapshot } from "../../scripts/lib/storage-layout";

describe("Hub storage layout (upgrade safety)", () => {
  it("keeps every member of the committed snapshot at its slot, offset and type", async () => {
    const broken = brokenEntries(readSnapshot(), await currentLayout(hre));
    expect(broken, "run UPDATE_LAYOUT=1 npm run storage-layout only after an append").to.deep.equal([]);
  });

  it("detects a member that moved", () => {
    const snapshot = ["hub.owner @ slot 0 offset 0: address", "hub.totalSupply @ slot 9 offset 0: uint256"];
    const current = ["hub.owner @ slot 0 offset 0: address", "hub.totalSupply @ slot 10 offset 0: uint256"];
    expect(brokenEntries(snapshot, current)).to.deep.equal(["hub.totalSupply @ slot 9 offset 0: uint256"]);
    expect(brokenEntries(snapshot, [...snapshot, "hub.extra @ slot 11 offset 0: uint256"])).to.deep.equal([]);
  });

  it("uses the ERC-7201 slots of its namespaces", async () => {
    const erc7201 = (namespace: string) =>
      ethers.toBeHex(
        BigInt(
          ethers.keccak256(
            ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [BigInt(ethers.id(namespace)) - 1n]),
          ),
        ) & ~0xffn,
        32,
      );
    const probe = await (await ethers.getContractFactory("HubStorageLayoutProbe")).deploy();
    const [hubSlot, routerSlot] = await probe.slots();
    expect(hubSlot).to.equal(erc7201("openpoco.storage.Hub"));
    expect(routerSlot).to.equal(erc7201("openpoco.storage.Router"));
  });
});
