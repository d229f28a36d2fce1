/** Datasets on IPFS (no Docker): fetched through the gateway block by block verified, then checksum and decryption. */
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startIpfsNode, type IpfsNode } from "../../src/ipfs/server";
import { SILENT_LOGGER } from "../../src/sdk/core/logger";
import { decodeMultiaddr, encodeMultiaddr } from "../../src/sdk/core/multiaddr";
import { encryptFile, generateDatasetKey } from "../../src/sdk/node/encryption";
import { IpfsClient } from "../../src/sdk/node/ipfs";
import { downloadDataset } from "../../src/worker/inputs";
import { TaskFailure } from "../../src/worker/task-failure";
import { rejectionOf } from "../rejection";
import { tamperingGateway } from "../sdk/ipfs-stubs";

const sha256 = (data: string | Buffer) => `0x${createHash("sha256").update(data).digest("hex")}`;

describe("worker datasets on IPFS", function () {
  let node: IpfsNode;
  let dir: string;
  let out: string;
  let plain: Buffer;
  let key: Buffer;
  let checksum: string;
  let multiaddr: string;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "openpoco-ipfs-dataset-"));
    node = await startIpfsNode({ dataDir: path.join(dir, "node"), port: 0, logger: SILENT_LOGGER });
    // Larger than one chunk, so the DAG has a root and leaves.
    plain = randomBytes(700 * 1024);
    await writeFile(path.join(dir, "plain.bin"), plain);
    key = generateDatasetKey();
    ({ checksum } = await encryptFile(path.join(dir, "plain.bin"), path.join(dir, "data.enc"), key));
    const { cid } = await new IpfsClient({ nodeUrl: node.url }).addFile(path.join(dir, "data.enc"));
    multiaddr = `/ipfs/${cid}`;
  });

  after(async function () {
    await node.close();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async function () {
    out = await mkdtemp(path.join(dir, "in-"));
  });

  it("fetches an encrypted /ipfs/ dataset through the gateway, checks its checksum and decrypts it", async function () {
    // The multiaddr as the chain holds it when the official SDK registered it (binary), read back as text.
    const onChain = decodeMultiaddr(encodeMultiaddr(multiaddr));
    expect(onChain).to.equal(multiaddr);
    const target = path.join(out, "0xdataset");
    await downloadDataset({ multiaddr: onChain, checksum, key }, target, {
      maxBytes: 4 * 1024 * 1024,
      ipfsGateway: node.url,
    });
    expect((await readFile(target)).equals(plain)).to.equal(true);
    // Only the dataset: the raw download was a hidden file, removed.
    expect(await readdir(out)).to.deep.equal(["0xdataset"]);
  });

  it("refuses content that is not the registered dataset (DATASET_BAD_CHECKSUM), leaving nothing", async function () {
    // Blocks that verify against the CID, but the CID is not what the owner registered the checksum of.
    const error = await rejectionOf(
      downloadDataset({ multiaddr, checksum: sha256(plain), key }, path.join(out, "0xdataset"), {
        maxBytes: 4 * 1024 * 1024,
        ipfsGateway: node.url,
      }),
      TaskFailure,
    );
    expect(error.failure).to.equal("DATASET_BAD_CHECKSUM");
    // Without a key the bytes stream through untouched to the final checksum comparison.
    const unkeyed = await rejectionOf(
      downloadDataset({ multiaddr, checksum: sha256(plain) }, path.join(out, "0xdataset"), {
        maxBytes: 4 * 1024 * 1024,
        ipfsGateway: node.url,
      }),
      TaskFailure,
    );
    expect(unkeyed.failure).to.equal("DATASET_BAD_CHECKSUM");
    expect(unkeyed.detail).to.include(`not the registered ${sha256(plain)}`);
    expect(await readdir(out)).to.deep.equal([]);
  });

  it("fails DATASET_DOWNLOAD_FAILED on an altered block, a bad CID, no gateway or too large, leaving nothing", async function () {
    const gateway = await tamperingGateway(node.url, (cid) => cid !== multiaddr.slice(6));
    try {
      const altered = await rejectionOf(
        downloadDataset({ multiaddr, checksum, key }, path.join(out, "0xdataset"), {
          maxBytes: 4 * 1024 * 1024,
          ipfsGateway: gateway.url,
        }),
        TaskFailure,
      );
      expect(altered.failure).to.equal("DATASET_DOWNLOAD_FAILED");
      expect(altered.detail).to.include("hash does not match");
      expect(gateway.tampered).to.not.deep.equal([]);
    } finally {
      await gateway.close();
    }
    const cases: Array<[string, Parameters<typeof downloadDataset>[2], string, string]> = [
      ["/ipfs/QmNotACid", { maxBytes: 1e7, ipfsGateway: node.url }, "not a valid IPFS path", "bad CID"],
      [multiaddr, { maxBytes: 1e7 }, "ipfsGateway", "no gateway"],
      [multiaddr, { maxBytes: 1000, ipfsGateway: node.url }, "larger than the 1000 bytes", "too large"],
      [
        "ftp://example.com/x",
        { maxBytes: 1e7, ipfsGateway: node.url },
        "neither an http(s) URL nor /ipfs/",
        "ftp",
      ],
    ];
    for (const [address, options, detail, label] of cases) {
      const error = await rejectionOf(
        downloadDataset({ multiaddr: address, checksum, key }, path.join(out, "0xdataset"), options),
        TaskFailure,
      );
      expect(error.failure, label).to.equal("DATASET_DOWNLOAD_FAILED");
      expect(error.detail, label).to.include(detail);
    }
    expect(await readdir(out)).to.deep.equal([]);
  });
});
