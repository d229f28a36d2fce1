/**
 * The market's rules, between the HTTP routes (which only validate shapes) and the store: who may
 * publish what, what a published order must satisfy on chain, how challenges authenticate callers.
 */
import { randomBytes } from "node:crypto";
import { ZeroAddress, getAddress } from "ethers";
import { IAsset__factory, IRegistry__factory, type IHub, type IRegistry } from "../../typechain-types";
import { taskFundsOf } from "../sdk/core/deals";
import { ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError } from "../sdk/core/errors";
import {
  challengeText,
  challengeTypedData,
  hashChallenge,
  parseMarketAuthorization,
  type ChallengeTypedData,
} from "../sdk/core/market";
import { parseOrder } from "../sdk/core/order-json";
import { fastRecoverAddress } from "../sdk/node/recover";
import {
  hashOrder,
  hubDomain,
  orderKind,
  signerOf,
  type OrderByKind,
  type OrderKind,
} from "../sdk/core/orders";
import { formatRlc } from "../sdk/core/units";
import {
  DuplicateOrderError,
  type MarketStore,
  type OrderQuery,
  type OrderRecord,
  type Page,
  type PageOf,
} from "./store";

/** What the service reads on chain; an interface so tests and benchmarks can count or stub calls. */
export interface MarketChain {
  chainId: bigint;
  hub: IHub;
  registries: Record<Exclude<OrderKind, "request">, IRegistry>;
  /** Current owner of an asset contract. */
  ownerOf(asset: string): Promise<string>;
  /** Whether `address` holds code (ERC-1271 signers). */
  hasCode(address: string): Promise<boolean>;
}

/** Builds the chain view of the service from a hub and its provider. */
export async function marketChain(hub: IHub, chainId: bigint): Promise<MarketChain> {
  const runner = hub.runner!;
  const [app, dataset, workerpool] = await Promise.all([
    hub.appregistry(),
    hub.datasetregistry(),
    hub.workerpoolregistry(),
  ]);
  const provider = runner.provider!;
  return {
    chainId,
    hub,
    registries: {
      app: IRegistry__factory.connect(app, runner),
      dataset: IRegistry__factory.connect(dataset, runner),
      workerpool: IRegistry__factory.connect(workerpool, runner),
    },
    ownerOf: (asset) => IAsset__factory.connect(asset, runner).owner(),
    hasCode: async (address) => (await provider.getCode(address)) !== "0x",
  };
}

/** Service options. */
export interface MarketServiceOptions {
  /** How long a challenge stays valid, in ms (default 10 minutes). */
  challengeTtlMs?: number;
  /** Clock, for tests (ms since epoch). */
  now?: () => number;
}

/** The market's operations. */
export class MarketService {
  private readonly challengeTtlMs: number;
  private readonly registered = new Set<string>();
  private readonly now: () => number;

  constructor(
    readonly store: MarketStore,
    readonly chain: MarketChain,
    options: MarketServiceOptions = {},
  ) {
    this.challengeTtlMs = options.challengeTtlMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Checks that a request's `chainId` (when given) is the one served. */
  checkChainId(chainId: bigint | undefined): void {
    if (chainId !== undefined && chainId !== this.chain.chainId)
      throw new InvalidInputError(`This market serves chain ${this.chain.chainId}, not chain ${chainId}.`);
  }

  /** A fresh one-use challenge for `address`, as EIP-712 typed data to sign. */
  challenge(address: string): ChallengeTypedData {
    const text = challengeText(randomBytes(16).toString("hex"));
    const hash = hashChallenge(this.chain.chainId, text);
    this.store.saveChallenge(hash, text, getAddress(address), this.now() + this.challengeTtlMs);
    return challengeTypedData(this.chain.chainId, text);
  }

  /** The address an Authorization header proves, consuming its challenge. */
  authenticate(header: string | undefined): string {
    if (!header)
      throw new UnauthorizedError("Missing Authorization header: sign a challenge from GET /challenge.");
    let parsed;
    try {
      parsed = parseMarketAuthorization(header);
    } catch {
      throw new UnauthorizedError("Malformed Authorization header: expected <hash>_<signature>_<address>.");
    }
    const challenge = this.store.takeChallenge(parsed.hash.toLowerCase(), this.now());
    if (!challenge)
      throw new UnauthorizedError(
        "Unknown, expired or already used challenge: get a new one from GET /challenge.",
      );
    let signer: string;
    try {
      // The hash found the stored challenge, so it is that challenge's typed-data hash: recover from it.
      signer = fastRecoverAddress(parsed.hash, parsed.signature);
    } catch {
      throw new UnauthorizedError("Invalid challenge signature: sign the challenge's typed data.");
    }
    if (signer !== parsed.address || signer !== challenge.address)
      throw new UnauthorizedError(
        `The challenge signature is not from ${parsed.address}: sign with that wallet.`,
      );
    return signer;
  }

  /** Checks a signed order against the chain and publishes it; returns the stored record. */
  async publish<K extends OrderKind>(kind: K, json: unknown, caller: string): Promise<OrderRecord<K>> {
    const order = parseOrder(kind, json, orderKind(kind).label);
    const orderHash = hashOrder(
      hubDomain(this.chain.chainId, await this.chain.hub.getAddress()),
      kind,
      order,
    );
    if (this.store.getOrder(kind, orderHash)) throw new DuplicateOrderError(orderHash);
    // The chain reads do not depend on each other: one round trip instead of three.
    const [owner, consumed] = await Promise.all([
      this.ownerOf(kind, order),
      this.chain.hub.viewConsumed(orderHash),
    ]);
    if (owner !== caller)
      throw new ForbiddenError(
        `The ${orderKind(kind).label} belongs to ${owner}: only its owner may publish it, not ${caller}.`,
      );
    await this.checkSignature(kind, orderHash, order, owner);
    if (consumed >= order.volume)
      throw new InvalidInputError(
        `The ${orderKind(kind).label} ${orderHash} has no volume left on chain: it is consumed or cancelled.`,
      );
    await this.checkFunds(kind, order, owner);
    const record: OrderRecord<K> = {
      kind,
      orderHash,
      chainId: this.chain.chainId,
      order,
      signer: owner,
      owner,
      remaining: order.volume - consumed,
      status: "open",
      publicationTimestamp: new Date(this.now()).toISOString(),
    };
    this.store.insertOrder(record);
    return record;
  }

  /** The owner whose signature the hub accepts: the asset's (registered) owner, or the requester. */
  private async ownerOf<K extends OrderKind>(kind: K, order: OrderByKind[K]): Promise<string> {
    const signer = signerOf(kind, order);
    if (signer.by === "self") {
      if (signer.address === ZeroAddress) throw new InvalidInputError("The requestorder has no requester.");
      return signer.address;
    }
    const { asset, assetKind } = signer;
    const registry = this.chain.registries[assetKind];
    const [registered, owner] = await Promise.all([
      // Registration is permanent: a registered asset is asked once.
      this.registered.has(asset) || registry.isRegistered(asset),
      // An unregistered address may not even answer owner(): that only matters if it is registered.
      this.chain.ownerOf(asset).catch(() => ZeroAddress),
    ]);
    if (!registered)
      throw new InvalidInputError(
        `The ${orderKind(kind).label} is for ${asset}, which is not a registered ${kind}.`,
      );
    this.registered.add(asset);
    return getAddress(owner);
  }

  /** ECDSA checked locally (fast path); contract signers and presigned orders asked to the hub. */
  private async checkSignature(kind: OrderKind, orderHash: string, order: { sign: string }, owner: string) {
    let valid: boolean;
    if (order.sign !== "0x") {
      try {
        valid = fastRecoverAddress(orderHash, order.sign) === owner;
      } catch {
        valid = false;
      }
      if (!valid && (await this.chain.hasCode(owner)))
        valid = await this.chain.hub.verifySignature(owner, orderHash, order.sign);
    } else valid = (await this.chain.hub.viewPresigned(orderHash)) === owner;
    if (!valid)
      throw new InvalidInputError(
        `The ${orderKind(kind).label} ${orderHash} is not signed by its owner ${owner} for this chain's hub: sign it again.`,
      );
  }

  /** A workerpool owner must be able to stake for one task, a requester to pay for one. */
  private async checkFunds<K extends OrderKind>(
    kind: K,
    order: OrderByKind[K],
    owner: string,
  ): Promise<void> {
    const needed = taskFundsOf(kind, order);
    if (needed === 0n) return;
    const { stake } = await this.chain.hub.viewAccount(owner);
    if (stake < needed)
      throw new InvalidInputError(
        `The ${orderKind(kind).signerRole} ${owner} has ${formatRlc(stake)} of free stake and one task needs ${formatRlc(needed)}: deposit first.`,
      );
  }

  /** Unpublishes orders of the caller: by hash, the last one of an asset, or all of them. */
  unpublish(
    kind: OrderKind,
    target: "unpublish_orderHash" | "unpublish_last" | "unpublish_all",
    reference: string,
    caller: string,
  ): string[] {
    if (target === "unpublish_orderHash") {
      const record = this.store.getOrder(kind, reference.toLowerCase());
      if (!record || record.status !== "open")
        throw new NotFoundError(`No open ${orderKind(kind).label} ${reference} is published.`);
      if (record.owner !== caller)
        throw new ForbiddenError(
          `The ${orderKind(kind).label} ${reference} belongs to ${record.owner}, not ${caller}.`,
        );
      return this.store.deleteOrders([record.orderHash]);
    }
    const hashes = this.store.openOrderHashes(kind, getAddress(reference));
    const owned = hashes.filter((hash) => this.store.getOrder(kind, hash)?.owner === caller);
    if (owned.length === 0)
      throw new NotFoundError(`No open ${orderKind(kind).label} of ${reference} owned by ${caller}.`);
    return this.store.deleteOrders(target === "unpublish_last" ? [owned[owned.length - 1]] : owned);
  }

  /** One page of open orders. */
  orderbook<K extends OrderKind>(kind: K, query: OrderQuery, page: Page): PageOf<OrderRecord<K>> {
    return this.store.listOrders(kind, query, page);
  }

  /** A published order by hash, whatever its status. */
  order<K extends OrderKind>(kind: K, orderHash: string): OrderRecord<K> {
    const record = this.store.getOrder(kind, orderHash.toLowerCase());
    if (!record) throw new NotFoundError(`No ${orderKind(kind).label} ${orderHash} is published here.`);
    return record;
  }
}
