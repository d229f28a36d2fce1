/**
 * The one HTTP layer of the SDK's off-chain clients (market, SMS, result store, Docker registry). It turns
 * every failure into an SDK error: an unreachable service into `ServiceUnavailableError` (naming the
 * service's base URL, which is what the user configures), an error answer into `ServiceError` carrying
 * the server's own message.
 */
import { InvalidInputError, ServiceError, ServiceUnavailableError } from "./errors";

/** Default time to wait for a service's answer (its headers, for downloads), in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Options of one HTTP request. */
export interface HttpOptions {
  /** HTTP method; GET when left out. */
  method?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Body sent as JSON; bigints are written as decimal strings. Exclusive with `text`. */
  body?: unknown;
  /** Body sent verbatim as `text/plain` (the SMS takes secrets so). Exclusive with `body`. */
  text?: string;
  /** Milliseconds to wait for the answer before giving up; DEFAULT_TIMEOUT_MS when left out. */
  timeoutMs?: number;
  /**
   * Base URL of the service, named in `ServiceUnavailableError`; the request URL's origin when left out.
   * Clients pass the URL the user configured so that the message points at the setting to fix.
   */
  baseUrl?: string;
}

/** Status and headers of an answer whose body is not needed (HEAD-style checks). */
export interface StatusResponse {
  /** HTTP status code. */
  status: number;
  /** Response headers. */
  headers: Headers;
}

// Node's fetch (undici) reports network failures as `TypeError("fetch failed")` whose cause carries a
// system error code; some causes wrap several attempts (IPv4 and IPv6) in an AggregateError.
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "ECONNRESET",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== "object" || error === null || depth > 4) return [];
  const codes: string[] = [];
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string") codes.push(code);
  if (cause !== undefined) codes.push(...errorCodes(cause, depth + 1));
  if (Array.isArray(errors)) for (const inner of errors) codes.push(...errorCodes(inner, depth + 1));
  return codes;
}

/** True for an error that means "the service could not be reached or stopped answering". */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // AbortSignal.timeout aborts with a TimeoutError, AbortController.abort with an AbortError.
  if (error.name === "AbortError" || error.name === "TimeoutError") return true;
  if (errorCodes(error).some((code) => NETWORK_CODES.has(code))) return true;
  // Any other TypeError thrown by fetch itself is a transport failure ("fetch failed", "terminated").
  // Browsers word it "Failed to fetch" (Chromium), "NetworkError when attempting to fetch" (Firefox) or
  // "Load failed" (Safari).
  return (
    error instanceof TypeError &&
    /fetch failed|terminated|other side closed|failed to fetch|networkerror|load failed/i.test(error.message)
  );
}

/** @internal Shared with the Node-only download helpers of `../node/download.ts`. */
export function checkedUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError(`Invalid URL ${JSON.stringify(url)}: pass an absolute http(s) URL.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new InvalidInputError(`Unsupported URL ${url}: pass an http:// or https:// URL.`);
  return parsed;
}

/** @internal Shared with the Node-only download helpers of `../node/download.ts`. */
export function baseOf(url: URL, options?: { baseUrl?: string }): string {
  return options?.baseUrl ?? url.origin;
}

/** JSON text of `value`, with bigints as decimal strings (the services' wire format for uint256). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** `path` under `baseUrl`, keeping the base's own path (new URL(path, base) would drop it). */
export function joinUrl(baseUrl: string, path: string, query?: Record<string, string | undefined>): string {
  const url = new URL(baseUrl.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`));
  for (const [name, value] of Object.entries(query ?? {}))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/** @internal Shared with the Node-only download helpers of `../node/download.ts`. */
export function buildInit(options: HttpOptions | undefined, accept?: string): RequestInit {
  if (options?.body !== undefined && options.text !== undefined)
    throw new InvalidInputError("Both a JSON body and a text body were given: pass only one of them.");
  const headers: Record<string, string> = {};
  if (accept) headers["Accept"] = accept;
  let body: string | undefined;
  if (options?.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = toJson(options.body);
  } else if (options?.text !== undefined) {
    headers["Content-Type"] = "text/plain";
    body = options.text;
  }
  return { method: options?.method ?? "GET", headers: { ...headers, ...options?.headers }, body };
}

/** @internal Shared with the Node-only download helpers of `../node/download.ts`. */
export async function send(
  service: string,
  url: URL,
  init: RequestInit,
  options: HttpOptions | undefined,
  signal: AbortSignal,
): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal, redirect: "follow" });
  } catch (error) {
    if (isNetworkError(error)) throw new ServiceUnavailableError(service, baseOf(url, options), error);
    throw error;
  }
}

/** The error message a service put in its answer (`{error}`, `{message}`, or plain text), if any. */
export function errorDetail(text: string, fallback: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return fallback;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    if (typeof parsed === "object" && parsed !== null) {
      const { error, message, errors } = parsed as { error?: unknown; message?: unknown; errors?: unknown };
      for (const candidate of [error, message, errors]) {
        if (typeof candidate === "string" && candidate !== "") return candidate;
        // The SMS answers `{error: [messages]}`, Docker registries `{errors: [{message}]}`.
        if (Array.isArray(candidate) && candidate.length > 0)
          return candidate
            .map((item: unknown) =>
              typeof item === "object" && item !== null && "message" in item
                ? String((item as { message: unknown }).message)
                : String(item),
            )
            .join("; ");
      }
    }
  } catch {
    // Not JSON: the text itself is the message.
  }
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

/** @internal Shared with the Node-only download helpers of `../node/download.ts`. */
export async function readText(service: string, url: URL, response: Response, options?: HttpOptions) {
  try {
    return await response.text();
  } catch (error) {
    if (isNetworkError(error)) throw new ServiceUnavailableError(service, baseOf(url, options), error);
    throw error;
  }
}

/**
 * Sends a request and returns the answer's JSON body. Throws `ServiceUnavailableError` when the service
 * cannot be reached or times out, `ServiceError` on a non-2xx answer, on an `{ok: false}` answer, or on a
 * body that is not JSON.
 */
export async function requestJson<T>(service: string, url: string, options?: HttpOptions): Promise<T> {
  const parsedUrl = checkedUrl(url);
  const init = buildInit(options, "application/json");
  const signal = AbortSignal.timeout(options?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const response = await send(service, parsedUrl, init, options, signal);
  const text = await readText(service, parsedUrl, response, options);
  if (!response.ok)
    throw new ServiceError(
      service,
      url,
      response.status,
      errorDetail(text, response.statusText || "no detail"),
    );
  let parsed: unknown;
  try {
    parsed = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new ServiceError(
      service,
      url,
      response.status,
      "the answer is not JSON; check that the URL points at the service.",
    );
  }
  if (typeof parsed === "object" && parsed !== null && (parsed as { ok?: unknown }).ok === false)
    throw new ServiceError(
      service,
      url,
      response.status,
      errorDetail(text, "the service answered ok: false"),
    );
  return parsed as T;
}

/**
 * Sends a request and returns its status and headers whatever the status (for existence checks that
 * read 404 as "absent"). Throws only `ServiceUnavailableError`, when the service cannot be reached.
 */
export async function requestStatus(
  service: string,
  url: string,
  options?: HttpOptions,
): Promise<StatusResponse> {
  const parsedUrl = checkedUrl(url);
  const init = buildInit({ method: "HEAD", ...options });
  const signal = AbortSignal.timeout(options?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const response = await send(service, parsedUrl, init, options, signal);
  // Drain the body (if any) so that the connection is released.
  await readText(service, parsedUrl, response, options);
  return { status: response.status, headers: response.headers };
}
