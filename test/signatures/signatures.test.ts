import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, Signature, Wallet, concat, dataSlice, toBeHex, zeroPadValue } from "ethers";

/** secp256k1 group order. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N / 2n;
const ZERO = ethers.ZeroAddress;

const WalletMode = {
  Owner: 0,
  WrongMagic: 1,
  Revert: 2,
  RevertWithMagic: 3,
  ShortReturn: 4,
  StrictEncoding: 5,
} as const;
const GroupMode = { Normal: 0, Revert: 1, BurnGas: 2, ReturnNothing: 3, ReturnDirty: 4 } as const;
const GROUP_MEMBER_PURPOSE = 4n;

// Keys that tests sign with directly (hardhat's signers only expose EIP-191 signing, not raw hashes).
const alice = new Wallet(ethers.id("openpoco.test.signatures.alice"));
const bob = new Wallet(ethers.id("openpoco.test.signatures.bob"));

/** 65 bytes r ‖ s ‖ v from raw parts (no validation, unlike ethers' Signature). */
function raw65(r: bigint | string, s: bigint, v: number): string {
  return concat([zeroPadValue(toBeHex(r), 32), zeroPadValue(toBeHex(s), 32), toBeHex(v, 1)]);
}

/** EIP-2098 compact form built by hand from a 65-byte signature: r ‖ (s | (v - 27) << 255). */
function toCompact(signature65: string): string {
  const r = dataSlice(signature65, 0, 32);
  const s = BigInt(dataSlice(signature65, 32, 64));
  const v = Number(dataSlice(signature65, 64, 65));
  return concat([r, zeroPadValue(toBeHex(s | (BigInt(v - 27) << 255n)), 32)]);
}

/** What the bare ecrecover precompile answers, with none of the library's checks. */
async function precompileRecover(hash: string, v: number, r: string, s: bigint): Promise<string> {
  const data = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "uint256", "bytes32", "uint256"],
    [hash, v, r, s],
  );
  const out = await ethers.provider.call({ to: "0x0000000000000000000000000000000000000001", data });
  return out === "0x" ? ZERO : ethers.getAddress(dataSlice(out, 12));
}

async function fixture() {
  const [deployer, other] = await ethers.getSigners();
  const harness = await (await ethers.getContractFactory("SignaturesHarness")).deploy();
  const walletFactory = await ethers.getContractFactory("ERC1271WalletMock");
  const wallet = await walletFactory.deploy(alice.address);
  const group = await (await ethers.getContractFactory("ERC734GroupMock")).deploy();
  const reentrant = await (await ethers.getContractFactory("ERC1271ReentrantMock")).deploy();
  return { deployer, other, harness, wallet, group, reentrant };
}

describe("Signatures library", () => {
  const hash = ethers.id("an order hash");
  const otherHash = ethers.id("another order hash");
  const sig65 = alice.signingKey.sign(hash).serialized;

  describe("ECDSA", () => {
    it("accepts a 65-byte signature of the signer", async () => {
      const { harness } = await loadFixture(fixture);
      expect(await harness.recover(hash, sig65)).to.equal(alice.address);
      expect(await harness.isValid(alice.address, hash, sig65)).to.equal(true);
    });

    it("accepts the 64-byte EIP-2098 form, for both parities of v", async () => {
      const { harness } = await loadFixture(fixture);
      const seen = new Set<number>();
      for (let i = 0; i < 8; i++) {
        const h = ethers.id(`order ${i}`);
        const full = alice.signingKey.sign(h);
        const compact = toCompact(full.serialized);
        expect(compact).to.equal(full.compactSerialized); // the hand-built form is the standard one
        expect(await harness.recover(h, compact)).to.equal(alice.address);
        expect(await harness.isValid(alice.address, h, compact)).to.equal(true);
        seen.add(full.v);
      }
      expect([...seen].sort()).to.deep.equal([27, 28]);
    });

    it("rejects another signer's signature and another hash", async () => {
      const { harness } = await loadFixture(fixture);
      const bobs = bob.signingKey.sign(hash).serialized;
      expect(await harness.recover(hash, bobs)).to.equal(bob.address);
      expect(await harness.isValid(alice.address, hash, bobs)).to.equal(false);
      expect(await harness.isValid(alice.address, hash, toCompact(bobs))).to.equal(false);
      expect(await harness.isValid(alice.address, otherHash, sig65)).to.equal(false);
    });

    it("rejects the malleated (high-s) twin, which the bare precompile would accept", async () => {
      const { harness } = await loadFixture(fixture);
      const sig = Signature.from(sig65);
      const highS = N - BigInt(sig.s);
      const flippedV = sig.v === 27 ? 28 : 27;
      expect(highS > HALF_N).to.equal(true);
      // Without the s check this would be a second valid signature of alice.
      expect(await precompileRecover(hash, flippedV, sig.r, highS)).to.equal(alice.address);
      const malleated = raw65(sig.r, highS, flippedV);
      expect(await harness.recover(hash, malleated)).to.equal(ZERO);
      expect(await harness.isValid(alice.address, hash, malleated)).to.equal(false);
      // s = n/2 is the largest accepted value: the boundary is inclusive on the low side.
      const atHalf = raw65(sig.r, HALF_N, sig.v);
      const recoveredAtHalf = await precompileRecover(hash, sig.v, sig.r, HALF_N);
      expect(recoveredAtHalf).to.not.equal(ZERO);
      expect(await harness.recover(hash, atHalf)).to.equal(recoveredAtHalf);
      expect(await harness.recover(hash, raw65(sig.r, HALF_N + 1n, sig.v))).to.equal(ZERO);
    });

    it("rejects a 64-byte form whose s (after the parity bit) is high", async () => {
      const { harness } = await loadFixture(fixture);
      const sig = Signature.from(sig65);
      const highS = HALF_N + 1n; // below 2^255, so it survives the parity mask
      const compact = concat([sig.r, zeroPadValue(toBeHex(highS), 32)]);
      expect(await precompileRecover(hash, 27, sig.r, highS)).to.not.equal(ZERO);
      expect(await harness.recover(hash, compact)).to.equal(ZERO);
    });

    it("rejects v other than 27 and 28, including the 0/1 convention", async () => {
      const { harness } = await loadFixture(fixture);
      const sig = Signature.from(sig65);
      for (const v of [0, 1, 26, 29, 255]) {
        const bad = raw65(sig.r, BigInt(sig.s), v);
        expect(await harness.recover(hash, bad), `v = ${v}`).to.equal(ZERO);
        expect(await harness.isValid(alice.address, hash, bad), `v = ${v}`).to.equal(false);
      }
      // v - 27 is what some wallets emit: deliberately not normalized.
      expect(await harness.isValid(alice.address, hash, raw65(sig.r, BigInt(sig.s), sig.v - 27))).to.equal(
        false,
      );
    });

    it("never matches the zero address, whatever the signature", async () => {
      const { harness } = await loadFixture(fixture);
      const sig = Signature.from(sig65);
      const rZero = raw65(0n, BigInt(sig.s), sig.v);
      const sZero = raw65(sig.r, 0n, sig.v);
      const allZero = raw65(0n, 0n, 27);
      for (const bad of [rZero, sZero, allZero, raw65(0n, 0n, 0), toCompact(rZero)]) {
        expect(await harness.recover(hash, bad)).to.equal(ZERO);
        expect(await harness.isValid(ZERO, hash, bad)).to.equal(false);
        expect(await harness.isValid(alice.address, hash, bad)).to.equal(false);
      }
      // r = n is out of range for the precompile too.
      expect(await harness.recover(hash, raw65(N, BigInt(sig.s), sig.v))).to.equal(ZERO);
    });

    it("rejects wrong lengths without reverting", async () => {
      const { harness } = await loadFixture(fixture);
      const compact = toCompact(sig65);
      const cases = {
        empty: "0x",
        "1 byte": "0x1b",
        "63 bytes": dataSlice(compact, 0, 63),
        "66 bytes": concat([sig65, "0x00"]),
        "96 bytes": concat([sig65, new Uint8Array(31)]),
        "128 bytes": concat([compact, compact]),
      };
      for (const [name, bad] of Object.entries(cases)) {
        expect(await harness.recover(hash, bad), name).to.equal(ZERO);
        expect(await harness.isValid(alice.address, hash, bad), name).to.equal(false);
        expect(await harness.isPresignedOrValid(alice.address, hash, bad), name).to.equal(false);
      }
    });
  });

  describe("ERC-1271", () => {
    it("accepts what the wallet accepts: its owner's signature", async () => {
      const { harness, wallet } = await loadFixture(fixture);
      const target = await wallet.getAddress();
      expect(await harness.isValid(target, hash, sig65)).to.equal(true);
      expect(await harness.isValid(target, hash, bob.signingKey.sign(hash).serialized)).to.equal(false);
      expect(await harness.isValid(target, otherHash, sig65)).to.equal(false);
      // Any length is passed through; the wallet decides (and refuses these).
      expect(await harness.isValid(target, hash, "0x")).to.equal(false);
      expect(await harness.isValid(target, hash, concat([sig65, "0x00"]))).to.equal(false);
    });

    it("sends the canonical ABI encoding, zero-padded even over dirty memory", async () => {
      const { harness, wallet } = await loadFixture(fixture);
      const target = await wallet.getAddress();
      await wallet.setMode(WalletMode.StrictEncoding);
      const dirt = "0x" + "ff".repeat(160);
      expect(await harness.isValid(target, hash, sig65)).to.equal(true);
      expect(await harness.isValidAfter(target, hash, dirt, sig65)).to.equal(true);
      // The mode does check the owner too.
      expect(await harness.isValidAfter(target, hash, dirt, bob.signingKey.sign(hash).serialized)).to.equal(
        false,
      );
    });

    it("treats a wrong magic value, a revert, magic revert data and short return data as invalid", async () => {
      const { harness, wallet } = await loadFixture(fixture);
      const target = await wallet.getAddress();
      for (const mode of [
        WalletMode.WrongMagic,
        WalletMode.Revert,
        WalletMode.RevertWithMagic,
        WalletMode.ShortReturn,
      ]) {
        await wallet.setMode(mode);
        expect(await harness.isValid(target, hash, sig65), `mode ${mode}`).to.equal(false);
        expect(await harness.isPresignedOrValid(target, hash, sig65), `mode ${mode}`).to.equal(false);
      }
      await wallet.setMode(WalletMode.Owner);
      expect(await harness.isValid(target, hash, sig65)).to.equal(true);
    });

    it("gives a reentrant wallet a static context: its callback fails and no state changes", async () => {
      const { harness, reentrant, other } = await loadFixture(fixture);
      const target = await reentrant.getAddress();
      const harnessAddress = await harness.getAddress();
      const payload = harness.interface.encodeFunctionData("setPresigned", [hash, other.address]);
      const call = harness.interface.encodeFunctionData("isValid", [target, hash, "0x"]);

      await reentrant.configure(harnessAddress, payload, false);
      // eth_call is not static by itself: a plain CALL would let the callback succeed and answer valid.
      expect(await harness.isValid(target, hash, "0x")).to.equal(false);
      await (await other.sendTransaction({ to: harnessAddress, data: call })).wait();
      expect(await harness.isPresigned(other.address, hash)).to.equal(false);

      // A wallet that ignores the failed callback answers valid, but still changed nothing.
      await reentrant.configure(harnessAddress, payload, true);
      expect(await harness.isValid(target, hash, "0x")).to.equal(true);
      await (await other.sendTransaction({ to: harnessAddress, data: call })).wait();
      expect(await harness.isPresigned(other.address, hash)).to.equal(false);

      // Control: outside a static context the same callback does write.
      await reentrant.configure(harnessAddress, payload, false);
      await (await reentrant.isValidSignature(hash, "0x")).wait();
      expect(await harness.isPresigned(other.address, hash)).to.equal(true);
    });
  });

  describe("presignatures", () => {
    it("are true only for the recorded signer and hash", async () => {
      const { harness } = await loadFixture(fixture);
      expect(await harness.isPresigned(alice.address, hash)).to.equal(false);
      await harness.setPresigned(hash, alice.address);
      expect(await harness.isPresigned(alice.address, hash)).to.equal(true);
      expect(await harness.isPresigned(bob.address, hash)).to.equal(false);
      expect(await harness.isPresigned(alice.address, otherHash)).to.equal(false);
    });

    it("are never true for address(0), set or not", async () => {
      const { harness } = await loadFixture(fixture);
      // An unset entry reads as address(0).
      expect(await harness.isPresigned(ZERO, otherHash)).to.equal(false);
      await harness.setPresigned(hash, ZERO);
      expect(await harness.isPresigned(ZERO, hash)).to.equal(false);
      expect(await harness.isPresignedOrValid(ZERO, hash, "0x")).to.equal(false);
      expect(await harness.isPresignedOrValid(ZERO, otherHash, "0x")).to.equal(false);
    });

    it("combine with signatures: either one suffices, for the right identity", async () => {
      const { harness, wallet } = await loadFixture(fixture);
      const walletAddress = await wallet.getAddress();
      await harness.setPresigned(hash, alice.address);
      const bobs = bob.signingKey.sign(hash).serialized;

      // presigned, whatever the signature
      expect(await harness.isPresignedOrValid(alice.address, hash, "0x")).to.equal(true);
      expect(await harness.isPresignedOrValid(alice.address, hash, bobs)).to.equal(true);
      // not presigned by this identity: its signature decides
      expect(await harness.isPresignedOrValid(bob.address, hash, bobs)).to.equal(true);
      expect(await harness.isPresignedOrValid(bob.address, hash, sig65)).to.equal(false);
      expect(await harness.isPresignedOrValid(bob.address, hash, "0x")).to.equal(false);
      // not presigned at all
      const otherSig = alice.signingKey.sign(otherHash).serialized;
      expect(await harness.isPresignedOrValid(alice.address, otherHash, otherSig)).to.equal(true);
      expect(await harness.isPresignedOrValid(alice.address, otherHash, toCompact(otherSig))).to.equal(true);
      expect(await harness.isPresignedOrValid(alice.address, otherHash, sig65)).to.equal(false);
      // isValid alone ignores presignatures
      expect(await harness.isValid(alice.address, hash, "0x")).to.equal(false);

      // A presigning contract wallet is not asked at all (it would revert here).
      await wallet.setMode(WalletMode.Revert);
      expect(await harness.isPresignedOrValid(walletAddress, hash, "0x")).to.equal(false);
      await harness.setPresigned(hash, walletAddress);
      expect(await harness.isPresignedOrValid(walletAddress, hash, "0x")).to.equal(true);
      expect(await harness.isValid(walletAddress, hash, sig65)).to.equal(false);
    });
  });

  describe("ERC-734 group membership", () => {
    const keyOf = (account: string) => zeroPadValue(account, 32);

    it("admits accounts whose key holds the group member purpose (4), and only those", async () => {
      const { harness, group, other } = await loadFixture(fixture);
      const groupAddress = await group.getAddress();
      expect(await harness.isGroupMember(groupAddress, alice.address)).to.equal(false);

      await group.addKey(keyOf(alice.address), GROUP_MEMBER_PURPOSE);
      expect(await harness.isGroupMember(groupAddress, alice.address)).to.equal(true);
      expect(await harness.isGroupMember(groupAddress, bob.address)).to.equal(false);

      // Other purposes do not count.
      for (const purpose of [1n, 2n, 3n, 5n]) await group.addKey(keyOf(bob.address), purpose);
      expect(await harness.isGroupMember(groupAddress, bob.address)).to.equal(false);

      // The key is the address left-padded; the right-padded form is another key.
      await group.addKey(ethers.zeroPadBytes(other.address, 32), GROUP_MEMBER_PURPOSE);
      expect(await harness.isGroupMember(groupAddress, other.address)).to.equal(false);

      await group.removeKey(keyOf(alice.address), GROUP_MEMBER_PURPOSE);
      expect(await harness.isGroupMember(groupAddress, alice.address)).to.equal(false);
    });

    it("is false for a restriction without code", async () => {
      const { harness, other } = await loadFixture(fixture);
      expect(await harness.isGroupMember(other.address, alice.address)).to.equal(false);
      expect(await harness.isGroupMember(ethers.id("nobody").slice(0, 42), alice.address)).to.equal(false);
    });

    it("is false for a contract that reverts, returns nothing or a non-bool, or lacks the function", async () => {
      const { harness, group, wallet } = await loadFixture(fixture);
      const groupAddress = await group.getAddress();
      await group.addKey(keyOf(alice.address), GROUP_MEMBER_PURPOSE);
      for (const mode of [GroupMode.Revert, GroupMode.ReturnNothing, GroupMode.ReturnDirty]) {
        await group.setMode(mode);
        expect(await harness.isGroupMember(groupAddress, alice.address), `mode ${mode}`).to.equal(false);
      }
      await group.setMode(GroupMode.Normal);
      expect(await harness.isGroupMember(groupAddress, alice.address)).to.equal(true);
      // A contract without keyHasPurpose (no fallback): reverts, so not a group.
      expect(await harness.isGroupMember(await wallet.getAddress(), alice.address)).to.equal(false);
    });

    it("bounds the gas a restriction may burn", async () => {
      const { harness, group } = await loadFixture(fixture);
      const groupAddress = await group.getAddress();
      await group.addKey(keyOf(alice.address), GROUP_MEMBER_PURPOSE);
      const bound = await harness.groupCheckGas();
      const [isMember] = await harness.gasOfIsGroupMember(groupAddress, alice.address);
      expect(isMember).to.equal(true);

      await group.setMode(GroupMode.BurnGas);
      const [member, burnt] = await harness.gasOfIsGroupMember(groupAddress, alice.address, {
        gasLimit: 5_000_000,
      });
      expect(member).to.equal(false);
      // The call got its bound and no more, although far more gas was available.
      expect(burnt >= bound).to.equal(true);
      expect(burnt < bound + 10_000n).to.equal(true);
    });
  });
});
