/**
 * A task's off-chain diagnosis: what its workerpool says about it (statuses, replicates, why it fails,
 * the app's error, the refund), found as the official SDK finds it: the deal names the workerpool,
 * Compass (chain.json `compass`) names the workerpool's API, and the API answers `GET /tasks/{taskid}`.
 * Every step may be missing (no Compass configured, a pool Compass does not know, an API down): the
 * answer then says why the diagnosis is unavailable instead of failing, so `task show` still shows the
 * chain's view.
 */
import type { Signer } from "ethers";
import { OpenPocoError } from "../errors";
import {
  WorkerpoolApiClient,
  lookupWorkerpoolApi,
  type ComputeLogs,
  type WorkerpoolTask,
} from "../workerpool-api";
import type { ClientContext } from "./context";

/** How long to wait for Compass and the workerpool API: a diagnosis must not hold `task show` up. */
export const DIAGNOSIS_TIMEOUT_MS = 5_000;

/** What the workerpool says about a task, or why it could not be asked. */
export type TaskDiagnosis =
  { available: true; apiUrl: string; task: WorkerpoolTask } | { available: false; reason: string };

/** Options of a diagnosis. */
export interface DiagnosisOptions {
  /** The task's workerpool when already known (saves reading the task and its deal). */
  workerpool?: string;
  /** The task's deal when already known (saves searching the deals of a task not initialized). */
  dealid?: string;
  /** Milliseconds to wait for each answer (default DIAGNOSIS_TIMEOUT_MS). */
  timeoutMs?: number;
}

function why(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\.$/, "") : String(error);
}

/**
 * The API URL of `workerpool` through the chain's Compass, or the reason it cannot be known (as a
 * `{ reason }`): Compass not configured, not answering, or not knowing the pool.
 */
export async function workerpoolApiOf(
  context: ClientContext,
  workerpool: string,
  timeoutMs = DIAGNOSIS_TIMEOUT_MS,
): Promise<{ url: string } | { reason: string }> {
  const { compass } = context.chain;
  if (!compass)
    return {
      reason: `chain "${context.chain.name}" has no "compass" in chain.json to find the workerpool's API`,
    };
  try {
    const url = await lookupWorkerpoolApi(compass, context.chainId, workerpool, { timeoutMs });
    if (!url) return { reason: `Compass at ${compass} does not know workerpool ${workerpool}` };
    return { url };
  } catch (error) {
    return { reason: why(error) };
  }
}

/** The diagnosis of `taskid` by the workerpool `workerpool` (see `TaskDiagnosis`); never throws. */
export async function diagnoseTask(
  context: ClientContext,
  taskid: string,
  workerpool: string,
  timeoutMs = DIAGNOSIS_TIMEOUT_MS,
): Promise<TaskDiagnosis> {
  const api = await workerpoolApiOf(context, workerpool, timeoutMs);
  if ("reason" in api) return { available: false, reason: api.reason };
  try {
    const task = await new WorkerpoolApiClient(api.url, { timeoutMs }).task(taskid);
    return { available: true, apiUrl: api.url, task };
  } catch (error) {
    if (error instanceof OpenPocoError) return { available: false, reason: why(error) };
    return { available: false, reason: `the workerpool API at ${api.url} failed: ${why(error)}` };
  }
}

/** The requester's app logs of `taskid` from the workerpool `workerpool`; throws when they cannot be read. */
export async function taskLogs(
  context: ClientContext,
  taskid: string,
  workerpool: string,
  signer: Signer,
  timeoutMs = DIAGNOSIS_TIMEOUT_MS,
): Promise<ComputeLogs[]> {
  const api = await workerpoolApiOf(context, workerpool, timeoutMs);
  if ("reason" in api) throw new WorkerpoolApiUnavailableError(workerpool, api.reason);
  return new WorkerpoolApiClient(api.url, { timeoutMs }).logs(taskid, signer, context.chainId, workerpool);
}

/** Thrown when a workerpool's API cannot be found (no Compass, or Compass does not know the pool). */
export class WorkerpoolApiUnavailableError extends OpenPocoError {
  constructor(
    readonly workerpool: string,
    reason: string,
  ) {
    super(
      "WORKERPOOL_API_UNAVAILABLE",
      `The API of workerpool ${workerpool} is unavailable: ${reason}; add "compass" to chain.json or ask the workerpool.`,
    );
  }
}
