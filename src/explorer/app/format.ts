/** Display helpers. */
import { formatRlc } from "../../sdk/core/index";

/** 0x1234…abcd */
export function short(hex: string, keep = 6): string {
  return hex.length > 2 * keep + 4 ? `${hex.slice(0, keep + 2)}…${hex.slice(-keep)}` : hex;
}

/** An amount of nRLC as RLC. */
export function rlc(nrlc: bigint): string {
  return formatRlc(nrlc);
}

/** A unix time (seconds) as a local date and time. */
export function date(seconds: bigint | number): string {
  const n = Number(seconds);
  if (!n) return "—";
  return new Date(n * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** An ISO date (the market's timestamps), short. */
export function when(iso: string): string {
  const parsed = new Date(iso);
  return Number.isNaN(parsed.getTime())
    ? iso
    : parsed.toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
}

/** How far `seconds` is from `now`: "in 5 min" or "3 h ago". */
export function relative(seconds: bigint, now: bigint): string {
  const delta = Number(seconds - now);
  const abs = Math.abs(delta);
  const text =
    abs < 90
      ? `${abs} s`
      : abs < 5400
        ? `${Math.round(abs / 60)} min`
        : abs < 172800
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86400)} days`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

/** A duration in seconds, as "5 min" or "1 h". */
export function duration(seconds: bigint): string {
  const n = Number(seconds);
  if (n % 3600 === 0 && n >= 3600) return `${n / 3600} h`;
  if (n % 60 === 0 && n >= 60) return `${n / 60} min`;
  return `${n} s`;
}

/**
 * The result location of a task's `results` bytes (JSON `{storage, location}` or a URL), if any: an
 * `/ipfs/` location through `ipfsGateway` (or as is without one), a path under `resultProxy`.
 */
export function resultLink(
  resultsText: string | undefined,
  resultProxy?: string,
  ipfsGateway?: string,
): string | undefined {
  if (!resultsText) return undefined;
  const text = resultsText.trim();
  let location: string | undefined;
  if (/^https?:\/\//.test(text)) location = text;
  else {
    try {
      const parsed = JSON.parse(text) as { location?: unknown };
      if (typeof parsed.location === "string") location = parsed.location;
    } catch {
      return undefined;
    }
  }
  if (!location) return undefined;
  if (/^https?:\/\//.test(location)) return location;
  if (location.startsWith("/ipfs/")) return ipfsGateway ? ipfsGateway + location : location;
  if (location.startsWith("/") && resultProxy) return resultProxy + location;
  return undefined;
}

/** The bytes of a task's `results` as text, when they are UTF-8. */
export function bytesText(hex: string): string | undefined {
  if (!hex || hex === "0x") return undefined;
  try {
    const bytes = new Uint8Array((hex.slice(2).match(/../g) ?? []).map((byte) => parseInt(byte, 16)));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** An ISO date (the workerpool's clock) as a local date and time; the text itself when it is not a date. */
export function isoDate(iso: string): string {
  const parsed = new Date(iso);
  return Number.isNaN(parsed.getTime())
    ? iso
    : parsed.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** Tag bits with a name, as iExec names them (bit 0 is TEE; the others say which enclave or hardware). */
const TAG_BITS: [bigint, string][] = [
  [0x2n, "Scone"],
  [0x4n, "Gramine"],
  [0x8n, "TDX"],
  [0x100n, "GPU"],
];

/** A tag (bytes32 hex) for people: "standard", "TEE", "TEE+TDX", "GPU"; unnamed bits as hex. */
export function tagLabel(tag: string): string {
  let bits: bigint;
  try {
    bits = BigInt(tag);
  } catch {
    return tag;
  }
  if (bits === 0n) return "standard";
  const names: string[] = [];
  if (bits & 1n) names.push("TEE");
  let rest = bits & ~1n;
  for (const [bit, name] of TAG_BITS)
    if (rest & bit) {
      names.push(name);
      rest &= ~bit;
    }
  if (rest) names.push(`0x${rest.toString(16)}`);
  return names.join("+");
}
