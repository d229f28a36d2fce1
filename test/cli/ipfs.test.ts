/**
 * IPFS in the real binary, against our IPFS node in this process: `dataset push` adds the encrypted file and
 * points iexec.json at `/ipfs/<cid>` (kubo's CID, by Debian's ipfs_cid) with its sha256, the deployed
 * dataset's binary multiaddr shown as text by `dataset show`, and `result download` / `task show --download`
 * of a result finalized on IPFS: fetched without a wallet, checked against the on-chain digest, nothing left
 * on a mismatch. Refusals leave iexec.json as it was.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { startIpfsNode, type IpfsNode } from "../../src/ipfs/server";
import {
  ENCRYPTED_KEY_FILE,
  ENCRYPTED_RESULT_FILE,
  IpfsClient,
  SILENT_LOGGER,
  ipfsResultsText,
  sha256OfFile,
  signAuthorization,
} from "../../src/sdk";
import { zipFolder } from "../../src/sdk/node/zip";
import { initTask, makeDeal, taskSetup, type TaskSetup } from "../tasks/fixtures";
import { CliHarness } from "./harness";

const PASSWORD = "ipfs";
const sha256 = (bytes: Buffer) => "0x" + createHash("sha256").update(bytes).digest("hex");

/** kubo's CIDv0 of a file, by Debian's ipfs_cid (independent of the JS libraries). */
function ipfsCid(file: string): string {
  const out = execFileSync("ipfs_cid", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return (JSON.parse(out.slice(0, out.indexOf("}") + 1)) as { CIDv0: string }).CIDv0;
}

describe("CLI and IPFS: dataset push, binary multiaddrs, IPFS results @cli", function () {
  this.timeout(180_000);
  let cli: CliHarness;
  let node: IpfsNode;
  let setup: TaskSetup;
  let zip: string;
  const keys = () => ["--keystoredir", path.join(cli.dir, "keys"), "--password", PASSWORD];
  const iexecJson = () => readFileSync(path.join(cli.dir, "iexec.json"), "utf8");

  before(async function () {
    cli = await CliHarness.start();
    setup = await taskSetup();
    node = await startIpfsNode({ dataDir: path.join(cli.dir, "ipfs"), port: 0, logger: SILENT_LOGGER });
    await cli.raw(["init", "--skip-wallet"]);
    cli.writeChainJson({ ipfsGateway: node.url, ipfsNode: node.url });
    // Hardhat's account 19 (funded with ether, unused by the task fixtures) deploys the dataset.
    const key = ethers.HDNodeWallet.fromPhrase(
      "test test test test test test test test test test test junk",
      undefined,
      "m/44'/60'/0'/0/19",
    ).privateKey;
    await cli.raw(["wallet", "import", key, ...keys()]);
    const out = path.join(cli.dir, "app-out");
    mkdirSync(out);
    writeFileSync(path.join(out, "result.txt"), "public answer\n");
    zip = path.join(cli.dir, "app-result.zip");
    await zipFolder(out, zip);
  });

  after(async function () {
    await node?.close();
    await cli?.stop();
  });

  it("dataset push adds the encrypted file and sets iexec.json's /ipfs/ multiaddr and checksum", async function () {
    await cli.raw(["dataset", "init", "--encrypted", ...keys()]);
    writeFileSync(path.join(cli.dir, "datasets/original/faces.csv"), "name,face\nalice,0.93\n");
    const [encrypted] = (await cli.raw(["dataset", "encrypt", ...keys()])).encryptedFiles;
    const pushed = await cli.raw(["dataset", "push", ...keys()]);
    const bytes = readFileSync(encrypted.encryptedFile);
    const cid = ipfsCid(encrypted.encryptedFile);
    expect(pushed).to.include({
      cid,
      multiaddr: `/ipfs/${cid}`,
      checksum: sha256(bytes),
      size: bytes.length,
    });
    expect(pushed.checksum, "the checksum is the encrypted file's, as dataset encrypt said").to.equal(
      encrypted.checksum,
    );
    const dataset = JSON.parse(iexecJson()).dataset;
    expect(dataset).to.include({ multiaddr: `/ipfs/${cid}`, checksum: encrypted.checksum });
    const served = Buffer.from(await (await fetch(`${node.url}/ipfs/${cid}`)).arrayBuffer());
    expect(served.equals(bytes), "the gateway serves the pushed bytes").to.equal(true);
  });

  it("dataset show prints the deployed binary multiaddr as /ipfs/<cid>, with and without --raw", async function () {
    const { multiaddr } = JSON.parse(iexecJson()).dataset;
    const { address } = await cli.raw(["dataset", "deploy", ...keys()]);
    const onChain = await (await ethers.getContractAt("Dataset", address)).m_datasetMultiaddr();
    expect(
      onChain.slice(0, 6),
      "stored as a binary multiaddr (/ipfs/ = 0xa503), as the official SDK does",
    ).to.equal("0xa503");
    const shown = await cli.raw(["dataset", "show", address]);
    expect(shown.dataset.multiaddr).to.equal(multiaddr);
    const human = await cli.run(["dataset", "show", address]);
    expect(human.stdout).to.include(multiaddr).and.not.include("0xa503");
  });

  it("dataset push refuses without an ipfsNode, leaving iexec.json as it was", async function () {
    const before = iexecJson();
    cli.writeChainJson({ ipfsGateway: node.url });
    try {
      const missing = await cli.rawError(["dataset", "push", ...keys()]);
      expect(missing.message).to.include('no "ipfsNode"');
      expect(iexecJson(), "iexec.json unchanged").to.equal(before);
    } finally {
      cli.writeChainJson({ ipfsGateway: node.url, ipfsNode: node.url });
    }
  });

  it("order sign --request warns when its params put an unencrypted result on IPFS, not when encrypted", async function () {
    await cli.raw(["order", "init", "--request", ...keys()]);
    const setParams = (params: object) => {
      const iexec = JSON.parse(iexecJson());
      iexec.order.requestorder.params = params;
      writeFileSync(path.join(cli.dir, "iexec.json"), JSON.stringify(iexec, null, 2));
    };
    setParams({ iexec_result_storage_provider: "ipfs" });
    const warned = await cli.raw(["order", "sign", "--request", ...keys()]);
    expect(warned.publicResult).to.equal(true);
    const human = await cli.run(["order", "sign", "--request", ...keys()]);
    expect(human.stderr).to.include("The result will be PUBLIC");
    setParams({ iexec_result_storage_provider: "ipfs", iexec_result_encryption: true });
    const quiet = await cli.run(["order", "sign", "--request", ...keys()]);
    expect(quiet.code, quiet.stderr).to.equal(0);
    expect(quiet.stderr).to.not.include("PUBLIC");
  });

  /**
   * A completed trust-1 task (of a deal that asks no encryption) finalized with `resultZip` on IPFS, whose
   * on-chain digest is `digest`.
   */
  async function ipfsTask(digest?: string, resultZip = zip): Promise<string> {
    const taskid = await initTask(setup, await makeDeal(setup));
    const [worker] = setup.workers;
    const { cid } = await new IpfsClient({ nodeUrl: node.url, gatewayUrl: node.url }).addFile(resultZip);
    await (
      await setup.hub
        .connect(worker)
        .contributeAndFinalize(
          taskid,
          digest ?? (await sha256OfFile(resultZip)),
          ethers.toUtf8Bytes(ipfsResultsText(cid)),
          "0x",
          ethers.ZeroAddress,
          "0x",
          await signAuthorization(setup.scheduler, worker.address, taskid),
        )
    ).wait();
    return taskid;
  }

  it("result download fetches an IPFS result without a wallet, verifies it and unzips it", async function () {
    const taskid = await ipfsTask();
    // No wallet options: an IPFS result is public.
    const run = await cli.raw(["result", "download", taskid, "--out", "from-ipfs"]);
    expect(run).to.include({ storage: "ipfs", verified: true, encrypted: false });
    expect(readFileSync(path.join(cli.dir, "from-ipfs", "result.txt"), "utf8")).to.equal("public answer\n");
    const shown = await cli.raw(["task", "show", taskid, "--download", "shown"]);
    expect(shown.resultPath).to.equal(path.join(cli.dir, "shown"));
    expect(readdirSync(path.join(cli.dir, "shown"))).to.deep.equal(["result.txt"]);
  });

  it("refuses an IPFS result whose digest is not the chain's, leaving nothing on disk", async function () {
    const taskid = await ipfsTask(ethers.keccak256(ethers.toUtf8Bytes("another result")));
    const before = readdirSync(cli.dir).sort();
    const error = await cli.rawError(["result", "download", taskid, "--out", "tampered"]);
    expect(error.code).to.equal("RESULT_DIGEST_MISMATCH");
    expect(readdirSync(cli.dir).sort()).to.deep.equal(before);
  });

  it("refuses a zip holding the encrypted files' names when the deal asked no encryption", async function () {
    // Naming its files like an encrypted result must not skip the digest check of an unencrypted deal.
    const folder = path.join(cli.dir, "fake-encrypted");
    mkdirSync(folder);
    writeFileSync(path.join(folder, ENCRYPTED_KEY_FILE), "not a key");
    writeFileSync(path.join(folder, ENCRYPTED_RESULT_FILE), "not a result");
    const fake = path.join(cli.dir, "fake-encrypted.zip");
    await zipFolder(folder, fake);
    const taskid = await ipfsTask(ethers.keccak256(ethers.toUtf8Bytes("the real result")), fake);
    const before = readdirSync(cli.dir).sort();
    const error = await cli.rawError(["result", "download", taskid, "--out", "fake"]);
    expect(error.code).to.equal("RESULT_DIGEST_MISMATCH");
    expect(readdirSync(cli.dir).sort()).to.deep.equal(before);
  });

  it("an IPFS result without an ipfsGateway in chain.json is refused with what to set", async function () {
    const taskid = await ipfsTask();
    cli.writeChainJson({});
    try {
      const error = await cli.rawError(["result", "download", taskid, "--out", "no-gateway"]);
      expect(error.message).to.include('"ipfsGateway"');
      expect(readdirSync(cli.dir)).to.not.include("no-gateway");
    } finally {
      cli.writeChainJson({ ipfsGateway: node.url, ipfsNode: node.url });
    }
  });
});
