/** `stack status`: does each part of a running stack answer, how are its workers and its standing offer? */
import type { PublisherState } from "../publisher/offer-publisher";
import { readPublisherState } from "../publisher/state-file";
import { joinUrl, requestJson } from "../sdk/core/http";
import type { SchedulerStatus } from "../sdk/core/scheduler";
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
    [
      "ipfs",
      manifest.chain.ipfsNode ? `${manifest.chain.ipfsNode}/api/v0/version` : undefined,
      { method: "POST" },
    ],
    ["scheduler", manifest.scheduler.url],
    ["registry", manifest.registry ? `http://${manifest.registry}/v2/` : undefined],
    ["files", manifest.files],
    ["explorer", manifest.explorer],
  ];
  return Promise.all(
    parts.filter(([, url]) => url !== undefined).map(([name, url, init]) => probe(name, url!, init)),
  );
}

/** A worker of the stack as its scheduler sees it. */
export interface WorkerState {
  address: string;
  /** "connected" when the scheduler heard from it in the last minute, else "not seen". */
  state: "connected" | "not seen" | "unknown";
  /** Tasks it runs now. */
  busy?: number;
  score?: string;
  /** When the scheduler last heard from it (ISO date). */
  lastSeen?: string;
}

/** The workers of the manifest, joined with the scheduler's GET /status (`unknown` when it does not answer). */
export async function workerStates(manifest: StackManifest): Promise<WorkerState[]> {
  let seen: SchedulerStatus["workers"] | undefined;
  try {
    seen = (
      await requestJson<SchedulerStatus>("scheduler", joinUrl(manifest.scheduler.url, "/status"), {
        timeoutMs: 3000,
      })
    ).workers;
  } catch {
    seen = undefined;
  }
  return manifest.workers.map(({ address }) => {
    if (!seen) return { address, state: "unknown" as const };
    const worker = seen.find((w) => w.address.toLowerCase() === address.toLowerCase());
    if (!worker) return { address, state: "not seen" as const };
    return {
      address,
      state: "connected" as const,
      busy: worker.busy,
      score: worker.score,
      lastSeen: new Date(worker.lastSeen).toISOString(),
    };
  });
}

/**
 * A standing offer's state file (`which`: the standard one or the TEE+TDX one), as last written by its
 * publisher (undefined: none, or not yet).
 */
export function offerState(
  manifest: StackManifest,
  which: "offer" | "teeOffer" = "offer",
): PublisherState | undefined {
  const offer = manifest[which];
  return offer ? readPublisherState(offer.stateFile) : undefined;
}
