/**
 * Serves the built explorer (dist/explorer/) and a `/config.json` generated from a chain, so the same
 * static build points at whichever chain and market the caller runs. Node built-ins only.
 *
 * ```ts
 * const explorer = await startExplorer({ port: 4000, chain: LOCAL_CHAIN });
 * console.log(`Explorer: ${explorer.url}`);
 * ```
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { ChainConfig } from "../sdk/core/chains";

/** How to serve the explorer. */
export interface ExplorerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (0 picks a free one). */
  port: number;
  /**
   * The chain to show: its node (`host`), `id`, `hub`, market (`iexecGateway`), result store (`resultProxy`)
   * and IPFS gateway (`ipfsGateway`).
   */
  chain: ChainConfig;
  /** Folder of the build (default: dist/explorer of the repository). */
  staticDir?: string;
}

/** A running explorer server. */
export interface RunningExplorer {
  /** Base URL of the explorer, e.g. http://127.0.0.1:4000/ */
  url: string;
  stop(): Promise<void>;
}

/** What the explorer reads at startup (`config.json`). */
export interface ExplorerConfigJson {
  name: string;
  chainId: string;
  rpcUrl: string;
  hub: string;
  marketUrl?: string;
  resultProxy?: string;
  /** Same-origin path forwarding signed result downloads to `resultProxy` (see RESULT_STORE_PROXY). */
  resultStoreProxy?: string;
  /** IPFS path gateway for results stored on IPFS (the browser fetches it directly: gateways answer CORS). */
  ipfsGateway?: string;
  compass?: string;
}

/**
 * The path under which the server forwards `GET /results/<taskid>?chainId=` (with its Authorization header)
 * to the chain's result store: the store answers no CORS, so the page downloads through its own origin.
 */
export const RESULT_STORE_PROXY = "/result-store";
const RESULT_PATH = /^\/results\/0x[0-9a-fA-F]{64}$/;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

const COMPRESSIBLE = new Set([".html", ".js", ".css", ".json", ".svg", ".txt", ".map"]);

// The page talks to the chain node and the market, wherever they are; everything else comes from here.
const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy":
    "default-src 'self'; connect-src *; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
};

/** The config.json of `chain`. */
export function explorerConfig(chain: ChainConfig): ExplorerConfigJson {
  const config: ExplorerConfigJson = {
    name: chain.name,
    chainId: String(chain.id ?? 31337n),
    rpcUrl: chain.host,
    hub: chain.hub,
  };
  if (chain.iexecGateway) config.marketUrl = chain.iexecGateway;
  if (chain.resultProxy) {
    config.resultProxy = chain.resultProxy;
    config.resultStoreProxy = RESULT_STORE_PROXY;
  }
  if (chain.ipfsGateway) config.ipfsGateway = chain.ipfsGateway;
  if (chain.compass) config.compass = chain.compass;
  return config;
}

/** The build folder: dist/explorer, from the sources (src/explorer) or from the build (dist/src/explorer). */
export function defaultStaticDir(): string {
  const candidates = [
    path.resolve(__dirname, "..", "..", "dist", "explorer"),
    path.resolve(__dirname, "..", "..", "explorer"),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, "index.html"))) ?? candidates[0];
}

interface CachedFile {
  body: Buffer;
  gzip?: Buffer;
  type: string;
}

/** Starts serving the explorer; rejects when the build is missing or the port is taken. */
export async function startExplorer(options: ExplorerOptions): Promise<RunningExplorer> {
  const root = path.resolve(options.staticDir ?? defaultStaticDir());
  if (!existsSync(path.join(root, "index.html")))
    throw new Error(`The explorer is not built (no index.html in ${root}): run npm run build:explorer.`);
  const configBody = Buffer.from(JSON.stringify(explorerConfig(options.chain), null, 2));
  const cache = new Map<string, CachedFile>();

  async function file(relative: string): Promise<CachedFile | undefined> {
    const cached = cache.get(relative);
    if (cached) return cached;
    const full = path.join(root, relative);
    // Nothing outside the build folder, whatever the URL says.
    if (full !== root && !full.startsWith(root + path.sep)) return undefined;
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const ext = path.extname(full).toLowerCase();
    const body = await readFile(full);
    const entry: CachedFile = {
      body,
      type: TYPES[ext] ?? "application/octet-stream",
      gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body) : undefined,
    };
    cache.set(relative, entry);
    return entry;
  }

  function send(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    entry: CachedFile,
    cacheControl: string,
  ): void {
    const gzip = entry.gzip && /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
    const body = gzip ? entry.gzip! : entry.body;
    response.writeHead(status, {
      ...SECURITY_HEADERS,
      "Content-Type": entry.type,
      "Content-Length": body.length,
      "Cache-Control": cacheControl,
      Vary: "Accept-Encoding",
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
    });
    response.end(request.method === "HEAD" ? undefined : body);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain" });
      response.end("Only GET and HEAD.\n");
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? "/", "http://explorer").pathname);
    } catch {
      response.writeHead(400, { "Content-Type": "text/plain" });
      response.end("Malformed URL.\n");
      return;
    }
    if (pathname.startsWith(RESULT_STORE_PROXY + "/")) {
      await forwardResultDownload(request, response, pathname.slice(RESULT_STORE_PROXY.length));
      return;
    }
    if (pathname === "/config.json") {
      send(request, response, 200, { body: configBody, type: TYPES[".json"] }, "no-store");
      return;
    }
    const relative = path.normalize(pathname === "/" ? "index.html" : pathname.replace(/^\/+/, ""));
    const entry = await file(relative);
    if (entry) {
      // Vite names assets by their content hash: they never change under their name.
      const immutable = relative.startsWith(`assets${path.sep}`);
      send(request, response, 200, entry, immutable ? "public, max-age=31536000, immutable" : "no-cache");
      return;
    }
    if (relative.startsWith(`assets${path.sep}`) || path.extname(relative)) {
      response.writeHead(404, { "Content-Type": "text/plain", ...SECURITY_HEADERS });
      response.end(`Not found: ${pathname}\n`);
      return;
    }
    // Any other path is the app (it routes on the hash; this keeps bookmarks of plain paths working).
    send(request, response, 200, (await file("index.html"))!, "no-cache");
  }

  /** Forwards one result download (only `/results/<taskid>`, only GET) to the chain's result store. */
  async function forwardResultDownload(
    request: IncomingMessage,
    response: ServerResponse,
    storePath: string,
  ): Promise<void> {
    const store = options.chain.resultProxy?.replace(/\/+$/, "");
    if (!store || !RESULT_PATH.test(storePath)) {
      response.writeHead(404, { "Content-Type": "text/plain", ...SECURITY_HEADERS });
      response.end("Not found: only /result-store/results/<taskid> is forwarded, to the result store.\n");
      return;
    }
    const query = new URL(request.url ?? "/", "http://explorer").search;
    const headers: Record<string, string> = {};
    if (request.headers.authorization) headers.Authorization = request.headers.authorization;
    let answer: Response;
    try {
      answer = await fetch(store + storePath + query, { headers });
    } catch (error) {
      response.writeHead(502, { "Content-Type": "application/json", ...SECURITY_HEADERS });
      response.end(
        JSON.stringify({ error: `The result store at ${store} is unreachable: ${(error as Error).message}` }),
      );
      return;
    }
    const body = Buffer.from(await answer.arrayBuffer());
    const forwarded: Record<string, string> = { ...SECURITY_HEADERS, "Cache-Control": "no-store" };
    for (const name of ["content-type", "x-result-sha256"]) {
      const value = answer.headers.get(name);
      if (value) forwarded[name] = value;
    }
    response.writeHead(answer.status, { ...forwarded, "Content-Length": body.length });
    response.end(request.method === "HEAD" ? undefined : body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "Content-Type": "text/plain" });
      response.end(`Internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  return {
    url: `http://${shownHost}:${port}/`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
