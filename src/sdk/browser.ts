/**
 * The browser-safe part of the SDK: everything that needs only `fetch` and ethers (no file system, no
 * Docker, no native modules). Web front ends (the explorer) import this entry instead of `index.ts`,
 * whose keystore, file, zip and encryption modules need Node.
 */
export * from "./orders";
export * from "./deals";
export * from "./tasks";
export * from "./consensus";
export * from "./errors";
export * from "./units";
export * from "./chains";
export * from "./matching";
export * from "./client";
export * from "./order-json";
export * from "./params";
export * from "./market";
export { DEFAULT_TIMEOUT_MS, errorDetail, isNetworkError, joinUrl, requestJson, toJson } from "./http";
export type { HttpOptions } from "./http";
