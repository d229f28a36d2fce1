/**
 * Orders of the PoCo marketplace: types, defaults, EIP-712 hashing and signing, matching the hub's
 * `Orders` library bit for bit.
 */
import { TypedDataEncoder, ZeroAddress, ZeroHash, getAddress, hexlify, randomBytes } from "ethers";
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";
import { OpenPocoError } from "./errors";

/** EIP-712 domain name of the hub's orders. */
export const DOMAIN_NAME = "iExecODB";
/** EIP-712 domain version of the hub's orders. */
export const DOMAIN_VERSION = "5.0.0";

/** An app owner's offer to run its app. */
export interface AppOrder {
  app: string;
  appprice: bigint;
  volume: bigint;
  tag: string;
  datasetrestrict: string;
  workerpoolrestrict: string;
  requesterrestrict: string;
  salt: string;
  /** Signature over the order's typed-data hash; "0x" when unsigned or presigned. Never hashed. */
  sign: string;
}

/** A dataset owner's offer to lend its dataset. */
export interface DatasetOrder {
  dataset: string;
  datasetprice: bigint;
  volume: bigint;
  tag: string;
  apprestrict: string;
  workerpoolrestrict: string;
  requesterrestrict: string;
  salt: string;
  /** Signature over the order's typed-data hash; "0x" when unsigned or presigned. Never hashed. */
  sign: string;
}

/** A workerpool owner's offer of computing power in one category. */
export interface WorkerpoolOrder {
  workerpool: string;
  workerpoolprice: bigint;
  volume: bigint;
  tag: string;
  category: bigint;
  trust: bigint;
  apprestrict: string;
  datasetrestrict: string;
  requesterrestrict: string;
  salt: string;
  /** Signature over the order's typed-data hash; "0x" when unsigned or presigned. Never hashed. */
  sign: string;
}

/** A requester's demand to run an app, optionally on a dataset, with maximum prices. */
export interface RequestOrder {
  app: string;
  appmaxprice: bigint;
  dataset: string;
  datasetmaxprice: bigint;
  workerpool: string;
  workerpoolmaxprice: bigint;
  requester: string;
  volume: bigint;
  tag: string;
  category: bigint;
  trust: bigint;
  beneficiary: string;
  callback: string;
  params: string;
  salt: string;
  /** Signature over the order's typed-data hash; "0x" when unsigned or presigned. Never hashed. */
  sign: string;
}

/** The four kinds of orders. */
export type OrderKind = "app" | "dataset" | "workerpool" | "request";

/** The order type of each kind. */
export interface OrderByKind {
  app: AppOrder;
  dataset: DatasetOrder;
  workerpool: WorkerpoolOrder;
  request: RequestOrder;
}

/** The kinds of orders that offer an asset (every kind but "request"). */
export type AssetOrderKind = Exclude<OrderKind, "request">;

/** A party an order can restrict itself to (and an orderbook query can filter on). */
export type OrderParty = "app" | "dataset" | "workerpool" | "requester";

/** The names of the fields of `T` whose values are of type `V`. */
type FieldsOf<T, V> = { [F in keyof T]-?: T[F] extends V ? F : never }[keyof T] & string;

/** The address fields of an order of kind `K`: its string fields but the bytes32, bytes and text ones. */
export type AddressFieldOf<K extends OrderKind> = Exclude<
  FieldsOf<OrderByKind[K], string>,
  "tag" | "salt" | "sign" | "params"
>;
/** The amount fields of an order of kind `K`. */
export type AmountFieldOf<K extends OrderKind> = FieldsOf<OrderByKind[K], bigint>;

/**
 * What every part of the project needs to know about one order kind, in one place: which field
 * holds what, who signs it and how the hub reports its cancellation.
 */
export interface OrderKindDescriptor<K extends OrderKind> {
  readonly kind: K;
  /** Name of the order in iexec.json, the market API and messages: "apporder", ... */
  readonly label: `${K}order`;
  /**
   * The address the order is about: its asset, or the requester of a request order. Its name is
   * also the party the order speaks for (an orderbook filter of that name is plain equality).
   */
  readonly assetField: AddressFieldOf<K> & OrderParty;
  /** The price the orderbook ranks by: the asset's price, or a request's workerpool max price. */
  readonly priceField: AmountFieldOf<K>;
  /**
   * The fields restricting whom the order matches with, by party (the zero address allows anyone).
   * A request order is restricted by the app, dataset and workerpool it names.
   */
  readonly restrictionFields: Readonly<Partial<Record<OrderParty, AddressFieldOf<K>>>>;
  /**
   * How the signer is found: "assetOwner" when it is the on-chain owner of the asset at `assetField`
   * (app, dataset and workerpool orders), "self" when it is the address at `assetField` (requester).
   */
  readonly signedBy: K extends "request" ? "self" : "assetOwner";
  /** The signer, in words: "app owner", "dataset owner", "workerpool owner" or "requester". */
  readonly signerRole: string;
  /** The hub's event when an order of this kind is cancelled. */
  readonly closedEvent: `Closed${Capitalize<K>}Order`;
  /** Whether orders of this kind have a `category` and a `trust`. */
  readonly hasCategory: boolean;
}

/** The descriptor of any one kind: a union, which `signedBy` or `kind` narrows. */
export type AnyOrderKindDescriptor = { [K in OrderKind]: OrderKindDescriptor<K> }[OrderKind];

/** The descriptor of each order kind. */
export const ORDER_KINDS: { readonly [K in OrderKind]: OrderKindDescriptor<K> } = {
  app: {
    kind: "app",
    label: "apporder",
    assetField: "app",
    priceField: "appprice",
    restrictionFields: {
      dataset: "datasetrestrict",
      workerpool: "workerpoolrestrict",
      requester: "requesterrestrict",
    },
    signedBy: "assetOwner",
    signerRole: "app owner",
    closedEvent: "ClosedAppOrder",
    hasCategory: false,
  },
  dataset: {
    kind: "dataset",
    label: "datasetorder",
    assetField: "dataset",
    priceField: "datasetprice",
    restrictionFields: {
      app: "apprestrict",
      workerpool: "workerpoolrestrict",
      requester: "requesterrestrict",
    },
    signedBy: "assetOwner",
    signerRole: "dataset owner",
    closedEvent: "ClosedDatasetOrder",
    hasCategory: false,
  },
  workerpool: {
    kind: "workerpool",
    label: "workerpoolorder",
    assetField: "workerpool",
    priceField: "workerpoolprice",
    restrictionFields: {
      app: "apprestrict",
      dataset: "datasetrestrict",
      requester: "requesterrestrict",
    },
    signedBy: "assetOwner",
    signerRole: "workerpool owner",
    closedEvent: "ClosedWorkerpoolOrder",
    hasCategory: true,
  },
  request: {
    kind: "request",
    label: "requestorder",
    assetField: "requester",
    priceField: "workerpoolmaxprice",
    restrictionFields: { app: "app", dataset: "dataset", workerpool: "workerpool" },
    signedBy: "self",
    signerRole: "requester",
    closedEvent: "ClosedRequestOrder",
    hasCategory: true,
  },
};

/** The order kinds, in the hub's order. */
export const ORDER_KIND_NAMES: readonly OrderKind[] = ["app", "dataset", "workerpool", "request"];

/** Whether `kind` is one of the four order kinds. */
export function isOrderKind(kind: unknown): kind is OrderKind {
  return typeof kind === "string" && Object.prototype.hasOwnProperty.call(ORDER_KINDS, kind);
}

/** The descriptor of `kind`; throws UnknownOrderKindError for anything but the four kinds. */
export function orderKind<K extends OrderKind>(kind: K): OrderKindDescriptor<K> {
  if (!isOrderKind(kind)) throw new UnknownOrderKindError(kind);
  return ORDER_KINDS[kind];
}

/** The order kind whose cancellation the hub reports with event `name`, or undefined. */
export function kindOfClosedEvent(name: string): OrderKind | undefined {
  return ORDER_KIND_NAMES.find((kind) => ORDER_KINDS[kind].closedEvent === name);
}

/** Whether `kind` is `wanted`; narrows `order` (an order of kind `kind`) to the order type of `wanted`. */
export function isOrderOf<W extends OrderKind>(
  kind: OrderKind,
  order: OrderByKind[OrderKind],
  wanted: W,
): order is OrderByKind[W] {
  return kind === wanted;
}

// The descriptors' field names are typed per kind, but indexing a generic order with them does not
// narrow the value's type: the accessors read through this one untyped door.
function read(order: object, field: string): unknown {
  return (order as Record<string, unknown>)[field];
}

/** The address an order is about: its app, dataset or workerpool, or a request's requester. */
export function assetOf<K extends OrderKind>(kind: K, order: OrderByKind[K]): string {
  return read(order, orderKind(kind).assetField) as string;
}

/** The price an order is ranked by: its asset's price, or a request's workerpool max price. */
export function priceOf<K extends OrderKind>(kind: K, order: OrderByKind[K]): bigint {
  return read(order, orderKind(kind).priceField) as bigint;
}

/** The restricting addresses of an order, by party (zero: anyone); see `restrictionFields`. */
export function restrictionsOf<K extends OrderKind>(
  kind: K,
  order: OrderByKind[K],
): Partial<Record<OrderParty, string>> {
  const out: Partial<Record<OrderParty, string>> = {};
  for (const [party, field] of Object.entries(orderKind(kind).restrictionFields))
    out[party as OrderParty] = read(order, field) as string;
  return out;
}

/** An order's category and trust, or undefined for app and dataset orders, which have none. */
export function categoryTrustOf<K extends OrderKind>(
  kind: K,
  order: OrderByKind[K],
): { category: bigint; trust: bigint } | undefined {
  if (!orderKind(kind).hasCategory) return undefined;
  return { category: read(order, "category") as bigint, trust: read(order, "trust") as bigint };
}

/**
 * Who must sign an order, as the hub checks it: the current owner of an asset (to be read on chain
 * from the asset's `owner()`), or, for a request order, the requester itself.
 */
export type OrderSigner =
  { by: "assetOwner"; assetKind: AssetOrderKind; asset: string } | { by: "self"; address: string };

/** Who must sign `order`; see `OrderSigner`. */
export function signerOf<K extends OrderKind>(kind: K, order: OrderByKind[K]): OrderSigner {
  const address = assetOf(kind, order);
  const any: OrderKind = kind;
  const descriptor: AnyOrderKindDescriptor = ORDER_KINDS[any];
  if (descriptor.signedBy === "self") return { by: "self", address };
  return { by: "assetOwner", assetKind: descriptor.kind, asset: address };
}

/** An order of kind `K` whose `sign` may be left out: what hashing and signing need. */
export type OrderFields<K extends OrderKind> = Omit<OrderByKind[K], "sign"> & { sign?: string };

/** On-chain operation on an order: SIGN presigns it, CLOSE cancels it. */
export enum OrderOperation {
  SIGN = 0,
  CLOSE = 1,
}

/** A signed order operation, as the hub's `manageXOrder` takes it. */
export interface SignedOrderOperation<K extends OrderKind> {
  order: OrderByKind[K];
  operation: OrderOperation;
  /** Signature of the order owner over the operation's typed-data hash. */
  sign: string;
}

/** Base class of the errors of this module; `code` is stable, the message says how to fix the call. */
export class OrdersError extends OpenPocoError {}

/** Thrown for an order kind other than "app", "dataset", "workerpool" or "request". */
export class UnknownOrderKindError extends OrdersError {
  constructor(kind: unknown) {
    super(
      "ORDER_KIND_UNKNOWN",
      `Unknown order kind ${JSON.stringify(kind)}: pass "app", "dataset", "workerpool" or "request".`,
    );
  }
}

/** Thrown for an operation other than OrderOperation.SIGN or OrderOperation.CLOSE. */
export class UnknownOrderOperationError extends OrdersError {
  constructor(operation: unknown) {
    super(
      "ORDER_OPERATION_UNKNOWN",
      `Unknown order operation ${String(operation)}: pass OrderOperation.SIGN (0) or OrderOperation.CLOSE (1).`,
    );
  }
}

/** Thrown when the hub address given for the domain is not an address. */
export class InvalidHubAddressError extends OrdersError {
  constructor(hub: string) {
    super("HUB_ADDRESS_INVALID", `Invalid hub address ${JSON.stringify(hub)}: pass the hub's 0x address.`);
  }
}

type Fields = readonly TypedDataField[];

const APP_ORDER_FIELDS: Fields = [
  { name: "app", type: "address" },
  { name: "appprice", type: "uint256" },
  { name: "volume", type: "uint256" },
  { name: "tag", type: "bytes32" },
  { name: "datasetrestrict", type: "address" },
  { name: "workerpoolrestrict", type: "address" },
  { name: "requesterrestrict", type: "address" },
  { name: "salt", type: "bytes32" },
];

const DATASET_ORDER_FIELDS: Fields = [
  { name: "dataset", type: "address" },
  { name: "datasetprice", type: "uint256" },
  { name: "volume", type: "uint256" },
  { name: "tag", type: "bytes32" },
  { name: "apprestrict", type: "address" },
  { name: "workerpoolrestrict", type: "address" },
  { name: "requesterrestrict", type: "address" },
  { name: "salt", type: "bytes32" },
];

const WORKERPOOL_ORDER_FIELDS: Fields = [
  { name: "workerpool", type: "address" },
  { name: "workerpoolprice", type: "uint256" },
  { name: "volume", type: "uint256" },
  { name: "tag", type: "bytes32" },
  { name: "category", type: "uint256" },
  { name: "trust", type: "uint256" },
  { name: "apprestrict", type: "address" },
  { name: "datasetrestrict", type: "address" },
  { name: "requesterrestrict", type: "address" },
  { name: "salt", type: "bytes32" },
];

const REQUEST_ORDER_FIELDS: Fields = [
  { name: "app", type: "address" },
  { name: "appmaxprice", type: "uint256" },
  { name: "dataset", type: "address" },
  { name: "datasetmaxprice", type: "uint256" },
  { name: "workerpool", type: "address" },
  { name: "workerpoolmaxprice", type: "uint256" },
  { name: "requester", type: "address" },
  { name: "volume", type: "uint256" },
  { name: "tag", type: "bytes32" },
  { name: "category", type: "uint256" },
  { name: "trust", type: "uint256" },
  { name: "beneficiary", type: "address" },
  { name: "callback", type: "address" },
  { name: "params", type: "string" },
  { name: "salt", type: "bytes32" },
];

/** EIP-712 types of an app order, for ethers (`signTypedData`, `TypedDataEncoder`). */
export const APP_ORDER_TYPES: Record<string, Fields> = { AppOrder: APP_ORDER_FIELDS };
/** EIP-712 types of a dataset order. */
export const DATASET_ORDER_TYPES: Record<string, Fields> = { DatasetOrder: DATASET_ORDER_FIELDS };
/** EIP-712 types of a workerpool order. */
export const WORKERPOOL_ORDER_TYPES: Record<string, Fields> = { WorkerpoolOrder: WORKERPOOL_ORDER_FIELDS };
/** EIP-712 types of a request order. */
export const REQUEST_ORDER_TYPES: Record<string, Fields> = { RequestOrder: REQUEST_ORDER_FIELDS };

/** EIP-712 types of an app order operation (the operation is a uint256 in the type, a uint8 in the ABI). */
export const APP_ORDER_OPERATION_TYPES: Record<string, Fields> = {
  AppOrderOperation: [
    { name: "order", type: "AppOrder" },
    { name: "operation", type: "uint256" },
  ],
  AppOrder: APP_ORDER_FIELDS,
};
/** EIP-712 types of a dataset order operation. */
export const DATASET_ORDER_OPERATION_TYPES: Record<string, Fields> = {
  DatasetOrderOperation: [
    { name: "order", type: "DatasetOrder" },
    { name: "operation", type: "uint256" },
  ],
  DatasetOrder: DATASET_ORDER_FIELDS,
};
/** EIP-712 types of a workerpool order operation. */
export const WORKERPOOL_ORDER_OPERATION_TYPES: Record<string, Fields> = {
  WorkerpoolOrderOperation: [
    { name: "order", type: "WorkerpoolOrder" },
    { name: "operation", type: "uint256" },
  ],
  WorkerpoolOrder: WORKERPOOL_ORDER_FIELDS,
};
/** EIP-712 types of a request order operation. */
export const REQUEST_ORDER_OPERATION_TYPES: Record<string, Fields> = {
  RequestOrderOperation: [
    { name: "order", type: "RequestOrder" },
    { name: "operation", type: "uint256" },
  ],
  RequestOrder: REQUEST_ORDER_FIELDS,
};

/** EIP-712 primary type and types of each order kind. */
export const ORDER_TYPES: Readonly<
  Record<OrderKind, { primaryType: string; types: Record<string, Fields> }>
> = {
  app: { primaryType: "AppOrder", types: APP_ORDER_TYPES },
  dataset: { primaryType: "DatasetOrder", types: DATASET_ORDER_TYPES },
  workerpool: { primaryType: "WorkerpoolOrder", types: WORKERPOOL_ORDER_TYPES },
  request: { primaryType: "RequestOrder", types: REQUEST_ORDER_TYPES },
};

/** EIP-712 primary type and types of each order kind's operation. */
export const ORDER_OPERATION_TYPES: Readonly<
  Record<OrderKind, { primaryType: string; types: Record<string, Fields> }>
> = {
  app: { primaryType: "AppOrderOperation", types: APP_ORDER_OPERATION_TYPES },
  dataset: { primaryType: "DatasetOrderOperation", types: DATASET_ORDER_OPERATION_TYPES },
  workerpool: { primaryType: "WorkerpoolOrderOperation", types: WORKERPOOL_ORDER_OPERATION_TYPES },
  request: { primaryType: "RequestOrderOperation", types: REQUEST_ORDER_OPERATION_TYPES },
};

// ethers types its typed-data arguments as mutable; the exported constants stay readonly for callers.
type EthersTypes = Record<string, TypedDataField[]>;

function typesOf(
  table: typeof ORDER_TYPES | typeof ORDER_OPERATION_TYPES,
  kind: OrderKind,
): { primaryType: string; types: EthersTypes } {
  if (!Object.prototype.hasOwnProperty.call(table, kind)) throw new UnknownOrderKindError(kind);
  const entry = table[kind];
  return { primaryType: entry.primaryType, types: entry.types as EthersTypes };
}

/** The order's hashed fields only, so that `sign` (or any extra property) can never reach a hash. */
function message(kind: OrderKind, order: object): Record<string, unknown> {
  const { primaryType, types } = typesOf(ORDER_TYPES, kind);
  const source = order as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const { name } of types[primaryType]) out[name] = source[name];
  return out;
}

function checkOperation(operation: OrderOperation): void {
  if (operation !== OrderOperation.SIGN && operation !== OrderOperation.CLOSE)
    throw new UnknownOrderOperationError(operation);
}

/** The hub's EIP-712 domain on chain `chainId`. */
export function hubDomain(chainId: bigint, hub: string): TypedDataDomain {
  let verifyingContract: string;
  try {
    verifyingContract = getAddress(hub);
  } catch {
    throw new InvalidHubAddressError(hub);
  }
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract };
}

/** EIP-712 struct hash of an order (`OrderHashing.hash` on chain). */
export function hashOrderStruct<K extends OrderKind>(kind: K, order: OrderFields<K>): string {
  const { primaryType, types } = typesOf(ORDER_TYPES, kind);
  return TypedDataEncoder.hashStruct(primaryType, types, message(kind, order));
}

/** EIP-712 typed-data hash of an order: the hash that gets signed and identifies the order on chain. */
export function hashOrder<K extends OrderKind>(
  domain: TypedDataDomain,
  kind: K,
  order: OrderFields<K>,
): string {
  const { types } = typesOf(ORDER_TYPES, kind);
  return TypedDataEncoder.hash(domain, types, message(kind, order));
}

/** Signs an order's typed data; returns a copy of the order with `sign` set. */
export async function signOrder<K extends OrderKind>(
  signer: Signer,
  domain: TypedDataDomain,
  kind: K,
  order: OrderFields<K>,
): Promise<OrderByKind[K]> {
  const { types } = typesOf(ORDER_TYPES, kind);
  const sign = await signer.signTypedData(domain, types, message(kind, order));
  return { ...order, sign } as OrderByKind[K];
}

/** EIP-712 struct hash of an order operation (`OrderHashing.hash` on chain). */
export function hashOrderOperationStruct<K extends OrderKind>(
  kind: K,
  order: OrderFields<K>,
  operation: OrderOperation,
): string {
  checkOperation(operation);
  const { primaryType, types } = typesOf(ORDER_OPERATION_TYPES, kind);
  return TypedDataEncoder.hashStruct(primaryType, types, { order: message(kind, order), operation });
}

/** EIP-712 typed-data hash of an order operation: what the order owner signs to delegate it. */
export function hashOrderOperation<K extends OrderKind>(
  domain: TypedDataDomain,
  kind: K,
  order: OrderFields<K>,
  operation: OrderOperation,
): string {
  checkOperation(operation);
  const { types } = typesOf(ORDER_OPERATION_TYPES, kind);
  return TypedDataEncoder.hash(domain, types, { order: message(kind, order), operation });
}

/** Signs an order operation's typed data; `order.sign` is kept as is ("0x" if absent). */
export async function signOrderOperation<K extends OrderKind>(
  signer: Signer,
  domain: TypedDataDomain,
  kind: K,
  order: OrderFields<K>,
  operation: OrderOperation,
): Promise<SignedOrderOperation<K>> {
  checkOperation(operation);
  const { types } = typesOf(ORDER_OPERATION_TYPES, kind);
  const sign = await signer.signTypedData(domain, types, { order: message(kind, order), operation });
  return { order: { ...order, sign: order.sign ?? "0x" } as OrderByKind[K], operation, sign };
}

/** A fresh crypto-random 32-byte salt, as 0x-prefixed hex. */
export function createSalt(): string {
  return hexlify(randomBytes(32));
}

/** `defaults` overridden by every field of `fields` that is not undefined. */
function withDefaults<T extends object>(defaults: T, fields: Partial<T>): T {
  const out = { ...defaults };
  for (const [name, value] of Object.entries(fields))
    if (value !== undefined) (out as Record<string, unknown>)[name] = value;
  return out;
}

// Defaults: zero values everywhere except a volume of 1 (a zero-volume order can never match) and a fresh
// salt (two otherwise equal orders must not share a hash, hence a `consumed` counter).

/** An app order with every field not given set to its default. */
export function appOrder(fields: Partial<AppOrder> = {}): AppOrder {
  return withDefaults(
    {
      app: ZeroAddress,
      appprice: 0n,
      volume: 1n,
      tag: ZeroHash,
      datasetrestrict: ZeroAddress,
      workerpoolrestrict: ZeroAddress,
      requesterrestrict: ZeroAddress,
      salt: createSalt(),
      sign: "0x",
    },
    fields,
  );
}

/** A dataset order with every field not given set to its default. */
export function datasetOrder(fields: Partial<DatasetOrder> = {}): DatasetOrder {
  return withDefaults(
    {
      dataset: ZeroAddress,
      datasetprice: 0n,
      volume: 1n,
      tag: ZeroHash,
      apprestrict: ZeroAddress,
      workerpoolrestrict: ZeroAddress,
      requesterrestrict: ZeroAddress,
      salt: createSalt(),
      sign: "0x",
    },
    fields,
  );
}

/** A workerpool order with every field not given set to its default. */
export function workerpoolOrder(fields: Partial<WorkerpoolOrder> = {}): WorkerpoolOrder {
  return withDefaults(
    {
      workerpool: ZeroAddress,
      workerpoolprice: 0n,
      volume: 1n,
      tag: ZeroHash,
      category: 0n,
      trust: 0n,
      apprestrict: ZeroAddress,
      datasetrestrict: ZeroAddress,
      requesterrestrict: ZeroAddress,
      salt: createSalt(),
      sign: "0x",
    },
    fields,
  );
}

/** A request order with every field not given set to its default. */
export function requestOrder(fields: Partial<RequestOrder> = {}): RequestOrder {
  return withDefaults(
    {
      app: ZeroAddress,
      appmaxprice: 0n,
      dataset: ZeroAddress,
      datasetmaxprice: 0n,
      workerpool: ZeroAddress,
      workerpoolmaxprice: 0n,
      requester: ZeroAddress,
      volume: 1n,
      tag: ZeroHash,
      category: 0n,
      trust: 0n,
      beneficiary: ZeroAddress,
      callback: ZeroAddress,
      params: "",
      salt: createSalt(),
      sign: "0x",
    },
    fields,
  );
}
