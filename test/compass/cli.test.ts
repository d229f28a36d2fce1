/**
 * `openpoco workerpool set-api-url` and `workerpool offer start`, with the built CLI on the
 * in-process chain and a market (serving Compass) in this process: the owner registers the API
 * URL and Compass serves it; another wallet is refused and the URL stays; the offer publisher puts
 * the standing offer up and writes its state.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { MarketApp } from "../../src/market/app";
import { MemoryMarketStore } from "../../src/market/memory-store";
import { MarketClient, lookupWorkerpoolApi } from "../../src/sdk";
import { CLI, CliHarness } from "../cli/harness";

const PASSWORD = "compass-test";
const key = (account: number) =>
  ethers.HDNodeWallet.fromPhrase(
    "test test test test test test test test test test test junk",
    undefined,
    `m/44'/60'/0'/0/${account}`,
  ).privateKey;

describe("@cli workerpool set-api-url and offer start", function () {
  this.timeout(120_000);
  let cli: CliHarness;
  let market: MarketApp;
  let compass: string;
  let workerpool: string;
  const owner = ["--keystoredir", "owner-keys", "--password", PASSWORD];
  const stranger = ["--keystoredir", "stranger-keys", "--password", PASSWORD];

  before(async function () {
    cli = await CliHarness.start();
    market = await MarketApp.start({
      chain: { name: "test", host: cli.rpcUrl, id: 31337n, hub: cli.hub },
      store: new MemoryMarketStore(),
      port: 0,
      syncIntervalMs: 200,
    });
    compass = market.url;
    await cli.raw(["init", "--skip-wallet"]);
    const chain = { host: cli.rpcUrl, id: "31337", hub: cli.hub, iexecGateway: market.url, compass };
    writeFileSync(
      path.join(cli.dir, "chain.json"),
      JSON.stringify({ default: "test", chains: { test: chain } }, null, 2),
    );
    await cli.raw(["wallet", "import", key(5), ...owner]);
    await cli.raw(["wallet", "import", key(6), ...stranger]);
    await cli.raw(["workerpool", "init", ...owner]);
    workerpool = (await cli.raw(["workerpool", "deploy", ...owner])).address;
  });
  after(async () => {
    await market?.stop();
    await cli?.stop();
  });

  it("registers the owner's URL in Compass, and refuses another wallet's, keeping the URL", async function () {
    const set = await cli.raw(["workerpool", "set-api-url", "http://pool.example:13100", ...owner]);
    expect(set).to.include({ workerpool, apiUrl: "http://pool.example:13100" });
    expect(await lookupWorkerpoolApi(compass, 31337n, workerpool)).to.equal("http://pool.example:13100");
    const refused = await cli.rawError([
      "workerpool",
      "set-api-url",
      "http://evil.example",
      "--workerpool",
      workerpool,
      ...stranger,
    ]);
    expect(refused.message).to.match(/only its owner may set its API URL/);
    const badUrl = await cli.rawError(["workerpool", "set-api-url", "ftp://pool.example", ...owner]);
    expect(badUrl.message).to.match(/only http:\/\/ and https:\/\//);
    expect(await lookupWorkerpoolApi(compass, 31337n, workerpool)).to.equal("http://pool.example:13100");
  });

  it("offer start keeps one free order per category on the market and writes its state", async function () {
    const child = spawn(
      process.execPath,
      [CLI, "workerpool", "offer", "start", "--category", "0", "1", "--data-dir", "offer", "--raw", ...owner],
      { cwd: cli.dir, env: { ...process.env, HOME: cli.dir }, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes("\n")) resolve(text.split("\n")[0]);
        });
        child.once("exit", (code) => reject(new Error(`offer start exited ${code}: ${text}`)));
      });
      const ready = JSON.parse(line);
      expect(ready.ok, line).to.equal(true);
      expect(ready.state.categories.map((c: { openOrders: number }) => c.openOrders)).to.deep.equal([1, 1]);
      const state = JSON.parse(readFileSync(path.join(cli.dir, "offer", "offer-state.json"), "utf8"));
      expect(state).to.include({ workerpool, published: 2 });
      const book = await new MarketClient(market.url, 31337n).orderbook("workerpool", { workerpool });
      expect(
        book.orders.map((o) => [o.order.category, o.order.workerpoolprice, o.order.trust]),
      ).to.have.deep.members([
        [0n, 0n, 1n],
        [1n, 0n, 1n],
      ]);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
