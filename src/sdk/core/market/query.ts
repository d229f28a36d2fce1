/**
 * Checked query strings and bodies of the market API: endpoints per order kind, filters, paging and
 * addresses, refused with `InvalidInputError` before any request leaves.
 */
import { getAddress, isAddress, isHexString } from "ethers";
import { InvalidInputError } from "../errors";
import { UnknownOrderKindError } from "../orders";
import type { OrderKind } from "../orders";
import type { Paging } from "./wire";

const ENDPOINTS: Readonly<Record<OrderKind, string>> = {
  app: "/apporders",
  dataset: "/datasetorders",
  workerpool: "/workerpoolorders",
  request: "/requestorders",
};

// Field of the unpublish body naming whose orders to unpublish, per kind (official API).
export const OWNER_FIELDS: Readonly<Record<OrderKind, string>> = {
  app: "app",
  dataset: "dataset",
  workerpool: "workerpool",
  request: "requester",
};

const ADDRESS_FILTERS = new Set<string>([
  "app",
  "dataset",
  "workerpool",
  "requester",
  "beneficiary",
  "appOwner",
  "datasetOwner",
  "workerpoolOwner",
]);

export function endpointOf(kind: OrderKind): string {
  if (!Object.prototype.hasOwnProperty.call(ENDPOINTS, kind)) throw new UnknownOrderKindError(kind);
  return ENDPOINTS[kind];
}

export function checkAddress(name: string, value: string, allowAny: boolean): string {
  if (allowAny && value === "any") return value;
  if (!isAddress(value))
    throw new InvalidInputError(
      `Invalid ${name} ${JSON.stringify(value)}: pass a 0x address${allowAny ? ' or "any"' : ""}.`,
    );
  return getAddress(value);
}

export function checkBytes32(name: string, value: string): string {
  if (!isHexString(value, 32))
    throw new InvalidInputError(`Invalid ${name} ${JSON.stringify(value)}: pass 0x and 64 hex digits.`);
  return value;
}

export function checkPaging(paging: Paging): Record<string, string | undefined> {
  const { pageIndex, pageSize } = paging;
  if (pageIndex !== undefined && !(Number.isSafeInteger(pageIndex) && pageIndex >= 0))
    throw new InvalidInputError(`Invalid pageIndex ${pageIndex}: pass an integer from 0.`);
  if (pageSize !== undefined && !(Number.isSafeInteger(pageSize) && pageSize >= 10))
    throw new InvalidInputError(`Invalid pageSize ${pageSize}: pass an integer of at least 10.`);
  return { pageIndex: pageIndex?.toString(), pageSize: pageSize?.toString() };
}

export function filterQuery(
  filters: object,
  allowed: readonly string[],
  what: string,
): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if (!allowed.includes(name))
      throw new InvalidInputError(
        `The ${what} has no filter ${JSON.stringify(name)}: use one of ${allowed.join(", ")}.`,
      );
    if (typeof value === "bigint") {
      if (value < 0n) throw new InvalidInputError(`Invalid ${name} ${value}: pass a non-negative integer.`);
      query[name] = value.toString();
    } else if (typeof value === "boolean") query[name] = String(value);
    else if (typeof value === "string")
      query[name] = ADDRESS_FILTERS.has(name)
        ? checkAddress(name, value, true)
        : name.endsWith("Tag") || name.endsWith("Hash")
          ? checkBytes32(name, value)
          : value;
    else
      throw new InvalidInputError(`Invalid ${name} ${String(value)}: pass a string, a bigint or a boolean.`);
  }
  return query;
}
