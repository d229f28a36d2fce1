/**
 * The SMS's HTTP API on Fastify: the official SMS's paths for pushing and checking secrets (as the
 * SDK's `SmsClient` calls them), and `POST /tasks/{taskid}/secrets` releasing a task's secrets to its
 * authorized worker (an enclave-bearing one for a TEE deal). `POST /tee/challenges/{taskid}` gives a TEE
 * task's enclave challenge to its workerpool owner, and `POST /tee/challenges/{taskid}/key` the
 * challenge's key to a development enclave. Pushes answer 204, existence checks 204 or 404; secret
 * values never go out on these paths. Refusals are `{ ok: false, code, error }` with a 4xx status
 * naming what was wrong.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { APP_SECRET_INDEX, MAX_SECRET_BYTES } from "../sdk/node/sms";
import { answerErrorsAsJson, rateLimitByIp } from "../server/json-errors";
import { SMS_STATUS_OF_CODE } from "./errors";
import type { ChallengeDesk } from "./challenges";
import type { ReleaseDesk } from "./release";
import { REQUESTER_SECRET_NAME, addressParam, checkSecretName, type SecretDesk } from "./secrets";
import type { SecretPlace } from "./store";

/** Server options. */
export interface SmsServerOptions {
  /** Largest accepted body, in bytes (default 16 KiB: a secret is at most 4 KiB). */
  bodyLimit?: number;
  /** Requests per client IP per window (default 1200 per minute). */
  rateLimit?: { max: number; timeWindowMs: number };
  /** Fastify logging (default off; bodies are never logged). */
  logger?: boolean;
}

type Query = Record<string, string | undefined>;

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Builds the API; call `listen` on the result. */
export async function buildSmsServer(
  secrets: SecretDesk,
  releases: ReleaseDesk,
  challenges: ChallengeDesk,
  options: SmsServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 4 * MAX_SECRET_BYTES,
  });
  const limit = options.rateLimit ?? { max: 1200, timeWindowMs: 60_000 };
  await rateLimitByIp(app, limit);

  answerErrorsAsJson(app, {
    statusOfCode: SMS_STATUS_OF_CODE,
    withCode: true,
    messageOfStatus: {
      413: `Request body too large: a secret is at most ${MAX_SECRET_BYTES} bytes.`,
      415: "Unsupported content type: send secrets as text/plain and task requests as application/json.",
    },
  });

  const existence = (reply: FastifyReply, place: SecretPlace) =>
    reply.status(secrets.exists(place) ? 204 : 404).send();

  // Dataset keys (web3 secrets).
  const web3Place = (query: Query): SecretPlace => ({
    kind: "web3",
    owner: addressParam("secretAddress", query.secretAddress),
    name: "",
  });
  app.head("/secrets/web3", async (request, reply) => existence(reply, web3Place(request.query as Query)));
  app.post("/secrets/web3", async (request, reply) => {
    const place = web3Place(request.query as Query);
    await secrets.pushDatasetKey(place.owner, request.body, header(request.headers.authorization));
    return reply.status(204).send();
  });

  // Named secrets of an account (web2), created with POST and replaced with PUT.
  const web2Place = (query: Query): SecretPlace => ({
    kind: "web2",
    owner: addressParam("ownerAddress", query.ownerAddress),
    name: checkSecretName(query.secretName),
  });
  app.head("/secrets/web2", async (request, reply) => existence(reply, web2Place(request.query as Query)));
  for (const [method, update] of [
    ["POST", false],
    ["PUT", true],
  ] as const)
    app.route({
      method,
      url: "/secrets/web2",
      handler: async (request, reply) => {
        const place = web2Place(request.query as Query);
        secrets.pushWeb2(
          place.owner,
          place.name,
          request.body,
          header(request.headers.authorization),
          update,
        );
        return reply.status(204).send();
      },
    });

  // The app developer's secret: pushed at /apps/{app}/secrets/1, checked at /apps/{app}/secrets.
  const appPlace = (params: { app: string; index?: string }): SecretPlace => ({
    kind: "app",
    owner: addressParam("app address", params.app),
    name: params.index ?? APP_SECRET_INDEX,
  });
  app.head("/apps/:app/secrets", async (request, reply) =>
    existence(reply, appPlace(request.params as { app: string })),
  );
  app.head("/apps/:app/secrets/:index", async (request, reply) =>
    existence(reply, appPlace(request.params as { app: string; index: string })),
  );
  const pushApp = async (
    params: { app: string; index?: string },
    body: unknown,
    auth: string | undefined,
  ) => {
    const place = appPlace(params);
    await secrets.pushAppSecret(place.owner, place.name, body, auth);
  };
  app.post("/apps/:app/secrets", async (request, reply) => {
    await pushApp(request.params as { app: string }, request.body, header(request.headers.authorization));
    return reply.status(204).send();
  });
  app.post("/apps/:app/secrets/:index", async (request, reply) => {
    await pushApp(
      request.params as { app: string; index: string },
      request.body,
      header(request.headers.authorization),
    );
    return reply.status(204).send();
  });

  // Requester secrets: the requester's named secrets, set once.
  const requesterPlace = (params: { requester: string; name: string }): SecretPlace => ({
    kind: "web2",
    owner: addressParam("requester address", params.requester),
    name: checkSecretName(params.name, REQUESTER_SECRET_NAME),
  });
  app.head("/requesters/:requester/secrets/:name", async (request, reply) =>
    existence(reply, requesterPlace(request.params as { requester: string; name: string })),
  );
  app.post("/requesters/:requester/secrets/:name", async (request, reply) => {
    const place = requesterPlace(request.params as { requester: string; name: string });
    secrets.pushRequesterSecret(place.owner, place.name, request.body, header(request.headers.authorization));
    return reply.status(204).send();
  });

  // Release of a task's secrets to its authorized worker (see sdk/node/sms.ts for the protocol).
  app.post("/tasks/:taskid/secrets", async (request) => {
    const released = await releases.release({
      taskid: (request.params as { taskid: string }).taskid,
      signature: header(request.headers.authorization),
      body: request.body,
    });
    return { ok: true, ...released };
  });

  // Enclave challenges of TEE tasks, and their keys for development enclaves (protocol in sdk/node/sms.ts).
  const signed = (request: {
    params: unknown;
    headers: { authorization?: string | string[] };
    body: unknown;
  }) => ({
    taskid: (request.params as { taskid: string }).taskid,
    signature: header(request.headers.authorization),
    body: request.body,
  });
  app.post("/tee/challenges/:taskid", async (request) => ({
    ok: true,
    ...(await challenges.issue(signed(request))),
  }));
  app.post("/tee/challenges/:taskid/key", async (request) => ({
    ok: true,
    ...(await challenges.releaseKey(signed(request))),
  }));
  return app;
}

export type { FastifyInstance };
