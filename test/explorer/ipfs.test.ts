/**
 * The explorer in a real browser (Debian's chromium, playwright-core) with results on IPFS, on the in-process
 * chain without Docker: tasks finalized by hand with `{"storage":"ipfs","location":"/ipfs/<cid>"}`, the zip
 * added to our IPFS node. The task page downloads the result from the configured gateway without a wallet,
 * and keeps it only when it hashes to the on-chain digest or gives back its CID; a gateway serving other
 * bytes is refused, and nothing is saved.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { deployments, ethers } from "hardhat";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startExplorer, type RunningExplorer } from "../../src/explorer/serve";
import { startIpfsNode, type IpfsNode } from "../../src/ipfs/server";
import { SILENT_LOGGER, digestOf, signAuthorization, type ChainConfig } from "../../src/sdk";
import { encodeMultiaddr } from "../../src/sdk/core/multiaddr";
import { serveInProcessChain } from "../cli/harness";
import { initTask, makeDeal, taskSetup, type TaskSetup } from "../tasks/fixtures";
import { ensureExplorerBuilt, launchChromium, screenshot } from "./browser";

const WAIT_MS = 20_000;
const sha256 = (bytes: Buffer) => "0x" + createHash("sha256").update(bytes).digest("hex");

describe("explorer: results on IPFS @explorer", function () {
  this.timeout(180_000);
  let setup: TaskSetup;
  let served: { url: string; close(): Promise<void> };
  let chain: ChainConfig;
  let dir: string;
  let node: IpfsNode;
  let liar: Server;
  let explorer: RunningExplorer;
  let lyingExplorer: RunningExplorer;
  let browser: Browser;
  let context: BrowserContext;
  const zip = Buffer.from("PK\u0005\u0006" + "\0".repeat(18) + "ipfs result", "binary");
  /** Digest = the zip's sha256 (no determinism file). */
  let plain: string;
  /** Digest from a determinism file: only the CID can vouch for the bytes in the browser. */
  let determined: string;

  async function add(bytes: Buffer): Promise<string> {
    const form = new FormData();
    form.append("file", new Blob([bytes]), "result.zip");
    const response = await fetch(`${node.url}/api/v0/add`, { method: "POST", body: form });
    expect(response.status).to.equal(200);
    return ((await response.json()) as { Hash: string }).Hash;
  }

  async function ipfsTask(digest: string): Promise<string> {
    const cid = await add(zip);
    const taskid = await initTask(setup, await makeDeal(setup));
    const [worker] = setup.workers;
    const results = JSON.stringify({ storage: "ipfs", location: `/ipfs/${cid}` });
    await (
      await setup.hub
        .connect(worker)
        .contributeAndFinalize(
          taskid,
          digest,
          ethers.toUtf8Bytes(results),
          "0x",
          ethers.ZeroAddress,
          "0x",
          await signAuthorization(setup.scheduler, worker.address, taskid),
        )
    ).wait();
    return taskid;
  }

  before(async function () {
    ensureExplorerBuilt();
    setup = await taskSetup();
    served = await serveInProcessChain();
    chain = { name: "test", host: served.url, id: 31337n, hub: await setup.hub.getAddress() };
    dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-explorer-ipfs-"));
    node = await startIpfsNode({ dataDir: path.join(dir, "ipfs"), port: 0, logger: SILENT_LOGGER });
    plain = await ipfsTask(sha256(zip));
    determined = await ipfsTask(digestOf("determinism"));
    // A gateway that answers every path with other bytes (and CORS, as gateways do).
    liar = createServer((_req, res) =>
      res.writeHead(200, { "Access-Control-Allow-Origin": "*" }).end(Buffer.from("not the result")),
    );
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    const liarUrl = `http://127.0.0.1:${(liar.address() as { port: number }).port}`;
    explorer = await startExplorer({ port: 0, chain: { ...chain, ipfsGateway: node.url } });
    lyingExplorer = await startExplorer({ port: 0, chain: { ...chain, ipfsGateway: liarUrl } });
    browser = await launchChromium();
  });

  beforeEach(async function () {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  });

  afterEach(async function () {
    await context?.close();
  });

  after(async function () {
    await browser?.close();
    await explorer?.stop();
    await lyingExplorer?.stop();
    liar?.close();
    await node?.close();
    await served?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(base: RunningExplorer, taskid: string): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${base.url}#/task/${taskid}`);
    await page.waitForSelector('[data-testid="result"][data-storage="ipfs"] button.download');
    return page;
  }

  async function downloaded(page: Page): Promise<Buffer> {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('[data-testid="result"] button.download'),
    ]);
    return readFileSync((await download.path())!);
  }

  it("shows a dataset's binary /ipfs/ multiaddr (the official SDK's form) as text", async function () {
    const multiaddr = `/ipfs/${await add(Buffer.from("encrypted dataset"))}`;
    const bytes = encodeMultiaddr(multiaddr);
    expect(bytes.slice(0, 6), "binary: /ipfs/ is 0xa503").to.equal("0xa503");
    const registry = await ethers.getContractAt(
      "IDatasetRegistry",
      (await deployments.get("DatasetRegistry")).address,
    );
    const owner = setup.spare[0];
    const args = [owner.address, "ipfs-dataset", bytes, ethers.ZeroHash] as const;
    const address = await registry.connect(owner).createDataset.staticCall(...args);
    await (await registry.connect(owner).createDataset(...args)).wait();
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${explorer.url}#/dataset/${address}`);
    await page.waitForSelector('[data-field="name"]');
    const fields = await page.locator("dl.fields").innerText();
    expect(fields).to.include(multiaddr).and.not.include("0xa503");
  });

  it("downloads an IPFS result without a wallet, verified against the on-chain digest", async function () {
    const page = await open(explorer, plain);
    expect(await page.locator('[data-testid="result-location"]').innerText()).to.match(/^\/ipfs\/Qm/);
    expect((await downloaded(page)).equals(zip), "the saved bytes are the result").to.equal(true);
    await page.waitForSelector('[data-testid="result-verified"]');
    expect(await page.locator('[data-testid="result-verified"]').innerText()).to.include(
      "its sha256 is the on-chain result digest",
    );
    await screenshot(page, "task-result-ipfs");
  });

  it("saves a result whose digest comes from the app by its CID, saying the digest is not checked", async function () {
    const page = await open(explorer, determined);
    expect((await downloaded(page)).equals(zip)).to.equal(true);
    await page.waitForSelector('[data-testid="result-verified"]');
    const said = await page.locator('[data-testid="result-verified"]').innerText();
    expect(said).to.include("give back its CID").and.include("NOT checked against the result digest");
    expect(said).not.to.include("verified");
  });

  it("refuses what a gateway serves when it is neither the digest's nor the CID's, saving nothing", async function () {
    const page = await open(lyingExplorer, determined);
    let downloads = 0;
    page.on("download", () => void downloads++);
    await page.click('[data-testid="result"] button.download');
    await page.waitForSelector('[data-testid="result-error"]');
    expect(await page.locator('[data-testid="result-error"]').innerText()).to.include(
      "match neither the on-chain result digest nor the CID",
    );
    expect(downloads, "nothing saved").to.equal(0);
    expect(await page.locator('[data-testid="result-verified"]').count()).to.equal(0);
  });
});
