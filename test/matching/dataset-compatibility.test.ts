import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { toBeHex } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { PRICES, matchArgs, matchSetup, signedOrders } from "./fixtures";
import {
  OrderOperation,
  computeDealId,
  datasetOrder,
  hashOrder,
  signOrder,
  type DatasetOrder,
} from "../../src/sdk";

const DEAL_TAG = toBeHex(0b10n, 32);

/**
 * matchSetup plus two deals of volume 1: `dealId`, matched without a dataset (tag 0b10), and
 * `dealWithDataset`, whose dataset order `consumedOrder` is now fully consumed.
 */
async function compatibilitySetup() {
  const s = await matchSetup();
  const withoutDataset = await signedOrders(s, {
    noDataset: true,
    workerpool: { tag: toBeHex(0b11n, 32) },
    request: { tag: DEAL_TAG },
  });
  const withDataset = await signedOrders(s);
  for (const orders of [withoutDataset, withDataset])
    await (await s.hub.matchOrders(...matchArgs(orders))).wait();
  const dealOf = (orders: typeof withDataset) =>
    computeDealId(hashOrder(s.domain, "request", orders.request), 0n);
  return {
    ...s,
    stranger: s.others[0],
    dealId: dealOf(withoutDataset),
    dealWithDataset: dealOf(withDataset),
    consumedOrder: withDataset.dataset,
  };
}
type Setup = Awaited<ReturnType<typeof compatibilitySetup>>;

/** A dataset order to check against a deal: its fields besides the defaults, its signer, the deal. */
interface Probe {
  fields: Partial<DatasetOrder>;
  signer: HardhatEthersSigner;
  dealId: string;
}

const SALT = ethers.id("openpoco.test.dataset-compatibility");

/** Signs the probe's dataset order and checks it against the probe's deal. */
async function check(s: Setup, probe: Probe): Promise<void> {
  const fields = { dataset: s.dataset, datasetprice: PRICES.dataset, salt: SALT, ...probe.fields };
  const order = await signOrder(probe.signer, s.domain, "dataset", datasetOrder(fields));
  await s.hub.assertDatasetDealCompatibility(order, probe.dealId);
}

const expectReason = (s: Setup, probe: Probe, reason: string) =>
  expect(check(s, probe)).to.be.revertedWithCustomError(s.hub, "IncompatibleDatasetOrder").withArgs(reason);

const valid = (s: Setup): Probe => ({ fields: {}, signer: s.datasetOwner, dealId: s.dealId });

/** Each reason of the spec, in check order, with a fault that raises it. */
const FAULTS: { reason: string; apply: (s: Setup, probe: Probe) => Probe }[] = [
  {
    reason: "Dataset order is revoked or fully consumed",
    apply: (_, p) => ({ ...p, fields: { ...p.fields, volume: 0n } }),
  },
  {
    reason: "Dataset not registered",
    apply: (s, p) => ({ ...p, fields: { ...p.fields, dataset: s.stranger.address } }),
  },
  { reason: "Invalid dataset order signature", apply: (s, p) => ({ ...p, signer: s.stranger }) },
  { reason: "Deal not found", apply: (_, p) => ({ ...p, dealId: ethers.id("no such deal") }) },
  { reason: "Deal already has a dataset", apply: (s, p) => ({ ...p, dealId: s.dealWithDataset }) },
  {
    reason: "App restriction not satisfied",
    apply: (s, p) => ({ ...p, fields: { ...p.fields, apprestrict: s.stranger.address } }),
  },
  {
    reason: "Workerpool restriction not satisfied",
    apply: (s, p) => ({ ...p, fields: { ...p.fields, workerpoolrestrict: s.stranger.address } }),
  },
  {
    reason: "Requester restriction not satisfied",
    apply: (s, p) => ({ ...p, fields: { ...p.fields, requesterrestrict: s.stranger.address } }),
  },
  {
    reason: "Tag compatibility not satisfied",
    apply: (_, p) => ({ ...p, fields: { ...p.fields, tag: toBeHex(0b01n, 32) } }),
  },
];

describe("assertDatasetDealCompatibility", () => {
  it("passes for a live, signed dataset order that admits the dataset-less deal", async () => {
    const s = await loadFixture(compatibilitySetup);
    await expect(check(s, valid(s))).not.to.be.reverted;
    const admitting = {
      apprestrict: s.app,
      workerpoolrestrict: s.workerpool,
      requesterrestrict: s.requester.address,
    };
    await expect(check(s, { ...valid(s), fields: { ...admitting, tag: DEAL_TAG } })).not.to.be.reverted;
  });

  it("passes for a presigned dataset order with an empty sign", async () => {
    const s = await loadFixture(compatibilitySetup);
    const order = datasetOrder({ dataset: s.dataset, volume: 3n });
    await (
      await s.hub
        .connect(s.datasetOwner)
        .manageDatasetOrder({ order, operation: OrderOperation.SIGN, sign: "0x" })
    ).wait();
    await expect(s.hub.assertDatasetDealCompatibility(order, s.dealId)).not.to.be.reverted;
    await expect(s.hub.assertDatasetDealCompatibility(order, s.dealWithDataset))
      .to.be.revertedWithCustomError(s.hub, "IncompatibleDatasetOrder")
      .withArgs("Deal already has a dataset");
  });

  FAULTS.forEach(({ reason }, i) => {
    it(`"${reason}", alone and ahead of every later fault`, async () => {
      const s = await loadFixture(compatibilitySetup);
      await expectReason(s, FAULTS[i].apply(s, valid(s)), reason);
      // Applied last to first, so that on a shared field (the deal id) the earlier fault wins.
      const all = FAULTS.slice(i).reduceRight((probe, fault) => fault.apply(s, probe), valid(s));
      await expectReason(s, all, reason);
    });
  });

  it('"Dataset order is revoked or fully consumed" for a closed order and a consumed one', async () => {
    const s = await loadFixture(compatibilitySetup);
    const closed = datasetOrder({ dataset: s.dataset, volume: 2n });
    const signed = await signOrder(s.datasetOwner, s.domain, "dataset", closed);
    await expect(s.hub.assertDatasetDealCompatibility(signed, s.dealId)).not.to.be.reverted;
    await (
      await s.hub
        .connect(s.datasetOwner)
        .manageDatasetOrder({ order: closed, operation: OrderOperation.CLOSE, sign: "0x" })
    ).wait();
    for (const order of [signed, s.consumedOrder]) {
      await expect(s.hub.assertDatasetDealCompatibility(order, s.dealId))
        .to.be.revertedWithCustomError(s.hub, "IncompatibleDatasetOrder")
        .withArgs("Dataset order is revoked or fully consumed");
    }
  });
});
