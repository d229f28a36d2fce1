/**
 * The scheduler's HTTP API for workers (the paths of `src/sdk/core/scheduler.ts`) on Fastify: JSON-schema
 * validation of every input, bearer sessions, and errors as `{ ok: false, error }` with 400 for bad
 * input, 401 without a valid session, 403 for someone else's task. `GET /status` and `GET /tasks/{taskid}`
 * (a task's state, history, replicates and why it waits or fails) need no login. The requester reads the
 * app logs with a signed one-use challenge (`LogsGate`); those requester routes answer any origin (CORS).
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { EnclaveDeclaration, SchedulerStatus, WorkerReport } from "../sdk/core/scheduler";
import { WORKER_FAILURE_CODES } from "../sdk/core/scheduler";
import { answerErrorsAsJson, rateLimitByIp, type RateLimit } from "../server/json-errors";
import { APP_LOG_LIMIT_BYTES, type WorkerpoolTask } from "../sdk/core/workerpool-api";
import { checkSlots, type WorkerDesk } from "./desk";
import { LogsGate } from "./logs-gate";

const ADDRESS = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
const BYTES32 = { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } as const;
const HEX = { type: "string", pattern: "^0x([0-9a-fA-F]{2})*$" } as const;

const CHALLENGE_QUERY = {
  type: "object",
  properties: { address: ADDRESS },
  required: ["address"],
  additionalProperties: false,
} as const;

const LOGIN_BODY = {
  type: "object",
  properties: {
    address: ADDRESS,
    challenge: BYTES32,
    signature: HEX,
    // A TEE-capable worker's enclave and its key's signature; absent for a plain worker.
    enclave: {
      type: "object",
      properties: { address: ADDRESS, signature: HEX },
      required: ["address", "signature"],
      additionalProperties: false,
    },
  },
  required: ["address", "challenge", "signature"],
  additionalProperties: false,
} as const;

const POLL_BODY = {
  type: "object",
  properties: { slots: { type: "integer", minimum: 0, maximum: 1000 } },
  required: ["slots"],
  additionalProperties: false,
} as const;

const TASK_PARAMS = {
  type: "object",
  properties: { taskid: BYTES32 },
  required: ["taskid"],
} as const;

function event(name: string, properties: Record<string, unknown>, required: string[]) {
  return {
    type: "object",
    properties: { event: { const: name }, ...properties },
    required: ["event", ...required],
    additionalProperties: false,
  };
}

// A discriminated union: Ajv then reports the errors of the event's own branch.
const REPORT_BODY = {
  type: "object",
  discriminator: { propertyName: "event" },
  required: ["event"],
  oneOf: [
    event(
      "computed",
      {
        resultDigest: BYTES32,
        error: { enum: ["APP_CRASHED", "APP_TIMEOUT"] },
        exitCode: { type: "integer", minimum: -2147483648, maximum: 4294967295 },
      },
      ["resultDigest"],
    ),
    event("contributed", { txHash: BYTES32 }, ["txHash"]),
    event("revealed", { txHash: BYTES32 }, ["txHash"]),
    event("uploaded", { results: { type: "string", minLength: 1, maxLength: 4096 }, resultsCallback: HEX }, [
      "results",
      "resultsCallback",
    ]),
    event("finalized", { txHash: BYTES32 }, ["txHash"]),
    event("failed", { code: { enum: WORKER_FAILURE_CODES }, detail: { type: "string", maxLength: 4096 } }, [
      "code",
      "detail",
    ]),
  ],
} as const;

// Each stream is cut to its last APP_LOG_LIMIT_BYTES bytes by the worker; JSON escapes may grow it.
const LOGS_BODY = {
  type: "object",
  properties: {
    stdout: { type: "string", maxLength: 2 * APP_LOG_LIMIT_BYTES },
    stderr: { type: "string", maxLength: 2 * APP_LOG_LIMIT_BYTES },
  },
  required: ["stdout", "stderr"],
  additionalProperties: false,
} as const;

/** Room for both streams at their limit, JSON-escaped (up to 6 bytes a byte for control characters). */
const LOGS_BODY_LIMIT = 2 * 6 * APP_LOG_LIMIT_BYTES + 64 * 1024;

const LOGS_CHALLENGE_QUERY = {
  type: "object",
  properties: { chainId: { type: "string", pattern: "^[0-9]{1,78}$" }, address: ADDRESS },
  required: ["chainId", "address"],
  additionalProperties: false,
} as const;

/** Routes a browser on another origin (the explorer) reads: answered with CORS headers. */
const REQUESTER_ROUTES = ["/tasks/:taskid", "/tasks/logs/challenge", "/tasks/:taskid/logs"];

/** Server options. */
export interface SchedulerServerOptions {
  /** Requests per client IP (default 6000 a minute: workers poll several times a second). */
  rateLimit?: RateLimit;
  /** Version string of GET /version and /status. */
  version?: string;
  /** Fastify logging (default off). */
  logger?: boolean;
}

/** What GET /status shows besides the workers. */
export interface StatusSource {
  chainId: bigint;
  workerpool: string;
  /** Checks the requester's signed challenges of the logs route. */
  logsGate?: LogsGate;
  taskCounts(): Record<string, number>;
  cursor(): number | undefined;
}

/** Default version string. */
export const SCHEDULER_VERSION = "openpoco-scheduler/1";

/** Builds the API; call `listen` on the result. */
export async function buildSchedulerServer(
  desk: WorkerDesk,
  source: StatusSource,
  options: SchedulerServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 64 * 1024,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, discriminator: true },
    },
  });
  const version = options.version ?? SCHEDULER_VERSION;

  await rateLimitByIp(app, options.rateLimit ?? { max: 6000, timeWindowMs: 60_000 });
  answerErrorsAsJson(app);

  app.get("/version", async () => ({ ok: true, version }));

  app.get("/status", async (): Promise<SchedulerStatus & { ok: true }> => ({
    ok: true,
    version,
    chainId: source.chainId.toString(),
    workerpool: source.workerpool,
    workers: desk.workers(),
    tasks: source.taskCounts(),
    cursor: source.cursor() ?? -1,
  }));

  app.get("/workers/challenge", { schema: { querystring: CHALLENGE_QUERY } }, async (request) => ({
    ok: true,
    challenge: desk.challenge((request.query as { address: string }).address),
  }));

  app.post("/workers/login", { schema: { body: LOGIN_BODY } }, async (request) => {
    const body = request.body as {
      address: string;
      challenge: string;
      signature: string;
      enclave?: EnclaveDeclaration;
    };
    return { ok: true, token: await desk.login(body.address, body.challenge, body.signature, body.enclave) };
  });

  // The requester's routes are read from any origin, with the signed challenge in Authorization;
  // worker routes get no CORS headers (workers are no browsers).
  const requesterRoutes = new Set(REQUESTER_ROUTES);
  app.addHook("onSend", async (request, reply, payload) => {
    if (requesterRoutes.has(request.routeOptions.url ?? "")) reply.header("Access-Control-Allow-Origin", "*");
    return payload;
  });
  for (const route of REQUESTER_ROUTES)
    app.options(route, async (_request, reply) =>
      reply
        .status(204)
        .header("Access-Control-Allow-Methods", "GET, OPTIONS")
        .header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        .header("Access-Control-Max-Age", "600")
        .send(),
    );

  app.get(
    "/tasks/:taskid",
    { schema: { params: TASK_PARAMS } },
    async (request): Promise<WorkerpoolTask & { ok: true }> => ({
      ok: true,
      ...(await desk.task((request.params as { taskid: string }).taskid)),
    }),
  );

  const logsGate = source.logsGate ?? new LogsGate(source.chainId, source.workerpool);
  app.get("/tasks/logs/challenge", { schema: { querystring: LOGS_CHALLENGE_QUERY } }, async (request) => {
    const query = request.query as { chainId: string; address: string };
    return { ok: true, ...logsGate.challenge(query.chainId, query.address) };
  });

  // Authentication first: a caller without a valid signed challenge learns nothing about the task.
  app.get("/tasks/:taskid/logs", { schema: { params: TASK_PARAMS } }, async (request) => {
    const address = logsGate.authenticate(request.headers.authorization);
    const taskid = (request.params as { taskid: string }).taskid.toLowerCase();
    return { ok: true, computeLogsList: desk.computeLogs(taskid, address) };
  });

  // Authentication runs before body validation: a caller without a session learns that first.
  const workers = new WeakMap<FastifyRequest, string>();
  const authenticate = async (request: FastifyRequest) => {
    workers.set(request, desk.authenticate(request.headers.authorization));
  };

  app.post("/workers/poll", { schema: { body: POLL_BODY }, preValidation: authenticate }, async (request) => {
    const worker = workers.get(request)!;
    const slots = checkSlots((request.body as { slots: number }).slots);
    return { ok: true, ...(await desk.poll(worker, slots)) };
  });

  app.post(
    "/tasks/:taskid/report",
    { schema: { params: TASK_PARAMS, body: REPORT_BODY }, preValidation: authenticate },
    async (request) => {
      const worker = workers.get(request)!;
      const taskid = (request.params as { taskid: string }).taskid.toLowerCase();
      desk.report(worker, taskid, request.body as WorkerReport);
      return { ok: true };
    },
  );

  app.post(
    "/tasks/:taskid/logs",
    {
      schema: { params: TASK_PARAMS, body: LOGS_BODY },
      // Before the body is read: only a logged-in worker given the task may send its megabytes.
      onRequest: async (request) => {
        const worker = desk.authenticate(request.headers.authorization);
        desk.checkLogsSender(worker, (request.params as { taskid: string }).taskid.toLowerCase());
        workers.set(request, worker);
      },
      bodyLimit: LOGS_BODY_LIMIT,
    },
    async (request) => {
      const worker = workers.get(request)!;
      const taskid = (request.params as { taskid: string }).taskid.toLowerCase();
      const body = request.body as { stdout: string; stderr: string };
      desk.logs(worker, taskid, body.stdout, body.stderr);
      return { ok: true };
    },
  );
  return app;
}

export type { FastifyInstance };
