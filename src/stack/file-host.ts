/**
 * The stack's file host: serves the files of one folder over HTTP, as a dataset owner's web server
 * would, so the walkthrough's encrypted dataset has a URL workers can download (workers refuse file://).
 * Flat folder, names only: no listing, no sub-folders, nothing outside the folder.
 */
import { createReadStream, mkdirSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";

/** A running file host. */
export interface FileHost {
  /** Base URL: a file `name` of the folder is at `${url}/${name}`. */
  url: string;
  dir: string;
  stop(): Promise<void>;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Serves `dir` on `host`:`port` (0: a free port). */
export async function startFileHost(dir: string, host: string, port: number): Promise<FileHost> {
  mkdirSync(dir, { recursive: true });
  const server: Server = createServer((req, res) => {
    let name: string;
    try {
      name = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname.slice(1));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if ((req.method !== "GET" && req.method !== "HEAD") || !SAFE_NAME.test(name)) {
      res.writeHead(404).end();
      return;
    }
    const file = path.join(dir, name);
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error("not a file");
      size = stat.size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Length": size, "Content-Type": "application/octet-stream" });
    if (req.method === "HEAD") res.end();
    // A file removed between the stat and the read ends this response, never the stack.
    else
      createReadStream(file)
        .on("error", () => res.destroy())
        .pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${bound}`,
    dir,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
