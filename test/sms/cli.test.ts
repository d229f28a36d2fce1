/** `openpoco sms start` and `sms audit`: the commands' options and defaults (main.ts registers them). */
import path from "node:path";
import { expect } from "chai";
import { Command } from "commander";
import { registerSms } from "../../src/cli/commands/sms";
import { DEFAULT_SMS_PORT } from "../../src/sms/app";
import { DEV_ENCLAVE_WARNING, LOCAL_CHAIN } from "../../src/sdk";

describe("CLI sms command @sms", function () {
  it("registers `sms start` with --host, --port 13300 (the local chain's SMS), --data-dir data/sms, and the TEE mode off", function () {
    const program = new Command();
    registerSms(program);
    const start = program.commands
      .find((c) => c.name() === "sms")
      ?.commands.find((c) => c.name() === "start");
    expect(start, "sms start").to.not.equal(undefined);
    const defaults = Object.fromEntries(start!.options.map((o) => [o.attributeName(), o.defaultValue]));
    expect(defaults).to.deep.equal({
      host: "127.0.0.1",
      port: String(DEFAULT_SMS_PORT),
      dataDir: path.join("data", "sms"),
      tee: undefined,
      teeDevOnAnyChain: undefined,
    });
    const help = start!.helpInformation().replace(/\s+/g, " ");
    expect(help).to.contain("--tee <mode>").and.to.contain(DEV_ENCLAVE_WARNING);
    expect(help).to.contain("--tee-dev-on-any-chain").and.to.contain("DANGER");
    expect(new URL(LOCAL_CHAIN.sms!).port).to.equal(String(DEFAULT_SMS_PORT));
  });

  it("registers `sms audit` reading data/sms, the newest 100 entries by default, filtered by --task, --action and --refused", function () {
    const program = new Command();
    registerSms(program);
    const audit = program.commands
      .find((c) => c.name() === "sms")
      ?.commands.find((c) => c.name() === "audit");
    expect(audit, "sms audit").to.not.equal(undefined);
    const defaults = Object.fromEntries(audit!.options.map((o) => [o.attributeName(), o.defaultValue]));
    expect(defaults).to.deep.equal({
      dataDir: path.join("data", "sms"),
      task: undefined,
      action: undefined,
      refused: undefined,
      last: "100",
    });
  });
});
