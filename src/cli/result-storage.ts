/**
 * Where a request's results go (`--storage`), and the warning owed to a requester whose result would be
 * public: an unencrypted result on IPFS can be read by anyone who learns its CID (it is on chain).
 */
import { InvalidInputError } from "../sdk/core/errors";
import { parseParams } from "../sdk/core/params";
import type { Output } from "./output";

/** The storage providers a request may name: OpenPoCo's result store, or IPFS. */
export const STORAGE_PROVIDERS = ["openpoco", "ipfs"] as const;
/** One of STORAGE_PROVIDERS. */
export type StorageProvider = (typeof STORAGE_PROVIDERS)[number];

/** The request's storage provider from `--storage`; undefined (our workers' default, the result store) when not given. */
export function storageOption(value: string | undefined): StorageProvider | undefined {
  if (value === undefined) return undefined;
  const provider = STORAGE_PROVIDERS.find((name) => name === value.trim().toLowerCase());
  if (!provider)
    throw new InvalidInputError(
      `--storage must be one of ${STORAGE_PROVIDERS.join(", ")}, got ${JSON.stringify(value)}.`,
    );
  return provider;
}

/** The warning for request `params` that put an unencrypted result on IPFS, else undefined. */
export function publicResultWarning(params: string | undefined): string | undefined {
  if (!params) return undefined;
  const parsed = parseParams(params);
  if (String(parsed.iexec_result_storage_provider ?? "").toLowerCase() !== "ipfs") return undefined;
  if (parsed.iexec_result_encryption === true) return undefined;
  return (
    "The result will be PUBLIC: it goes to IPFS unencrypted, and anyone who reads its CID on chain can download it. " +
    "To keep it private, encrypt it for the beneficiary (`openpoco result generate-encryption-keypair`, " +
    "`openpoco result push-encryption-key`, then --encrypt-result), or keep it in the result store (--storage openpoco)."
  );
}

/** Warns on `out` (and in the --raw JSON as `warning`) when `params` make a public result. */
export function warnIfPublicResult(out: Output, params: string | undefined): void {
  const warning = publicResultWarning(params);
  if (!warning) return;
  out.warn(warning);
  out.set({ publicResult: true, warning });
}
