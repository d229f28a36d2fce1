/**
 * The official iExec SDK's own IPFS upload against our IPFS node: `kubo-rpc-client` (the library it ships,
 * `create({ url }).add(content)`) and the SDK's `add` helper (kubo add, then a HEAD on the gateway). The CIDs
 * must be kubo's, checked with Debian's `ipfs_cid` (a calculator independent of the JS libraries), and the
 * gateway must serve the bytes back.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import { startIpfsNode, type IpfsNode } from "../../src/ipfs/server";
import { SILENT_LOGGER } from "../../src/sdk";

const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;
const OFFICIAL_ADD = path.resolve(__dirname, "../../node_modules/iexec/dist/esm/common/utils/ipfs.js");

interface KuboClient {
  add(content: Uint8Array | string): Promise<{ cid: { toString(): string }; size: number }>;
}
type OfficialAdd = (args: {
  content: Uint8Array | string;
  ipfsNode: string;
  ipfsGateway: string;
}) => Promise<string>;

describe("official iExec IPFS upload against our IPFS node @compat", function () {
  this.timeout(60_000);
  let dir: string;
  let node: IpfsNode;
  let create: (options: { url: string }) => KuboClient;
  let officialAdd: OfficialAdd;

  /** kubo's CIDv0 of `bytes`, by Debian's ipfs_cid. */
  function ipfsCid(bytes: Buffer): string {
    const file = path.join(dir, `cid-${bytes.length}`);
    writeFileSync(file, bytes);
    const out = execFileSync("ipfs_cid", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return (JSON.parse(out.slice(0, out.indexOf("}") + 1)) as { CIDv0: string }).CIDv0;
  }

  async function gatewayBytes(cid: string): Promise<Buffer> {
    const response = await fetch(`${node.url}/ipfs/${cid}`);
    expect(response.status, `gateway GET /ipfs/${cid}`).to.equal(200);
    return Buffer.from(await response.arrayBuffer());
  }

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-compat-ipfs-"));
    node = await startIpfsNode({ dataDir: path.join(dir, "node"), port: 0, logger: SILENT_LOGGER });
    ({ create } = (await importEsm("kubo-rpc-client")) as { create: typeof create });
    ({ add: officialAdd } = (await importEsm(pathToFileURL(OFFICIAL_ADD).href)) as { add: OfficialAdd });
  });

  after(async function () {
    await node?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("kubo-rpc-client's add gets kubo's CIDs (ipfs_cid) for one chunk and several, and the gateway serves them", async function () {
    const client = create({ url: node.url });
    for (const bytes of [Buffer.from("hello iexec\n"), Buffer.alloc(256 * 1024 + 1, 7)]) {
      const added = await client.add(bytes);
      expect(added.cid.toString(), `CID of ${bytes.length} bytes`).to.equal(ipfsCid(bytes));
      expect((await gatewayBytes(added.cid.toString())).equals(bytes)).to.equal(true);
    }
  });

  it("the official SDK's add helper (kubo add, then HEAD on the gateway) returns kubo's CID", async function () {
    const content = JSON.stringify([{ dataset: "0x" + "ab".repeat(20), volume: "1" }]);
    const cid = await officialAdd({ content, ipfsNode: node.url, ipfsGateway: node.url });
    expect(cid).to.equal(ipfsCid(Buffer.from(content)));
    expect((await gatewayBytes(cid)).toString("utf8")).to.equal(content);
  });
});
