/**
 * OpenPoCo SDK for Node: the browser-safe core (`core/`: orders, deals, tasks, the hub client, the market
 * and scheduler clients) and the Node-only part (`node/`: keystore, files, zip, encryption, Docker, SMS
 * and result store clients).
 */
export * from "./core";
export * from "./node";
