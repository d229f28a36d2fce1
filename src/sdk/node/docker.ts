/**
 * Docker image digests: an app's `checksum` is the sha256 digest of its image's manifest (list), as
 * "0x" and 64 hex digits. The digest comes from the reference itself, the local Docker engine, or the
 * image's registry (Docker Registry HTTP API v2, anonymous Bearer tokens included).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { InvalidInputError, NotFoundError, OpenPocoError, ServiceError } from "../core/errors";
import { DEFAULT_TIMEOUT_MS, errorDetail, requestJson } from "../core/http";
import { requestRaw } from "./download";

const REGISTRY = "Docker registry";

/** Media types asked of registries: manifest lists / indexes first, so the digest is the multi-arch one. */
export const MANIFEST_MEDIA_TYPES = [
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
] as const;

/** True when `checksum` is an app checksum: "0x" and 64 hex digits. */
export function isDockerDigest(checksum: string): boolean {
  return /^0x[0-9a-fA-F]{64}$/.test(checksum);
}

/** The app checksum of a digest "sha256:<64 hex>". */
export function digestToChecksum(digest: string): string {
  const match = /^sha256:([0-9a-fA-F]{64})$/.exec(digest.trim());
  if (!match)
    throw new InvalidInputError(
      `Invalid image digest ${JSON.stringify(digest)}: pass sha256: and 64 hex digits.`,
    );
  return `0x${match[1].toLowerCase()}`;
}

/** An image reference split into its parts. */
export interface ImageReference {
  /** Registry host as written or defaulted ("docker.io" when none). */
  registry: string;
  /** Host serving the registry API ("registry-1.docker.io" for Docker Hub). */
  apiHost: string;
  /** Repository path, with "library/" for Docker Hub's single-name images. */
  repository: string;
  /** Tag; "latest" when neither tag nor digest is given. */
  tag?: string;
  /** Digest "sha256:<hex>" when the reference pins one. */
  digest?: string;
}

const DOCKER_HUB_NAMES = new Set([
  "docker.io",
  "index.docker.io",
  "registry.hub.docker.com",
  "registry-1.docker.io",
]);

/** Splits an image reference (`[host[:port]/]path[:tag][@sha256:hex]`) into its parts. */
export function parseImageReference(image: string): ImageReference {
  const invalid = () =>
    new InvalidInputError(
      `Invalid image reference ${JSON.stringify(image)}: pass name[:tag] or host/name[:tag].`,
    );
  let rest = image.trim();
  if (rest === "" || /\s/.test(rest)) throw invalid();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-fA-F]{64}$/.test(digest))
      throw new InvalidInputError(
        `Invalid digest in ${JSON.stringify(image)}: pin it as @sha256: and 64 hex digits.`,
      );
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  // A colon after the last slash separates a tag; one before it belongs to a registry port.
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw invalid();
  }
  const parts = rest.split("/");
  let registry = "docker.io";
  // The first component is a host when it looks like one (a dot, a port, or localhost), as Docker reads it.
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === "localhost"))
    registry = parts.shift() as string;
  if (parts.length === 0 || parts.some((p) => !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(p)))
    throw invalid();
  const hub = DOCKER_HUB_NAMES.has(registry.toLowerCase());
  if (hub) registry = "docker.io";
  const repository = hub && parts.length === 1 ? `library/${parts[0]}` : parts.join("/");
  return {
    registry,
    apiHost: hub ? "registry-1.docker.io" : registry,
    repository,
    tag: tag ?? (digest === undefined ? "latest" : undefined),
    digest: digest?.toLowerCase(),
  };
}

/** Options of `imageDigest`. */
export interface ImageDigestOptions {
  /** Docker CLI to ask the local engine; env DOCKER_BIN, then "docker", when left out. */
  dockerBin?: string;
  /** Ask the local Docker engine first; true by default. */
  local?: boolean;
  /** Ask the registry when the local engine does not know the image; true by default. */
  registry?: boolean;
  /**
   * Protocol of the registry API: "http" by default for localhost and 127.0.0.1 registries, "https"
   * otherwise.
   */
  registryProtocol?: "http" | "https";
  /** Milliseconds to wait for the Docker CLI and for each registry answer. */
  timeoutMs?: number;
}

/** Thrown when the Docker CLI fails in a way other than "no such image". */
export class DockerEngineError extends OpenPocoError {
  constructor(message: string, cause?: unknown) {
    super("DOCKER_ENGINE_ERROR", message, { cause });
  }
}

type LocalAnswer =
  { kind: "digest"; digest: string } | { kind: "unpushed" } | { kind: "absent"; why: string };

function runDocker(
  bin: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs, encoding: "utf8" }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr, missing: false });
      const code = (error as { code?: unknown }).code;
      resolve({
        code: typeof code === "number" ? code : -1,
        stdout,
        stderr: stderr || error.message,
        missing: code === "ENOENT" || code === "EACCES",
      });
    });
  });
}

function sameRepository(a: ImageReference, b: ImageReference): boolean {
  return a.registry === b.registry && a.repository === b.repository;
}

async function localDigest(
  ref: ImageReference,
  image: string,
  bin: string,
  timeoutMs: number,
): Promise<LocalAnswer> {
  const run = await runDocker(
    bin,
    ["image", "inspect", "--format", "{{json .RepoDigests}}", image],
    timeoutMs,
  );
  if (run.missing) return { kind: "absent", why: `no Docker CLI (${bin})` };
  if (run.code !== 0) {
    // "No such image" is the normal miss; any other failure (engine down) also sends us to the registry.
    const line = run.stderr.trim().split("\n")[0] ?? "";
    return {
      kind: "absent",
      why: /no such/i.test(line) ? "not in the local Docker engine" : `docker: ${line}`,
    };
  }
  let repoDigests: unknown;
  try {
    repoDigests = JSON.parse(run.stdout.trim() || "null");
  } catch {
    throw new DockerEngineError(
      `Unexpected output of ${bin} image inspect: check DOCKER_BIN points at a Docker CLI.`,
    );
  }
  if (!Array.isArray(repoDigests)) return { kind: "unpushed" };
  for (const entry of repoDigests) {
    if (typeof entry !== "string") continue;
    try {
      const parsed = parseImageReference(entry);
      if (parsed.digest && sameRepository(parsed, ref)) return { kind: "digest", digest: parsed.digest };
    } catch {
      // An entry we cannot read is not ours.
    }
  }
  // The image is local but was never pushed to (or pulled from) this repository.
  return { kind: "unpushed" };
}

function registryBase(ref: ImageReference, protocol?: "http" | "https"): string {
  const hostname = ref.apiHost.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const local = hostname === "localhost" || hostname === "127.0.0.1" || hostname === "::1";
  return `${protocol ?? (local ? "http" : "https")}://${ref.apiHost}`;
}

/** Parameters of a `WWW-Authenticate: Bearer realm=...,service=...,scope=...` challenge. */
export function parseBearerChallenge(header: string): Record<string, string> | undefined {
  const match = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [, name, quoted, bare] of match[1].matchAll(/([A-Za-z_]+)=(?:"([^"]*)"|([^,\s]*))/g))
    params[name.toLowerCase()] = quoted ?? bare;
  return params;
}

async function bearerToken(
  challenge: Record<string, string>,
  ref: ImageReference,
  base: string,
  timeoutMs: number,
): Promise<string> {
  if (!challenge.realm) throw new ServiceError(REGISTRY, base, 401, "the Bearer challenge has no realm.");
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set("service", challenge.service);
  url.searchParams.set("scope", challenge.scope ?? `repository:${ref.repository}:pull`);
  const json = await requestJson<{ token?: unknown; access_token?: unknown }>(REGISTRY, url.toString(), {
    baseUrl: url.origin,
    timeoutMs,
  });
  const token = json.token ?? json.access_token;
  if (typeof token !== "string" || token === "")
    throw new ServiceError(REGISTRY, url.toString(), 200, "the token endpoint returned no token.");
  return token;
}

type RegistryAnswer = { kind: "digest"; digest: string } | { kind: "absent"; status: number };

async function registryDigest(
  ref: ImageReference,
  options: ImageDigestOptions,
  timeoutMs: number,
): Promise<RegistryAnswer> {
  const base = registryBase(ref, options.registryProtocol);
  const url = `${base}/v2/${ref.repository}/manifests/${ref.tag ?? "latest"}`;
  const headers: Record<string, string> = { Accept: MANIFEST_MEDIA_TYPES.join(", ") };
  const ask = (method: "HEAD" | "GET") =>
    requestRaw(REGISTRY, url, { method, headers, baseUrl: base, timeoutMs });
  let answer = await ask("HEAD");
  if (answer.status === 401) {
    const challenge = parseBearerChallenge(answer.headers.get("www-authenticate") ?? "");
    if (challenge) {
      headers["Authorization"] = `Bearer ${await bearerToken(challenge, ref, base, timeoutMs)}`;
      answer = await ask("HEAD");
    }
  }
  // Docker Hub answers 401 even with a token for repositories that do not exist (or are private).
  if (answer.status === 404 || answer.status === 401 || answer.status === 403)
    return { kind: "absent", status: answer.status };
  if (answer.status < 200 || answer.status >= 300)
    throw new ServiceError(
      REGISTRY,
      url,
      answer.status,
      errorDetail(answer.body.toString("utf8"), "no detail"),
    );
  const header = answer.headers.get("docker-content-digest");
  if (header) return { kind: "digest", digest: header };
  // Some registries leave the header out of HEAD answers: the digest is then the manifest's own sha256.
  const full = await ask("GET");
  if (full.status < 200 || full.status >= 300)
    throw new ServiceError(REGISTRY, url, full.status, errorDetail(full.body.toString("utf8"), "no detail"));
  return {
    kind: "digest",
    digest:
      full.headers.get("docker-content-digest") ??
      `sha256:${createHash("sha256").update(full.body).digest("hex")}`,
  };
}

/**
 * The app checksum ("0x" and 64 hex digits) of `image`: its pinned digest if the reference has one, else
 * the local engine's digest for the image's repository, else the registry's digest for its tag.
 * Throws `NotFoundError` when neither knows the image, `ServiceUnavailableError` when the registry
 * cannot be reached.
 */
export async function imageDigest(image: string, options: ImageDigestOptions = {}): Promise<string> {
  const ref = parseImageReference(image);
  if (ref.digest) return digestToChecksum(ref.digest);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let localWhy = "local engine not asked";
  let unpushed = false;
  if (options.local !== false) {
    const bin = options.dockerBin ?? process.env.DOCKER_BIN ?? "docker";
    const local = await localDigest(ref, image, bin, timeoutMs);
    if (local.kind === "digest") return digestToChecksum(local.digest);
    unpushed = local.kind === "unpushed";
    localWhy = local.kind === "absent" ? local.why : "in the local Docker engine but never pushed";
  }
  const base = registryBase(ref, options.registryProtocol);
  if (options.registry === false)
    throw new NotFoundError(
      `No digest for image ${image} (${localWhy}) and the registry was not asked: push the image or allow the registry lookup.`,
    );
  const remote = await registryDigest(ref, options, timeoutMs);
  if (remote.kind === "digest") return digestToChecksum(remote.digest);
  throw new NotFoundError(
    `Image ${image} was not found locally (${localWhy}) nor in the registry ${base} (HTTP ${remote.status}): ` +
      (unpushed ? "push it to the registry first." : "check the name and tag, or build and push it."),
  );
}
