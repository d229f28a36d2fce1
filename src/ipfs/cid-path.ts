/**
 * Parsing of `<cid>[/path]` as the gateway and the RPC `arg` carry it. Paths are resolved only inside
 * the DAG: `.`/`..` segments and encoded slashes are refused, so a request cannot name anything else.
 */
import { CID } from "multiformats/cid";
import { InvalidInputError } from "../sdk/core/errors";
import { assertIdentitySize } from "./block-file";

/** A CID and the link names to follow from it. */
export interface CidPath {
  cid: CID;
  /** Link names, each non-empty, none `.` or `..`. */
  segments: string[];
}

/**
 * Parses a CID text; throws InvalidInputError naming the text when it is not a CID, or when it is an
 * identity CID inlining more than 128 bytes.
 */
export function parseCid(text: string): CID {
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    throw new InvalidInputError(
      `"${text.slice(0, 100)}" is not a valid CID: expected a CIDv0 (Qm...) or a base32 CIDv1 (bafy...).`,
    );
  }
  assertIdentitySize(cid);
  return cid;
}

/**
 * Parses `<cid>[/seg/...]`; `encoded` says whether segments are still URL-encoded (gateway paths).
 * Throws InvalidInputError for a bad CID or a path that tries to leave the DAG.
 */
export function parseCidPath(text: string, encoded = false): CidPath {
  const [first, ...rest] = text
    .replace(/^\/+/, "")
    .replace(/^ipfs\//, "")
    .split("/");
  const cid = parseCid(first);
  const segments: string[] = [];
  for (const raw of rest) {
    let segment = raw;
    if (encoded) {
      try {
        segment = decodeURIComponent(raw);
      } catch {
        throw new InvalidInputError(`The path segment "${raw.slice(0, 100)}" is not valid URL encoding.`);
      }
    }
    if (segment === "") continue;
    if (segment === "." || segment === ".." || segment.includes("/"))
      throw new InvalidInputError(
        `The path "${text.slice(0, 200)}" escapes the DAG of ${cid}: name links inside it only (no "." or "..").`,
      );
    segments.push(segment);
  }
  return { cid, segments };
}

/** The path as the exporter takes it: `<cid>/<seg>/...`. */
export function exporterPath(path: CidPath): string {
  return [path.cid.toString(), ...path.segments].join("/");
}
