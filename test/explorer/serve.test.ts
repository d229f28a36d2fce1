/** The explorer's static server: config.json from the chain, caching headers, the build folder only. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { expect } from "chai";
import { explorerConfig, startExplorer, type RunningExplorer } from "../../src/explorer/serve";
import { LOCAL_CHAIN, type ChainConfig } from "../../src/sdk";
import { rejection } from "../rejection";

const CHAIN: ChainConfig = {
  name: "somewhere",
  host: "http://10.0.0.1:8545",
  id: 1234n,
  hub: "0x3Aa5ebB10DC797CAC828524e59A333d0A371443c",
  iexecGateway: "http://10.0.0.2:3000",
  resultProxy: "http://10.0.0.3:13200",
};

describe("explorer server @explorer", function () {
  let dir: string;
  let explorer: RunningExplorer;
  const script = "console.log('explorer');".repeat(100);

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-explorer-build-"));
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>explorer</title>");
    writeFileSync(path.join(dir, "assets", "index-abc123.js"), script);
    writeFileSync(path.join(dir, "config.json"), '{"chainId":"1"}');
    writeFileSync(path.join(os.tmpdir(), "openpoco-explorer-secret.txt"), "TOP-SECRET-CONTENT");
    explorer = await startExplorer({ port: 0, chain: CHAIN, staticDir: dir });
  });

  after(async function () {
    await explorer?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(path.join(os.tmpdir(), "openpoco-explorer-secret.txt"), { force: true });
  });

  it("the dev server's public/config.json is the built-in local chain's, so it never drifts", function () {
    const file = path.join(__dirname, "..", "..", "src", "explorer", "public", "config.json");
    expect(JSON.parse(readFileSync(file, "utf8"))).to.deep.equal(explorerConfig(LOCAL_CHAIN));
  });

  it("serves a config.json made from the chain, never cached, instead of the build's", async function () {
    const response = await fetch(new URL("config.json", explorer.url));
    expect(response.status).to.equal(200);
    expect(response.headers.get("cache-control")).to.equal("no-store");
    expect(await response.json()).to.deep.equal({
      name: "somewhere",
      chainId: "1234",
      rpcUrl: "http://10.0.0.1:8545",
      hub: CHAIN.hub,
      marketUrl: "http://10.0.0.2:3000",
      resultProxy: "http://10.0.0.3:13200",
      resultStoreProxy: "/result-store",
    });
  });

  it("caches hashed assets for good, revalidates index.html, and gzips when asked", async function () {
    const asset = await fetch(new URL("assets/index-abc123.js", explorer.url), {
      headers: { "Accept-Encoding": "identity" },
    });
    expect(asset.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).to.equal("text/javascript; charset=utf-8");
    expect(await asset.text()).to.equal(script);
    const index = await fetch(explorer.url);
    expect(index.headers.get("cache-control")).to.equal("no-cache");
    expect(await index.text()).to.contain("<title>explorer</title>");
    // Node's fetch decodes gzip itself: ask with a raw request to see the encoding.
    const { request } = await import("node:http");
    const body = await new Promise<{ encoding?: string; bytes: Buffer }>((resolve, reject) => {
      request(
        new URL("assets/index-abc123.js", explorer.url),
        { headers: { "Accept-Encoding": "gzip" } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ encoding: res.headers["content-encoding"], bytes: Buffer.concat(chunks) }),
          );
        },
      )
        .on("error", reject)
        .end();
    });
    expect(body.encoding).to.equal("gzip");
    expect(gunzipSync(body.bytes).toString()).to.equal(script);
  });

  it("serves nothing outside the build folder, 404 for missing files, the app for other paths", async function () {
    const { request } = await import("node:http");
    const status = (pathname: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        // A raw path: fetch would normalize the dots away.
        const { port } = new URL(explorer.url);
        request({ host: "127.0.0.1", port, path: pathname }, (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode!, text }));
        })
          .on("error", reject)
          .end();
      });
    const escape = await status("/../openpoco-explorer-secret.txt");
    expect(escape.text).to.not.contain("TOP-SECRET-CONTENT");
    expect(escape.status).to.equal(404);
    const encoded = await status("/%2e%2e/openpoco-explorer-secret.txt");
    expect(encoded.text).to.not.contain("TOP-SECRET-CONTENT");
    expect(encoded.status).to.equal(404);
    // An encoded slash survives URL parsing, then decodes into "../": the server's own check must stop it.
    const slash = await status("/..%2fopenpoco-explorer-secret.txt");
    expect(slash.text).to.not.contain("TOP-SECRET-CONTENT");
    expect(slash.status).to.equal(404);
    expect((await status("/assets/missing.js")).status).to.equal(404);
    const route = await status("/deal/0x12");
    expect(route.status).to.equal(200);
    expect(route.text).to.contain("<title>explorer</title>");
    const post = await fetch(explorer.url, { method: "POST" });
    expect(post.status).to.equal(405);
  });

  it("forwards only /result-store/results/<taskid> to the chain's result store, with its Authorization", async function () {
    const { createServer } = await import("node:http");
    const seen: { url?: string; authorization?: string }[] = [];
    const store = createServer((request, response) => {
      seen.push({ url: request.url, authorization: request.headers.authorization });
      response.writeHead(403, { "Content-Type": "application/json", "X-Result-Sha256": "0xabc" });
      response.end(JSON.stringify({ ok: false, error: "not the requester" }));
    });
    await new Promise<void>((resolve) => store.listen(0, "127.0.0.1", () => resolve()));
    const storeUrl = `http://127.0.0.1:${(store.address() as import("node:net").AddressInfo).port}`;
    const proxied = await startExplorer({
      port: 0,
      chain: { ...CHAIN, resultProxy: storeUrl },
      staticDir: dir,
    });
    try {
      const taskid = "0x" + "ab".repeat(32);
      const answer = await fetch(new URL(`result-store/results/${taskid}?chainId=1234`, proxied.url), {
        headers: { Authorization: "1_0xsig_0xaddr", Cookie: "secret=1" },
      });
      expect(answer.status, "the store's status").to.equal(403);
      expect(await answer.json(), "the store's answer").to.deep.equal({
        ok: false,
        error: "not the requester",
      });
      expect(answer.headers.get("x-result-sha256")).to.equal("0xabc");
      expect(seen, "what the store received").to.deep.equal([
        { url: `/results/${taskid}?chainId=1234`, authorization: "1_0xsig_0xaddr" },
      ]);
      // Anything else under the prefix stays here.
      for (const other of ["result-store/version", "result-store/results/0x12", "result-store/results/"]) {
        const refused = await fetch(new URL(other, proxied.url));
        expect(refused.status, other).to.equal(404);
      }
      expect(seen, "nothing else reached the store").to.have.length(1);
    } finally {
      await proxied.stop();
      await new Promise<void>((resolve) => store.close(() => resolve()));
    }
  });

  it("refuses to start without a build, naming the command that makes it", async function () {
    const empty = mkdtempSync(path.join(os.tmpdir(), "openpoco-explorer-empty-"));
    try {
      const error = await rejection(startExplorer({ port: 0, chain: CHAIN, staticDir: empty }));
      expect(error.message).to.contain("run npm run build:explorer");
      expect(error.message).to.contain(empty);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
