import { expect } from "chai";
import { ethers } from "hardhat";
import type { Provider } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MemoryMarketStore } from "../../src/market/memory-store";
import { BlockUnavailableError, ChainWatcher } from "../../src/market/watcher";
import { OpenPocoError } from "../../src/sdk/core/errors";
import type { ServiceLogger } from "../../src/sdk/core/logger";
import { marketSetup } from "./fixtures";

const QUIET: ServiceLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The Hardhat provider, except that `getBlock` answers null: a node that lost or never had blocks. */
function blocklessProvider(): Provider {
  return new Proxy(ethers.provider, {
    get(target, name, receiver) {
      if (name === "getBlock") return async () => null;
      const value = Reflect.get(target, name, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("@market ChainWatcher errors", () => {
  it("a block the node does not return is a BlockUnavailableError naming the block", async () => {
    const setup = await loadFixture(marketSetup);
    const watcher = new ChainWatcher({
      provider: blocklessProvider(),
      hub: setup.domain.verifyingContract!,
      store: new MemoryMarketStore(),
      logger: QUIET,
    });
    const head = await ethers.provider.getBlockNumber();
    const error = await watcher.syncOnce().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(BlockUnavailableError).and.instanceOf(OpenPocoError);
    expect(error).to.include({ code: "BLOCK_UNAVAILABLE", block: head, name: "BlockUnavailableError" });
    expect((error as Error).message)
      .to.contain(`block ${head}`)
      .and.contain("synced");
  });
});
