/**
 * The beneficiary's result-encryption keys as they travel: the public key in the SMS (the official
 * clients store base64 of its PEM; older OpenPoCo clients stored the PEM itself), the private key on the
 * beneficiary's disk (PEM), and the padding the requester asks the worker to wrap the AES key with.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { InvalidInputError } from "../core/errors";

/** Smallest RSA modulus accepted for result encryption, in bits: smaller keys can be factored. */
export const RESULT_KEY_MIN_BITS = 2048;

/**
 * How the AES key of an encrypted result is wrapped with the beneficiary's RSA key: `pkcs1` (RSAES-PKCS1-v1_5,
 * iExec's format, which the official clients decrypt) or `oaep` (RSA-OAEP with SHA-256, which only
 * OpenPoCo decrypts).
 */
export type ResultKeyPadding = "pkcs1" | "oaep";

/** The padding a result is encrypted with when the request does not ask: the official one. */
export const DEFAULT_RESULT_KEY_PADDING: ResultKeyPadding = "pkcs1";

/** Request param (an OpenPoCo extension, ignored by iExec's workers) choosing the padding: "pkcs1" or "oaep". */
export const RESULT_ENCRYPTION_PADDING_PARAM = "iexec_result_encryption_padding";

const PEM_BLOCK = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?\r?\n?-----END \1-----\s*$/;
const PUBLIC_LABELS = ["PUBLIC KEY", "RSA PUBLIC KEY"];
const FIX =
  "push the .pub file of `openpoco result generate-encryption-keypair` (or `iexec result generate-encryption-keypair`) with `result push-encryption-key`";

/** The PEM in `text`: `text` itself when it is a PEM, else the PEM it is base64 of; undefined otherwise. */
function pemOf(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith("-----BEGIN ")) return trimmed;
  const compact = trimmed.replace(/\s+/g, "");
  // Buffer.from(…, "base64") skips invalid characters silently, so the alphabet is checked first.
  if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  const decoded = Buffer.from(compact, "base64").toString("utf8").trim();
  return decoded.startsWith("-----BEGIN ") ? decoded : undefined;
}

/**
 * Reads a beneficiary's result-encryption public key in any form the clients store it: a PEM (SPKI
 * `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`), or base64 of such a PEM (what `iexec result push-encryption-key`,
 * the official SDK's `pushResultEncryptionKey` and `openpoco result push-encryption-key` store).
 * @throws InvalidInputError saying what is wrong (not a PEM, a private key, not RSA, too small).
 */
export function readResultPublicKey(stored: string): KeyObject {
  const pem = typeof stored === "string" ? pemOf(stored) : undefined;
  if (pem === undefined)
    throw new InvalidInputError(
      `The result-encryption key is neither a PEM public key nor base64 of one: ${FIX}.`,
    );
  const label = PEM_BLOCK.exec(pem)?.[1];
  if (label !== undefined && label.includes("PRIVATE KEY"))
    throw new InvalidInputError(
      "The result-encryption key is a private key, which must never leave the beneficiary: generate a new key pair and push its public key.",
    );
  if (label === undefined || !PUBLIC_LABELS.includes(label))
    throw new InvalidInputError(
      `The result-encryption key is a PEM ${label ? `"${label}"` : "block that does not parse"}, not an RSA public key: ${FIX}.`,
    );
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new InvalidInputError(
      `The result-encryption key does not parse as a public key (${(error as Error).message}): ${FIX}.`,
    );
  }
  if (key.asymmetricKeyType !== "rsa")
    throw new InvalidInputError(
      `The result-encryption key is an ${key.asymmetricKeyType ?? "unknown"} key, not RSA: ${FIX}.`,
    );
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < RESULT_KEY_MIN_BITS)
    throw new InvalidInputError(
      `The result-encryption key has ${bits} bits, fewer than ${RESULT_KEY_MIN_BITS}: generate a new key pair (4096 bits) and push its public key.`,
    );
  return key;
}

/**
 * The form a public key is pushed to the SMS in, the official clients' one: base64 of its PEM (SPKI). The key
 * is checked first (see `readResultPublicKey`), so a key the workers would refuse is never pushed.
 */
export function encodeResultPublicKey(publicKey: string): string {
  const pem = readResultPublicKey(publicKey).export({ type: "spki", format: "pem" }).toString();
  return Buffer.from(pem, "utf8").toString("base64");
}

/**
 * Reads the beneficiary's private key: a PEM (PKCS#8 or PKCS#1, as both `generate-encryption-keypair` write)
 * or base64 of one.
 * @throws InvalidInputError when it is not a readable RSA private key.
 */
export function readResultPrivateKey(text: string): KeyObject {
  const pem = typeof text === "string" ? pemOf(text) : undefined;
  let key: KeyObject | undefined;
  try {
    key = pem === undefined ? undefined : createPrivateKey(pem);
  } catch {
    key = undefined;
  }
  if (key === undefined || key.asymmetricKeyType !== "rsa")
    throw new InvalidInputError(
      "The private key is not an RSA private key in PEM: pass the beneficiary's key file (.secrets/beneficiary/<address>_key), not its .pub.",
    );
  return key;
}

/**
 * The padding asked by request params (`iexec_result_encryption_padding`, default "pkcs1").
 * @throws InvalidInputError for another value.
 */
export function resultKeyPaddingOf(params: Record<string, unknown>): ResultKeyPadding {
  const asked = params[RESULT_ENCRYPTION_PADDING_PARAM];
  if (asked === undefined || asked === null || asked === "") return DEFAULT_RESULT_KEY_PADDING;
  const value = typeof asked === "string" ? asked.toLowerCase() : asked;
  if (value === "pkcs1" || value === "oaep") return value;
  throw new InvalidInputError(
    `The request param ${RESULT_ENCRYPTION_PADDING_PARAM} is ${JSON.stringify(asked)}: use "pkcs1" (the default, which the iExec clients decrypt) or "oaep" (which only OpenPoCo decrypts).`,
  );
}
