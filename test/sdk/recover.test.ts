import { expect } from "chai";
import fc from "fast-check";
import { Signature, Wallet, hexlify, keccak256, recoverAddress } from "ethers";
import { fastRecoverAddress } from "../../src/sdk";
import { runs } from "../property-runs";

describe("SDK fastRecoverAddress", () => {
  it("recovers what ethers recovers, from 65-byte and 64-byte (EIP-2098) signatures", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (key, data) => {
          let wallet: Wallet;
          try {
            wallet = new Wallet(hexlify(key));
          } catch {
            return; // zero or out-of-range key
          }
          const digest = keccak256(data);
          const signature = wallet.signingKey.sign(digest);
          expect(fastRecoverAddress(digest, signature.serialized)).to.equal(wallet.address);
          expect(fastRecoverAddress(digest, signature.compactSerialized)).to.equal(wallet.address);
          expect(fastRecoverAddress(digest, signature.serialized)).to.equal(
            recoverAddress(digest, signature),
          );
          // Another digest recovers another address, as with ethers.
          const other = keccak256(digest);
          expect(fastRecoverAddress(other, signature.serialized)).to.equal(recoverAddress(other, signature));
        },
      ),
      { numRuns: runs(200, { ciMultiplier: 5 }) },
    );
  });

  it("throws on malformed signatures", () => {
    const digest = keccak256("0x01");
    for (const bad of ["0x", "0x1234", "0x" + "00".repeat(66)])
      expect(() => fastRecoverAddress(digest, bad)).to.throw();
    const good = new Wallet(keccak256("0x02")).signingKey.sign(digest);
    const badV = Signature.from(good).serialized.slice(0, -2) + "05";
    expect(() => fastRecoverAddress(digest, badV)).to.throw();
  });
});
