/** Misbehaving IPFS gateways for the IPFS client and worker tests. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { startStub } from "./stub-server";

/** A gateway in front of `target` that alters one byte in the middle of raw blocks `tamper` picks. */
export async function tamperingGateway(
  target: string,
  tamper: (cid: string) => boolean,
): Promise<{ url: string; tampered: string[]; close(): Promise<void> }> {
  const tampered: string[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: { Accept: String(req.headers.accept ?? "*/*") },
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      const url = new URL(req.url ?? "/", "http://gateway");
      const cid = url.pathname.split("/")[2] ?? "";
      if (url.searchParams.get("format") === "raw" && body.length > 0 && tamper(cid)) {
        body[Math.floor(body.length / 2)] ^= 0x01;
        tampered.push(cid);
      }
      res.writeHead(upstream.status, { "Content-Type": upstream.headers.get("content-type") ?? "" });
      res.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tampered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server that accepts connections and never answers. */
export async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A protobuf varint. */
function varint(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return bytes;
}

/** A length-delimited protobuf field. */
function bytesField(field: number, bytes: Uint8Array): number[] {
  return [(field << 3) | 2, ...varint(BigInt(bytes.length)), ...bytes];
}

/**
 * A dag-pb UnixFS file node (CIDv0) holding `data` and linking `links` with the sizes given, encoded here
 * by hand (the IPLD packages are ESM-only) so that tests can build DAGs no importer would make.
 */
export async function fileNode(
  data: Uint8Array | undefined,
  links: { cid: CID; size: bigint }[],
): Promise<{ cid: CID; bytes: Uint8Array }> {
  const total = links.reduce((sum, link) => sum + link.size, BigInt(data?.length ?? 0));
  const unixfs = [
    0x08,
    2, // Type: File
    ...(data && data.length > 0 ? bytesField(2, data) : []),
    0x18,
    ...varint(total), // filesize
    ...links.flatMap((link) => [0x20, ...varint(link.size)]), // blocksizes
  ];
  // dag-pb: the links first (Hash, Tsize), then the data.
  const bytes = Uint8Array.from([
    ...links.flatMap((link) =>
      bytesField(2, Uint8Array.from([...bytesField(1, link.cid.bytes), 0x18, ...varint(link.size)])),
    ),
    ...bytesField(1, Uint8Array.from(unixfs)),
  ]);
  return { cid: CID.createV0(await sha256.digest(bytes)), bytes };
}

/**
 * A gateway serving raw `blocks` by CID, recording the CIDs asked for in order; a request for `stallOn`
 * is never answered (it calls `onStall` instead).
 */
export async function dagGateway(
  blocks: Map<string, Uint8Array>,
  stallOn?: string,
  onStall?: () => void,
): Promise<{ url: string; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const stub = await startStub((req, res) => {
    const cid = req.path.split("/")[2] ?? "";
    asked.push(cid);
    if (cid === stallOn) {
      onStall?.();
      return;
    }
    const bytes = blocks.get(cid);
    if (!bytes) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/vnd.ipld.raw" });
    res.end(bytes);
  });
  return { url: stub.url, asked, close: () => stub.close() };
}
