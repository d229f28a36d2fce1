/** OpenPoCo SDK. */
export * from "./orders";
export * from "./deals";
