/**
 * The result store as one running service: the zips and their SQLite index in a data folder, the
 * chain read through the SDK for every rule, and the HTTP API. `openpoco result serve` runs it.
 */
import path from "node:path";
import { OpenPoco } from "../sdk/core/client";
import type { ChainConfig } from "../sdk/core/chains";
import { CONSOLE_LOGGER, type ServiceLogger } from "../sdk/core/logger";
import { DEFAULT_MAX_RESULT_BYTES, SIGNATURE_MAX_AGE_SECONDS } from "../sdk/node/results";
import { buildResultServer, type FastifyInstance } from "./server";
import { ResultService } from "./service";
import { ResultFileStore } from "./store";

/** Default port of the result store (chain.json's `resultProxy` of the local chain). */
export const DEFAULT_RESULT_STORE_PORT = 13200;

/** How to run the result store. */
export interface ResultStoreOptions {
  chain: ChainConfig;
  /** Folder of the zips and the index (default ./data/results). */
  dataDir?: string;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 13200; 0 picks a free one). */
  port?: number;
  /** Base URL written in the tasks' `results` (default: the URL listened on). */
  publicUrl?: string;
  /** Largest accepted zip, in bytes (default 512 MiB). */
  maxBytes?: number;
  /** Largest age of a signed request, in seconds (default 300). */
  maxAgeSeconds?: number;
  logger?: ServiceLogger;
}

/** A running result store. */
export class ResultStoreApp {
  private constructor(
    readonly url: string,
    readonly service: ResultService,
    private readonly server: FastifyInstance,
    private readonly poco: OpenPoco,
  ) {}

  /** Opens the store, connects to the chain (checking the hub), and serves the API. */
  static async start(options: ResultStoreOptions): Promise<ResultStoreApp> {
    const logger = options.logger ?? CONSOLE_LOGGER;
    const poco = await OpenPoco.connect({ chain: options.chain });
    let store: ResultFileStore | undefined;
    try {
      store = ResultFileStore.open(options.dataDir ?? path.join("data", "results"));
      const service = new ResultService(poco, store, {
        maxBytes: options.maxBytes ?? DEFAULT_MAX_RESULT_BYTES,
        maxAgeSeconds: options.maxAgeSeconds ?? SIGNATURE_MAX_AGE_SECONDS,
        publicUrl: options.publicUrl ?? "",
      });
      const server = await buildResultServer(service);
      const host = options.host ?? "127.0.0.1";
      const url = await server.listen({ host, port: options.port ?? DEFAULT_RESULT_STORE_PORT });
      if (!options.publicUrl) service.options.publicUrl = url;
      logger.info(
        `result store listening at ${url}, data in ${path.resolve(options.dataDir ?? "data/results")}`,
      );
      return new ResultStoreApp(url, service, server, poco);
    } catch (error) {
      store?.close();
      poco.close();
      throw error;
    }
  }

  /** Stops serving and closes the store and the chain connection. */
  async stop(): Promise<void> {
    await this.server.close();
    this.service.store.close();
    this.poco.close();
  }
}
