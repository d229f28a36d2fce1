/** The Node-only part of the SDK: wallets on disk, files, zips, encryption, Docker, and the clients that stream to disk. */
export * from "./keystore";
export * from "./files";
export * from "./chain-files";
export * from "./zip";
export * from "./encryption";
export * from "./result-encryption";
export * from "./download";
export * from "./sms";
export * from "./results";
export * from "./ipfs";
export * from "./docker";
export * from "./recover";
