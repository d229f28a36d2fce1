/**
 * Bad input and unreachable services: every failure is one sentence naming the fix, exit code 1,
 * one JSON object with --raw, no stack trace unless --debug, and nothing written. (@cli)
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { CliHarness } from "./harness";

describe("@cli openpoco: errors and usage", function () {
  this.timeout(60_000);
  let cli: CliHarness;
  const keys = () => ["--keystoredir", path.join(cli.dir, "keys"), "--password", "pw"];

  before(async () => {
    cli = await CliHarness.start();
  });
  after(async () => cli?.stop());

  it("prints usage for --help of any command, with exit code 0", async function () {
    const help = await cli.run(["order", "fill", "--help"]);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include("Usage: openpoco order fill [options]");
    expect(help.stdout).to.include("--params <json>");
    const top = await cli.run(["--help"]);
    for (const command of [
      "init",
      "wallet",
      "account",
      "app",
      "dataset",
      "workerpool",
      "order",
      "orderbook",
      "deal",
      "task",
      "result",
      "category",
      "info",
    ])
      expect(top.stdout).to.match(new RegExp(`\\n  ${command}\\b`));
  });

  it("reports usage errors as JSON with --raw", async function () {
    const error = await cli.rawError(["app", "bogus"]);
    expect(error.message).to.equal("unknown command 'bogus'");
    const missing = await cli.rawError(["deal", "show"]);
    expect(missing.message).to.equal("missing required argument 'dealid'");
  });

  it("names the missing project file and the command that creates it, writing nothing", async function () {
    const error = await cli.rawError(["app", "deploy", ...keys()]);
    expect(error.message).to.equal(`iexec.json not found in ${cli.dir}: run \`openpoco init\` first.`);
    expect(readdirSync(cli.dir)).to.deep.equal([]);
  });

  it("without chain.json uses the local chain, and says when its node is down", async function () {
    // The harness serves the chain on another port than 8545: the built-in local chain is unreachable.
    const down = await cli.rawError(["info"]);
    expect(down.message).to.equal(
      "The chain node is unavailable at http://127.0.0.1:8545: start it or set its URL in chain.json.",
    );
  });

  it("explains each broken chain.json", async function () {
    const file = path.join(cli.dir, "chain.json");
    writeFileSync(file, "{ not json");
    expect((await cli.rawError(["info"])).message).to.match(
      /^chain.json is not valid JSON \(.*\): fix or delete it\.$/,
    );
    writeFileSync(file, JSON.stringify({ default: "dev", chains: { dev: { host: "http://127.0.0.1:1" } } }));
    expect((await cli.rawError(["info"])).message).to.equal(
      'chain.json: chain "dev" has no "hub": add the hub address.',
    );
    expect((await cli.rawError(["info", "--chain", "prod"])).message).to.equal(
      'Chain "prod" is not in chain.json (known: dev): add it or pick another with --chain.',
    );
    writeFileSync(
      file,
      JSON.stringify({ default: "dev", chains: { dev: { host: "ftp://x", hub: cli.hub } } }),
    );
    expect((await cli.rawError(["info"])).message).to.equal(
      'chain.json: "host" of chain "dev" must be an http(s) URL, got "ftp://x".',
    );
    cli.writeChainJson();
    const wrongHub = JSON.parse(readFileSync(file, "utf8"));
    wrongHub.chains.test.hub = "0x000000000000000000000000000000000000dEaD";
    writeFileSync(file, JSON.stringify(wrongHub));
    expect((await cli.rawError(["info"])).message).to.equal(
      `No hub at 0x000000000000000000000000000000000000dEaD on chain 31337 (${cli.rpcUrl}): deploy one (\`npm start\`) or fix "hub" in chain.json.`,
    );
    const wrongId = JSON.parse(readFileSync(file, "utf8"));
    wrongId.chains.test.hub = cli.hub;
    wrongId.chains.test.id = "1";
    writeFileSync(file, JSON.stringify(wrongId));
    expect((await cli.rawError(["info"])).message).to.equal(
      `The node at ${cli.rpcUrl} runs chain 31337, not 1 as chain.json says: fix "id" or "host".`,
    );
    cli.writeChainJson();
    const info = await cli.raw(["info"]);
    expect(info).to.include({ chain: "test", chainId: "31337", hubAddress: cli.hub });
  });

  it("wallet create encrypts a new key; a wrong password is named as such", async function () {
    const created = await cli.raw(["wallet", "create", ...keys()]);
    expect(created.address).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(existsSync(created.fileName)).to.equal(true);
    const wrong = await cli.rawError([
      "account",
      "deposit",
      "1",
      "RLC",
      "--keystoredir",
      path.join(cli.dir, "keys"),
      "--password",
      "nope",
    ]);
    expect(wrong.code).to.equal("WRONG_PASSWORD");
    expect(wrong.message).to.equal(
      `Wrong password for wallet ${created.fileName}: try again or pass the right --password.`,
    );
    const noTerminal = await cli.rawError([
      "account",
      "deposit",
      "1",
      "RLC",
      "--keystoredir",
      path.join(cli.dir, "keys"),
    ]);
    expect(noTerminal.message).to.include("pass --password or set OPENPOCO_WALLET_PASSWORD");
    const fromEnv = await cli.rawError(
      ["account", "deposit", "1", "RLC", "--keystoredir", path.join(cli.dir, "keys")],
      {
        OPENPOCO_WALLET_PASSWORD: "pw",
      },
    );
    expect(fromEnv.message).to.include("holds only 0 RLC; get RLC first");
    const again = await cli.rawError(["wallet", "create", ...keys()]);
    expect(again.message).to.equal(
      `1 wallet(s) already in ${path.join(cli.dir, "keys")}: pass --force to add another, or use it.`,
    );
  });

  it("rejects malformed amounts and ids with the expected form", async function () {
    expect((await cli.rawError(["account", "deposit", "1.5", ...keys()])).message).to.equal(
      'Invalid amount "1.5": nRLC is the smallest unit, it has no decimals.',
    );
    expect((await cli.rawError(["account", "deposit", "5", "ETH", ...keys()])).message).to.equal(
      'Unknown unit "ETH": use RLC or nRLC.',
    );
    expect((await cli.rawError(["deal", "show", "0x1234"])).message).to.equal(
      'Invalid deal id "0x1234": give 0x + 64 hex digits.',
    );
    expect((await cli.rawError(["deal", "show", "0x" + "12".repeat(32)])).message).to.equal(
      `No deal 0x${"12".repeat(32)} on this chain: check the id and --chain.`,
    );
  });

  it("prints one sentence without a stack, and the stack with --debug", async function () {
    const plain = await cli.run(["deal", "show", "0x1234"]);
    expect(plain.code).to.equal(1);
    expect(plain.stderr).to.include('✖ Invalid deal id "0x1234": give 0x + 64 hex digits.\n');
    expect(plain.stderr).to.not.include("    at ");
    const debug = await cli.run(["deal", "show", "0x1234", "--debug"]);
    expect(debug.stderr).to.include("    at ");
  });
});
