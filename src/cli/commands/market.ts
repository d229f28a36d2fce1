/** `market start`: runs the market API and its chain watcher until interrupted. */
import path from "node:path";
import type { Command } from "commander";
import { DEFAULT_MARKET_PORT, MarketApp } from "../../market/app";
import { action } from "../action";
import { positiveInt, serveUntilSignal } from "../service";
import type { Session } from "../session";

interface StartOptions {
  host: string;
  port: string;
  dataDir: string;
  corsOrigin?: string;
  rateLimit: string;
}

async function start(session: Session, options: StartOptions): Promise<void> {
  const chain = await session.chain();
  const market = await session.out.step(
    "Starting the market",
    MarketApp.start({
      chain,
      host: options.host,
      port: positiveInt("port", options.port, true),
      dataDir: path.resolve(options.dataDir),
      server: {
        corsOrigin: options.corsOrigin ? options.corsOrigin.split(",") : undefined,
        rateLimit: { max: positiveInt("rate-limit", options.rateLimit), timeWindowMs: 60_000 },
      },
    }),
  );
  await serveUntilSignal(
    session.out,
    `Market API listening at ${market.url} (chain ${chain.name}), Ctrl-C to stop`,
    { url: market.url },
    () => market.stop(),
  );
}

/** Registers `market`. */
export function registerMarket(program: Command): void {
  const market = program.command("market").description("the market API (orderbook) service");
  market
    .command("start")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", String(DEFAULT_MARKET_PORT))
    .option("--data-dir <dir>", "folder of the market database", path.join("data", "market"))
    .option("--cors-origin <origins>", "comma-separated allowed CORS origins (default: any)")
    .option("--rate-limit <n>", "requests per minute per client IP", "600")
    .description("serve the market API and follow the chain")
    .action(action(start));
}
