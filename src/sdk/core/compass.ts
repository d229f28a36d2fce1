/**
 * Compass registration: a workerpool's owner tells Compass where the workerpool's API is, so that
 * requesters (and the official SDK's `task debug`) find its task API from the workerpool address.
 * Lookups are `lookupWorkerpoolApi` of `workerpool-api.ts`.
 */
import { getAddress, type Signer } from "ethers";
import { InvalidInputError } from "./errors";
import { joinUrl, requestJson } from "./http";
import type { MarketClient } from "./market";

/** Longest API URL Compass stores. */
export const MAX_API_URL_LENGTH = 2048;

/**
 * Checks a workerpool API URL: an absolute http(s) URL with a host, no credentials, no query or
 * fragment. Returns it without a trailing slash; throws `InvalidInputError` otherwise.
 */
export function parseApiUrl(value: unknown): string {
  if (typeof value !== "string" || value.length === 0)
    throw new InvalidInputError(
      'Give the workerpool API URL as a string "apiUrl", for example http://host:13000.',
    );
  if (value.length > MAX_API_URL_LENGTH)
    throw new InvalidInputError(`The API URL is longer than ${MAX_API_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInputError(`"${value}" is not a URL: give an absolute http:// or https:// URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidInputError(
      `"${value}" uses ${url.protocol}: only http:// and https:// API URLs are accepted.`,
    );
  if (url.username || url.password || url.search || url.hash)
    throw new InvalidInputError(
      `"${value}" carries credentials, a query or a fragment: give the API's base URL only.`,
    );
  return url.toString().replace(/\/+$/, "");
}

/** What to register. */
export interface CompassRegistration {
  /** Compass's URL (chain.json `compass`). */
  compass: string;
  /** The market that hands out the login challenge Compass checks (chain.json `iexecGateway`). */
  market: MarketClient;
  workerpool: string;
  apiUrl: string;
  /** The workerpool's owner. */
  signer: Signer;
  timeoutMs?: number;
}

/** Registers a workerpool's API URL in Compass, signed by its owner; returns the stored URL. */
export async function registerWorkerpoolApi(registration: CompassRegistration): Promise<string> {
  const { compass, market, signer } = registration;
  const workerpool = getAddress(registration.workerpool);
  const apiUrl = parseApiUrl(registration.apiUrl);
  const authorization = await market.authorize(signer);
  const answer = await requestJson<{ apiUrl?: string }>(
    "Compass",
    joinUrl(compass, `/${market.chainId}/workerpools/${workerpool}`),
    {
      method: "POST",
      body: { apiUrl },
      headers: { Authorization: authorization },
      baseUrl: compass,
      timeoutMs: registration.timeoutMs,
    },
  );
  return answer.apiUrl ?? apiUrl;
}
