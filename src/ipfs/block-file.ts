/**
 * How a block maps to a file, and the hash check every read goes through: a block's file is named by
 * its multihash (base32), so two CIDs of the same bytes (v0 and v1) share one file.
 */
import { createHash } from "node:crypto";
import { base32 } from "multiformats/bases/base32";
import type { CID } from "multiformats/cid";
import { IdentityTooLargeError, UnsupportedHashError } from "./errors";

/** Multihash code of sha2-256, the hash of every block kubo's defaults make. */
export const SHA2_256 = 0x12;
/** Multihash code of identity: the "hash" is the block itself (tiny inlined blocks). */
export const IDENTITY = 0x00;

/** File name of a block: its multihash in lowercase base32, without a multibase prefix. */
export function blockFileName(cid: CID): string {
  return multihashFileName(cid.multihash.bytes);
}

/** File name of the block of a multihash (its bytes): see blockFileName. */
export function multihashFileName(multihash: Uint8Array): string {
  return base32.baseEncode(multihash);
}

/** Largest block an identity CID may inline: kubo's limit. */
export const MAX_IDENTITY_DIGEST_BYTES = 128;

/** Refuses an identity CID inlining more than MAX_IDENTITY_DIGEST_BYTES (InvalidInput). */
export function assertIdentitySize(cid: CID): void {
  const size = cid.multihash.digest.byteLength;
  if (cid.multihash.code === IDENTITY && size > MAX_IDENTITY_DIGEST_BYTES)
    throw new IdentityTooLargeError(cid.toString(), size, MAX_IDENTITY_DIGEST_BYTES);
}

/**
 * Refuses a CID whose hash this store cannot check, and oversized identity CIDs (also when they are
 * links inside a DAG: every block read comes through here).
 */
export function assertVerifiable(cid: CID): void {
  const code = cid.multihash.code;
  if (code !== SHA2_256 && code !== IDENTITY) throw new UnsupportedHashError(cid.toString(), code);
  assertIdentitySize(cid);
}

/** True when `bytes` are the block `cid` names. */
export function blockMatches(cid: CID, bytes: Uint8Array): boolean {
  if (cid.multihash.code === IDENTITY) return Buffer.from(cid.multihash.digest).equals(Buffer.from(bytes));
  const digest = createHash("sha256").update(bytes).digest();
  return digest.equals(cid.multihash.digest);
}
