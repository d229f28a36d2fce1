/** `market start`: runs the market API and its chain watcher until interrupted. */
import path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../../sdk/errors";
import { DEFAULT_MARKET_PORT, MarketApp } from "../../market/app";
import { action } from "../action";
import type { Session } from "../session";

interface StartOptions {
  host: string;
  port: string;
  dataDir: string;
  corsOrigin?: string;
  rateLimit: string;
}

function positive(name: string, value: string, allowZero = false): number {
  if (!/^\d+$/.test(value) || (!allowZero && value === "0"))
    throw new InvalidInputError(
      `--${name} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${JSON.stringify(value)}.`,
    );
  return Number(value);
}

async function start(session: Session, options: StartOptions): Promise<void> {
  const chain = await session.chain();
  const market = await session.out.step(
    "Starting the market",
    MarketApp.start({
      chain,
      host: options.host,
      port: positive("port", options.port, true),
      dataDir: path.resolve(options.dataDir),
      server: {
        corsOrigin: options.corsOrigin ? options.corsOrigin.split(",") : undefined,
        rateLimit: { max: positive("rate-limit", options.rateLimit), timeWindowMs: 60_000 },
      },
    }),
  );
  session.out.success(`Market API listening at ${market.url} (chain ${chain.name}), Ctrl-C to stop`);
  session.out.set({ url: market.url });
  session.out.finish();
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await market.stop();
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
