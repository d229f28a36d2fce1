/**
 * Docker helpers for the stack's demo and the tests that run real containers: check the engine, run a
 * local registry, and build small app images (static busybox on scratch) pushed to it. Nothing comes
 * from the internet.
 *
 *   await ensureDockerEngine();
 *   const registry = await startLocalRegistry();
 *   const app = await buildAppImage(registry, "echo", 'echo "$1" > /iexec_out/out.txt');
 *   // app.reference = "127.0.0.1:<port>/echo:<tag>", app.checksum = "0x" + the pushed manifest digest
 *   await registry.stop();
 */
import { execFile, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const BUSYBOX = "/usr/bin/busybox";
/** Debian's registry binary (package docker-registry). */
export const REGISTRY_BIN = "/usr/bin/docker-registry";
/** The local base image every app image derives from: scratch + busybox and its applets in /bin. */
export const BASE_IMAGE = "openpoco-test/busybox-base:1";

function dockerBin(): string {
  return process.env.DOCKER_BIN ?? "docker";
}

/** Runs the Docker CLI; rejects with its output when it fails. */
export function dockerCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      dockerBin(),
      args,
      { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`docker ${args.join(" ")} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** Fails with a clear message when no Docker engine answers (these tests never skip). */
export async function ensureDockerEngine(): Promise<void> {
  try {
    await dockerCli(["info", "--format", "{{.ServerVersion}}"]);
  } catch (error) {
    throw new Error(
      `No Docker engine answers (${(error as Error).message.trim()}): start one, e.g. ` +
        "dockerd --storage-driver=vfs --iptables=false --bridge=none &",
      { cause: error },
    );
  }
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface LocalRegistry {
  /** "127.0.0.1:<port>", the prefix of image references in this registry (plain http, allowed by Docker on loopback). */
  host: string;
  stop(): Promise<void>;
}

/**
 * Writes the configuration of a registry listening on 127.0.0.1:`port` with its storage under `dir`;
 * returns the configuration file.
 */
export async function writeRegistryConfig(dir: string, port: number): Promise<string> {
  const config = path.join(dir, "config.yml");
  await mkdir(dir, { recursive: true });
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${path.join(dir, "data")}`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  return config;
}

/** True when a registry answers at `host` ("127.0.0.1:<port>"). */
export async function registryAnswers(host: string): Promise<boolean> {
  try {
    return (await fetch(`http://${host}/v2/`)).status === 200;
  } catch {
    return false;
  }
}

/** Starts a Docker registry on a free loopback port with its storage in a temp folder; waits until /v2/ answers. */
export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), "openpoco-registry-"));
  const port = await freePort();
  const config = await writeRegistryConfig(dir, port);
  const child = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The registry exited (${child.exitCode}): ${stderr}`);
    if (await registryAnswers(host)) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`The registry at ${host} did not answer within 15 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill();
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let basePromise: Promise<void> | undefined;

/** Builds the busybox base image once per process (and Docker's cache keeps it across runs). */
export function ensureBaseImage(): Promise<void> {
  basePromise ??= (async () => {
    const context = await mkdtemp(path.join(tmpdir(), "openpoco-base-"));
    try {
      await copyFile(BUSYBOX, path.join(context, "busybox"));
      await writeFile(
        path.join(context, "Dockerfile"),
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
      );
      await dockerCli(["build", "-q", "-t", BASE_IMAGE, context], { DOCKER_BUILDKIT: "0" });
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  })();
  basePromise.catch(() => (basePromise = undefined));
  return basePromise;
}

export interface AppImage {
  /** "127.0.0.1:<port>/<name>:<tag>": the app's multiaddr. */
  reference: string;
  /** "0x" + the sha256 manifest digest the registry gave: the app's checksum. */
  checksum: string;
}

export interface AppImageBuildOptions {
  /** Image labels, e.g. { "org.openpoco.network": "true" }. */
  labels?: Record<string, string>;
  /** Tag; "1" by default. Building again under the same name and tag moves the tag. */
  tag?: string;
}

/**
 * Builds an app image running `script` with /bin/sh -c (the run's args are $1, $2, ...), pushes it to
 * `registry` and returns its reference and checksum. Deterministic: the same script and labels give
 * the same checksum.
 */
export async function buildAppImage(
  registry: Pick<LocalRegistry, "host">,
  name: string,
  script: string,
  options: AppImageBuildOptions = {},
): Promise<AppImage> {
  await ensureBaseImage();
  const reference = `${registry.host}/${name}:${options.tag ?? "1"}`;
  const context = await mkdtemp(path.join(tmpdir(), "openpoco-app-"));
  try {
    const lines = [`FROM ${BASE_IMAGE}`];
    for (const [key, value] of Object.entries(options.labels ?? {}))
      lines.push(`LABEL ${JSON.stringify(key)}=${JSON.stringify(value)}`);
    lines.push(`ENTRYPOINT ${JSON.stringify(["/bin/sh", "-c", script, "sh"])}`);
    await writeFile(path.join(context, "Dockerfile"), `${lines.join("\n")}\n`);
    await dockerCli(["build", "-q", "-t", reference, context], { DOCKER_BUILDKIT: "0" });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  const pushed = await dockerCli(["push", reference]);
  const digest = /digest:\s*sha256:([0-9a-f]{64})/.exec(pushed)?.[1];
  if (!digest) throw new Error(`docker push ${reference} printed no digest: ${pushed}`);
  return { reference, checksum: `0x${digest}` };
}

/**
 * Removes local images, every tag and digest reference of each (so the next use must pull), ignoring
 * those already gone. Pass references or ids.
 */
export async function removeLocalImages(...images: string[]): Promise<void> {
  for (const image of images) {
    const id = await dockerCli(["image", "inspect", "--format", "{{.Id}}", image]).catch(() => "");
    if (id.trim() !== "") await dockerCli(["rmi", "-f", id.trim()]).catch(() => undefined);
  }
}
