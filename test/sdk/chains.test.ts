import { expect } from "chai";
import { InvalidInputError } from "../../src/sdk/core/errors";
import {
  EXTRA_CHAIN_KEYS,
  LOCAL_CHAIN,
  LOCAL_CHAIN_ID,
  OFFICIAL_CHAIN_KEYS,
  chainFiles,
  defaultChainFiles,
  resolveChain,
  type ChainExtrasJson,
  type ChainJson,
  type ChainJsonEntry,
} from "../../src/sdk/core/chains";

const HUB = "0x3aa5ebb10dc797cac828524e59a333d0a371443c";

/** A chain.json with one chain "test" made of `entry`. */
function json(entry: ChainJsonEntry, name = "test"): ChainJson {
  return { default: name, chains: { [name]: entry } };
}

/** The message of the InvalidInputError that resolving throws. */
function failure(input: unknown, name?: string, extras?: unknown): string {
  try {
    resolveChain(input as ChainJson, name, extras as ChainExtrasJson);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError);
    return (error as Error).message;
  }
  return expect.fail(`resolveChain accepted ${JSON.stringify(input)}`);
}

describe("SDK chains (resolveChain, chainFiles)", () => {
  it("defaultChainFiles resolves to LOCAL_CHAIN", () => {
    const { chainJson, extras } = defaultChainFiles();
    expect(chainJson.default).to.equal("local");
    expect(chainJson.chains.local.id).to.equal("31337");
    expect(resolveChain(chainJson, undefined, extras)).to.deep.equal({ ...LOCAL_CHAIN, compass: undefined });
    expect(resolveChain(chainJson, "local", extras).id).to.equal(LOCAL_CHAIN_ID);
  });

  it("defaultChainFiles survive JSON serialisation (what init writes to disk)", () => {
    const { chainJson, extras } = JSON.parse(JSON.stringify(defaultChainFiles())) as {
      chainJson: ChainJson;
      extras: ChainExtrasJson;
    };
    expect(resolveChain(chainJson, undefined, extras)).to.deep.equal({ ...LOCAL_CHAIN, compass: undefined });
  });

  it("chainFiles keeps only the official keys in chain.json and the rest in the companion", () => {
    const chain = {
      ...LOCAL_CHAIN,
      compass: "http://127.0.0.1:3000/compass",
      explorer: "http://127.0.0.1:13000",
    };
    const { chainJson, extras } = chainFiles([chain]);
    expect(chainJson).to.deep.equal({
      default: "local",
      chains: {
        local: {
          id: "31337",
          host: chain.host,
          hub: chain.hub,
          sms: chain.sms,
          ipfsGateway: chain.ipfsGateway,
          iexecGateway: chain.iexecGateway,
          compass: chain.compass,
        },
      },
    });
    for (const key of Object.keys(chainJson.chains.local))
      expect(OFFICIAL_CHAIN_KEYS as readonly string[]).to.include(key);
    expect(extras).to.deep.equal({
      chains: {
        local: { resultProxy: chain.resultProxy, ipfsNode: chain.ipfsNode, explorer: chain.explorer },
      },
    });
    expect(resolveChain(chainJson, undefined, extras)).to.deep.equal(chain);
  });

  it("chainFiles writes no companion when no chain has extras", () => {
    const files = chainFiles([{ name: "bare", host: "http://a.example.org", hub: HUB }]);
    expect(files).to.deep.equal({
      chainJson: { default: "bare", chains: { bare: { host: "http://a.example.org", hub: HUB } } },
    });
  });

  it("reads the extras of an old chain.json that keeps them in the chain itself", () => {
    const old = json({
      name: "test",
      host: "http://a.example.org",
      hub: HUB,
      resultProxy: "http://results.example.org/",
      ipfsNode: "http://ipfs.example.org:5001",
      explorer: "http://explorer.example.org",
    });
    expect(resolveChain(old)).to.deep.include({
      name: "test",
      resultProxy: "http://results.example.org",
      ipfsNode: "http://ipfs.example.org:5001",
      explorer: "http://explorer.example.org",
    });
  });

  it("merges an old chain.json's extras with the companion's, chain.json's winning", () => {
    const old = json({ host: "http://a.example.org", hub: HUB, resultProxy: "http://results.example.org" });
    const companion = {
      chains: { test: { resultProxy: "http://elsewhere.example.org", explorer: "http://x.org" } },
    };
    expect(resolveChain(old, undefined, companion)).to.deep.include({
      resultProxy: "http://results.example.org",
      explorer: "http://x.org",
    });
  });

  it("ignores the companion's other chains and reads a chain the companion does not name", () => {
    const companion = { chains: { other: { resultProxy: "http://results.example.org" } } };
    const chain = resolveChain(json({ host: "http://a.example.org", hub: HUB }), undefined, companion);
    expect(chain.resultProxy).to.equal(undefined);
  });

  it("refuses a malformed companion, naming it", () => {
    const file = json({ host: "http://a.example.org", hub: HUB });
    for (const bad of [null, "text", 42, {}, { chains: null }])
      expect(failure(file, undefined, bad)).to.match(/chain\.openpoco\.json must be an object with "chains"/);
    for (const entry of ["http://results.example.org", null, ["x"]])
      expect(failure(file, undefined, { chains: { test: entry } })).to.match(
        /chain\.openpoco\.json: chain "test" must be an object of URLs/,
      );
    expect(
      failure(file, undefined, { chains: { test: { hub: HUB, resultProxy: "http://r.org" } } }),
    ).to.match(
      /chain\.openpoco\.json: chain "test" has unknown key\(s\) "hub": it holds only resultProxy, ipfsNode, explorer/,
    );
    for (const field of EXTRA_CHAIN_KEYS)
      expect(failure(file, undefined, { chains: { test: { [field]: "ipfs://x" } } })).to.match(
        new RegExp(`^chain\\.openpoco\\.json: "${field}" of chain "test" must be an http\\(s\\) URL`),
      );
  });

  it("checksums the hub, parses the id and keeps every service URL", () => {
    const chain = resolveChain(
      json({
        host: "https://rpc.example.org",
        id: "134",
        hub: HUB,
        iexecGateway: "https://market.example.org",
        sms: "http://sms.example.org:13300",
        resultProxy: "https://results.example.org",
        ipfsGateway: "https://ipfs.example.org",
        compass: "https://compass.example.org/",
      }),
    );
    expect(chain).to.deep.equal({
      name: "test",
      host: "https://rpc.example.org",
      id: 134n,
      hub: "0x3Aa5ebB10DC797CAC828524e59A333d0A371443c",
      iexecGateway: "https://market.example.org",
      sms: "http://sms.example.org:13300",
      resultProxy: "https://results.example.org",
      ipfsGateway: "https://ipfs.example.org",
      compass: "https://compass.example.org",
    });
  });

  it("trims trailing slashes of every URL", () => {
    const chain = resolveChain(
      json({
        host: "http://127.0.0.1:8545/",
        hub: HUB,
        iexecGateway: "http://market.example.org/api//",
        sms: "http://sms.example.org///",
        resultProxy: "http://results.example.org/",
        ipfsGateway: "http://ipfs.example.org/",
        ipfsNode: "http://ipfs.example.org:5001/",
      }),
    );
    expect(chain.ipfsNode).to.equal("http://ipfs.example.org:5001");
    expect(chain.host).to.equal("http://127.0.0.1:8545");
    expect(chain.iexecGateway).to.equal("http://market.example.org/api");
    expect(chain.sms).to.equal("http://sms.example.org");
    expect(chain.resultProxy).to.equal("http://results.example.org");
    expect(chain.ipfsGateway).to.equal("http://ipfs.example.org");
  });

  it("leaves optional services and the id undefined when absent or empty", () => {
    const chain = resolveChain(json({ host: "http://localhost:8545", hub: HUB, sms: "" }));
    expect(chain.id).to.equal(undefined);
    expect(chain.iexecGateway).to.equal(undefined);
    expect(chain.sms).to.equal(undefined);
    expect(chain.resultProxy).to.equal(undefined);
    expect(chain.ipfsGateway).to.equal(undefined);
    expect(chain.ipfsNode).to.equal(undefined);
  });

  it("picks the named chain over the default", () => {
    const file: ChainJson = {
      default: "a",
      chains: {
        a: { host: "http://a.example.org", hub: HUB },
        b: { host: "http://b.example.org", hub: HUB },
      },
    };
    expect(resolveChain(file).host).to.equal("http://a.example.org");
    expect(resolveChain(file, "b")).to.include({ name: "b", host: "http://b.example.org" });
  });

  it("refuses a file that is not an object with chains", () => {
    for (const bad of [null, "text", 42, {}, { default: "a" }, { default: "a", chains: null }])
      expect(failure(bad)).to.match(/chain\.json must be an object with "default" and "chains"/);
  });

  it("refuses a file without a default chain when no name is given", () => {
    const file = { chains: { a: { host: "http://a.example.org", hub: HUB } } };
    expect(failure(file)).to.match(/no "default" chain/);
    expect(failure({ ...file, default: "" })).to.match(/no "default" chain/);
    expect(resolveChain(file as unknown as ChainJson, "a").name).to.equal("a");
  });

  it("names the known chains when the chain is unknown", () => {
    const file: ChainJson = {
      default: "a",
      chains: {
        a: { host: "http://a.example.org", hub: HUB },
        b: { host: "http://b.example.org", hub: HUB },
      },
    };
    expect(failure(file, "c")).to.match(/Chain "c" is not in chain\.json \(known: a, b\)/);
    expect(failure({ default: "x", chains: {} })).to.match(/Chain "x" is not in chain\.json \(known: none\)/);
  });

  it("refuses a chain without a hub, or whose hub is not an address", () => {
    expect(failure(json({ host: "http://a.example.org" }))).to.match(/chain "test" has no "hub"/);
    expect(failure(json({ host: "http://a.example.org", hub: "" }))).to.match(/chain "test" has no "hub"/);
    for (const hub of ["0x1234", "hub", HUB + "00", "0x3Aa5ebB10DC797CAC828524e59A333d0A371443C"])
      expect(failure(json({ host: "http://a.example.org", hub }))).to.match(
        /"hub" of chain "test" is not an address/,
        hub,
      );
  });

  it("refuses an id that is not a decimal chain id", () => {
    for (const id of ["0x7a69", "-1", "1.5", "one", ""])
      expect(failure(json({ host: "http://a.example.org", hub: HUB, id }))).to.match(
        /"id" of chain "test" must be a decimal chain id/,
        id,
      );
  });

  it("refuses a missing host and a host that is not http(s)", () => {
    expect(failure(json({ hub: HUB }))).to.match(/chain "test" has no "host"/);
    for (const host of ["ws://127.0.0.1:8545", "127.0.0.1:8545", "http://", "http://a b", "ftp://x"])
      expect(failure(json({ host, hub: HUB }))).to.match(
        /"host" of chain "test" must be an http\(s\) URL/,
        host,
      );
    expect(failure(json({ host: 8545 as unknown as string, hub: HUB }))).to.match(
      /"host" of chain "test" must be an http\(s\) URL, got 8545/,
    );
  });

  it("refuses service URLs that are not http(s), naming the field", () => {
    for (const field of ["iexecGateway", "sms", "resultProxy", "ipfsGateway", "ipfsNode"] as const)
      expect(failure(json({ host: "http://a.example.org", hub: HUB, [field]: "ipfs://x" }))).to.match(
        new RegExp(`"${field}" of chain "test" must be an http\\(s\\) URL, got "ipfs://x"`),
      );
  });
});
