/**
 * Orders on chain: sign, hash, check what is left of them, cancel them, and match four of them
 * into a deal after explaining, off chain, anything that would make the hub refuse.
 */
import { ZeroAddress, getAddress } from "ethers";
import type { TypedDataDomain } from "ethers";
import { IERC734__factory, IWorkerpool__factory } from "../../../../typechain-types";
import { computeDealLocks } from "../deals";
import { InvalidInputError } from "../errors";
import { matchIssues, type MatchIssue, type OrderSet } from "../matching";
import {
  OrderOperation,
  datasetOrder,
  hashOrder,
  requestOrder,
  signOrder,
  type OrderByKind,
  type OrderFields,
  type OrderKind,
  type RequestOrder,
} from "../orders";
import { formatRlc } from "../units";
import type { ClientContext, Sent } from "./context";

/** How much of an order is left on chain. */
export interface OrderStatus {
  orderHash: string;
  volume: bigint;
  consumed: bigint;
  remaining: bigint;
}

/** The order whose remaining volume limited a deal below what the request asked. */
export interface VolumeLimit {
  kind: OrderKind;
  orderHash: string;
  /** What was left of that order before the match. */
  remaining: bigint;
}

/** A new deal. */
export interface Matched extends Sent {
  dealid: string;
  volume: bigint;
  /** The tasks the request asked for. */
  requested: bigint;
  /** When fewer than `requested` were bought: the order that had fewer left; else undefined. */
  limitedBy?: VolumeLimit;
}

/** What a request made from other orders may override. */
export interface RequestOrderOptions {
  requester?: string;
  volume?: bigint;
  trust?: bigint;
  category?: bigint;
  tag?: string;
  params?: string;
  beneficiary?: string;
  callback?: string;
  /** Set when the request must name its workerpool (else any workerpool may take it). */
  workerpool?: string;
}

// ERC-734 key purpose that makes an identity's key a member of a restriction group.
const GROUP_MEMBER_PURPOSE = 4n;

/** Orders and matching, against the hub. */
export class OrdersApi {
  constructor(
    private readonly context: ClientContext,
    readonly domain: TypedDataDomain,
  ) {}

  /** The order's EIP-712 hash on this chain. */
  hash<K extends OrderKind>(kind: K, order: OrderFields<K>): string {
    return hashOrder(this.domain, kind, order);
  }

  /** Signs the order with the client's wallet. */
  async sign<K extends OrderKind>(kind: K, order: OrderFields<K>): Promise<OrderByKind[K]> {
    return signOrder(this.context.requireSigner(`sign the ${kind} order`), this.domain, kind, order);
  }

  /** Consumed and remaining volume of an order. */
  async status<K extends OrderKind>(kind: K, order: OrderFields<K>): Promise<OrderStatus> {
    const orderHash = this.hash(kind, order);
    const consumed = await this.context.call("read the order", () =>
      this.context.hub.viewConsumed(orderHash),
    );
    const remaining = order.volume > consumed ? order.volume - consumed : 0n;
    return { orderHash, volume: order.volume, consumed, remaining };
  }

  /** Cancels an order on chain (its whole volume becomes consumed); the wallet must own it. */
  async cancel<K extends OrderKind>(kind: K, order: OrderByKind[K]): Promise<Sent & { orderHash: string }> {
    const hub = this.context.hub.connect(this.context.requireSigner(`cancel the ${kind} order`));
    const operation = { order, operation: OrderOperation.CLOSE, sign: "0x" };
    const action = `cancel the ${kind} order`;
    const sent = await this.context.send(action, () => {
      switch (kind) {
        case "app":
          return hub.manageAppOrder(operation as never);
        case "dataset":
          return hub.manageDatasetOrder(operation as never);
        case "workerpool":
          return hub.manageWorkerpoolOrder(operation as never);
        default:
          return hub.manageRequestOrder(operation as never);
      }
    });
    return { ...sent, orderHash: this.hash(kind, order) };
  }

  /** An unsigned request for the app, dataset and workerpool orders given, at their prices. */
  async createRequest(
    orders: Omit<OrderSet, "request">,
    options: RequestOrderOptions = {},
  ): Promise<RequestOrder> {
    const requester = options.requester ?? (await this.context.signerAddress("make a request order"));
    return requestOrder({
      app: orders.app.app,
      appmaxprice: orders.app.appprice,
      dataset: orders.dataset?.dataset ?? ZeroAddress,
      datasetmaxprice: orders.dataset?.datasetprice ?? 0n,
      workerpool: options.workerpool ?? orders.workerpool.workerpool,
      workerpoolmaxprice: orders.workerpool.workerpoolprice,
      requester,
      volume: options.volume ?? 1n,
      tag: options.tag ?? orders.app.tag,
      category: options.category ?? orders.workerpool.category,
      trust: options.trust ?? 0n,
      beneficiary: options.beneficiary ?? requester,
      callback: options.callback ?? ZeroAddress,
      params: options.params ?? "",
    });
  }

  /**
   * Everything that would make the hub refuse these orders, checked off chain and against the
   * chain (restriction groups, remaining volumes, the requester's stake). Empty: the match should go.
   */
  async preflight(given: OrderSet): Promise<MatchIssue[]> {
    // A dataset order for the zero dataset stands for "no dataset", as on chain.
    const orders = given.dataset?.dataset === ZeroAddress ? { ...given, dataset: undefined } : given;
    const issues: MatchIssue[] = [];
    for (const found of matchIssues(orders)) {
      if (found.group && (await this.isGroupMember(found.group.restriction, found.group.account))) continue;
      issues.push(found);
    }
    const categories = await this.context.call("count the categories", () =>
      this.context.hub.countCategory(),
    );
    if (orders.request.category >= categories)
      issues.push({
        code: "UnknownCategory",
        message: `Category ${orders.request.category} does not exist (there are ${categories}): pick one with \`openpoco category show\`.`,
      });
    const statuses = await Promise.all([
      this.status("app", orders.app),
      orders.dataset ? this.status("dataset", orders.dataset) : undefined,
      this.status("workerpool", orders.workerpool),
      this.status("request", orders.request),
    ]);
    const names = ["app order", "dataset order", "workerpool order", "request order"];
    statuses.forEach((status, index) => {
      if (status && status.remaining === 0n)
        issues.push({
          code: "OrderExhausted",
          message: `The ${names[index]} ${status.orderHash} is already fully consumed or cancelled: use another order.`,
        });
    });
    if (issues.length > 0) return issues;
    const volume = statuses.reduce(
      (min, s) => (s && s.remaining < min ? s.remaining : min),
      statuses[0]!.remaining,
    );
    const locks = computeDealLocks(
      {
        appprice: orders.app.appprice,
        datasetprice: orders.dataset?.datasetprice ?? 0n,
        workerpoolprice: orders.workerpool.workerpoolprice,
      },
      volume,
    );
    const sponsor = getAddress(orders.request.requester);
    const scheduler = await this.context.call("read the workerpool owner", () =>
      IWorkerpool__factory.connect(orders.workerpool.workerpool, this.context.provider).owner(),
    );
    const needs: [string, string, bigint][] = [
      ["requester", sponsor, locks.sponsor],
      ["workerpool owner", scheduler, locks.scheduler],
    ];
    for (const [role, account, needed] of needs) {
      const { stake } = await this.context.call("read the account", () =>
        this.context.hub.viewAccount(account),
      );
      if (stake < needed)
        issues.push({
          code: "ERC20InsufficientBalance",
          message: `Not enough stake: the deal locks ${formatRlc(needed)} from the ${role} ${account}, who has ${formatRlc(stake)} free (${
            role === "requester"
              ? "`openpoco account deposit`"
              : "the workerpool owner must `openpoco account deposit`; or pick another workerpool order: `openpoco orderbook workerpool`"
          })`,
        });
    }
    return issues;
  }

  /** The app, dataset or workerpool order with the least volume left, when it is less than the request's. */
  private async volumeLimit(orders: OrderSet): Promise<VolumeLimit | undefined> {
    const offers: [OrderKind, OrderFields<OrderKind>][] = [
      ["app", orders.app],
      ["workerpool", orders.workerpool],
    ];
    if (orders.dataset && orders.dataset.dataset !== ZeroAddress)
      offers.splice(1, 0, ["dataset", orders.dataset]);
    const request = await this.status("request", orders.request);
    let limit: VolumeLimit | undefined;
    for (const [kind, order] of offers) {
      const { orderHash, remaining } = await this.status(kind, order);
      if (remaining < request.remaining && (!limit || remaining < limit.remaining))
        limit = { kind, orderHash, remaining };
    }
    return limit;
  }

  private async isGroupMember(group: string, account: string): Promise<boolean> {
    if ((await this.context.provider.getCode(group)) === "0x") return false;
    try {
      const key = "0x" + getAddress(account).slice(2).toLowerCase().padStart(64, "0");
      return await IERC734__factory.connect(group, this.context.provider).keyHasPurpose(
        key,
        GROUP_MEMBER_PURPOSE,
      );
    } catch {
      return false;
    }
  }

  /**
   * Matches the orders into a deal, paid by the request's requester. Runs
   * `preflight` first and refuses with every problem found, so no gas is spent on a doomed match.
   */
  async match(orders: OrderSet): Promise<Matched> {
    const issues = await this.preflight(orders);
    if (issues.length > 0)
      throw new InvalidInputError(
        `These orders cannot match: ${issues.map((found) => found.message.replace(/\.$/, "")).join("; ")}.`,
      );
    const limitedBy = await this.volumeLimit(orders);
    const hub = this.context.hub.connect(this.context.requireSigner("match orders"));
    const dataset = orders.dataset ?? datasetOrder({ volume: 0n, salt: "0x" + "00".repeat(32) });
    const sent = await this.context.send("match the orders", () =>
      hub.matchOrders(orders.app, dataset, orders.workerpool, orders.request),
    );
    for (const log of sent.receipt.logs) {
      const parsed = this.context.hub.interface.parseLog(log);
      if (parsed?.name === "OrdersMatched")
        return {
          ...sent,
          dealid: parsed.args.dealid,
          volume: parsed.args.volume,
          requested: orders.request.volume,
          limitedBy: parsed.args.volume < orders.request.volume ? limitedBy : undefined,
        };
    }
    throw new InvalidInputError(
      `The match ${sent.txHash} was mined without an OrdersMatched event: check the hub address.`,
    );
  }
}
