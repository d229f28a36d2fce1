/** `stack status`: does each part of a running stack answer? */
import type { StackManifest } from "./layout";

/** One part's answer. */
export interface PartProbe {
  name: string;
  url: string;
  answers: boolean;
  detail: string;
}

async function probe(name: string, url: string, init?: RequestInit): Promise<PartProbe> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(3000) });
    return { name, url, answers: response.status < 500, detail: `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { name, url, answers: false, detail: cause ?? (error as Error).message };
  }
}

/** Probes the chain (eth_blockNumber), every service and the stack's own servers. */
export function probeStack(manifest: StackManifest): Promise<PartProbe[]> {
  const parts: [string, string | undefined, RequestInit?][] = [
    [
      "chain",
      manifest.chain.host,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
      },
    ],
    ["market", `${manifest.chain.iexecGateway}/version`],
    ["sms", manifest.chain.sms],
    ["results", manifest.chain.resultProxy],
    ["scheduler", manifest.scheduler.url],
    ["registry", manifest.registry ? `http://${manifest.registry}/v2/` : undefined],
    ["files", manifest.files],
    ["explorer", manifest.explorer],
  ];
  return Promise.all(
    parts.filter(([, url]) => url !== undefined).map(([name, url, init]) => probe(name, url!, init)),
  );
}
