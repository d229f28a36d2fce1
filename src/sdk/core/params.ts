/**
 * Request params: what a requester asks of the app run, carried in the request order as a string.
 * Either JSON `{iexec_args, iexec_input_files, ...}` or, for old clients, a bare string of args.
 * Built here for requesters and parsed here for workers, so both read the same fields.
 */
import { InvalidInputError } from "./errors";

/** The fields of request params this implementation uses. */
export interface RequestParams {
  /** Command-line arguments of the app. */
  iexec_args?: string;
  /** URLs downloaded into the input folder before the run. */
  iexec_input_files?: string[];
  /** Requester secrets given to the app, by index: `{"1": "secretName"}`. */
  iexec_secrets?: Record<string, string>;
  /** Encrypt the result for the beneficiary. */
  iexec_result_encryption?: boolean;
  /** Where the result goes ("ipfs", "dropbox", or this implementation's result store). */
  iexec_result_storage_provider?: string;
  /** Result store URL for the storage provider. */
  iexec_result_storage_proxy?: string;
  [other: string]: unknown;
}

/** What `buildParams` takes; undefined fields are left out. */
export interface ParamsInput {
  args?: string;
  inputFiles?: string[];
  secrets?: Record<string, string>;
  resultEncryption?: boolean;
  storageProvider?: string;
  storageProxy?: string;
  /** Extra params (a JSON object, or its text), merged under the fields above. */
  extra?: string | Record<string, unknown>;
}

function extraObject(extra: ParamsInput["extra"]): Record<string, unknown> {
  if (extra === undefined || extra === "") return {};
  if (typeof extra === "object") return extra;
  let parsed: unknown;
  try {
    parsed = JSON.parse(extra);
  } catch {
    throw new InvalidInputError(`--params must be a JSON object, got ${JSON.stringify(extra)}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new InvalidInputError(`--params must be a JSON object, got ${JSON.stringify(extra)}.`);
  return parsed as Record<string, unknown>;
}

/** The params string of a request order (empty when nothing is asked). */
export function buildParams(input: ParamsInput): string {
  const params: RequestParams = { ...extraObject(input.extra) };
  if (input.args !== undefined) params.iexec_args = input.args;
  if (input.inputFiles && input.inputFiles.length > 0) {
    for (const url of input.inputFiles)
      if (!/^https?:\/\/\S+$/.test(url))
        throw new InvalidInputError(
          `Input file ${JSON.stringify(url)} is not an http(s) URL: workers download it.`,
        );
    params.iexec_input_files = input.inputFiles;
  }
  if (input.secrets) params.iexec_secrets = input.secrets;
  if (input.resultEncryption !== undefined) params.iexec_result_encryption = input.resultEncryption;
  if (input.storageProvider !== undefined) params.iexec_result_storage_provider = input.storageProvider;
  if (input.storageProxy !== undefined) params.iexec_result_storage_proxy = input.storageProxy;
  return Object.keys(params).length === 0 ? "" : JSON.stringify(params);
}

/** Reads the params of a deal: JSON params as they are, a bare string as the args. */
export function parseParams(params: string): RequestParams {
  if (params.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(params);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as RequestParams;
  } catch {
    // Not JSON: the whole string is the args, as legacy clients send them.
  }
  return { iexec_args: params };
}
