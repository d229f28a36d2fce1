/**
 * Can these orders match? The hub's matching rules that need no chain state, mirrored so that
 * clients (the CLI, the market) explain a mismatch before anyone pays gas. The hub stays the
 * judge; the tests check that every rule here rejects what the hub rejects.
 */
import { ZeroAddress, getAddress } from "ethers";
import type { AppOrder, DatasetOrder, RequestOrder, WorkerpoolOrder } from "./orders";

/** Four orders to match; `dataset` is absent for a deal without dataset. */
export interface OrderSet {
  app: AppOrder;
  dataset?: DatasetOrder;
  workerpool: WorkerpoolOrder;
  request: RequestOrder;
}

/** One reason the orders cannot match. */
export interface MatchIssue {
  /** Stable code, the name of the hub's error for the same rule. */
  code: string;
  /** One sentence naming the fields and values at fault. */
  message: string;
  /** For restrictions only: the restricting address, which may be an ERC-734 group the chain must ask. */
  group?: { restriction: string; account: string };
}

/** Bit 0 of a tag: the deal runs in a TEE, and each contribution must be signed by an enclave. */
export const TEE_TAG_BIT = 1n;
/** TEE (bit 0) and TDX (bit 3): the tag the official iExec SDK 9.x puts on every order it signs. */
export const TEE_TDX_TAG = "0x" + "0".repeat(62) + "09";
const MAX_UINT64 = 2n ** 64n - 1n;
/** Longest request params a deal keeps, in bytes (`Deals.MAX_PARAMS_LENGTH`). */
export const MAX_PARAMS_BYTES = 24_000n;

function same(a: string, b: string): boolean {
  return getAddress(a) === getAddress(b);
}

/**
 * True when `tag` (a deal's or an order's, bytes32 hex or a number) has the TEE bit: the hub then refuses
 * a contribution without an enclave (`EnclaveRequired`), and the task's secrets go only to an enclave.
 */
export function isTeeTag(tag: string | bigint): boolean {
  return (BigInt(tag) & TEE_TAG_BIT) !== 0n;
}

/** The deal's tag: what the app, the dataset and the request ask for together. */
export function dealTag(orders: OrderSet): bigint {
  return BigInt(orders.app.tag) | BigInt(orders.dataset?.tag ?? 0) | BigInt(orders.request.tag);
}

/** Every rule of the hub that these orders break, judged from the orders alone (empty: they may match). */
export function matchIssues(orders: OrderSet): MatchIssue[] {
  const { app, workerpool, request } = orders;
  // A dataset order for the zero dataset means "no dataset": the hub ignores it entirely.
  const dataset = orders.dataset && !same(orders.dataset.dataset, ZeroAddress) ? orders.dataset : undefined;
  const issues: MatchIssue[] = [];
  const issue = (code: string, message: string) => issues.push({ code, message });

  if (same(request.requester, ZeroAddress)) issue("ZeroRequester", "The request order has no requester.");
  if (!same(request.app, app.app))
    issue("AssetMismatch", `The request is for app ${request.app} but the app order sells ${app.app}.`);
  const datasetAddress = dataset?.dataset ?? ZeroAddress;
  if (!same(request.dataset, datasetAddress))
    issue(
      "AssetMismatch",
      `The request is for dataset ${request.dataset} but the dataset order sells ${datasetAddress}.`,
    );
  if (request.category !== workerpool.category)
    issue(
      "CategoryMismatch",
      `The request asks for category ${request.category}, the workerpool order offers ${workerpool.category}.`,
    );
  if (request.trust > workerpool.trust)
    issue(
      "TrustAboveOffer",
      `The request asks for trust ${request.trust}, the workerpool offers ${workerpool.trust}.`,
    );
  const prices: [string, bigint, bigint][] = [
    ["appprice", app.appprice, request.appmaxprice],
    ["datasetprice", dataset?.datasetprice ?? 0n, request.datasetmaxprice],
    ["workerpoolprice", workerpool.workerpoolprice, request.workerpoolmaxprice],
  ];
  for (const [field, price, max] of prices)
    if (price > max) issue("PriceAboveMax", `The ${field} ${price} is above the request's maximum ${max}.`);

  // The deal stores prices and trust in 64 bits and params up to a fixed size.
  const bounded: [string, bigint, bigint][] = [
    ["apporder.appprice", app.appprice, MAX_UINT64],
    ["datasetorder.datasetprice", dataset?.datasetprice ?? 0n, MAX_UINT64],
    ["workerpoolorder.workerpoolprice", workerpool.workerpoolprice, MAX_UINT64],
    ["requestorder.trust", request.trust, MAX_UINT64],
    ["requestorder.params", BigInt(new TextEncoder().encode(request.params).length), MAX_PARAMS_BYTES],
  ];
  for (const [field, value, max] of bounded)
    if (value > max) issue("ValueOutOfRange", `The ${field} (${value}) is above its maximum ${max}.`);

  const tag = dealTag({ ...orders, dataset });
  if ((tag & ~BigInt(workerpool.tag)) !== 0n)
    issue(
      "TagNotOffered",
      `The deal needs tag 0x${tag.toString(16)}, which the workerpool order does not offer.`,
    );
  if ((tag & TEE_TAG_BIT) !== (BigInt(app.tag) & TEE_TAG_BIT))
    issue("TeeBitMismatch", "The deal asks for a TEE (tag bit 0) but the app order does not declare one.");

  const restrict = (field: string, restriction: string, account: string) => {
    if (same(restriction, ZeroAddress) || same(restriction, account)) return;
    issues.push({
      code: "RestrictionNotMet",
      message: `The ${field} ${restriction} excludes ${account}.`,
      group: { restriction: getAddress(restriction), account: getAddress(account) },
    });
  };
  restrict("request order's workerpool", request.workerpool, workerpool.workerpool);
  restrict("app order's datasetrestrict", app.datasetrestrict, datasetAddress);
  restrict("app order's workerpoolrestrict", app.workerpoolrestrict, workerpool.workerpool);
  restrict("app order's requesterrestrict", app.requesterrestrict, request.requester);
  if (dataset) {
    restrict("dataset order's apprestrict", dataset.apprestrict, app.app);
    restrict("dataset order's workerpoolrestrict", dataset.workerpoolrestrict, workerpool.workerpool);
    restrict("dataset order's requesterrestrict", dataset.requesterrestrict, request.requester);
  }
  restrict("workerpool order's apprestrict", workerpool.apprestrict, app.app);
  restrict("workerpool order's datasetrestrict", workerpool.datasetrestrict, datasetAddress);
  restrict("workerpool order's requesterrestrict", workerpool.requesterrestrict, request.requester);
  return issues;
}
