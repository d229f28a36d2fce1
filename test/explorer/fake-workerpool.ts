/**
 * A fake Compass and workerpool API for the explorer's browser tests, with CORS as the real ones: Compass
 * answers `GET /{chainId}/workerpools/{address}` with `{apiUrl}` (settable), the API answers
 * `GET /tasks/{taskid}` with the task set for that id, 404 otherwise.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { WorkerpoolTask } from "../../src/sdk";

/** The running fake. */
export interface FakeWorkerpool {
  /** Base URL of both Compass and the API. */
  url: string;
  /** What the API says per task id (lower case). */
  tasks: Map<string, WorkerpoolTask>;
  /** The API URL Compass gives (default: this server). */
  apiUrl: string;
  /** The Compass lookups received, as paths. */
  lookups: string[];
  stop(): Promise<void>;
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "Authorization, Content-Type",
  "Access-Control-Allow-Methods": "GET, OPTIONS",
};

/** Starts the fake on a free port. */
export async function startFakeWorkerpool(): Promise<FakeWorkerpool> {
  const fake: Omit<FakeWorkerpool, "url" | "stop"> = { tasks: new Map(), apiUrl: "", lookups: [] };
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { ...CORS, "Content-Type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.method === "OPTIONS") {
      response.writeHead(204, CORS);
      response.end();
      return;
    }
    const pathname = new URL(request.url ?? "/", "http://fake").pathname;
    if (/^\/\d+\/workerpools\/0x[0-9a-fA-F]{40}$/.test(pathname)) {
      fake.lookups.push(pathname);
      send(200, { apiUrl: fake.apiUrl });
      return;
    }
    const task = /^\/tasks\/(0x[0-9a-fA-F]{64})$/.exec(pathname);
    if (task) {
      const known = fake.tasks.get(task[1].toLowerCase());
      if (known) send(200, known);
      else send(404, { error: `No task ${task[1]}` });
      return;
    }
    send(404, { error: `No route ${pathname}` });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.apiUrl = url;
  return Object.assign(fake, {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A WorkerpoolTask with the scheduler's fields filled, for `taskid` of `dealid`. */
export function workerpoolTask(
  taskid: string,
  dealid: string,
  fields: Partial<WorkerpoolTask> & Pick<WorkerpoolTask, "currentStatus">,
): WorkerpoolTask {
  return {
    chainTaskId: taskid,
    chainDealId: dealid,
    taskIndex: 0,
    taskid,
    dealid,
    idx: "0",
    state: fields.currentStatus.toLowerCase(),
    tag: "0x" + "0".repeat(64),
    tee: false,
    workers: 0,
    waiting: null,
    dateStatusList: [],
    replicates: [],
    failure: null,
    appError: null,
    refund: null,
    ...fields,
  };
}
