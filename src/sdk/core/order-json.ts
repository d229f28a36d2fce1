/**
 * Orders as JSON, the way iexec.json, orders.json and the market carry them: numbers as decimal
 * strings (or numbers), request params as a string or an object. Parsing checks every field and
 * names the one at fault.
 */
import { getAddress, isHexString } from "ethers";
import { InvalidInputError } from "./errors";
import { ORDER_TYPES, type OrderByKind, type OrderKind } from "./orders";

const MAX_UINT256 = 2n ** 256n - 1n;

/** The JSON key of each order kind in iexec.json and orders.json ("apporder", ...). */
export function orderKey(kind: OrderKind): string {
  return `${kind}order`;
}

/** A value as the error shows it; bigints (which JSON cannot print) as their digits. */
function shown(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  return JSON.stringify(value) ?? "nothing";
}

function field(where: string, name: string, type: string, value: unknown): unknown {
  const bad = (expected: string) =>
    new InvalidInputError(`${where}.${name} must be ${expected}, got ${shown(value)}.`);
  switch (type) {
    case "address":
      if (typeof value !== "string") throw bad("an address");
      try {
        return getAddress(value);
      } catch {
        throw bad("an address");
      }
    case "uint256": {
      let parsed: bigint | undefined;
      if (typeof value === "bigint") parsed = value;
      else if (typeof value === "number" && Number.isSafeInteger(value)) parsed = BigInt(value);
      else if (typeof value === "string" && /^\d{1,78}$/.test(value)) parsed = BigInt(value);
      if (parsed === undefined || parsed < 0n || parsed > MAX_UINT256)
        throw bad("an integer from 0 to 2^256 - 1");
      return parsed;
    }
    case "bytes32":
      if (typeof value !== "string" || !isHexString(value, 32)) throw bad("0x + 64 hex digits");
      return value.toLowerCase();
    case "string":
      if (typeof value === "string") return value;
      if (typeof value === "object" && value !== null) return JSON.stringify(value);
      throw bad("a string or a JSON object");
    default:
      throw bad(type);
  }
}

/**
 * Parses an order of `kind` from JSON; `where` names it in errors ("iexec.json order.apporder").
 * `salt` and `sign` may be absent (unsigned orders): salt then defaults to zero, sign to "0x".
 */
export function parseOrder<K extends OrderKind>(kind: K, json: unknown, where: string): OrderByKind[K] {
  if (typeof json !== "object" || json === null)
    throw new InvalidInputError(`${where} must be a JSON object.`);
  const source = json as Record<string, unknown>;
  const { primaryType, types } = ORDER_TYPES[kind];
  const out: Record<string, unknown> = {};
  for (const { name, type } of types[primaryType]) {
    const value = name === "salt" && source.salt === undefined ? "0x" + "00".repeat(32) : source[name];
    out[name] = field(where, name, type, value);
  }
  const sign = source.sign ?? "0x";
  if (typeof sign !== "string" || !isHexString(sign))
    throw new InvalidInputError(`${where}.sign must be hex.`);
  out.sign = sign;
  return out as unknown as OrderByKind[K];
}

/** An order as JSON: bigints as decimal strings, fields in EIP-712 order, then `sign`. */
export function orderToJson<K extends OrderKind>(kind: K, order: OrderByKind[K]): Record<string, string> {
  const { primaryType, types } = ORDER_TYPES[kind];
  const source = order as unknown as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const { name } of types[primaryType]) out[name] = String(source[name]);
  out.sign = String(source.sign ?? "0x");
  return out;
}
