/**
 * `openpoco market start` runs the market for real (SQLite file, watcher, API); the CLI publishes to
 * it and reads its orderbook, then the service stops cleanly on SIGTERM. (@cli)
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { CLI, CliHarness } from "./harness";

describe("@cli openpoco market start", function () {
  this.timeout(120_000);
  let cli: CliHarness;

  before(async () => {
    cli = await CliHarness.start();
  });
  after(async () => cli?.stop());

  it("serves the orderbook the CLI publishes to, and stops on SIGTERM", async function () {
    cli.writeChainJson();
    const market = spawn(
      process.execPath,
      [CLI, "market", "start", "--port", "0", "--data-dir", "market-data", "--raw"],
      {
        cwd: cli.dir,
      },
    );
    const started = await new Promise<{ ok: boolean; url: string }>((resolve, reject) => {
      let out = "";
      market.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0]));
      });
      market.on("exit", (code) => reject(new Error(`market exited with ${code}`)));
    });
    expect(started.ok).to.equal(true);
    expect(started.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    await cli.raw(["init", "--skip-wallet"]);
    cli.writeChainJson({ iexecGateway: started.url });

    const keys = ["--keystoredir", path.join(cli.dir, "keys"), "--password", "pw"];
    const key = ethers.HDNodeWallet.fromPhrase(
      "test test test test test test test test test test test junk",
      undefined,
      "m/44'/60'/0'/0/6",
    ).privateKey;
    await cli.raw(["wallet", "import", key, ...keys]);
    await cli.raw(["app", "init", ...keys]);
    const iexec = JSON.parse(readFileSync(path.join(cli.dir, "iexec.json"), "utf8"));
    iexec.app.checksum = "0x" + "cd".repeat(32);
    writeFileSync(path.join(cli.dir, "iexec.json"), JSON.stringify(iexec));
    const app = (await cli.raw(["app", "deploy", ...keys])).address;
    await cli.raw(["order", "init", "--app", ...keys]);
    await cli.raw(["order", "sign", "--app", ...keys]);
    const published = await cli.raw(["order", "publish", "--app", ...keys]);
    const book = await cli.raw(["orderbook", "app", app]);
    expect(book.count).to.equal(1);
    expect(book.orders[0].orderHash).to.equal(published.apporder.orderHash);
    expect(book.orders[0].remaining).to.equal("1000000");

    market.kill("SIGTERM");
    const code = await new Promise((resolve) => market.on("exit", resolve));
    expect(code).to.equal(0);
  });
});
