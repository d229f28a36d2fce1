/** Local HTTP stub servers for the SDK's service clients: they record every request they get. */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the stub received it. */
export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A running stub. */
export interface Stub {
  url: string;
  port: number;
  requests: Recorded[];
  close(): Promise<void>;
}

/** Answers a request with a status and a JSON body. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Starts a stub on a free port of 127.0.0.1; `handler` answers each recorded request. */
export async function startStub(
  handler: (req: Recorded, res: http.ServerResponse) => unknown,
): Promise<Stub> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const recorded: Recorded = {
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res)).catch((error: unknown) => {
        res.writeHead(599);
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** URL of a port that nothing listens on (a stub opened then closed). */
export async function closedPortUrl(): Promise<string> {
  const stub = await startStub((_req, res) => {
    res.end();
  });
  await stub.close();
  return stub.url;
}
