/**
 * Multiaddr fields of apps and datasets as stored on chain. The official SDK writes `/ipfs/<cid>` as a
 * binary multiaddr (protocol code 421 = `ipfs`/`p2p` as a varint, then the length of the CID's multihash
 * as a varint, then the multihash) and anything else (URLs, image names) as UTF-8. Reading gives back
 * the text either way, so `/ipfs/Qm…` reads the same whoever registered it.
 */
import { getBytes, hexlify, isHexString, toUtf8Bytes, toUtf8String } from "ethers";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { InvalidInputError } from "./errors";

/** Multiaddr protocol code of `/ipfs/` (an alias of `/p2p/` in multiaddr tables). */
const IPFS_PROTOCOL = 421;
/** Multihash code of sha2-256: the hash of every CIDv0. */
const SHA2_256 = 0x12 as const;
/** Multicodec of dag-pb, the codec of a CIDv0. */
const DAG_PB = 0x70;

/** Reads an unsigned LEB128 varint at `offset`; undefined when the bytes end or it runs too long. */
function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 4 && offset + i < bytes.length; i++) {
    const byte = bytes[offset + i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, next: offset + i + 1 };
  }
  return undefined;
}

/** The unsigned LEB128 varint of `value`. */
function varint(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/** `/ipfs/<cid>` of a binary multiaddr holding exactly one ipfs component; undefined for any other bytes. */
function binaryIpfs(bytes: Uint8Array): string | undefined {
  const code = readVarint(bytes, 0);
  if (code?.value !== IPFS_PROTOCOL) return undefined;
  const length = readVarint(bytes, code.next);
  if (!length || length.next + length.value !== bytes.length || length.value === 0) return undefined;
  try {
    const digest = Digest.decode(bytes.subarray(length.next));
    const cid =
      digest.code === SHA2_256 && digest.size === 32
        ? CID.createV0(digest as Digest.Digest<typeof SHA2_256, 32>)
        : CID.createV1(DAG_PB, digest);
    return `/ipfs/${cid.toString()}`;
  } catch {
    return undefined;
  }
}

/** The text of `bytes` when they are printable UTF-8 (tabs and line breaks allowed), else undefined. */
function printableText(bytes: Uint8Array): string | undefined {
  try {
    const text = toUtf8String(bytes);
    return /^[\P{Cc}\t\n\r]*$/u.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Text of a multiaddr field as stored on chain (0x hex bytes): a binary multiaddr (`/ipfs/Qm…` as the
 * official SDK writes it) gives its text; UTF-8 text gives the text; anything else gives the hex itself.
 */
export function decodeMultiaddr(bytes: string): string {
  if (!isHexString(bytes) || bytes.length % 2 !== 0) return bytes;
  if (bytes === "0x") return "";
  const raw = getBytes(bytes);
  return binaryIpfs(raw) ?? printableText(raw) ?? bytes;
}

/**
 * Bytes (0x hex) to store for a multiaddr text: `/ipfs/<CIDv0>` becomes a binary multiaddr exactly as the
 * official SDK writes it; anything else its UTF-8 (a CIDv1 or a path after the CID too, which the binary
 * form cannot hold without losing the codec or the path). Hex bytes given as such are kept as they are.
 * @throws InvalidInputError for `/ipfs/` followed by something that is not a CID.
 */
export function encodeMultiaddr(text: string): string {
  if (isHexString(text) && text.length % 2 === 0) return text.toLowerCase();
  const ipfs = parseIpfsPath(text);
  if (ipfs && ipfs.path === "") {
    const cid = CID.parse(ipfs.cid);
    if (cid.version === 0) {
      const multihash = cid.multihash.bytes;
      return hexlify(new Uint8Array([...varint(IPFS_PROTOCOL), ...varint(multihash.length), ...multihash]));
    }
  }
  return hexlify(toUtf8Bytes(text));
}

/** A CID parsed from text, or an InvalidInputError that names the text and what a CID looks like. */
export function parseCid(text: string, context = text): CID {
  try {
    return CID.parse(text);
  } catch {
    throw new InvalidInputError(
      `${JSON.stringify(text)} in ${JSON.stringify(context)} is not a CID: give an IPFS content id such as Qm… or bafy….`,
    );
  }
}

/**
 * `/ipfs/<cid>[/path]` split into the CID (as given) and the path (`""` or starting with `/`); undefined
 * for text that does not start with `/ipfs/` (a URL, an image name).
 * @throws InvalidInputError when the CID does not parse, or the path has `.`/`..` or empty segments
 *   (a path that would climb out of the CID's DAG).
 */
export function parseIpfsPath(text: string): { cid: string; path: string } | undefined {
  if (!text.startsWith("/ipfs/")) return undefined;
  const rest = text.slice("/ipfs/".length);
  const slash = rest.indexOf("/");
  const cid = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "" : rest.slice(slash).replace(/\/$/, "");
  parseCid(cid, text);
  const segments = path.split("/").slice(1);
  if (segments.some((segment) => segment === "" || segment === "." || segment === ".."))
    throw new InvalidInputError(
      `The IPFS path ${JSON.stringify(text)} has an empty, "." or ".." segment: give a path inside the CID's DAG.`,
    );
  return { cid, path };
}

/**
 * Refuses a dataset multiaddr workers could not fetch: it must be an http(s) URL or `/ipfs/<cid>[/path]`.
 * @throws InvalidInputError naming the multiaddr and the two accepted forms.
 */
export function checkDatasetMultiaddr(text: string): void {
  if (/^https?:\/\/[^\s]+$/i.test(text) || parseIpfsPath(text)) return;
  throw new InvalidInputError(
    `The dataset multiaddr ${JSON.stringify(text)} is neither an http(s) URL nor /ipfs/<cid>: give where workers download the dataset.`,
  );
}
