#!/usr/bin/env node
/**
 * `openpoco`: the command-line tool of the marketplace, a thin layer over the SDK. Every command
 * accepts the global options below and --help.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError } from "commander";
import { registerAccount } from "./commands/account";
import { registerApp } from "./commands/app";
import { registerCategory } from "./commands/category";
import { registerDataset } from "./commands/dataset";
import { registerDeal } from "./commands/deal";
import { registerInfo } from "./commands/info";
import { registerInit } from "./commands/init";
import { registerIpfs } from "./commands/ipfs";
import { registerMarket } from "./commands/market";
import { registerOrder } from "./commands/order";
import { registerOrderbook } from "./commands/orderbook";
import { registerResult } from "./commands/result";
import { registerTask } from "./commands/task";
import { registerWallet } from "./commands/wallet";
import { registerWorker } from "./commands/worker";
import { registerScheduler } from "./commands/scheduler";
import { registerSms } from "./commands/sms";
import { registerStack } from "./commands/stack";
import { registerWorkerpool } from "./commands/workerpool";
import { Output } from "./output";

/** The version of package.json, found upwards from here (the same code runs from src/ and dist/src/). */
function packageVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")).version;
  }
  return "unknown";
}

/** The program with every command registered. */
export function buildProgram(): Command {
  const program = new Command("openpoco")
    .description("OpenPoCo: sell and buy computing on the PoCo marketplace")
    .version(packageVersion())
    .option("--chain <name>", "chain of chain.json to use (default: its default chain)")
    .option("--raw", "print one JSON object on stdout, for scripts")
    .option("--quiet", "print only results")
    .option("--debug", "print stack traces of errors")
    .option("--wallet-file <file>", "wallet file name in the keystore folder (or a path)")
    .option("--wallet-address <address>", "address of the wallet to use from the keystore folder")
    .option(
      "--keystoredir <path>",
      'keystore folder: a path, "local" (this folder) or "global" (~/.ethereum/keystore)',
    )
    .option("--password <password>", "wallet password (else OPENPOCO_WALLET_PASSWORD, else a hidden prompt)")
    .showHelpAfterError("(add --help for usage)")
    // Set before the commands exist: subcommands copy it, so usage errors everywhere reach main's handler.
    .exitOverride();
  for (const register of [
    registerInit,
    registerWallet,
    registerAccount,
    registerInfo,
    registerApp,
    registerDataset,
    registerWorkerpool,
    registerOrder,
    registerOrderbook,
    registerDeal,
    registerTask,
    registerResult,
    registerCategory,
    registerMarket,
    registerScheduler,
    registerWorker,
    registerSms,
    registerStack,
    registerIpfs,
  ])
    register(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return;
      // commander already printed the usage error for humans; scripts get it as JSON too.
      if (argv.includes("--raw"))
        new Output({ raw: true, quiet: false, debug: false }).fail(
          new Error(error.message.replace(/^error: /, "")),
        );
      process.exitCode = error.exitCode || 1;
      return;
    }
    throw error;
  }
}

if (require.main === module) void main(process.argv);
