import { ethers } from "hardhat";
import type { TypedDataDomain } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RLC_UNIT, createAssets, deployCore, fundAndDeposit, type Assets, type Core } from "../fixtures";
import {
  appOrder,
  datasetOrder,
  hashOrder,
  hubDomain,
  requestOrder,
  signOrder,
  workerpoolOrder,
  type AppOrder,
  type DatasetOrder,
  type RequestOrder,
  type WorkerpoolOrder,
} from "../../src/sdk";

/** The gas scenario's prices, in nRLC. */
export const PRICES = { app: 5n * RLC_UNIT, dataset: 3n * RLC_UNIT, workerpool: 20n * RLC_UNIT };

export interface MatchSetup extends Core, Assets {
  domain: TypedDataDomain;
  requester: HardhatEthersSigner;
  /** Accounts not used by the setup (for sponsors, strangers, groups...). */
  others: HardhatEthersSigner[];
}

/**
 * Core deployment, the scenario's app, dataset and workerpool, and funded escrow accounts: the requester
 * (accounts[0]) with 1000 RLC, the scheduler with 100 RLC.
 */
export async function matchSetup(): Promise<MatchSetup> {
  const core = await deployCore();
  const [requester, appOwner, datasetOwner, scheduler, ...others] = core.accounts;
  const assets = await createAssets(appOwner, datasetOwner, scheduler);
  await fundAndDeposit(core, requester, 1000n * RLC_UNIT);
  await fundAndDeposit(core, scheduler, 100n * RLC_UNIT);
  const { chainId } = await ethers.provider.getNetwork();
  return { ...core, ...assets, requester, others, domain: hubDomain(chainId, await core.hub.getAddress()) };
}

/** The four orders of a match, in `matchOrders` argument order. */
export interface OrderSet {
  app: AppOrder;
  dataset: DatasetOrder;
  workerpool: WorkerpoolOrder;
  request: RequestOrder;
}

export interface OrderOverrides {
  app?: Partial<AppOrder>;
  dataset?: Partial<DatasetOrder>;
  workerpool?: Partial<WorkerpoolOrder>;
  request?: Partial<RequestOrder>;
  /** Match without a dataset: an empty, unsigned dataset order and `request.dataset = 0`. */
  noDataset?: boolean;
}

/**
 * A compatible order set (the scenario's prices, volume 1, category 0, no restrictions), each order with
 * `overrides` applied and then signed by its owner: app owner, dataset owner, scheduler, requester.
 */
export async function signedOrders(setup: MatchSetup, overrides: OrderOverrides = {}): Promise<OrderSet> {
  const { domain } = setup;
  const noDataset = overrides.noDataset ?? false;
  const app = appOrder({ app: setup.app, appprice: PRICES.app, ...overrides.app });
  const dataset = noDataset
    ? datasetOrder({ salt: ethers.ZeroHash, volume: 0n, ...overrides.dataset })
    : datasetOrder({ dataset: setup.dataset, datasetprice: PRICES.dataset, ...overrides.dataset });
  const workerpool = workerpoolOrder({
    workerpool: setup.workerpool,
    workerpoolprice: PRICES.workerpool,
    ...overrides.workerpool,
  });
  const request = requestOrder({
    app: setup.app,
    appmaxprice: PRICES.app,
    dataset: noDataset ? ethers.ZeroAddress : setup.dataset,
    datasetmaxprice: noDataset ? 0n : PRICES.dataset,
    workerpool: ethers.ZeroAddress,
    workerpoolmaxprice: PRICES.workerpool,
    requester: setup.requester.address,
    beneficiary: setup.requester.address,
    ...overrides.request,
  });
  return {
    app: await signOrder(setup.appOwner, domain, "app", app),
    dataset: noDataset ? dataset : await signOrder(setup.datasetOwner, domain, "dataset", dataset),
    workerpool: await signOrder(setup.scheduler, domain, "workerpool", workerpool),
    request: await signOrder(setup.requester, domain, "request", request),
  };
}

/** `matchOrders`/`sponsorMatchOrders` arguments of an order set. */
export function matchArgs(orders: OrderSet): [AppOrder, DatasetOrder, WorkerpoolOrder, RequestOrder] {
  return [orders.app, orders.dataset, orders.workerpool, orders.request];
}

/** The typed-data hashes of an order set (the dataset hash is 0 when it names no dataset, as in OrdersMatched). */
export function orderHashes(setup: MatchSetup, orders: OrderSet) {
  return {
    app: hashOrder(setup.domain, "app", orders.app),
    dataset:
      orders.dataset.dataset === ethers.ZeroAddress
        ? ethers.ZeroHash
        : hashOrder(setup.domain, "dataset", orders.dataset),
    workerpool: hashOrder(setup.domain, "workerpool", orders.workerpool),
    request: hashOrder(setup.domain, "request", orders.request),
  };
}
