/**
 * `stack up|status|down|demo`: the whole marketplace on this machine, in one command, and the seed's
 * walkthrough played on it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { runDemo } from "../../stack/demo";
import { stackPaths, type StackManifest } from "../../stack/layout";
import { lockHolder } from "../../stack/lock";
import { Stack, StackError, runningManifest, type StackOptions } from "../../stack/stack";
import { defaultStaticDir, startExplorer } from "../../explorer/serve";
import { offerState, probeStack, workerStates } from "../../stack/status";
import { formatRlc } from "../../sdk/core/units";
import { DEV_ENCLAVE_WARNING } from "../../sdk/core/tee-dev";
import type { PublisherState } from "../../publisher/offer-publisher";
import { action } from "../action";
import type { Output } from "../output";
import { positiveInt } from "../service";
import type { Session } from "../session";

const DEFAULT_DATA_DIR = path.join("data", "stack");

interface UpOptions {
  dataDir: string;
  rpc?: string;
  workers: string;
  portOffset: string;
  explorer: boolean;
}

/** Aligned columns, the first row being the header. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function endpoints(manifest: StackManifest): Record<string, string | undefined> {
  return {
    chain: manifest.chain.host,
    hub: manifest.chain.hub,
    market: manifest.chain.iexecGateway,
    sms: manifest.chain.sms,
    results: manifest.chain.resultProxy,
    ipfs: manifest.chain.ipfsGateway,
    scheduler: manifest.scheduler.url,
    workerpool: manifest.workerpool,
    registry: manifest.registry,
    files: manifest.files,
    explorer: manifest.explorer,
    "chain.json": stackPaths(manifest.dataDir).chainJson,
    // Our extra URLs (result store, IPFS node, explorer): copy it beside chain.json.
    "chain.openpoco.json": stackPaths(manifest.dataDir).chainExtrasJson,
  };
}

/** The explorer's server, when its build exists (`npm run build` makes it); else a note and none. */
function explorerStarter(out: Output): StackOptions["startExplorer"] {
  if (!existsSync(path.join(defaultStaticDir(), "index.html"))) {
    out.info("the explorer is not built (npm run build:explorer): the stack runs without it");
    return undefined;
  }
  return (chain, port) =>
    startExplorer({ host: "127.0.0.1", port, chain: { ...chain, id: BigInt(chain.id) } });
}

async function up(session: Session, options: UpOptions): Promise<void> {
  const out = session.out;
  const workers = positiveInt("workers", options.workers, true);
  const portOffset = positiveInt("port-offset", options.portOffset, true);
  const started = Date.now();
  const stack = await Stack.start({
    dataDir: options.dataDir,
    rpc: options.rpc,
    workers,
    portOffset,
    onEvent: (message) => out.info(message),
    startExplorer: options.explorer ? explorerStarter(out) : undefined,
  });
  const manifest = stack.manifest;
  out.success(
    `The marketplace is up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    endpoints(manifest),
  );
  out.print(
    "\n" +
      table([
        ["part", "state", "address", "restarts", "log"],
        ...stack
          .status()
          .map((part) => [
            part.name,
            part.state,
            "url" in part
              ? part.url
              : String(
                  part.answer?.url ??
                    part.answer?.host ??
                    (part.answer?.address ? `account ${part.answer.address}` : ""),
                ),
            "restarts" in part ? String(part.restarts) : "-",
            "log" in part ? path.relative(process.cwd(), part.log) : "-",
          ]),
      ]) +
      "\n\nNext: `npm run demo` plays the walkthrough on it; Ctrl-C stops everything (state is kept for the next start).",
  );
  out.set({ ...manifest, chainStart: stack.chainStart, elapsedMs: Date.now() - started });
  out.finish();
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  out.info("stopping the stack");
  await stack.stop();
  out.info("stopped; the next start resumes from " + manifest.dataDir);
}

/** The running stack's manifest, or an error saying how to start one (or that it is still starting). */
function running(dataDir: string, then: string): StackManifest {
  const folder = path.resolve(dataDir);
  const manifest = runningManifest(folder);
  if (manifest) return manifest;
  if (lockHolder(folder))
    throw new StackError(
      `The stack of ${folder} is still starting: ${then} once it prints its status table.`,
    );
  throw new StackError(`No stack runs from ${folder}: start one with \`npm start\` first.`);
}

/** Prints a standing offer's state under `label` (`stateFile` undefined: the stack runs no such offer). */
function printOffer(
  session: Session,
  label: string,
  stateFile: string | undefined,
  offer: PublisherState | undefined,
): void {
  if (stateFile === undefined) session.out.print(`\n${label}: none (the stack runs without workers).`);
  else if (!offer) session.out.print(`\n${label}: no state yet in ${stateFile}.`);
  else
    session.out.print(
      `\n${label} of ${offer.workerpool}: ${formatRlc(BigInt(offer.terms.price))} a task, trust ${offer.terms.trust}, ` +
        `volume ${offer.terms.volume}, tag ${BigInt(offer.terms.tag) === 0n ? "none" : offer.terms.tag}; ` +
        `${offer.published} order(s) published since start, last check ${offer.lastCheck ?? "never"}\n` +
        table([
          ["category", "open orders", "tasks left", "last refill"],
          ...offer.categories.map((c) => [
            c.category,
            String(c.openOrders),
            c.remaining,
            c.lastRefill ?? "-",
          ]),
        ]) +
        (offer.lastError ? `\nlast error (${offer.lastError.at}): ${offer.lastError.message}` : ""),
    );
}

async function status(session: Session, options: { dataDir: string }): Promise<void> {
  const manifest = running(options.dataDir, "ask again");
  const probes = await probeStack(manifest);
  session.out.print(
    table([
      ["part", "address", "answers"],
      ...probes.map((p) => [p.name, p.url, p.answers ? "yes" : `no (${p.detail})`]),
    ]),
  );
  const workers = await workerStates(manifest);
  if (workers.length > 0)
    session.out.print(
      "\n" +
        table([
          ["worker", "state", "busy", "last seen"],
          ...workers.map((w) => [w.address, w.state, String(w.busy ?? "-"), w.lastSeen ?? "-"]),
        ]),
    );
  const offer = offerState(manifest);
  const teeOffer = offerState(manifest, "teeOffer");
  printOffer(session, "Standing offer", manifest.offer?.stateFile, offer);
  printOffer(
    session,
    `TEE+TDX standing offer (${DEV_ENCLAVE_WARNING})`,
    manifest.teeOffer?.stateFile,
    teeOffer,
  );
  session.out.set({
    pid: manifest.pid,
    parts: probes,
    workers,
    offer: offer ?? null,
    teeOffer: teeOffer ?? null,
  });
  const down = probes.filter((p) => !p.answers);
  if (down.length > 0)
    throw new StackError(
      `Not answering: ${down.map((p) => p.name).join(", ")} (see ${stackPaths(manifest.dataDir).logs}).`,
    );
}

/** Each part gets up to 10 s to stop, one after the other. */
const DOWN_TIMEOUT_MS = 150_000;

async function down(session: Session, options: { dataDir: string }): Promise<void> {
  const folder = path.resolve(options.dataDir);
  const holder = lockHolder(folder);
  if (!holder) {
    session.out.success(`No stack runs from ${folder}.`);
    return;
  }
  process.kill(holder.pid, "SIGTERM");
  const deadline = Date.now() + DOWN_TIMEOUT_MS;
  await session.out.step(`Stopping the stack (pid ${holder.pid})`, async () => {
    while (lockHolder(folder)) {
      if (Date.now() > deadline)
        throw new StackError(
          `The stack (pid ${holder.pid}) did not stop within ${DOWN_TIMEOUT_MS / 1000} s: see ${stackPaths(folder).logs}.`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  session.out.success("Stack stopped; its state is kept for the next start.");
}

async function demo(session: Session, options: { dataDir: string }): Promise<void> {
  const manifest = running(options.dataDir, "run the demo");
  const result = await runDemo(manifest, session.out);
  session.out.set({ ...result });
}

/** Registers `stack`. */
export function registerStack(program: Command): void {
  const stack = program
    .command("stack")
    .description("the whole marketplace on this machine (chain, services, workers)");
  stack
    .command("up")
    .option(
      "--data-dir <dir>",
      "folder of the stack's databases, keys, chain journal and logs",
      DEFAULT_DATA_DIR,
    )
    .option(
      "--rpc <url>",
      "attach to this node instead of starting a Hardhat chain (contracts deployed if absent)",
    )
    .option("--workers <n>", "number of workers (0: no Docker engine needed)", "2")
    .option("--port-offset <n>", "added to every default port, to run a second stack beside the first", "0")
    .option("--no-explorer", "do not serve the explorer")
    .description(
      "start the chain, the market, the SMS, the result store, a scheduler and workers; Ctrl-C stops them",
    )
    .action(action(up));
  stack
    .command("status")
    .option("--data-dir <dir>", "folder of the stack", DEFAULT_DATA_DIR)
    .description("say whether each part of the running stack answers")
    .action(action(status));
  stack
    .command("down")
    .option("--data-dir <dir>", "folder of the stack", DEFAULT_DATA_DIR)
    .description("stop the stack running from the data folder")
    .action(action(down));
  stack
    .command("demo")
    .option("--data-dir <dir>", "folder of the running stack", DEFAULT_DATA_DIR)
    .description("play the seed's walkthrough on the running stack, step by step with on-chain evidence")
    .action(action(demo));
}
