/** Misbehaving IPFS gateways for the IPFS client and worker tests. */
import http from "node:http";
import type { AddressInfo } from "node:net";

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
