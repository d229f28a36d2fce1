/**
 * An IPFS node for the stack: blocks on disk, kubo's RPC subset and a path gateway on one port (so
 * chain.json's `ipfsNode` and `ipfsGateway` can be the same URL). Content is not announced to any
 * network: it is a store with kubo's interface and kubo's CIDs, which real kubo nodes can import.
 */
import path from "node:path";
import Fastify from "fastify";
import { CONSOLE_LOGGER, type ServiceLogger } from "../sdk/core/logger";
import { FileBlockstore } from "./blockstore";
import { registerGatewayRoutes } from "./gateway-routes";
import { answerErrorsLikeKubo } from "./kubo-errors";
import { PinStore } from "./pins";
import { registerRpcRoutes } from "./rpc-routes";

/** Port of `openpoco ipfs start` and of the stack's `ipfs` part (plus its offset). */
export const DEFAULT_IPFS_PORT = 13600;

/** Largest add accepted by default: 1 GiB. */
export const DEFAULT_MAX_ADD_BYTES = 1024 * 1024 * 1024;

/** Adds run at once by default. */
export const DEFAULT_MAX_CONCURRENT_ADDS = 8;

/** Idle connection timeout by default. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Whole-request timeout by default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30 * 60_000;

/** How to run a node. */
export interface IpfsNodeOptions {
  /** Blocks and pins live under it, kept across restarts. */
  dataDir: string;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (0 = any free port). */
  port?: number;
  /** Largest add accepted (default 1 GiB); more is answered 413 and nothing is kept. */
  maxAddBytes?: number;
  /** Adds run at once at most (default 8); more are answered 503 and nothing of them is kept. */
  maxConcurrentAdds?: number;
  /** A connection silent this long is closed, and an add on it dropped (default 60 s). */
  idleTimeoutMs?: number;
  /** A request not complete after this long is cut (default 30 min: 1 GiB at about 600 KB/s). */
  requestTimeoutMs?: number;
  logger?: ServiceLogger;
}

/** A running node. */
export interface IpfsNode {
  /** Base URL of both the RPC API (`/api/v0`) and the gateway (`/ipfs/`). */
  url: string;
  /** Stops serving (open connections are cut). */
  close(): Promise<void>;
}

/** Opens the stores under `dataDir` and serves them. */
export async function startIpfsNode(options: IpfsNodeOptions): Promise<IpfsNode> {
  const logger = options.logger ?? CONSOLE_LOGGER;
  const node = {
    blocks: FileBlockstore.open(options.dataDir),
    pins: PinStore.open(options.dataDir),
    maxAddBytes: options.maxAddBytes ?? DEFAULT_MAX_ADD_BYTES,
    maxConcurrentAdds: options.maxConcurrentAdds ?? DEFAULT_MAX_CONCURRENT_ADDS,
    activeAdds: 0,
    logger,
  };
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    forceCloseConnections: true,
    // Slow or stalled clients do not hold a connection (and an add's staged blocks) for ever.
    connectionTimeout: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  });
  // Bodies are never parsed by Fastify: add streams its multipart body itself, the rest have none.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
  answerErrorsLikeKubo(app, logger);
  registerRpcRoutes(app, node);
  registerGatewayRoutes(app, node);
  const url = await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  logger.info(`ipfs node listening at ${url}, data in ${path.resolve(options.dataDir)}`);
  return { url, close: () => app.close() };
}
