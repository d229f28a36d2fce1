import { HardhatPluginError } from "hardhat/plugins";
import { isHexString, parseUnits } from "ethers";

/** Environment of the deploy tooling: process.env, or a plain record in tests. */
export type Env = Record<string, string | undefined>;

/**
 * A missing or malformed environment variable. A HardhatPluginError, so that Hardhat prints the
 * message alone (no stack trace) when the configuration or a script throws it.
 */
export class EnvError extends HardhatPluginError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super("openpoco", message);
    // HardhatPluginError resets the prototype to its own: restore ours for `instanceof`.
    Object.setPrototypeOf(this, EnvError.prototype);
    this.name = "EnvError";
  }
}

/** The value of `name`, trimmed; undefined when unset or blank. */
export function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** An http(s) or ws(s) URL. */
export function requireUrl(env: Env, name: string, why: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new EnvError(name, `${name} is not set: ${why}.`);
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    throw new EnvError(
      name,
      `${name} is not a URL: ${JSON.stringify(value)} (expected e.g. https://rpc.example.org).`,
    );
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(protocol)) {
    throw new EnvError(name, `${name} must be an http(s) or ws(s) URL, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** A secp256k1 private key, 0x-prefixed or not. Never echoed in errors: it is a secret. */
export function optionalPrivateKey(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  const key = value.startsWith("0x") ? value : `0x${value}`;
  if (!isHexString(key, 32) || /^0x0+$/.test(key)) {
    throw new EnvError(
      name,
      `${name} is not a private key: expected 64 hex digits (optionally 0x-prefixed), got ${value.length} characters.`,
    );
  }
  return key;
}

/** A positive integer (a chain id, a gas limit). */
export function optionalPositiveInteger(env: Env, name: string): number | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new EnvError(name, `${name} must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return Number(value);
}

/** An amount in gwei (decimals allowed), returned in wei. */
export function optionalGwei(env: Env, name: string): bigint | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  let wei: bigint;
  try {
    wei = parseUnits(value, "gwei");
  } catch {
    throw new EnvError(name, `${name} must be a number of gwei (e.g. 1.5), got ${JSON.stringify(value)}.`);
  }
  if (wei <= 0n) throw new EnvError(name, `${name} must be more than 0 gwei, got ${JSON.stringify(value)}.`);
  return wei;
}
