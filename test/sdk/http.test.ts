import { expect } from "chai";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { joinUrl, requestJson, requestStatus } from "../../src/sdk/core/http";
import { downloadTo } from "../../src/sdk/node/download";
import { InvalidInputError, ServiceError, ServiceUnavailableError } from "../../src/sdk/core/errors";
import { closedPortUrl, sendJson, startStub } from "./stub-server";
import type { Stub } from "./stub-server";
import { rejection } from "../rejection";

describe("SDK http", function () {
  let stub: Stub;
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), "openpoco-http-"));
  });

  afterEach(async function () {
    if (stub) await stub.close();
    stub = undefined as unknown as Stub;
  });

  it("sends JSON bodies with bigints as decimal strings and parses the answer", async function () {
    stub = await startStub((_req, res) => sendJson(res, 200, { ok: true, value: 7 }));
    const answer = await requestJson<{ value: number }>("test service", `${stub.url}/x?a=1`, {
      method: "POST",
      body: { amount: 12345678901234567890n, nested: [1n] },
      headers: { "X-Test": "yes" },
    });
    expect(answer.value).to.equal(7);
    const [req] = stub.requests;
    expect(req.method).to.equal("POST");
    expect(req.path).to.equal("/x");
    expect(req.query.get("a")).to.equal("1");
    expect(req.headers["content-type"]).to.equal("application/json");
    expect(req.headers["x-test"]).to.equal("yes");
    expect(req.body).to.equal('{"amount":"12345678901234567890","nested":["1"]}');
  });

  it("maps an error answer to ServiceError with the server's message", async function () {
    stub = await startStub((_req, res) => sendJson(res, 400, { ok: false, error: "chainId is required" }));
    const error = await rejection(requestJson("market API", `${stub.url}/apporders`));
    expect(error).to.be.instanceOf(ServiceError);
    expect((error as ServiceError).status).to.equal(400);
    expect(error.message).to.contain("chainId is required").and.contain("HTTP 400");
  });

  it("maps a 200 {ok: false} answer to ServiceError", async function () {
    stub = await startStub((_req, res) => sendJson(res, 200, { ok: false, error: "nope" }));
    const error = await rejection(requestJson("market API", `${stub.url}/x`));
    expect(error).to.be.instanceOf(ServiceError);
    expect(error.message).to.contain("nope");
  });

  it("maps a refused connection to ServiceUnavailableError naming the base URL", async function () {
    const url = await closedPortUrl();
    const error = await rejection(requestJson("market API", `${url}/version`, { baseUrl: url }));
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).url).to.equal(url);
    expect(error.message).to.contain(url).and.contain("market API");
  });

  it("maps an unknown host to ServiceUnavailableError", async function () {
    const error = await rejection(requestJson("SMS", "http://no-such-host.invalid/x"));
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect(error.message).to.contain("http://no-such-host.invalid");
  });

  it("maps a timeout to ServiceUnavailableError", async function () {
    stub = await startStub(() => undefined); // never answers
    const error = await rejection(requestJson("SMS", `${stub.url}/slow`, { timeoutMs: 200 }));
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect(error.message).to.contain(stub.url);
  });

  it("rejects a URL that is not http(s) with InvalidInputError", async function () {
    expect(await rejection(requestJson("SMS", "ftp://x/y"))).to.be.instanceOf(InvalidInputError);
    expect(await rejection(requestJson("SMS", "not a url"))).to.be.instanceOf(InvalidInputError);
  });

  it("requestStatus returns the status of a HEAD without throwing on 404", async function () {
    stub = await startStub((req, res) => {
      res.writeHead(req.path === "/here" ? 204 : 404);
      res.end();
    });
    expect((await requestStatus("SMS", `${stub.url}/here`)).status).to.equal(204);
    expect((await requestStatus("SMS", `${stub.url}/gone`)).status).to.equal(404);
    expect(stub.requests.map((r) => r.method)).to.deep.equal(["HEAD", "HEAD"]);
  });

  it("joinUrl keeps the base path and sets the query", function () {
    expect(joinUrl("http://h:1/api/", "/x", { a: "1", b: undefined })).to.equal("http://h:1/api/x?a=1");
  });

  it("downloadTo streams the body into the file", async function () {
    const payload = Buffer.alloc(200_000, 7);
    stub = await startStub((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/zip" });
      res.end(payload);
    });
    const out = join(dir, "out.zip");
    const bytes = await downloadTo("result store", `${stub.url}/file`, out, { Authorization: "t" });
    expect(bytes).to.equal(payload.length);
    expect((await readFile(out)).equals(payload)).to.equal(true);
    expect(stub.requests[0].headers.authorization).to.equal("t");
    expect(await readdir(dir)).to.deep.equal(["out.zip"]);
  });

  it("downloadTo leaves no file when the service answers an error", async function () {
    stub = await startStub((_req, res) => sendJson(res, 404, { error: "task not found" }));
    const error = await rejection(downloadTo("result store", `${stub.url}/file`, join(dir, "out.zip")));
    expect(error).to.be.instanceOf(ServiceError);
    expect(error.message).to.contain("task not found");
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it("downloadTo leaves no partial file when the connection drops mid-body", async function () {
    stub = await startStub((_req, res) => {
      res.writeHead(200, { "Content-Length": "100000" });
      res.write(Buffer.alloc(1000, 1));
      setTimeout(() => res.destroy(), 50);
    });
    const error = await rejection(downloadTo("result store", `${stub.url}/file`, join(dir, "out.zip")));
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it("downloadTo maps a refused connection to ServiceUnavailableError", async function () {
    const url = await closedPortUrl();
    const error = await rejection(downloadTo("result store", `${url}/file`, join(dir, "out.zip")));
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect(error.message).to.contain(url);
    expect(await readdir(dir)).to.deep.equal([]);
  });
});
