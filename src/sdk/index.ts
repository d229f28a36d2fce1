/** OpenPoCo SDK. */
export * from "./orders";
