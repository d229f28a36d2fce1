/**
 * Compass, served by the market at its root: where each workerpool's API (its scheduler's task API)
 * is. The official SDK asks `GET {compass}/{chainId}/workerpools/{address}` for `{ apiUrl }` (`iexec
 * task debug`); a workerpool's on-chain owner registers the URL with `POST` on the same path, signed
 * with the market's challenge login. At the root because the official SDK joins the path with
 * `new URL("/{chainId}/…", compass)`, which drops any path the Compass URL has: chain.json's `compass`
 * is the market's URL.
 */
import type { FastifyInstance } from "fastify";
import { getAddress } from "ethers";
import { ForbiddenError, InvalidInputError, NotFoundError } from "../sdk/core/errors";
import { parseApiUrl } from "../sdk/core/compass";
import type { MarketService } from "./service";
import type { WorkerpoolApiRecord } from "./store";

/** A workerpool address from a path: 20 bytes, and a valid EIP-55 checksum when mixed-case. */
function workerpoolOf(raw: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(raw))
    throw new InvalidInputError(`"${raw}" is not a workerpool address: give a 0x-prefixed 20-byte address.`);
  try {
    return getAddress(raw);
  } catch {
    throw new InvalidInputError(
      `The workerpool address ${raw} fails its EIP-55 checksum: check it for a typo, or write it in lowercase.`,
    );
  }
}

/** Compass's rules: lookups, and registration by the workerpool's owner only. */
export class CompassService {
  constructor(
    private readonly market: MarketService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Checks a registration's shape (chain, address, URL) before any challenge is spent. */
  checkRegistration(chainId: string, address: string, apiUrl: unknown): void {
    this.checkChain(chainId);
    workerpoolOf(address);
    parseApiUrl(apiUrl);
  }

  /** Checks the path's chain id against the market's chain. */
  private checkChain(raw: string): void {
    if (!/^[0-9]{1,78}$/.test(raw))
      throw new InvalidInputError(`"${raw}" is not a chain id: give a decimal number.`);
    this.market.checkChainId(BigInt(raw));
  }

  /** The registered API URL of a workerpool; `NotFoundError` when none is. */
  lookup(chainId: string, address: string): WorkerpoolApiRecord {
    this.checkChain(chainId);
    const workerpool = workerpoolOf(address);
    const record = this.market.store.getWorkerpoolApi(workerpool);
    if (!record)
      throw new NotFoundError(
        `No API URL is registered for workerpool ${workerpool}: its owner registers one with \`openpoco workerpool set-api-url <url>\`.`,
      );
    return record;
  }

  /**
   * Registers `apiUrl` for a workerpool on behalf of `caller` (already authenticated), who must
   * be its on-chain owner. Every check runs before the store is written.
   */
  async register(
    chainId: string,
    address: string,
    apiUrl: unknown,
    caller: string,
  ): Promise<WorkerpoolApiRecord> {
    this.checkChain(chainId);
    const workerpool = workerpoolOf(address);
    const url = parseApiUrl(apiUrl);
    const chain = this.market.chain;
    const registered = await chain.registries.workerpool.isRegistered(workerpool);
    if (!registered)
      throw new NotFoundError(`${workerpool} is not a registered workerpool on chain ${chain.chainId}.`);
    const owner = getAddress(await chain.ownerOf(workerpool));
    if (owner !== caller)
      throw new ForbiddenError(
        `Workerpool ${workerpool} belongs to ${owner}: only its owner may set its API URL, not ${caller}.`,
      );
    const record: WorkerpoolApiRecord = {
      workerpool,
      apiUrl: url,
      registeredBy: owner,
      updatedAt: new Date(this.now()).toISOString(),
    };
    this.market.store.setWorkerpoolApi(record);
    return record;
  }
}

/** Adds Compass's routes to the market's server (CORS and error answers are the market's). */
export function registerCompassRoutes(app: FastifyInstance, market: MarketService): void {
  const compass = new CompassService(market);
  type Params = { chainId: string; address: string };
  const path = "/:chainId/workerpools/:address";
  app.get(path, async (request) => {
    const { chainId, address } = request.params as Params;
    return { apiUrl: compass.lookup(chainId, address).apiUrl };
  });
  app.post(path, async (request) => {
    const { chainId, address } = request.params as Params;
    const apiUrl = (request.body as { apiUrl?: unknown } | undefined)?.apiUrl;
    // Cheap checks first, so a malformed request spends no challenge.
    compass.checkRegistration(chainId, address, apiUrl);
    const caller = market.authenticate(request.headers.authorization);
    const record = await compass.register(chainId, address, apiUrl, caller);
    return { ok: true, ...record };
  });
}
