import { expect } from "chai";
import { artifacts, ethers } from "hardhat";
import { Wallet, concat, zeroPadValue, toBeHex, dataSlice } from "ethers";
import { RLC_UNIT, deployCore } from "../fixtures";
import { missingSignatures, readReferenceAbi } from "../abi/signatures";
import type { ISignatures, SignaturesHarness } from "../../typechain-types";

const alice = new Wallet(ethers.id("openpoco.test.signatures.alice"));
const bob = new Wallet(ethers.id("openpoco.test.signatures.bob"));

function toCompact(signature65: string): string {
  const s = BigInt(dataSlice(signature65, 32, 64));
  const v = BigInt(dataSlice(signature65, 64, 65));
  return concat([dataSlice(signature65, 0, 32), zeroPadValue(toBeHex(s | ((v - 27n) << 255n)), 32)]);
}

/**
 * A `deployCore()` hub with the SignatureFacet routed (the deploy script does not route it yet), plus
 * the harness's `setPresigned` routed as a test-only writer of the hub's `presigned` mapping.
 */
async function hubWithSignatures() {
  const core = await deployCore();
  const hubAddress = await core.hub.getAddress();
  const facet = await (await ethers.getContractFactory("SignatureFacet")).deploy();
  const selectors: string[] = [];
  facet.interface.forEachFunction((fragment) => selectors.push(fragment.selector));
  await (await core.hub.setRoutes(selectors, await facet.getAddress())).wait();
  const harness = await (await ethers.getContractFactory("SignaturesHarness")).deploy();
  await (
    await core.hub.setRoutes(
      [harness.interface.getFunction("setPresigned").selector],
      await harness.getAddress(),
    )
  ).wait();
  const signatures = (await ethers.getContractAt("ISignatures", hubAddress)) as unknown as ISignatures;
  const writer = harness.attach(hubAddress) as SignaturesHarness;
  return { ...core, hubAddress, signatures, writer };
}

describe("Hub signature views", () => {
  const hash = ethers.id("an order hash");
  const sig65 = alice.signingKey.sign(hash).serialized;

  it("match the reference ABI", async () => {
    const reference = readReferenceAbi("IexecInterfaceToken.json").filter((item) =>
      ["verifySignature", "verifyPresignature", "verifyPresignatureOrSignature"].includes(
        (item as { name?: string }).name ?? "",
      ),
    );
    expect(reference.length).to.equal(3);
    const { abi } = await artifacts.readArtifact("ISignatures");
    expect(missingSignatures(reference, abi)).to.deep.equal([]);
  });

  it("verifySignature: EOA signatures in both forms, wrong signer, bad bytes", async () => {
    const { signatures } = await hubWithSignatures();
    expect(await signatures.verifySignature(alice.address, hash, sig65)).to.equal(true);
    expect(await signatures.verifySignature(alice.address, hash, toCompact(sig65))).to.equal(true);
    expect(await signatures.verifySignature(bob.address, hash, sig65)).to.equal(false);
    expect(await signatures.verifySignature(alice.address, ethers.id("other"), sig65)).to.equal(false);
    expect(await signatures.verifySignature(alice.address, hash, "0x")).to.equal(false);
    expect(await signatures.verifySignature(alice.address, hash, concat([sig65, "0x00"]))).to.equal(false);
    expect(await signatures.verifySignature(ethers.ZeroAddress, hash, new Uint8Array(65))).to.equal(false);
  });

  it("verifySignature: ERC-1271 wallets, valid and misbehaving", async () => {
    const { signatures } = await hubWithSignatures();
    const wallet = await (await ethers.getContractFactory("ERC1271WalletMock")).deploy(alice.address);
    const target = await wallet.getAddress();
    expect(await signatures.verifySignature(target, hash, sig65)).to.equal(true);
    expect(await signatures.verifySignature(target, hash, bob.signingKey.sign(hash).serialized)).to.equal(
      false,
    );
    for (const mode of [1, 2, 3, 4]) {
      await wallet.setMode(mode);
      expect(await signatures.verifySignature(target, hash, sig65), `mode ${mode}`).to.equal(false);
    }
  });

  it("a reentrant wallet cannot move SRLC while the hub checks its signature", async () => {
    const { hub, rlc, hubAddress, signatures, accounts } = await hubWithSignatures();
    const [attacker, relayer] = accounts;
    const reentrant = await (await ethers.getContractFactory("ERC1271ReentrantMock")).deploy();
    const target = await reentrant.getAddress();
    const amount = 5n * RLC_UNIT;
    await (await rlc.approve(hubAddress, amount)).wait();
    await (await hub.depositFor(amount, target)).wait();
    const drain = hub.interface.encodeFunctionData("transfer", [attacker.address, amount]);
    const verify = signatures.interface.encodeFunctionData("verifySignature", [target, hash, "0x"]);

    for (const swallowFailure of [false, true]) {
      await (await reentrant.configure(hubAddress, drain, swallowFailure)).wait();
      // The callback fails in the static context: invalid, unless the wallet ignores the failure.
      expect(await signatures.verifySignature(target, hash, "0x")).to.equal(swallowFailure);
      expect(await signatures.verifyPresignatureOrSignature(target, hash, "0x")).to.equal(swallowFailure);
      // Mined as a transaction (a non-static context up to the hub), it still changes nothing.
      const receipt = await (await relayer.sendTransaction({ to: hubAddress, data: verify })).wait();
      expect(receipt!.status).to.equal(1);
      expect(await hub.balanceOf(target)).to.equal(amount);
      expect(await hub.balanceOf(attacker.address)).to.equal(0n);
    }

    // Control: outside a static context the same callback does drain the wallet.
    await (await reentrant.configure(hubAddress, drain, false)).wait();
    await (await reentrant.isValidSignature(hash, "0x")).wait();
    expect(await hub.balanceOf(attacker.address)).to.equal(amount);
  });

  it("verifyPresignature and verifyPresignatureOrSignature read the hub's presigned mapping", async () => {
    const { signatures, writer } = await hubWithSignatures();
    const otherHash = ethers.id("another order hash");
    expect(await signatures.verifyPresignature(alice.address, hash)).to.equal(false);
    expect(await signatures.verifyPresignature(ethers.ZeroAddress, hash)).to.equal(false);

    await (await writer.setPresigned(hash, alice.address)).wait();
    expect(await signatures.verifyPresignature(alice.address, hash)).to.equal(true);
    expect(await signatures.verifyPresignature(bob.address, hash)).to.equal(false);
    expect(await signatures.verifyPresignature(alice.address, otherHash)).to.equal(false);
    // verifySignature ignores presignatures.
    expect(await signatures.verifySignature(alice.address, hash, "0x")).to.equal(false);

    expect(await signatures.verifyPresignatureOrSignature(alice.address, hash, "0x")).to.equal(true);
    expect(await signatures.verifyPresignatureOrSignature(bob.address, hash, "0x")).to.equal(false);
    const bobs = bob.signingKey.sign(hash).serialized;
    expect(await signatures.verifyPresignatureOrSignature(bob.address, hash, bobs)).to.equal(true);
    const otherSig = alice.signingKey.sign(otherHash).serialized;
    expect(await signatures.verifyPresignatureOrSignature(alice.address, otherHash, otherSig)).to.equal(true);
    expect(await signatures.verifyPresignatureOrSignature(alice.address, otherHash, sig65)).to.equal(false);

    await (await writer.setPresigned(otherHash, ethers.ZeroAddress)).wait();
    expect(await signatures.verifyPresignature(ethers.ZeroAddress, otherHash)).to.equal(false);
    expect(await signatures.verifyPresignatureOrSignature(ethers.ZeroAddress, otherHash, "0x")).to.equal(
      false,
    );
  });
});
