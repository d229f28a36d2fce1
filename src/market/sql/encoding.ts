/**
 * The market store's encodings of values as SQL column values, and back (the formats are described
 * in `schema.ts`): uint256 amounts as sortable text, the orderbook's sort key, a tag's four 64-bit
 * words, and deals as JSON text. Pure functions, no database.
 */
import { InvalidInputError } from "../../sdk/core/errors";
import type { OrderKind } from "../../sdk/core/orders";
import type { DealRecord } from "../store";

/** Largest uint256. */
export const UINT256_MAX = 2n ** 256n - 1n;

/**
 * `value` as sortable text: two hex digits counting the value's hex digits, then those digits
 * (lowercase, no leading zero). Texts compare like the numbers: a longer number is bigger, and
 * numbers of the same length compare digit by digit. Throws unless `value` is a uint256.
 */
export function encodeAmount(value: bigint, name = "amount"): string {
  if (typeof value !== "bigint" || value < 0n || value > UINT256_MAX)
    throw new InvalidInputError(`${name} must be a uint256, got ${String(value)}.`);
  const digits = value === 0n ? "" : value.toString(16);
  return digits.length.toString(16).padStart(2, "0") + digits;
}

/** The bigint of an encoded amount. */
export function decodeAmount(text: string): bigint {
  return text.length === 2 ? 0n : BigInt("0x" + text.slice(2));
}

/** Each hex digit's complement (d -> f - d). */
const COMPLEMENT: Readonly<Record<string, string>> = Object.fromEntries(
  [..."0123456789abcdef"].map((digit, i) => [digit, (15 - i).toString(16)]),
);

/**
 * Sort key of the orderbook, ascending for every kind: the encoded price, or for request orders the
 * encoded price with every digit complemented, so that the highest price comes first.
 */
export function rankOf(kind: OrderKind, price: bigint): string {
  const encoded = encodeAmount(price, "price");
  return kind === "request" ? [...encoded].map((digit) => COMPLEMENT[digit]).join("") : encoded;
}

/** The four 64-bit words of a bytes32 (most significant first), as signed int64 of the same bits. */
export function tagWords(tag: string): [bigint, bigint, bigint, bigint] {
  if (!/^0x[0-9a-fA-F]{64}$/.test(tag))
    throw new InvalidInputError(`A tag must be 0x + 64 hex digits, got ${tag}.`);
  const word = (i: number) => BigInt.asIntN(64, BigInt("0x" + tag.slice(2 + 16 * i, 18 + 16 * i)));
  return [word(0), word(1), word(2), word(3)];
}

type Json = Record<string, unknown>;

/** A deal as the JSON text of `deals.deal_json` (bigints as decimal strings). */
export function dealToJson(deal: DealRecord): string {
  return JSON.stringify(deal, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
}

/** The deal of a `deals.deal_json` text. */
export function dealFromJson(text: string): DealRecord {
  const json = JSON.parse(text) as Json;
  const asset = (key: string) => {
    const a = json[key] as Json;
    return { pointer: a.pointer as string, owner: a.owner as string, price: BigInt(a.price as string) };
  };
  const big = (key: string) => BigInt(json[key] as string);
  return {
    ...(json as unknown as DealRecord),
    chainId: big("chainId"),
    app: asset("app"),
    dataset: asset("dataset"),
    workerpool: asset("workerpool"),
    category: big("category"),
    trust: big("trust"),
    botFirst: big("botFirst"),
    botSize: big("botSize"),
    volume: big("volume"),
    workerStake: big("workerStake"),
    schedulerRewardRatio: big("schedulerRewardRatio"),
    startTime: big("startTime"),
  };
}
