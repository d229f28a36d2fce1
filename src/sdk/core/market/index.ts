/**
 * The market API: its challenge authentication (auth.ts), its wire types (wire.ts) and its client
 * (client.ts). JSON decoding (decode.ts) and query checks (query.ts) stay internal.
 * Browser-safe: nothing here reaches Node's modules.
 */
export * from "./auth";
export * from "./wire";
export { MarketClient } from "./client";
