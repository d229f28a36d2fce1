import { expect } from "chai";
import { hexlify, toUtf8Bytes } from "ethers";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResultsClient, resultLocation } from "../../src/sdk/node/results";
import { InvalidInputError, ServiceError, ServiceUnavailableError } from "../../src/sdk/core/errors";
import { closedPortUrl, sendJson, startStub } from "./stub-server";
import type { Stub } from "./stub-server";
import { rejection } from "../rejection";

const TASK = "0x" + "7a".repeat(32);
const hex = (text: string) => hexlify(toUtf8Bytes(text));

describe("SDK results client", function () {
  let stub: Stub | undefined;
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), "openpoco-results-"));
  });

  afterEach(async function () {
    await stub?.close();
    stub = undefined;
  });

  it("resultLocation decodes JSON locations, plain URLs and empty results", function () {
    expect(resultLocation(hex('{"storage":"ipfs","location":"/ipfs/QmAbc"}'))).to.deep.equal({
      storage: "ipfs",
      location: "/ipfs/QmAbc",
    });
    expect(resultLocation(hex('{"storage":"http","location":"https://r.example/x.zip"}'))).to.deep.equal({
      storage: "http",
      location: "https://r.example/x.zip",
      url: "https://r.example/x.zip",
    });
    expect(resultLocation(hex("http://localhost:13200/results/0x1"))).to.deep.equal({
      url: "http://localhost:13200/results/0x1",
    });
    expect(resultLocation("0x")).to.deep.equal({});
  });

  it("resultLocation refuses bytes that are not a location", function () {
    expect(() => resultLocation("not hex")).to.throw(InvalidInputError);
    expect(() => resultLocation("0xff00ff")).to.throw(InvalidInputError, /UTF-8/);
    expect(() => resultLocation(hex("just words"))).to.throw(InvalidInputError);
    expect(() => resultLocation(hex('{"other":1}'))).to.throw(InvalidInputError);
  });

  it("download streams GET /results/{taskid}?chainId= to the file", async function () {
    const zip = Buffer.from("PK\u0003\u0004 fake zip");
    stub = await startStub((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/zip" });
      res.end(zip);
    });
    const out = join(dir, "results.zip");
    const bytes = await new ResultsClient(stub.url, 31337n).download(TASK, out, { authorization: "tok" });
    expect(bytes).to.equal(zip.length);
    expect((await readFile(out)).equals(zip)).to.equal(true);
    const [req] = stub.requests;
    expect(req.method).to.equal("GET");
    expect(req.path).to.equal(`/results/${TASK}`);
    expect(Object.fromEntries(req.query)).to.deep.equal({ chainId: "31337" });
    expect(req.headers.authorization).to.equal("tok");
  });

  it("download maps a 404 to ServiceError and writes nothing", async function () {
    stub = await startStub((_req, res) => sendJson(res, 404, { error: "no result for this task" }));
    const error = await rejection(new ResultsClient(stub.url, 1n).download(TASK, join(dir, "r.zip")));
    expect(error).to.be.instanceOf(ServiceError);
    expect(error.message).to.contain("no result for this task");
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it("download refuses a malformed task id", async function () {
    const error = await rejection(
      new ResultsClient("http://127.0.0.1:1", 1n).download("0x12", join(dir, "r.zip")),
    );
    expect(error).to.be.instanceOf(InvalidInputError);
  });

  it("an unreachable result store gives ServiceUnavailableError naming its URL", async function () {
    const url = await closedPortUrl();
    const error = await rejection(new ResultsClient(url, 1n).download(TASK, join(dir, "r.zip")));
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect(error.message).to.contain(url).and.contain("result store");
    expect(await readdir(dir)).to.deep.equal([]);
  });
});
