/**
 * What the IPFS store tests share: a node on a temporary folder, kubo-style adds over HTTP, raw requests
 * (fetch normalizes `..` away; node:http sends the path as written), the CID Debian's `ipfs_cid` computes,
 * and the listing of the block files.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { request, type ClientRequest } from "node:http";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SILENT_LOGGER } from "../../src/sdk/core/logger";
import { startIpfsNode, type IpfsNode } from "../../src/ipfs/server";

/** A node on `dataDir`, silent. */
export function startNode(dataDir: string, maxAddBytes?: number): Promise<IpfsNode> {
  return startIpfsNode({ dataDir, port: 0, maxAddBytes, logger: SILENT_LOGGER });
}

/** kubo's answer to an add. */
export interface AddAnswer {
  Name: string;
  Hash: string;
  Size: string;
}

/** `POST /api/v0/add` of `bytes` as one multipart file, the way curl -F and kubo-rpc-client send it. */
export async function addBytes(
  url: string,
  bytes: Uint8Array,
  name = "file.bin",
  query = "",
): Promise<Response> {
  const form = new FormData();
  form.append("file", new Blob([bytes]), name);
  return fetch(`${url}/api/v0/add${query}`, { method: "POST", body: form });
}

/** Adds `bytes` and returns kubo's answer; throws on a refusal. */
export async function added(url: string, bytes: Uint8Array, name?: string): Promise<AddAnswer> {
  const response = await addBytes(url, bytes, name);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`add answered ${response.status}: ${text}`);
  return JSON.parse(text) as AddAnswer;
}

/** A raw HTTP answer. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as given. */
export function rawRequest(
  url: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
) {
  const { hostname, port } = new URL(url);
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = request({ hostname, port, method, path: pathAndQuery, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** The CIDv0 Debian's `ipfs_cid` (package ipfs-cid, independent of the JS libraries) computes for `file`. */
export function debianCid(file: string): string {
  const out = execFileSync("ipfs_cid", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return (JSON.parse(out) as { CIDv0: string }).CIDv0;
}

/** Sorted names of the files in a folder (none when it does not exist). */
export function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** The block files and the staging folders of a node's data folder. */
export function storeState(dataDir: string): { blocks: string[]; staging: string[] } {
  return { blocks: listing(path.join(dataDir, "blocks")), staging: listing(path.join(dataDir, "staging")) };
}

/** POSTs `chunks` as an add body with no Content-Length: the node learns the size only by counting. */
export function streamedAdd(url: string, boundary: string, chunks: Uint8Array[]): Promise<Response> {
  const queue = [...chunks];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  return fetch(`${url}/api/v0/add`, {
    method: "POST",
    body,
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    duplex: "half",
  } as RequestInit);
}

/**
 * Opens a chunked add whose file part has begun (named `filename`, `bytes` random bytes written) and is
 * left open: the test decides whether it stalls, is cut or ends. Request errors are ignored.
 */
export function openAdd(
  url: string,
  filename: string,
  bytes: number,
  headers: Record<string, string> = {},
): ClientRequest {
  const { hostname, port } = new URL(url);
  const boundary = `----openpoco-${filename}`;
  const req = request({
    hostname,
    port,
    method: "POST",
    path: "/api/v0/add",
    headers: {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "transfer-encoding": "chunked",
      ...headers,
    },
  });
  req.on("error", () => undefined);
  req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n\r\n`);
  if (bytes > 0) req.write(randomBytes(bytes));
  return req;
}

/** Waits until `condition` holds (the server finishing work the client cannot see), or fails. */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await sleep(20);
  }
  throw new Error(`never happened: ${what}`);
}
