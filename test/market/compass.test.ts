/**
 * Compass on the market, over HTTP on the in-process chain: the workerpool's owner registers its
 * API URL with a signed challenge, anyone looks it up (as the official SDK's `task debug` does),
 * and every bad request is refused with nothing stored.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  MarketClient,
  ServiceError,
  lookupWorkerpoolApi,
  registerWorkerpoolApi,
  signChallenge,
} from "../../src/sdk";
import { buildMarketServer, type FastifyInstance } from "../../src/market/server";
import { MarketService, marketChain } from "../../src/market/service";
import { MemoryMarketStore } from "../../src/market/memory-store";
import { SqliteMarketStore } from "../../src/market/sqlite-store";
import type { MarketStore } from "../../src/market/store";
import { marketSetup } from "./fixtures";
import type { MatchSetup } from "../matching/fixtures";

const CHAIN_ID = 31337n;
const API = "http://scheduler.example:13000";

interface Running {
  setup: MatchSetup;
  store: MarketStore;
  server: FastifyInstance;
  url: string;
  compass: string;
  market: MarketClient;
}

async function start(store: MarketStore = new MemoryMarketStore()): Promise<Running> {
  const setup = await loadFixture(marketSetup);
  const service = new MarketService(store, await marketChain(setup.hub, CHAIN_ID));
  const server = await buildMarketServer(service);
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  return { setup, store, server, url, compass: url, market: new MarketClient(url, CHAIN_ID) };
}

async function send(url: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown>,
    cors: response.headers.get("access-control-allow-origin"),
  };
}

describe("@market Compass", function () {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.server.close();
    running = undefined;
  });

  for (const [name, makeStore] of [
    ["memory store", () => new MemoryMarketStore()],
    ["SQLite store", () => SqliteMarketStore.open(":memory:")],
  ] as const)
    it(`registers the owner's API URL and serves it to anyone (${name})`, async function () {
      running = await start(makeStore());
      const { setup, compass, market } = running;
      expect(await lookupWorkerpoolApi(compass, CHAIN_ID, setup.workerpool)).to.equal(undefined);
      const stored = await registerWorkerpoolApi({
        compass,
        market,
        workerpool: setup.workerpool,
        apiUrl: `${API}/`,
        signer: setup.scheduler,
      });
      expect(stored).to.equal(API);
      expect(await lookupWorkerpoolApi(compass, CHAIN_ID, setup.workerpool)).to.equal(API);
      // The official SDK's exact request: the path joined as its api-utils do (new URL drops any path
      // of the Compass URL), lowercase address, answer { apiUrl }, CORS open.
      const official = new URL(`/31337/workerpools/${setup.workerpool.toLowerCase()}`, compass).href;
      const raw = await send(official, "GET");
      expect(raw.status).to.equal(200);
      expect(raw.json).to.deep.equal({ apiUrl: API });
      expect(raw.cors).to.equal("*");
      // The owner may move it.
      await registerWorkerpoolApi({
        compass,
        market,
        workerpool: setup.workerpool,
        apiUrl: "https://pool.example/api",
        signer: setup.scheduler,
      });
      expect(running.store.getWorkerpoolApi(setup.workerpool)).to.include({
        apiUrl: "https://pool.example/api",
        registeredBy: setup.scheduler.address,
      });
    });

  it("refuses a registration by anyone but the workerpool's owner, changing nothing", async function () {
    running = await start();
    const { setup, compass, market, store } = running;
    await registerWorkerpoolApi({
      compass,
      market,
      workerpool: setup.workerpool,
      apiUrl: API,
      signer: setup.scheduler,
    });
    const stranger = setup.others[0];
    const refusal = await registerWorkerpoolApi({
      compass,
      market,
      workerpool: setup.workerpool,
      apiUrl: "http://evil.example",
      signer: stranger,
    }).catch((error: unknown) => error);
    expect(refusal).to.be.instanceOf(ServiceError);
    expect((refusal as ServiceError).status).to.equal(403);
    expect((refusal as Error).message).to.include(
      `only its owner may set its API URL, not ${stranger.address}`,
    );
    expect(store.getWorkerpoolApi(setup.workerpool)?.apiUrl).to.equal(API);
    expect(await lookupWorkerpoolApi(compass, CHAIN_ID, setup.workerpool)).to.equal(API);
  });

  it("refuses an unsigned registration, or one signed for another address", async function () {
    running = await start();
    const { setup, compass, store, url } = running;
    const path = `${compass}/31337/workerpools/${setup.workerpool}`;
    const unsigned = await send(path, "POST", { apiUrl: API });
    expect(unsigned.status).to.equal(401);
    // A challenge signed by a stranger who claims to be the owner.
    const { json } = await send(`${url}/challenge?chainId=31337&address=${setup.scheduler.address}`, "GET");
    const challenge = (json.data as { message: { challenge: string } }).message.challenge;
    const forged = await signChallenge(setup.others[0], CHAIN_ID, challenge);
    const header = `${forged.hash}_${forged.signature}_${setup.scheduler.address}`;
    const spoofed = await send(path, "POST", { apiUrl: API }, { Authorization: header });
    expect(spoofed.status).to.equal(401);
    expect(store.getWorkerpoolApi(setup.workerpool)).to.equal(undefined);
  });

  it("answers bad lookups and registrations with a 4xx naming the problem", async function () {
    running = await start();
    const { setup, compass, market, store } = running;
    const lookup = (path: string) => send(`${compass}${path}`, "GET");
    const unknown = await lookup(`/31337/workerpools/${setup.others[1].address}`);
    expect(unknown.status).to.equal(404);
    expect(unknown.json.error).to.match(/No API URL is registered for workerpool/);
    const badAddress = await lookup("/31337/workerpools/0x1234");
    expect(badAddress.status).to.equal(400);
    expect(badAddress.json.error).to.match(/not a workerpool address/);
    const typo = setup.workerpool.slice(0, -1) + (setup.workerpool.endsWith("a") ? "b" : "a");
    const mixed = typo.replace(/[a-f]/, (c) => c.toUpperCase());
    if (mixed !== mixed.toLowerCase()) {
      const badChecksum = await lookup(`/31337/workerpools/${mixed}`);
      expect(badChecksum.status).to.equal(400);
    }
    const otherChain = await lookup(`/1/workerpools/${setup.workerpool}`);
    expect(otherChain.status).to.equal(400);
    expect(otherChain.json.error).to.equal("This market serves chain 31337, not chain 1.");

    for (const apiUrl of ["ftp://pool.example", "not a url", "http://u:p@pool.example", ""]) {
      const refusal = await registerWorkerpoolApi({
        compass,
        market,
        workerpool: setup.workerpool,
        apiUrl,
        signer: setup.scheduler,
      }).catch((error: unknown) => error);
      expect((refusal as Error).message, apiUrl).to.match(/URL|apiUrl/);
    }
    // The server checks the URL too, before spending a challenge.
    const raw = await send(`${compass}/31337/workerpools/${setup.workerpool}`, "POST", {
      apiUrl: "file:///etc",
    });
    expect(raw.status).to.equal(400);
    expect(raw.json.error).to.match(/only http:\/\/ and https:\/\//);
    // Not a workerpool at all: the app's address.
    const notPool = await registerWorkerpoolApi({
      compass,
      market,
      workerpool: setup.app,
      apiUrl: API,
      signer: setup.appOwner,
    }).catch((error: unknown) => error);
    expect((notPool as ServiceError).status).to.equal(404);
    expect(store.getWorkerpoolApi(setup.workerpool)).to.equal(undefined);
    expect(store.getWorkerpoolApi(setup.app)).to.equal(undefined);
  });
});
