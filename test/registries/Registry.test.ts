import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { artifacts, ethers } from "hardhat";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  App__factory,
  AppRegistry__factory,
  ENSMock__factory,
  ENSReverseRegistrarMock__factory,
  ERC721ReceiverMock__factory,
  Workerpool__factory,
  WorkerpoolRegistry__factory,
} from "../../typechain-types";
import type { WorkerpoolRegistry } from "../../typechain-types";

// The base registry is shared: its ERC-721 and admin behaviour is tested on the workerpool registry, whose
// assets are the cheapest to create, and the chaining and ENS parts on the others too.

enum Receiver {
  Accept,
  WrongValue,
  RevertWithError,
  RevertEmpty,
}

const ADDR_REVERSE_NODE = "0x91d1777781884d03a6757a803996e38de2a42967fb37eeaca72729271025a9e2";

async function createPool(registry: WorkerpoolRegistry, owner: string, description: string) {
  const address = await registry.predictWorkerpool(owner, description);
  await registry.createWorkerpool(owner, description);
  return BigInt(address);
}

describe("Registry (ERC-721, admin, ENS, ABI)", () => {
  async function deployFixture() {
    const [admin, alice, bob, carol, dave] = await ethers.getSigners();
    const registry = await new WorkerpoolRegistry__factory(admin).deploy(admin.address);
    const aliceToken = await createPool(registry, alice.address, "alice-1");
    const bobToken = await createPool(registry, bob.address, "bob-1");
    return { registry, admin, alice, bob, carol, dave, aliceToken, bobToken };
  }

  describe("metadata and introspection", () => {
    it("supports the ERC-165, ERC-721, metadata and enumerable interfaces only", async () => {
      const { registry } = await loadFixture(deployFixture);
      for (const id of ["0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0x780e9d63"]) {
        expect(await registry.supportsInterface(id), id).to.equal(true);
      }
      for (const id of ["0xffffffff", "0x00000000", "0x150b7a02", "0x7f5828d0"]) {
        expect(await registry.supportsInterface(id), id).to.equal(false);
      }
    });

    it("builds token URIs from the base URI and the lowercase asset address", async () => {
      const { registry, admin, alice, aliceToken } = await loadFixture(deployFixture);
      const hex = ethers.toBeHex(aliceToken, 20);
      expect(hex).to.equal(hex.toLowerCase());
      expect(await registry.baseURI()).to.equal("");
      expect(await registry.tokenURI(aliceToken)).to.equal(hex);
      await registry.connect(admin).setBaseURI("https://nft.example/pools/");
      expect(await registry.baseURI()).to.equal("https://nft.example/pools/");
      expect(await registry.tokenURI(aliceToken)).to.equal(`https://nft.example/pools/${hex}`);
      await expect(registry.connect(alice).setBaseURI("x"))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      await expect(registry.tokenURI(1234n))
        .to.be.revertedWithCustomError(registry, "ERC721NonexistentToken")
        .withArgs(1234n);
    });

    it("exposes the master and the asset creation code prefix", async () => {
      const { registry, alice, aliceToken } = await loadFixture(deployFixture);
      const master = await registry.master();
      expect(await Workerpool__factory.connect(master, ethers.provider).registry()).to.equal(
        await registry.getAddress(),
      );
      const proxyCode = await registry.proxyCode();
      // PUSH2 45 | DUP1 PUSH1 10 PUSH0 CODECOPY PUSH0 RETURN | 45-byte proxy runtime.
      const runtime = ethers.concat(["0x365f5f375f5f365f73", master, "0x5af43d5f5f3e6029573d5ffd5b3d5ff3"]);
      expect(proxyCode).to.equal(
        ethers.hexlify(ethers.concat(["0x61002d80600a5f395ff3", runtime])).toLowerCase(),
      );
      expect(await registry.proxyCodeHash()).to.equal(ethers.keccak256(proxyCode));
      // The asset address is the CREATE2 address of proxyCode (with the size fixed) + data, salted by
      // keccak256(data ++ owner).
      const description = ethers.toUtf8Bytes("alice-1");
      const data = ethers.concat([ethers.toBeHex(description.length, 2), description]);
      const initCode = ethers.concat([
        "0x61",
        ethers.toBeHex(45 + ethers.dataLength(data), 2),
        ethers.dataSlice(proxyCode, 3),
        data,
      ]);
      const salt = ethers.keccak256(ethers.concat([data, alice.address]));
      const expected = ethers.getCreate2Address(
        await registry.getAddress(),
        salt,
        ethers.keccak256(initCode),
      );
      expect(BigInt(expected)).to.equal(aliceToken);
    });
  });

  describe("balances and ownership", () => {
    it("reports owners, balances and their errors", async () => {
      const { registry, alice, bob, carol, aliceToken, bobToken } = await loadFixture(deployFixture);
      expect(await registry.ownerOf(aliceToken)).to.equal(alice.address);
      expect(await registry.ownerOf(bobToken)).to.equal(bob.address);
      expect(await registry.balanceOf(alice.address)).to.equal(1n);
      expect(await registry.balanceOf(carol.address)).to.equal(0n);
      await expect(registry.balanceOf(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "ERC721InvalidOwner")
        .withArgs(ethers.ZeroAddress);
      await expect(registry.ownerOf(0n)).to.be.revertedWithCustomError(registry, "ERC721NonexistentToken");
      // Ids above 160 bits never exist, even when their low bits match a token.
      const aliased = aliceToken + (1n << 160n);
      await expect(registry.ownerOf(aliased))
        .to.be.revertedWithCustomError(registry, "ERC721NonexistentToken")
        .withArgs(aliased);
    });

    it("enumerates tokens globally and per owner, with out-of-bounds errors", async () => {
      const { registry, alice, bob, carol, aliceToken, bobToken } = await loadFixture(deployFixture);
      const alice2 = await createPool(registry, alice.address, "alice-2");
      expect(await registry.totalSupply()).to.equal(3n);
      expect(await registry.tokenByIndex(0)).to.equal(aliceToken);
      expect(await registry.tokenByIndex(1)).to.equal(bobToken);
      expect(await registry.tokenByIndex(2)).to.equal(alice2);
      expect(await registry.tokenOfOwnerByIndex(alice.address, 0)).to.equal(aliceToken);
      expect(await registry.tokenOfOwnerByIndex(alice.address, 1)).to.equal(alice2);
      expect(await registry.tokenOfOwnerByIndex(bob.address, 0)).to.equal(bobToken);
      await expect(registry.tokenByIndex(3))
        .to.be.revertedWithCustomError(registry, "ERC721OutOfBoundsIndex")
        .withArgs(ethers.ZeroAddress, 3);
      await expect(registry.tokenOfOwnerByIndex(alice.address, 2))
        .to.be.revertedWithCustomError(registry, "ERC721OutOfBoundsIndex")
        .withArgs(alice.address, 2);
      await expect(registry.tokenOfOwnerByIndex(carol.address, 0))
        .to.be.revertedWithCustomError(registry, "ERC721OutOfBoundsIndex")
        .withArgs(carol.address, 0);
    });

    it("keeps both enumerations consistent with a model over random transfers", async () => {
      const { registry, admin, alice, bob, carol, dave } = await loadFixture(deployFixture);
      const accounts = [alice, bob, carol, dave];
      const model = new Map<string, bigint[]>(accounts.map((a) => [a.address, []]));
      const all: bigint[] = [];
      // Rebuild the model from the fixture's two tokens, then add more.
      for (let i = 0; i < 2; i++) {
        const token = await registry.tokenByIndex(i);
        all.push(token);
        model.get(await registry.ownerOf(token))!.push(token);
      }
      for (let i = 0; i < 8; i++) {
        const owner = accounts[i % 3];
        const token = await createPool(registry, owner.address, `pool-${i}`);
        all.push(token);
        model.get(owner.address)!.push(token);
      }
      const ownerOf = (token: bigint) => [...model.entries()].find(([, list]) => list.includes(token))![0];
      const signer = (address: string) => accounts.find((a) => a.address === address)!;

      let seed = 0x2545f491;
      const random = (n: number) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return (seed >>> 8) % n;
      };

      const check = async () => {
        expect(await registry.totalSupply()).to.equal(BigInt(all.length));
        for (let i = 0; i < all.length; i++) expect(await registry.tokenByIndex(i)).to.equal(all[i]);
        for (const [owner, list] of model) {
          expect(await registry.balanceOf(owner)).to.equal(BigInt(list.length));
          for (let i = 0; i < list.length; i++) {
            expect(await registry.tokenOfOwnerByIndex(owner, i)).to.equal(list[i]);
            expect(await registry.ownerOf(list[i])).to.equal(owner);
          }
        }
      };

      for (let step = 0; step < 30; step++) {
        const token = all[random(all.length)];
        const from = ownerOf(token);
        const to = accounts[random(accounts.length)].address; // sometimes `from` itself
        const mode = random(4);
        if (mode === 0) {
          await registry.connect(signer(from)).transferFrom(from, to, token);
        } else if (mode === 1) {
          await registry.connect(signer(from)).approve(admin.address, token);
          await registry.connect(admin).transferFrom(from, to, token);
        } else if (mode === 2) {
          await registry.connect(signer(from)).setApprovalForAll(admin.address, true);
          await registry.connect(admin)["safeTransferFrom(address,address,uint256)"](from, to, token);
          await registry.connect(signer(from)).setApprovalForAll(admin.address, false);
        } else {
          await registry
            .connect(signer(from))
            ["safeTransferFrom(address,address,uint256,bytes)"](from, to, token, "0x1234");
        }
        // Swap-and-pop in the sender's list, append to the receiver's.
        const list = model.get(from)!;
        const index = list.indexOf(token);
        list[index] = list[list.length - 1];
        list.pop();
        model.get(to)!.push(token);
        await check();
        expect(
          await Workerpool__factory.connect(ethers.toBeHex(token, 20), ethers.provider).owner(),
        ).to.equal(to);
      }
    });

    it("handles removal from the front, the middle and the end of an owner's list", async () => {
      const { registry, alice, bob, aliceToken } = await loadFixture(deployFixture);
      const a2 = await createPool(registry, alice.address, "alice-2");
      const a3 = await createPool(registry, alice.address, "alice-3");
      const a4 = await createPool(registry, alice.address, "alice-4");
      const list = async () => {
        const n = await registry.balanceOf(alice.address);
        const out: bigint[] = [];
        for (let i = 0n; i < n; i++) out.push(await registry.tokenOfOwnerByIndex(alice.address, i));
        return out;
      };
      expect(await list()).to.deep.equal([aliceToken, a2, a3, a4]);
      await registry.connect(alice).transferFrom(alice.address, bob.address, a2); // middle
      expect(await list()).to.deep.equal([aliceToken, a4, a3]);
      await registry.connect(alice).transferFrom(alice.address, bob.address, a3); // end
      expect(await list()).to.deep.equal([aliceToken, a4]);
      await registry.connect(alice).transferFrom(alice.address, bob.address, aliceToken); // front
      expect(await list()).to.deep.equal([a4]);
      await registry.connect(alice).transferFrom(alice.address, bob.address, a4); // only one
      expect(await list()).to.deep.equal([]);
      // The front token moved in by swap-and-pop must still be transferable from its new index.
      await registry.connect(bob).transferFrom(bob.address, alice.address, a4);
      expect(await list()).to.deep.equal([a4]);
      expect(await registry.balanceOf(bob.address)).to.equal(4n);
    });
  });

  describe("transfers", () => {
    it("moves the token, its asset ownership and emits Transfer", async () => {
      const { registry, alice, carol, aliceToken } = await loadFixture(deployFixture);
      await expect(registry.connect(alice).transferFrom(alice.address, carol.address, aliceToken))
        .to.emit(registry, "Transfer")
        .withArgs(alice.address, carol.address, aliceToken);
      expect(await registry.ownerOf(aliceToken)).to.equal(carol.address);
      const pool = Workerpool__factory.connect(ethers.toBeHex(aliceToken, 20), ethers.provider);
      expect(await pool.owner()).to.equal(carol.address);
    });

    it("allows a self-transfer without changing anything but the event", async () => {
      const { registry, alice, aliceToken } = await loadFixture(deployFixture);
      await expect(registry.connect(alice).transferFrom(alice.address, alice.address, aliceToken))
        .to.emit(registry, "Transfer")
        .withArgs(alice.address, alice.address, aliceToken);
      expect(await registry.balanceOf(alice.address)).to.equal(1n);
      expect(await registry.tokenOfOwnerByIndex(alice.address, 0)).to.equal(aliceToken);
    });

    it("reverts in OpenZeppelin's order: receiver, existence, authorization, owner", async () => {
      const { registry, alice, bob, carol, aliceToken, bobToken } = await loadFixture(deployFixture);
      await expect(registry.connect(alice).transferFrom(alice.address, ethers.ZeroAddress, aliceToken))
        .to.be.revertedWithCustomError(registry, "ERC721InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await expect(registry.connect(alice).transferFrom(alice.address, bob.address, 42n))
        .to.be.revertedWithCustomError(registry, "ERC721NonexistentToken")
        .withArgs(42n);
      await expect(registry.connect(carol).transferFrom(alice.address, carol.address, aliceToken))
        .to.be.revertedWithCustomError(registry, "ERC721InsufficientApproval")
        .withArgs(carol.address, aliceToken);
      // Authorized (owner) but `from` is wrong.
      await expect(registry.connect(alice).transferFrom(bob.address, carol.address, aliceToken))
        .to.be.revertedWithCustomError(registry, "ERC721IncorrectOwner")
        .withArgs(bob.address, aliceToken, alice.address);
      // Alice cannot move Bob's token by naming herself.
      await expect(registry.connect(alice).transferFrom(alice.address, carol.address, bobToken))
        .to.be.revertedWithCustomError(registry, "ERC721InsufficientApproval")
        .withArgs(alice.address, bobToken);
    });

    it("lets the approved account transfer once: the approval is cleared", async () => {
      const { registry, alice, bob, carol, aliceToken } = await loadFixture(deployFixture);
      await expect(registry.connect(alice).approve(carol.address, aliceToken))
        .to.emit(registry, "Approval")
        .withArgs(alice.address, carol.address, aliceToken);
      expect(await registry.getApproved(aliceToken)).to.equal(carol.address);
      await registry.connect(carol).transferFrom(alice.address, bob.address, aliceToken);
      expect(await registry.ownerOf(aliceToken)).to.equal(bob.address);
      expect(await registry.getApproved(aliceToken)).to.equal(ethers.ZeroAddress);
      await expect(registry.connect(carol).transferFrom(bob.address, carol.address, aliceToken))
        .to.be.revertedWithCustomError(registry, "ERC721InsufficientApproval")
        .withArgs(carol.address, aliceToken);
    });

    it("clears the approval on a transfer by the owner too", async () => {
      const { registry, alice, bob, carol, aliceToken } = await loadFixture(deployFixture);
      await registry.connect(alice).approve(carol.address, aliceToken);
      await registry.connect(alice).transferFrom(alice.address, bob.address, aliceToken);
      expect(await registry.getApproved(aliceToken)).to.equal(ethers.ZeroAddress);
    });

    it("lets operators transfer and approve, until revoked", async () => {
      const { registry, alice, bob, carol, dave, aliceToken } = await loadFixture(deployFixture);
      await expect(registry.connect(alice).setApprovalForAll(carol.address, true))
        .to.emit(registry, "ApprovalForAll")
        .withArgs(alice.address, carol.address, true);
      expect(await registry.isApprovedForAll(alice.address, carol.address)).to.equal(true);
      expect(await registry.isApprovedForAll(carol.address, alice.address)).to.equal(false);
      // An operator may approve someone else for the owner's token.
      await expect(registry.connect(carol).approve(dave.address, aliceToken))
        .to.emit(registry, "Approval")
        .withArgs(alice.address, dave.address, aliceToken);
      expect(await registry.getApproved(aliceToken)).to.equal(dave.address);
      await expect(registry.connect(alice).setApprovalForAll(carol.address, false))
        .to.emit(registry, "ApprovalForAll")
        .withArgs(alice.address, carol.address, false);
      await expect(registry.connect(carol).transferFrom(alice.address, bob.address, aliceToken))
        .to.be.revertedWithCustomError(registry, "ERC721InsufficientApproval")
        .withArgs(carol.address, aliceToken);
      await registry.connect(alice).setApprovalForAll(carol.address, true);
      await registry.connect(carol).transferFrom(alice.address, bob.address, aliceToken);
      expect(await registry.ownerOf(aliceToken)).to.equal(bob.address);
    });

    it("rejects approvals by others, of missing tokens, and the zero operator", async () => {
      const { registry, alice, carol, aliceToken } = await loadFixture(deployFixture);
      await expect(registry.connect(carol).approve(carol.address, aliceToken))
        .to.be.revertedWithCustomError(registry, "ERC721InvalidApprover")
        .withArgs(carol.address);
      await expect(registry.connect(alice).approve(carol.address, 7n))
        .to.be.revertedWithCustomError(registry, "ERC721NonexistentToken")
        .withArgs(7n);
      await expect(registry.getApproved(7n))
        .to.be.revertedWithCustomError(registry, "ERC721NonexistentToken")
        .withArgs(7n);
      await expect(registry.connect(alice).setApprovalForAll(ethers.ZeroAddress, true))
        .to.be.revertedWithCustomError(registry, "ERC721InvalidOperator")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("safe transfers", () => {
    async function receiver(behaviour: Receiver) {
      const [admin] = await ethers.getSigners();
      return new ERC721ReceiverMock__factory(admin).deploy(behaviour);
    }

    it("transfers to an EOA without a callback", async () => {
      const { registry, alice, carol, aliceToken } = await loadFixture(deployFixture);
      await registry
        .connect(alice)
        ["safeTransferFrom(address,address,uint256)"](alice.address, carol.address, aliceToken);
      expect(await registry.ownerOf(aliceToken)).to.equal(carol.address);
    });

    it("calls onERC721Received with the operator, sender, token and data", async () => {
      const { registry, alice, carol, aliceToken, bobToken, bob } = await loadFixture(deployFixture);
      const mock = await receiver(Receiver.Accept);
      const to = await mock.getAddress();
      await registry.connect(alice).setApprovalForAll(carol.address, true);
      await expect(
        registry
          .connect(carol)
          ["safeTransferFrom(address,address,uint256,bytes)"](alice.address, to, aliceToken, "0xc0ffee"),
      )
        .to.emit(mock, "Received")
        .withArgs(carol.address, alice.address, aliceToken, "0xc0ffee");
      expect(await registry.ownerOf(aliceToken)).to.equal(to);
      await expect(
        registry.connect(bob)["safeTransferFrom(address,address,uint256)"](bob.address, to, bobToken),
      )
        .to.emit(mock, "Received")
        .withArgs(bob.address, bob.address, bobToken, "0x");
    });

    it("reverts when the receiver answers a wrong value or reverts without data", async () => {
      const { registry, alice, aliceToken } = await loadFixture(deployFixture);
      for (const behaviour of [Receiver.WrongValue, Receiver.RevertEmpty]) {
        const to = await (await receiver(behaviour)).getAddress();
        await expect(
          registry.connect(alice)["safeTransferFrom(address,address,uint256)"](alice.address, to, aliceToken),
        )
          .to.be.revertedWithCustomError(registry, "ERC721InvalidReceiver")
          .withArgs(to);
      }
      // A contract without onERC721Received at all.
      const to = await registry.getAddress();
      await expect(
        registry.connect(alice)["safeTransferFrom(address,address,uint256)"](alice.address, to, aliceToken),
      )
        .to.be.revertedWithCustomError(registry, "ERC721InvalidReceiver")
        .withArgs(to);
      expect(await registry.ownerOf(aliceToken)).to.equal(alice.address);
    });

    it("bubbles up the receiver's own revert reason", async () => {
      const { registry, alice, aliceToken } = await loadFixture(deployFixture);
      const mock = await receiver(Receiver.RevertWithError);
      await expect(
        registry
          .connect(alice)
          ["safeTransferFrom(address,address,uint256,bytes)"](
            alice.address,
            await mock.getAddress(),
            aliceToken,
            "0x",
          ),
      )
        .to.be.revertedWithCustomError(mock, "ERC721ReceiverMockRejected")
        .withArgs(aliceToken);
      expect(await registry.ownerOf(aliceToken)).to.equal(alice.address);
    });
  });

  describe("administration", () => {
    it("is Ownable: transfer and renounce with OpenZeppelin's errors", async () => {
      const { registry, admin, alice } = await loadFixture(deployFixture);
      expect(await registry.owner()).to.equal(admin.address);
      await expect(registry.connect(alice).transferOwnership(alice.address))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      await expect(registry.transferOwnership(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "OwnableInvalidOwner")
        .withArgs(ethers.ZeroAddress);
      await expect(registry.transferOwnership(alice.address))
        .to.emit(registry, "OwnershipTransferred")
        .withArgs(admin.address, alice.address);
      await registry.connect(alice).setBaseURI("ok/");
      await expect(registry.connect(admin).setBaseURI("no/")).to.be.revertedWithCustomError(
        registry,
        "OwnableUnauthorizedAccount",
      );
      await expect(registry.connect(alice).renounceOwnership())
        .to.emit(registry, "OwnershipTransferred")
        .withArgs(alice.address, ethers.ZeroAddress);
      expect(await registry.owner()).to.equal(ethers.ZeroAddress);
    });

    it("takes its owner as a constructor argument", async () => {
      const [admin, alice] = await ethers.getSigners();
      const registry = await new AppRegistry__factory(admin).deploy(alice.address);
      expect(await registry.owner()).to.equal(alice.address);
      const factory = new AppRegistry__factory(admin);
      await expect(factory.deploy(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(factory, "OwnableInvalidOwner")
        .withArgs(ethers.ZeroAddress);
    });

    it("chains isRegistered through previous registries, set once by the owner", async () => {
      const [admin, alice] = await ethers.getSigners();
      const first = await new AppRegistry__factory(admin).deploy(admin.address);
      const second = await new AppRegistry__factory(admin).deploy(admin.address);
      const third = await new AppRegistry__factory(admin).deploy(admin.address);
      const args = [alice.address, "a", "DOCKER", "0x01", ethers.ZeroHash, "0x"] as const;
      const oldApp = await first.predictApp(...args);
      await first.createApp(...args);
      const newApp = await third.predictApp(...args);
      await third.createApp(...args);
      const unknown = ethers.Wallet.createRandom().address;

      expect(await third.initialized()).to.equal(false);
      expect(await third.previous()).to.equal(ethers.ZeroAddress);
      expect(await third.isRegistered(oldApp)).to.equal(false);
      await expect(third.connect(alice).initialize(await second.getAddress()))
        .to.be.revertedWithCustomError(third, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);

      await second.initialize(await first.getAddress());
      await third.initialize(await second.getAddress());
      expect(await third.initialized()).to.equal(true);
      expect(await third.previous()).to.equal(await second.getAddress());
      expect(await third.isRegistered(oldApp)).to.equal(true);
      expect(await third.isRegistered(newApp)).to.equal(true);
      expect(await third.isRegistered(unknown)).to.equal(false);
      expect(await second.isRegistered(newApp)).to.equal(false);
      // Ownership of a previous registry's asset stays with that registry.
      expect(await App__factory.connect(oldApp, ethers.provider).owner()).to.equal(alice.address);

      await expect(third.initialize(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(third, "RegistryAlreadyInitialized")
        .withArgs(await second.getAddress());
      // Initializing with no previous registry still counts as the one call.
      await first.initialize(ethers.ZeroAddress);
      expect(await first.initialized()).to.equal(true);
      expect(await first.isRegistered(unknown)).to.equal(false);
      await expect(first.initialize(await second.getAddress()))
        .to.be.revertedWithCustomError(first, "RegistryAlreadyInitialized")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("ENS reverse records", () => {
    async function ensFixture() {
      const base = await deployFixture();
      const ens = await new ENSMock__factory(base.admin).deploy();
      const registrar = await new ENSReverseRegistrarMock__factory(base.admin).deploy();
      // namehash computed independently of the contracts' constant.
      await ens.setOwner(ethers.namehash("addr.reverse"), await registrar.getAddress());
      return { ...base, ens, registrar };
    }

    it("uses namehash('addr.reverse')", () => {
      expect(ethers.namehash("addr.reverse")).to.equal(ADDR_REVERSE_NODE);
    });

    it("lets the registry owner set the registry's name", async () => {
      const { registry, admin, alice, ens, registrar } = await loadFixture(ensFixture);
      const registryAddress = await registry.getAddress();
      await expect(registry.connect(admin).setName(await ens.getAddress(), "pools.iexec.eth"))
        .to.emit(registrar, "NameChanged")
        .withArgs(registryAddress, "pools.iexec.eth");
      expect(await registrar.names(registryAddress)).to.equal("pools.iexec.eth");
      await expect(registry.connect(alice).setName(await ens.getAddress(), "evil.eth"))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
    });

    it("lets the asset owner set the asset's name, and nobody else", async () => {
      const { registry, alice, bob, ens, registrar, aliceToken } = await loadFixture(ensFixture);
      const poolAddress = ethers.getAddress(ethers.toBeHex(aliceToken, 20));
      const pool = Workerpool__factory.connect(poolAddress, alice);
      await expect(pool.setName(await ens.getAddress(), "alice-pool.eth"))
        .to.emit(registrar, "NameChanged")
        .withArgs(poolAddress, "alice-pool.eth");
      expect(await registrar.names(poolAddress)).to.equal("alice-pool.eth");
      await expect(pool.connect(bob).setName(await ens.getAddress(), "bob.eth"))
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(bob.address);
      await registry.connect(alice).transferFrom(alice.address, bob.address, aliceToken);
      await pool.connect(bob).setName(await ens.getAddress(), "bob-pool.eth");
      expect(await registrar.names(poolAddress)).to.equal("bob-pool.eth");
    });

    it("reverts when the ENS registry has no reverse registrar", async () => {
      const { registry, admin } = await loadFixture(ensFixture);
      const emptyEns = await new ENSMock__factory(admin).deploy();
      await expect(registry.setName(await emptyEns.getAddress(), "x.eth")).to.be.reverted;
    });
  });

  describe("ABI compatibility with the reference contracts", () => {
    const reference = (name: string) => {
      const json = JSON.parse(
        readFileSync(join(__dirname, "../../reference/poco-abi", `${name}.json`), "utf8"),
      );
      return new ethers.Interface(Array.isArray(json) ? json : json.abi);
    };
    // Names and types, inputs and outputs; parameter names may differ.
    const signatures = (iface: InstanceType<typeof ethers.Interface>) => {
      const out = new Set<string>();
      iface.forEachFunction((f) =>
        out.add(`${f.format("sighash")}->(${f.outputs.map((o) => o.format()).join(",")})`),
      );
      iface.forEachEvent((e) => out.add(e.format("full").replace(/ \w+(?=[,)])/g, "")));
      return out;
    };
    const pairs: [string, string][] = [
      ["AppRegistry", "AppRegistry"],
      ["DatasetRegistry", "DatasetRegistry"],
      ["WorkerpoolRegistry", "WorkerpoolRegistry"],
      ["App", "App"],
      ["Dataset", "Dataset"],
      ["Workerpool", "Workerpool"],
      ["IRegistry", "contracts/interfaces/IRegistry.sol:IRegistry"],
    ];
    for (const [ref, ours] of pairs) {
      it(`${ours} has every function and event of the reference ${ref}`, async () => {
        const expected = signatures(reference(ref));
        const actual = signatures(new ethers.Interface((await artifacts.readArtifact(ours)).abi));
        expect(expected.size).to.be.greaterThan(3);
        const missing = [...expected].filter((s) => !actual.has(s));
        expect(missing).to.deep.equal([]);
      });
    }
  });
});
