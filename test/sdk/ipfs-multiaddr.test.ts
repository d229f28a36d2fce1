import { expect } from "chai";
import { hexlify, randomBytes, toUtf8Bytes } from "ethers";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import {
  checkDatasetMultiaddr,
  decodeMultiaddr,
  encodeMultiaddr,
  parseIpfsPath,
} from "../../src/sdk/core/multiaddr";
import { InvalidInputError } from "../../src/sdk/core/errors";

const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;

/** The official SDK's multiaddr library (the one `iexec` stores multiaddrs with). */
type MultiaddrLib = { multiaddr(input: string | Uint8Array): { bytes: Uint8Array; toString(): string } };

async function randomCidV0(): Promise<string> {
  return CID.createV0(await sha256.digest(randomBytes(64))).toString();
}

describe("SDK multiaddrs (IPFS)", function () {
  let lib: MultiaddrLib;

  before(async function () {
    lib = (await importEsm("@multiformats/multiaddr")) as MultiaddrLib;
  });

  it("encodes /ipfs/<CIDv0> to the very bytes of @multiformats/multiaddr, and decodes them back", async function () {
    for (let i = 0; i < 20; i++) {
      const text = `/ipfs/${await randomCidV0()}`;
      const official = hexlify(lib.multiaddr(text).bytes);
      expect(official.slice(0, 6)).to.equal("0xa503"); // protocol code 421 as a varint
      expect(encodeMultiaddr(text)).to.equal(official);
      expect(decodeMultiaddr(official)).to.equal(text);
    }
  });

  it("decodes what the official SDK stores for a CIDv1 (its multihash) as the same content's CIDv0", async function () {
    const digest = await sha256.digest(randomBytes(32));
    const v1 = CID.createV1(0x70, digest).toString();
    const official = hexlify(lib.multiaddr(`/ipfs/${v1}`).bytes);
    expect(decodeMultiaddr(official)).to.equal(`/ipfs/${CID.createV0(digest).toString()}`);
    // Ours keeps a CIDv1 (and any path) as text: the binary form would lose its codec or the path.
    expect(decodeMultiaddr(encodeMultiaddr(`/ipfs/${v1}`))).to.equal(`/ipfs/${v1}`);
    const withPath = `/ipfs/${CID.createV0(digest).toString()}/data/file.csv`;
    expect(encodeMultiaddr(withPath)).to.equal(hexlify(toUtf8Bytes(withPath)));
    expect(decodeMultiaddr(encodeMultiaddr(withPath))).to.equal(withPath);
  });

  it("keeps URLs and image names as UTF-8, and shows other bytes as hex", function () {
    for (const text of ["https://data.example.com/faces.csv.enc", "iexechub/nilearn:1.0"]) {
      expect(encodeMultiaddr(text)).to.equal(hexlify(toUtf8Bytes(text)));
      expect(decodeMultiaddr(encodeMultiaddr(text))).to.equal(text);
    }
    expect(decodeMultiaddr("0x")).to.equal("");
    expect(decodeMultiaddr("0x00ff10")).to.equal("0x00ff10");
    // An ipfs code whose length does not cover the rest is not a multiaddr: shown as hex.
    expect(decodeMultiaddr("0xa5032212")).to.equal("0xa5032212");
    // Other binary multiaddrs are not decoded (workers fetch only URLs and /ipfs/).
    const ip4 = hexlify(lib.multiaddr("/ip4/1.2.3.4/tcp/80").bytes);
    expect(decodeMultiaddr(ip4)).to.equal(ip4);
  });

  it("parses /ipfs/ paths and refuses bad CIDs and paths climbing out of the DAG", async function () {
    const cid = await randomCidV0();
    expect(parseIpfsPath(`/ipfs/${cid}`)).to.deep.equal({ cid, path: "" });
    expect(parseIpfsPath(`/ipfs/${cid}/a/b.txt`)).to.deep.equal({ cid, path: "/a/b.txt" });
    expect(parseIpfsPath("https://example.com/ipfs/x")).to.equal(undefined);
    expect(parseIpfsPath("iexechub/app:1")).to.equal(undefined);
    for (const bad of ["/ipfs/", "/ipfs/QmNotACid", "/ipfs/0xabc/file", `/ipfs/${cid.slice(0, -1)}`]) {
      expect(() => parseIpfsPath(bad), bad).to.throw(InvalidInputError, /is not a CID/);
      expect(() => encodeMultiaddr(bad), bad).to.throw(InvalidInputError);
    }
    for (const bad of [`/ipfs/${cid}/../x`, `/ipfs/${cid}/a//b`, `/ipfs/${cid}/./a`])
      expect(() => parseIpfsPath(bad), bad).to.throw(InvalidInputError, /segment/);
  });

  it("accepts as dataset multiaddr only http(s) URLs and /ipfs/ paths", async function () {
    checkDatasetMultiaddr("https://data.example.com/x.enc");
    checkDatasetMultiaddr(`/ipfs/${await randomCidV0()}`);
    for (const bad of ["ftp://data.example.com/x", "data.example.com/x", "/ip4/1.2.3.4/tcp/80", "/ipfs/Qmx"])
      expect(() => checkDatasetMultiaddr(bad), bad).to.throw(InvalidInputError);
  });
});
