/**
 * Helpers of the explorer's browser tests: the build (made when missing or older than its sources),
 * Debian's chromium driven by playwright-core (never a downloaded browser), screenshots, and layout checks.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const ROOT = path.resolve(__dirname, "..", "..");
export const EXPLORER_BUILD = path.join(ROOT, "dist", "explorer");
const SOURCES = [path.join(ROOT, "src", "explorer"), path.join(ROOT, "src", "sdk")];
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = path.join(ROOT, "docs", "screenshots");
export const ARTIFACTS = path.join(ROOT, "test-artifacts", "explorer");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds dist/explorer (`vite build src/explorer`) when it is missing or older than its sources. */
export function ensureExplorerBuilt(): void {
  const index = path.join(EXPLORER_BUILD, "index.html");
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built > Math.max(...SOURCES.map(newestMtime))) return;
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "vite", "bin", "vite.js"),
      "build",
      "src/explorer",
      "--logLevel",
      "warn",
    ],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
  if (!existsSync(index)) throw new Error(`vite build src/explorer wrote no ${index}`);
}

/** Debian's chromium, headless. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`No chromium at ${CHROMIUM}: run scripts/browser-up.sh (or set CHROMIUM_PATH).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

/**
 * Saves a full-page screenshot as test-artifacts/explorer/<name>.png, and as docs/screenshots/<name>.png (the
 * README's) when that one is missing or UPDATE_SCREENSHOTS=1, so that test runs leave the committed ones be.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const image = await page.screenshot({ fullPage: true, animations: "disabled" });
  writeFileSync(path.join(ARTIFACTS, `${name}.png`), image);
  const documented = path.join(SCREENSHOTS, `${name}.png`);
  if (process.env.UPDATE_SCREENSHOTS === "1" || !existsSync(documented)) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(documented, image);
  }
}

/** How far the page is wider than its viewport, in CSS pixels (0: no horizontal overflow). */
export function horizontalOverflow(page: Page): Promise<number> {
  // A string: this file compiles without the DOM library.
  return page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
}

/** Waits until the page's <main> text matches `pattern`. */
export async function waitForMainText(page: Page, pattern: RegExp): Promise<void> {
  // The page's own globals, typed here: this file compiles without the DOM library.
  type PageGlobals = { document: { querySelector(selector: string): { innerText: string } | null } };
  await page.waitForFunction(
    ({ source, flags }) =>
      new RegExp(source, flags).test(
        (globalThis as unknown as PageGlobals).document.querySelector("main")?.innerText ?? "",
      ),
    { source: pattern.source, flags: pattern.flags },
  );
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A browser context with an injected EIP-1193 wallet for `account`: it answers the account requests and
 * forwards everything else to the node at `rpcUrl`, which holds Hardhat's unlocked accounts.
 */
export async function walletContext(
  browser: Browser,
  rpcUrl: string,
  account: string,
  options: { acceptDownloads?: boolean } = {},
): Promise<BrowserContext> {
  const withWallet = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  await withWallet.addInitScript(
    ({ rpcUrl, account }) => {
      let id = 0;
      (globalThis as unknown as { ethereum: unknown }).ethereum = {
        async request({ method, params }: { method: string; params?: unknown[] }) {
          if (method === "eth_requestAccounts" || method === "eth_accounts") return [account];
          const response = await fetch(rpcUrl, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
          });
          const json = (await response.json()) as { result?: unknown; error?: { message: string } };
          if (json.error) throw Object.assign(new Error(json.error.message), json.error);
          return json.result;
        },
        on() {},
        removeListener() {},
      };
    },
    { rpcUrl, account },
  );
  return withWallet;
}
