/**
 * The browser-safe core of the SDK: every module in this folder needs only `fetch`, Web APIs and ethers
 * (no file system, no Docker, no native modules); ESLint refuses a Node import here. Web front ends (the
 * explorer) import this entry; Node programs import `../index.ts`, which adds `../node/`.
 */
export * from "./orders";
export * from "./deals";
export * from "./tasks";
export * from "./consensus";
export * from "./errors";
export * from "./units";
export * from "./chains";
export * from "./matching";
export * from "./tee-dev";
export * from "./client";
export * from "./order-json";
export * from "./params";
export * from "./market";
export * from "./scheduler";
export * from "./workerpool-api";
export * from "./failures";
export * from "./compass";
export * from "./multiaddr";
export * from "./logger";
export {
  DEFAULT_TIMEOUT_MS,
  errorDetail,
  isNetworkError,
  joinUrl,
  requestJson,
  requestStatus,
  toJson,
} from "./http";
export type { HttpOptions, StatusResponse } from "./http";
