/**
 * The workerpool's own account of a task (its API, found through Compass): why it fails, the app's error,
 * each worker's replicate and the refund. Optional: without a Compass URL, or when Compass or the API does
 * not answer, pages say so in one line and show the chain's view alone.
 */
import {
  NotFoundError,
  WorkerpoolApiClient,
  lookupWorkerpoolApi,
  type WorkerpoolTask,
} from "../../../sdk/core/index";
import type { ExplorerConfig } from "../config";
import { describeError } from "./errors";
import { withTimeout } from "./timeout";

const TIMEOUT_MS = 5000;

/** What the workerpool says about a task. */
export type Diagnosis =
  | { state: "ok"; apiUrl: string; task: WorkerpoolTask }
  /** No Compass URL in config.json: nothing to ask. */
  | { state: "off" }
  /** Compass or the workerpool has no record of it. */
  | { state: "unknown"; message: string }
  /** Compass or the workerpool API did not answer. */
  | { state: "unreachable"; message: string };

/** Reads task diagnoses from workerpool APIs, one Compass lookup per workerpool and page load. */
export class WorkerpoolReader {
  private readonly apis = new Map<string, Promise<string | undefined>>();

  constructor(readonly config: ExplorerConfig) {}

  /** The workerpool's API URL, through Compass (undefined when Compass does not know the workerpool). */
  private apiOf(workerpool: string): Promise<string | undefined> {
    const key = workerpool.toLowerCase();
    let api = this.apis.get(key);
    if (!api) {
      const compass = this.config.compass!;
      api = withTimeout(
        lookupWorkerpoolApi(compass, BigInt(this.config.chainId), workerpool, { timeoutMs: TIMEOUT_MS }),
        TIMEOUT_MS,
        () => new Error(`Compass at ${compass} did not answer in time`),
      );
      // A failed lookup is asked again on the next read.
      api.catch(() => this.apis.delete(key));
      this.apis.set(key, api);
    }
    return api;
  }

  /** What the API of `workerpool` says of `taskid`; never rejects. */
  async diagnose(workerpool: string, taskid: string): Promise<Diagnosis> {
    if (!this.config.compass) return { state: "off" };
    let apiUrl: string | undefined;
    try {
      apiUrl = await this.apiOf(workerpool);
    } catch (error) {
      return { state: "unreachable", message: `Compass is unreachable: ${describeError(error)}` };
    }
    if (!apiUrl)
      return {
        state: "unknown",
        message: `Compass at ${this.config.compass} does not know workerpool ${workerpool}.`,
      };
    try {
      const client = new WorkerpoolApiClient(apiUrl, { timeoutMs: TIMEOUT_MS });
      const task = await withTimeout(
        client.task(taskid),
        TIMEOUT_MS,
        () => new Error(`no answer in ${TIMEOUT_MS / 1000} s`),
      );
      return { state: "ok", apiUrl, task };
    } catch (error) {
      if (error instanceof NotFoundError)
        return { state: "unknown", message: `The workerpool's API at ${apiUrl} has no record of this task.` };
      return {
        state: "unreachable",
        message: `The workerpool's API at ${apiUrl} is unreachable: ${describeError(error)}`,
      };
    }
  }
}
