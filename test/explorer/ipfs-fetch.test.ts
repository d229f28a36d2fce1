/**
 * The explorer's IPFS result fetch, in Node (no browser): locations that would leave their CID on the
 * gateway's origin, and results too large to hold in a tab, are refused before any byte is kept.
 */
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ExplorerConfig } from "../../src/explorer/app/config";
import { MAX_IPFS_RESULT_BYTES, fetchIpfsResult } from "../../src/explorer/app/data/ipfs-result";
import { ResultDownloadError } from "../../src/explorer/app/data/download-error";
import { rejectionOf } from "../rejection";

const CID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
const DIGEST = "0x" + "00".repeat(32);

describe("explorer: IPFS result fetch @explorer", function () {
  let server: http.Server;
  const requested: string[] = [];
  let config: ExplorerConfig;

  before(async function () {
    // A gateway that announces a body larger than the explorer holds, and records the paths asked.
    server = http.createServer((req, res) => {
      requested.push(req.url ?? "");
      res.writeHead(200, { "Content-Length": String(MAX_IPFS_RESULT_BYTES + 1) });
      res.write(Buffer.alloc(1024));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    config = { ipfsGateway: url } as ExplorerConfig;
  });

  after(async function () {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("refuses a location whose path leaves its CID, asking the gateway nothing", async function () {
    for (const location of [`/ipfs/${CID}/../../admin`, `/ipfs/${CID}/./x`, `/ipfs/${CID}//x`]) {
      const refusal = await rejectionOf(fetchIpfsResult(config, location, DIGEST), ResultDownloadError);
      expect(refusal.message, location).to.include("has a path that leaves its CID");
    }
    expect(requested).to.deep.equal([]);
  });

  it("asks the gateway for the parsed CID only, and refuses a result over the size limit", async function () {
    const refusal = await rejectionOf(fetchIpfsResult(config, `/ipfs/${CID}`, DIGEST), ResultDownloadError);
    expect(refusal.message).to.include("larger than 512 MiB");
    expect(requested).to.deep.equal([`/ipfs/${CID}`]);
  });
});
