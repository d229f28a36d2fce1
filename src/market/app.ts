/**
 * The market as one running service: the SQLite store in a data folder, the chain watcher keeping
 * it in step with the chain, and the HTTP API. `openpoco market start` and the local stack run it.
 */
import path from "node:path";
import { JsonRpcProvider, Network } from "ethers";
import { IHub__factory } from "../../typechain-types";
import type { ChainConfig } from "../sdk/core/chains";
import { ServiceUnavailableError } from "../sdk/core/errors";
import { CachedMarketStore } from "./cached-store";
import { buildMarketServer, type FastifyInstance, type MarketServerOptions } from "./server";
import { MarketService, marketChain } from "./service";
import { SqliteMarketStore } from "./sqlite-store";
import type { MarketStore } from "./store";
import { ChainWatcher } from "./watcher";

/** Default port of the market API (chain.json's `iexecGateway` of the local chain). */
export const DEFAULT_MARKET_PORT = 3000;

/** How to run the market. */
export interface MarketOptions {
  chain: ChainConfig;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 3000; 0 picks a free one). */
  port?: number;
  /** Folder of the database (default ./data/market); ignored when `store` is given. */
  dataDir?: string;
  /** A store to use instead of the SQLite file (tests). */
  store?: MarketStore;
  /** Time between chain syncs, in ms (default 1000). */
  syncIntervalMs?: number;
  server?: MarketServerOptions;
}

/** A running market. */
export class MarketApp {
  private constructor(
    readonly url: string,
    readonly store: MarketStore,
    readonly watcher: ChainWatcher,
    private readonly server: FastifyInstance,
    private readonly provider: JsonRpcProvider,
  ) {}

  /** Opens the store, catches up with the chain, then serves the API and keeps syncing. */
  static async start(options: MarketOptions): Promise<MarketApp> {
    const { chain } = options;
    const provider = new JsonRpcProvider(chain.host, undefined, {
      staticNetwork: Network.from(chain.id ?? 31337n),
      cacheTimeout: -1,
    });
    let chainId: bigint;
    try {
      chainId = BigInt(await provider.send("eth_chainId", []));
    } catch (error) {
      provider.destroy();
      throw new ServiceUnavailableError("chain node", chain.host, error);
    }
    const hub = IHub__factory.connect(chain.hub, provider);
    const store =
      options.store ??
      new CachedMarketStore(
        SqliteMarketStore.open(path.join(options.dataDir ?? path.join("data", "market"), "market.sqlite")),
      );
    const watcher = new ChainWatcher({ provider, hub: chain.hub, store });
    // Serve only what the chain says: catch up before the first request.
    await watcher.syncOnce();
    const service = new MarketService(store, await marketChain(hub, chainId));
    const server = await buildMarketServer(service, options.server);
    const url = await server.listen({
      host: options.host ?? "127.0.0.1",
      port: options.port ?? DEFAULT_MARKET_PORT,
    });
    watcher.start(options.syncIntervalMs ?? 1000);
    return new MarketApp(url, store, watcher, server, provider);
  }

  /** Stops syncing and serving, and closes the store. */
  async stop(): Promise<void> {
    await this.watcher.stop();
    await this.server.close();
    this.store.close();
    this.provider.destroy();
  }
}
