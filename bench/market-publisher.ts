/**
 * Child process of `bench/market.ts`: publishes the signed orders of a JSON file to a market as
 * clients do (challenge, signature, POST), `CONCURRENCY` at a time, and prints the elapsed ms. It runs
 * apart so that client-side signing does not share the market's CPU.
 */
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { MarketClient, parseOrder } from "../src/sdk";

async function main(): Promise<void> {
  const [url, key, file, concurrency] = process.argv.slice(2);
  const signer = new Wallet(key);
  const orders = (JSON.parse(readFileSync(file, "utf8")) as unknown[]).map((json) =>
    parseOrder("app", json, "app"),
  );
  const client = new MarketClient(url, 31337n);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(concurrency) }, async () => {
      while (next < orders.length) await client.publish("app", orders[next++], signer);
    }),
  );
  process.stdout.write(JSON.stringify({ ms: performance.now() - started, published: orders.length }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
