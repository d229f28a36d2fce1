/** What the routes of one IPFS node share. */
import type { ServiceLogger } from "../sdk/core/logger";
import type { FileBlockstore } from "./blockstore";
import type { PinStore } from "./pins";

/** The stores, limits and log of a running node. */
export interface IpfsNodeContext {
  blocks: FileBlockstore;
  pins: PinStore;
  /** Largest add accepted, in bytes. */
  maxAddBytes: number;
  /** Adds run at once at most; more are answered 503. */
  maxConcurrentAdds: number;
  /** Adds running now. */
  activeAdds: number;
  logger: ServiceLogger;
}
