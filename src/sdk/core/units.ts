/**
 * RLC amounts. The chain counts nano-RLC (9 decimals); people type "5 RLC" or "5000000000". Parsed
 * exactly with bigint: no floating point ever touches money.
 */
import { InvalidInputError } from "./errors";

/** Decimals of RLC: 1 RLC = 10^9 nRLC. */
export const RLC_DECIMALS = 9;
const NRLC_PER_RLC = 10n ** BigInt(RLC_DECIMALS);

/** Units an amount may be given in. */
export type RlcUnit = "RLC" | "nRLC";

function unitOf(text: string): RlcUnit {
  const lower = text.toLowerCase();
  if (lower === "rlc") return "RLC";
  if (lower === "nrlc") return "nRLC";
  throw new InvalidInputError(`Unknown unit ${JSON.stringify(text)}: use RLC or nRLC.`);
}

/**
 * Parses an amount to nRLC. `amount` may carry its unit ("1.5 RLC", "300nRLC"); otherwise `unit`
 * applies, nRLC by default like the official CLI. RLC amounts may have up to 9 decimals.
 */
export function parseRlc(amount: string, unit?: string): bigint {
  const match = /^\s*(\d+)(?:\.(\d+))?\s*([a-zA-Z]*)\s*$/.exec(amount);
  if (!match)
    throw new InvalidInputError(
      `Invalid amount ${JSON.stringify(amount)}: give a number such as 5, 0.5 RLC or 300 nRLC.`,
    );
  const [, whole, fraction = "", inlineUnit] = match;
  if (inlineUnit && unit && unitOf(inlineUnit) !== unitOf(unit))
    throw new InvalidInputError(
      `Amount ${JSON.stringify(amount)} names a unit and ${unit} was given too: give one.`,
    );
  const resolved = unitOf(inlineUnit || unit || "nRLC");
  if (resolved === "nRLC") {
    if (fraction.replace(/0+$/, "") !== "")
      throw new InvalidInputError(
        `Invalid amount ${JSON.stringify(amount)}: nRLC is the smallest unit, it has no decimals.`,
      );
    return BigInt(whole);
  }
  if (fraction.length > RLC_DECIMALS)
    throw new InvalidInputError(
      `Invalid amount ${JSON.stringify(amount)}: RLC has at most ${RLC_DECIMALS} decimals.`,
    );
  return BigInt(whole) * NRLC_PER_RLC + BigInt(fraction.padEnd(RLC_DECIMALS, "0"));
}

/** Formats nRLC as RLC with as many decimals as needed: 1500000000n → "1.5 RLC". */
export function formatRlc(nrlc: bigint): string {
  const sign = nrlc < 0n ? "-" : "";
  const abs = nrlc < 0n ? -nrlc : nrlc;
  const fraction = (abs % NRLC_PER_RLC).toString().padStart(RLC_DECIMALS, "0").replace(/0+$/, "");
  return `${sign}${abs / NRLC_PER_RLC}${fraction ? "." + fraction : ""} RLC`;
}
