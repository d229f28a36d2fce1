/** `openpoco ipfs start --max-add-size`: the sizes it takes, and a clear refusal of anything else. */
import { expect } from "chai";
import { parseByteSize } from "../../src/cli/commands/ipfs";
import { DEFAULT_IPFS_PORT } from "../../src/ipfs/server";
import { LOCAL_CHAIN } from "../../src/sdk/core/chains";
import { InvalidInputError } from "../../src/sdk/core/errors";
import { STACK_PORTS } from "../../src/stack/layout";

describe("ipfs start options @cli", () => {
  it("reads byte sizes in bytes, SI and binary units", () => {
    expect(parseByteSize("max-add-size", "1073741824")).to.equal(1024 ** 3);
    expect(parseByteSize("max-add-size", "1GiB")).to.equal(1024 ** 3);
    expect(parseByteSize("max-add-size", "512MiB")).to.equal(512 * 1024 ** 2);
    expect(parseByteSize("max-add-size", "100MB")).to.equal(100 * 1000 ** 2);
    expect(parseByteSize("max-add-size", "1.5 kib")).to.equal(1536);
  });

  it("refuses what is not a positive size, naming the option", () => {
    for (const text of ["0", "-1", "ten", "1XB", "", "1e3"]) {
      let error: unknown;
      try {
        parseByteSize("max-add-size", text);
      } catch (caught) {
        error = caught;
      }
      expect(error, text).to.be.instanceOf(InvalidInputError);
      expect((error as Error).message, text).to.match(/^--max-add-size must be a size/);
    }
  });
});

describe("the local chain's IPFS URLs @cli", () => {
  it("name the port `openpoco ipfs start` and the stack's node listen on", () => {
    // A project made by `openpoco init` pushes datasets and fetches results there without editing chain.json.
    for (const url of [LOCAL_CHAIN.ipfsNode!, LOCAL_CHAIN.ipfsGateway!])
      expect(new URL(url).port).to.equal(String(DEFAULT_IPFS_PORT));
    expect(STACK_PORTS.ipfs).to.equal(DEFAULT_IPFS_PORT);
  });
});
