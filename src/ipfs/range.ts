/** The `Range` header of a gateway GET: one byte range, as RFC 9110 defines it. */

/** An inclusive byte range of a file. */
export interface ByteRange {
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/** Answer for a range no byte of the file is in: 416. */
export const UNSATISFIABLE = "unsatisfiable" as const;

/**
 * The range a `Range` header asks of a file of `size` bytes: undefined for the whole file (no header, a
 * header this gateway ignores such as several ranges, or bad syntax, as RFC 9110 allows), UNSATISFIABLE
 * when it starts past the end.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | typeof UNSATISFIABLE | undefined {
  if (!header) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Number(match[2]);
  if (start >= size) return UNSATISFIABLE;
  if (end < start) return undefined;
  return { start, end: Math.min(end, size - 1) };
}
