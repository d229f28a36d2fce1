import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { Interface, MaxUint256, ZeroAddress, ZeroHash, toBeHex } from "ethers";
import type { Result } from "ethers";
import { DEFAULT_CATEGORIES } from "../../deploy/03_categories";
import { readReferenceAbi } from "../abi/signatures";
import { computeDealId, createSalt, hashOrder, signOrder } from "../../src/sdk";
import { matchArgs, matchSetup, signedOrders, type MatchSetup } from "../matching/fixtures";
import {
  App__factory,
  AppRegistry__factory,
  Dataset__factory,
  Workerpool__factory,
  type IHub,
  type IRegistry,
} from "../../typechain-types";

/** Workerpool policy set before the matches, away from the defaults (30, 1) and from every other deal value. */
const POLICY = { workerStakeRatio: 40n, schedulerRewardRatio: 7n };
const PARAMS = '{"iexec_args":"--verbose"}';
const tag = (bits: bigint) => toBeHex(bits, 32);

/** A multi-value return as a plain array, for deep equality. */
const flat = (value: unknown) => (value as Result).toArray();
/** A struct return as a plain (deep) object, for deep equality. */
const plain = (value: unknown) => (value as Result).toObject(true);

/** The fields of viewDeal each legacy view returns, in its order. */
async function expectedLegacy(hub: IHub, id: string) {
  const d = await hub.viewDeal(id);
  return {
    pt1: [
      d.app.pointer,
      d.app.owner,
      d.app.price,
      d.dataset.pointer,
      d.dataset.owner,
      d.dataset.price,
      d.workerpool.pointer,
      d.workerpool.owner,
      d.workerpool.price,
    ],
    pt2: [d.trust, d.tag, d.requester, d.beneficiary, d.callback, d.params],
    config: [d.category, d.startTime, d.botFirst, d.botSize, d.workerStake, d.schedulerRewardRatio],
  };
}

async function legacyOf(hub: IHub, id: string) {
  return {
    pt1: flat(await hub.viewDealABILegacy_pt1(id)),
    pt2: flat(await hub.viewDealABILegacy_pt2(id)),
    config: flat(await hub.viewConfigABILegacy(id)),
  };
}

async function registryOf(hub: IHub, kind: "app" | "dataset" | "workerpool"): Promise<IRegistry> {
  const address = await {
    app: hub.appregistry,
    dataset: hub.datasetregistry,
    workerpool: hub.workerpoolregistry,
  }[kind]();
  return (await ethers.getContractAt("IRegistry", address)) as unknown as IRegistry;
}

interface LegacySetup extends MatchSetup {
  /** Every optional deal field set: dataset, beneficiary, callback, tag, params; category 2, 3 tasks. */
  full: string;
  /** The next 2 tasks of the same request (botFirst 3), with a second workerpool order. */
  next: string;
  /** No dataset, beneficiary = requester, no callback, tag or params. */
  bare: string;
}

/**
 * The match scenario with the workerpool policy at POLICY, then three deals: `full` and `next` from one
 * request of volume 5 (workerpool orders of volume 3 and 2), and `bare`.
 */
async function legacySetup(): Promise<LegacySetup> {
  const s = await matchSetup();
  const { hub, requester, domain } = s;
  const [beneficiary, callback] = s.others;
  const pool = Workerpool__factory.connect(s.workerpool, s.scheduler);
  await (await pool.changePolicy(POLICY.workerStakeRatio, POLICY.schedulerRewardRatio)).wait();

  const orders = await signedOrders(s, {
    app: { volume: 5n, tag: tag(0b001n) },
    dataset: { volume: 5n, tag: tag(0b100n) },
    workerpool: { volume: 3n, tag: tag(0b1111n), category: 2n, trust: 5n },
    request: {
      volume: 5n,
      tag: tag(0b010n),
      category: 2n,
      trust: 3n,
      beneficiary: beneficiary.address,
      callback: callback.address,
      params: PARAMS,
    },
  });
  const requestHash = hashOrder(domain, "request", orders.request);
  await (await hub.connect(requester).matchOrders(...matchArgs(orders))).wait();
  const secondPool = await signOrder(s.scheduler, domain, "workerpool", {
    ...orders.workerpool,
    volume: 2n,
    salt: createSalt(),
  });
  await (
    await hub.connect(requester).matchOrders(...matchArgs({ ...orders, workerpool: secondPool }))
  ).wait();

  const bareOrders = await signedOrders(s, { noDataset: true });
  await (await hub.connect(requester).matchOrders(...matchArgs(bareOrders))).wait();

  return {
    ...s,
    full: computeDealId(requestHash, 0n),
    next: computeDealId(requestHash, 3n),
    bare: computeDealId(hashOrder(domain, "request", bareOrders.request), 0n),
  };
}

describe("LegacyAccessorsFacet", () => {
  describe("deals: viewDealABILegacy_pt1, viewDealABILegacy_pt2, viewConfigABILegacy", () => {
    it("return the fields of viewDeal for a deal with every optional field", async () => {
      const s = await loadFixture(legacySetup);
      const { hub, full } = s;
      const deal = await hub.viewDeal(full);
      // The deal's values are pairwise distinct where a legacy view could mix them up.
      expect([deal.app.pointer, deal.dataset.pointer, deal.workerpool.pointer]).to.deep.equal([
        s.app,
        s.dataset,
        s.workerpool,
      ]);
      expect([deal.app.owner, deal.dataset.owner, deal.workerpool.owner]).to.deep.equal([
        s.appOwner.address,
        s.datasetOwner.address,
        s.scheduler.address,
      ]);
      expect([deal.app.price, deal.dataset.price, deal.workerpool.price]).to.deep.equal([
        5n * 10n ** 9n,
        3n * 10n ** 9n,
        20n * 10n ** 9n,
      ]);
      expect([deal.requester, deal.beneficiary, deal.callback, deal.params]).to.deep.equal([
        s.requester.address,
        s.others[0].address,
        s.others[1].address,
        PARAMS,
      ]);
      expect(deal.tag).to.equal(tag(0b111n));
      expect(deal.trust).to.equal(3n);
      expect([deal.category, deal.botFirst, deal.botSize, deal.schedulerRewardRatio]).to.deep.equal([
        2n,
        0n,
        3n,
        POLICY.schedulerRewardRatio,
      ]);
      expect(deal.workerStake).to.equal((20n * 10n ** 9n * POLICY.workerStakeRatio) / 100n);
      expect(deal.startTime).to.be.greaterThan(0n);

      expect(await legacyOf(hub, full)).to.deep.equal(await expectedLegacy(hub, full));
    });

    it("return the fields of viewDeal for the next tasks of the same request (botFirst > 0)", async () => {
      const { hub, full, next } = await loadFixture(legacySetup);
      const deal = await hub.viewDeal(next);
      expect([deal.botFirst, deal.botSize]).to.deep.equal([3n, 2n]);
      const legacy = await legacyOf(hub, next);
      expect(legacy).to.deep.equal(await expectedLegacy(hub, next));
      expect(legacy.config).to.not.deep.equal((await legacyOf(hub, full)).config);
    });

    it("return the fields of viewDeal for a deal without dataset, beneficiary, callback, tag or params", async () => {
      const s = await loadFixture(legacySetup);
      const { hub, bare } = s;
      const legacy = await legacyOf(hub, bare);
      expect(legacy).to.deep.equal(await expectedLegacy(hub, bare));
      expect(legacy.pt1.slice(0, 6)).to.deep.equal([
        s.app,
        s.appOwner.address,
        5n * 10n ** 9n,
        ZeroAddress,
        ZeroAddress,
        0n,
      ]);
      expect(legacy.pt2).to.deep.equal([
        1n,
        ZeroHash,
        s.requester.address,
        s.requester.address,
        ZeroAddress,
        "",
      ]);
    });

    it("return zeros for an unknown deal, like viewDeal", async () => {
      const { hub, full } = await loadFixture(legacySetup);
      for (const id of [ethers.id("no such deal"), ZeroHash, ethers.toBeHex(BigInt(full) + 1n, 32)]) {
        expect(await legacyOf(hub, id)).to.deep.equal({
          pt1: [ZeroAddress, ZeroAddress, 0n, ZeroAddress, ZeroAddress, 0n, ZeroAddress, ZeroAddress, 0n],
          pt2: [0n, ZeroHash, ZeroAddress, ZeroAddress, ZeroAddress, ""],
          config: [0n, 0n, 0n, 0n, 0n, 0n],
        });
        expect(await legacyOf(hub, id)).to.deep.equal(await expectedLegacy(hub, id));
      }
    });

    it("decode with the reference ABI to the same values", async () => {
      const { hub, full } = await loadFixture(legacySetup);
      const reference = new Interface(readReferenceAbi("IexecInterfaceToken.json") as never);
      const to = await hub.getAddress();
      const call = async (name: string) => {
        const data = await ethers.provider.call({ to, data: reference.encodeFunctionData(name, [full]) });
        return reference.decodeFunctionResult(name, data).toArray();
      };
      const expected = await expectedLegacy(hub, full);
      expect(await call("viewDealABILegacy_pt1")).to.deep.equal(expected.pt1);
      expect(await call("viewDealABILegacy_pt2")).to.deep.equal(expected.pt2);
      expect(await call("viewConfigABILegacy")).to.deep.equal(expected.config);
    });
  });

  describe("viewAccountABILegacy", () => {
    it("returns viewAccount's balance and frozen balance", async () => {
      const s = await loadFixture(legacySetup);
      const { hub, requester, scheduler } = s;
      for (const account of [requester.address, scheduler.address]) {
        const { stake, locked } = await hub.viewAccount(account);
        // Both parts set and different: a swap or a dropped part would show.
        expect(stake).to.be.greaterThan(0n);
        expect(locked).to.be.greaterThan(0n);
        expect(stake).to.not.equal(locked);
        expect(flat(await hub.viewAccountABILegacy(account))).to.deep.equal([stake, locked]);
        expect(flat(await hub.viewAccountABILegacy(account))).to.deep.equal([
          await hub.balanceOf(account),
          await hub.frozenOf(account),
        ]);
      }
      // The requester locked the price of 3 + 2 tasks at 28 RLC and 1 task at 25 RLC.
      expect(flat(await hub.viewAccountABILegacy(requester.address))).to.deep.equal([
        (1000n - 5n * 28n - 25n) * 10n ** 9n,
        (5n * 28n + 25n) * 10n ** 9n,
      ]);
      expect(flat(await hub.viewAccountABILegacy(s.others[5].address))).to.deep.equal([0n, 0n]);
    });
  });

  describe("viewCategoryABILegacy", () => {
    it("returns viewCategory's name, description and time reference", async () => {
      const { hub } = await loadFixture(legacySetup);
      await (await hub.createCategory("GPU", '{"gpu":true}', 7200)).wait();
      const expected = [
        ...DEFAULT_CATEGORIES.map((c) => [c.name, c.description, BigInt(c.workClockTimeRef)]),
        ["GPU", '{"gpu":true}', 7200n],
      ];
      for (let id = 0; id < expected.length; id++) {
        const category = await hub.viewCategory(id);
        const legacy = flat(await hub.viewCategoryABILegacy(id));
        expect(legacy).to.deep.equal([category.name, category.description, category.workClockTimeRef]);
        expect(legacy).to.deep.equal(expected[id]);
      }
    });

    it("reverts with UnknownCategory for an unknown id, like viewCategory", async () => {
      const { hub } = await loadFixture(legacySetup);
      await expect(hub.viewCategoryABILegacy(5))
        .to.be.revertedWithCustomError(hub, "UnknownCategory")
        .withArgs(5n, 5n);
      await (await hub.createCategory("GPU", "", 7200)).wait();
      expect(flat(await hub.viewCategoryABILegacy(5))).to.deep.equal(["GPU", "", 7200n]);
      for (const id of [6n, MaxUint256]) {
        await expect(hub.viewCategoryABILegacy(id))
          .to.be.revertedWithCustomError(hub, "UnknownCategory")
          .withArgs(id, 6n);
        await expect(hub.viewCategory(id))
          .to.be.revertedWithCustomError(hub, "UnknownCategory")
          .withArgs(id, 6n);
      }
    });
  });

  describe("viewApp, viewDataset, viewWorkerpool", () => {
    it("viewApp returns the app's owner and getters", async () => {
      const s = await loadFixture(legacySetup);
      const { hub, appOwner } = s;
      // A TEE app too, so that the multiaddr and the enclave are both set and different.
      const apps = AppRegistry__factory.connect(await hub.appregistry(), appOwner);
      const teeArgs = [
        appOwner.address,
        "tee-app",
        "DOCKER",
        ethers.toUtf8Bytes("docker.io/org/tee-app:2.0.0"),
        ethers.id("tee-checksum"),
        ethers.toUtf8Bytes('{"provider":"SCONE","version":"v5"}'),
      ] as const;
      const tee = await apps.predictApp(...teeArgs);
      await (await apps.createApp(...teeArgs)).wait();

      const literal = {
        [s.app]: ["my-app", "DOCKER", "docker.io/org/app:1.0.0", ethers.id("app-checksum"), "0x"],
        [tee]: [
          "tee-app",
          "DOCKER",
          "docker.io/org/tee-app:2.0.0",
          ethers.id("tee-checksum"),
          ethers.hexlify(ethers.toUtf8Bytes('{"provider":"SCONE","version":"v5"}')),
        ],
      };
      for (const address of [s.app, tee]) {
        const app = App__factory.connect(address, ethers.provider);
        const info = plain(await hub.viewApp(address));
        expect(info).to.deep.equal({
          owner: await app.owner(),
          m_appName: await app.m_appName(),
          m_appType: await app.m_appType(),
          m_appMultiaddr: await app.m_appMultiaddr(),
          m_appChecksum: await app.m_appChecksum(),
          m_appMREnclave: await app.m_appMREnclave(),
        });
        const [name, type, multiaddr, checksum, mrenclave] = literal[address];
        expect(info).to.deep.equal({
          owner: appOwner.address,
          m_appName: name,
          m_appType: type,
          m_appMultiaddr: ethers.hexlify(ethers.toUtf8Bytes(multiaddr)),
          m_appChecksum: checksum,
          m_appMREnclave: mrenclave,
        });
      }
    });

    it("viewDataset returns the dataset's owner and getters", async () => {
      const s = await loadFixture(legacySetup);
      const dataset = Dataset__factory.connect(s.dataset, ethers.provider);
      const info = plain(await s.hub.viewDataset(s.dataset));
      expect(info).to.deep.equal({
        owner: await dataset.owner(),
        m_datasetName: await dataset.m_datasetName(),
        m_datasetMultiaddr: await dataset.m_datasetMultiaddr(),
        m_datasetChecksum: await dataset.m_datasetChecksum(),
      });
      expect(info).to.deep.equal({
        owner: s.datasetOwner.address,
        m_datasetName: "my-dataset",
        m_datasetMultiaddr: ethers.hexlify(ethers.toUtf8Bytes("https://example.com/data.zip")),
        m_datasetChecksum: ethers.id("dataset-checksum"),
      });
    });

    it("viewWorkerpool returns the workerpool's owner, description and current policy", async () => {
      const s = await loadFixture(legacySetup);
      const pool = Workerpool__factory.connect(s.workerpool, s.scheduler);
      const expectInfo = async (workerStakeRatio: bigint, schedulerRewardRatio: bigint) => {
        const info = plain(await s.hub.viewWorkerpool(s.workerpool));
        expect(info).to.deep.equal({
          owner: await pool.owner(),
          m_workerpoolDescription: await pool.m_workerpoolDescription(),
          m_workerStakeRatioPolicy: await pool.m_workerStakeRatioPolicy(),
          m_schedulerRewardRatioPolicy: await pool.m_schedulerRewardRatioPolicy(),
        });
        expect(info).to.deep.equal({
          owner: s.scheduler.address,
          m_workerpoolDescription: "my-pool",
          m_workerStakeRatioPolicy: workerStakeRatio,
          m_schedulerRewardRatioPolicy: schedulerRewardRatio,
        });
      };
      await expectInfo(POLICY.workerStakeRatio, POLICY.schedulerRewardRatio);
      await (await pool.changePolicy(25n, 60n)).wait();
      await expectInfo(25n, 60n);
    });

    it("decode with the reference ABI to the same values", async () => {
      const s = await loadFixture(legacySetup);
      const reference = new Interface(readReferenceAbi("IexecInterfaceToken.json") as never);
      const to = await s.hub.getAddress();
      const call = async (name: string, asset: string) => {
        const data = await ethers.provider.call({ to, data: reference.encodeFunctionData(name, [asset]) });
        return reference.decodeFunctionResult(name, data)[0].toObject(true);
      };
      expect(await call("viewApp", s.app)).to.deep.equal(plain(await s.hub.viewApp(s.app)));
      expect(await call("viewDataset", s.dataset)).to.deep.equal(plain(await s.hub.viewDataset(s.dataset)));
      expect(await call("viewWorkerpool", s.workerpool)).to.deep.equal(
        plain(await s.hub.viewWorkerpool(s.workerpool)),
      );
    });

    it("the owner follows a transfer of the asset's token; the deal keeps the owner at match time", async () => {
      const s = await loadFixture(legacySetup);
      const { hub, full } = s;
      const [, , newOwner] = s.others;
      const before = flat(await hub.viewDealABILegacy_pt1(full));
      const cases = [
        { kind: "app", asset: s.app, from: s.appOwner, view: () => hub.viewApp(s.app) },
        { kind: "dataset", asset: s.dataset, from: s.datasetOwner, view: () => hub.viewDataset(s.dataset) },
        {
          kind: "workerpool",
          asset: s.workerpool,
          from: s.scheduler,
          view: () => hub.viewWorkerpool(s.workerpool),
        },
      ] as const;
      for (const { kind, asset, from, view } of cases) {
        expect((await view()).owner).to.equal(from.address);
        const registry = await registryOf(hub, kind);
        await (
          await registry.connect(from).transferFrom(from.address, newOwner.address, BigInt(asset))
        ).wait();
        expect((await view()).owner).to.equal(newOwner.address);
        const contract = await ethers.getContractAt("IAsset", asset);
        expect(await contract.owner()).to.equal(newOwner.address);
      }
      expect(flat(await hub.viewDealABILegacy_pt1(full))).to.deep.equal(before);
      expect([before[1], before[4], before[7]]).to.deep.equal([
        s.appOwner.address,
        s.datasetOwner.address,
        s.scheduler.address,
      ]);
    });

    it("revert with UnknownAsset for an address the hub's registry does not have", async () => {
      const s = await loadFixture(legacySetup);
      const { hub, deployer } = s;
      // A real app, with working getters, but from another registry than the hub's.
      const foreignRegistry = await new AppRegistry__factory(deployer).deploy(deployer.address);
      const foreignArgs = [
        deployer.address,
        "foreign",
        "DOCKER",
        "0x1234",
        ethers.id("foreign"),
        "0x",
      ] as const;
      const foreign = await foreignRegistry.predictApp(...foreignArgs);
      await (await foreignRegistry.createApp(...foreignArgs)).wait();
      expect(await App__factory.connect(foreign, ethers.provider).m_appName()).to.equal("foreign");
      // An app address the hub's registry would deploy, but has not.
      const apps = AppRegistry__factory.connect(await hub.appregistry(), deployer);
      const predicted = await apps.predictApp(deployer.address, "later", "DOCKER", "0x", ZeroHash, "0x");

      const common = [ZeroAddress, s.others[5].address, await hub.getAddress(), await s.rlc.getAddress()];
      const views = {
        app: {
          view: (a: string) => hub.viewApp(a),
          unknown: [...common, foreign, predicted, s.dataset, s.workerpool],
        },
        dataset: { view: (a: string) => hub.viewDataset(a), unknown: [...common, s.app, s.workerpool] },
        workerpool: { view: (a: string) => hub.viewWorkerpool(a), unknown: [...common, s.app, s.dataset] },
      };
      for (const [kind, { view, unknown }] of Object.entries(views)) {
        for (const asset of unknown) {
          await expect(view(asset)).to.be.revertedWithCustomError(hub, "UnknownAsset").withArgs(kind, asset);
        }
      }
    });
  });
});
