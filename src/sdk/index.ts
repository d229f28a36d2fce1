/** OpenPoCo SDK. */
export * from "./orders";
export * from "./deals";
export * from "./tasks";
export * from "./consensus";
export * from "./errors";
