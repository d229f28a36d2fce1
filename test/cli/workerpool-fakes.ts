/**
 * In-test stand-ins for Compass and a workerpool's task API (node:http stubs), answering as iExec's do:
 * Compass maps a workerpool to its API URL; the API serves `GET /tasks/{taskid}` (a `WorkerpoolTask`) and
 * the requester's logs behind a signed EIP-712 challenge. Tasks are scripted per test.
 */
import { ethers } from "hardhat";
import {
  FAILURE_GUIDES,
  challengeTypedData,
  type ComputeLogs,
  type WorkerFailureCode,
  type WorkerpoolTask,
} from "../../src/sdk";
import { sendJson, startStub, type Stub } from "../sdk/stub-server";
import { logsChallengeText } from "../../src/sdk/core/workerpool-api";

const CHAIN_ID = 31337n;

/** A realistic `WorkerpoolTask`: two workers given the task, `over` replacing any field. */
export function poolTask(taskid: string, dealid: string, over: Partial<WorkerpoolTask> = {}): WorkerpoolTask {
  return {
    taskid,
    dealid,
    idx: "0",
    state: "active",
    tag: ethers.ZeroHash,
    tee: false,
    workers: 2,
    waiting: null,
    chainTaskId: taskid,
    chainDealId: dealid,
    taskIndex: 0,
    currentStatus: "INITIALIZED",
    dateStatusList: [
      { status: "RECEIVED", date: "2026-12-07T10:00:00.000Z" },
      { status: "INITIALIZED", date: "2026-12-07T10:00:02.000Z" },
    ],
    replicates: [],
    failure: null,
    appError: null,
    refund: null,
    ...over,
  };
}

/** The part of a `WorkerpoolTask` for a failure every worker reported. */
export function failedReplicas(
  code: WorkerFailureCode,
  detail: string,
  workers: string[],
): Pick<WorkerpoolTask, "replicates" | "failure"> {
  return {
    failure: { code, detail, witnesses: workers.length, ...FAILURE_GUIDES[code] },
    replicates: workers.map((walletAddress) => ({
      walletAddress,
      currentStatus: "FAILED",
      appExitCode: null,
      statusUpdateList: [
        { status: "CREATED", date: "2026-12-07T10:00:03.000Z", modifier: "POOL_MANAGER" },
        {
          status: "FAILED",
          date: "2026-12-07T10:00:05.000Z",
          modifier: "WORKER",
          details: { cause: code, detail },
        },
      ],
    })),
  };
}

/** Compass and one workerpool API, with the tasks and logs the test scripts. */
export interface WorkerpoolFakes {
  compass: Stub;
  api: Stub;
  /** The answer for a task: by id, then `fallback` (given how many times the task was asked). */
  tasks: Map<string, WorkerpoolTask>;
  fallback?: (taskid: string, asked: number) => WorkerpoolTask | undefined;
  /** Logs per task, served to the requester only. */
  logs: Map<string, { requester: string; logs: ComputeLogs[] }>;
  close(): Promise<void>;
}

/** Starts Compass knowing `workerpool` (at the API's URL) and the workerpool API. */
export async function startWorkerpoolFakes(workerpool: string): Promise<WorkerpoolFakes> {
  const asked = new Map<string, number>();
  const challenges = new Set<string>();
  const fakes = { tasks: new Map(), logs: new Map() } as WorkerpoolFakes;
  fakes.api = await startStub((req, res) => {
    if (req.path === "/tasks/logs/challenge") {
      const challenge = logsChallengeText(workerpool, (challenges.size + 1).toString(16).padStart(64, "0"));
      challenges.add(challenge);
      return sendJson(res, 200, challengeTypedData(CHAIN_ID, challenge));
    }
    const logs = /^\/tasks\/(0x[0-9a-f]{64})\/logs$/.exec(req.path);
    if (logs) {
      const [hash, signature, address] = String(req.headers.authorization).split("_");
      const entry = fakes.logs.get(logs[1]);
      const typed = [...challenges]
        .map((challenge) => challengeTypedData(CHAIN_ID, challenge))
        .find(
          (data) =>
            ethers.TypedDataEncoder.hash(data.domain, { Challenge: data.types.Challenge }, data.message) ===
            hash,
        );
      if (!typed) return sendJson(res, 401, { ok: false, error: "unknown challenge" });
      challenges.delete(typed.message.challenge);
      const signer = ethers.verifyTypedData(
        typed.domain,
        { Challenge: typed.types.Challenge },
        typed.message,
        signature,
      );
      if (signer !== address || !entry || signer !== entry.requester)
        return sendJson(res, 403, { ok: false, error: "only the task's requester may read its logs" });
      return sendJson(res, 200, { computeLogsList: entry.logs });
    }
    const task = /^\/tasks\/(0x[0-9a-f]{64})$/.exec(req.path);
    if (task) {
      const count = (asked.get(task[1]) ?? 0) + 1;
      asked.set(task[1], count);
      const answer = fakes.tasks.get(task[1]) ?? fakes.fallback?.(task[1], count);
      return answer
        ? sendJson(res, 200, answer)
        : sendJson(res, 404, { ok: false, error: `task ${task[1]} not found` });
    }
    return sendJson(res, 404, { ok: false, error: "not found" });
  });
  fakes.compass = await startStub((req, res) => {
    if (req.path === `/${CHAIN_ID}/workerpools/${ethers.getAddress(workerpool)}`)
      return sendJson(res, 200, { apiUrl: fakes.api.url });
    return sendJson(res, 404, { ok: false, error: "workerpool not found" });
  });
  fakes.close = async () => {
    await fakes.api.close();
    await fakes.compass.close();
  };
  return fakes;
}
