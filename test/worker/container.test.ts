/** Confined container runs through the Docker CLI, against the real engine, and iexec_args splitting. */
import { expect } from "chai";
import { mkdtemp, readFile, readdir, mkdir, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvalidInputError } from "../../src/sdk/core/errors";
import { APP_LOG_LIMIT_BYTES } from "../../src/sdk/core/workerpool-api";
import { removeContainers, runArguments, runContainer, splitArgs } from "../../src/worker/container";
import type { ContainerSpec } from "../../src/worker/container";
import { buildAppImage, dockerCli, ensureDockerEngine, startLocalRegistry } from "../docker/images";
import type { LocalRegistry } from "../docker/images";

const SCRIPT = `
case "$1" in
  env) env > /iexec_out/env.txt ;;
  args) shift; i=0; for a in "$@"; do i=$((i+1)); printf '%s' "$a" > /iexec_out/arg$i; done; echo $# > /iexec_out/argc ;;
  net) ls /sys/class/net > /iexec_out/net.txt ;;
  limits)
    cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max > /iexec_out/memory.txt 2>/dev/null
    cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max > /iexec_out/pids.txt 2>/dev/null
    touch /iexec_in/written 2>/dev/null && echo writable > /iexec_out/in.txt || echo read-only > /iexec_out/in.txt ;;
  sleep) sleep 30 ;;
  hog) x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo "\${#x}" ;;
  exit) echo "bye on stdout"; echo "bye on stderr" >&2; exit "$2" ;;
  flood) head -c 1500000 /dev/zero | tr '\\0' a; echo END; echo "short on stderr" >&2 ;;
esac`;

const MiB = 1024 * 1024;

async function containerNames(prefix: string): Promise<string[]> {
  const out = await dockerCli(["ps", "-a", "--format", "{{.Names}}"]);
  return out.split("\n").filter((name) => name.startsWith(prefix));
}

describe("container @docker", function () {
  let registry: LocalRegistry;
  let image: string;
  const prefix = `openpoco-test-${process.pid}-`;
  let count = 0;

  before(async function () {
    await ensureDockerEngine();
    registry = await startLocalRegistry();
    image = (await buildAppImage(registry, "container-probe", SCRIPT)).reference;
  });

  after(async function () {
    await removeContainers(prefix);
    await registry?.stop();
  });

  async function spec(args: string[], overrides: Partial<ContainerSpec> = {}): Promise<ContainerSpec> {
    const root = await mkdtemp(path.join(tmpdir(), "openpoco-container-"));
    const inDir = path.join(root, "in");
    const outDir = path.join(root, "out");
    await mkdir(inDir);
    await mkdir(outDir);
    await chmod(outDir, 0o777);
    return {
      image,
      args,
      env: {},
      inDir,
      outDir,
      name: `${prefix}${++count}`,
      timeoutMs: 20_000,
      memoryBytes: 64 * MiB,
      cpus: 1,
      pidsLimit: 64,
      network: false,
      ...overrides,
    };
  }

  it("passes variables through the CLI's environment, never its command line", async function () {
    const s = await spec(["env"], {
      env: { IEXEC_TASK_ID: "0xabc", SECRET_LIKE: "value with spaces=and=equals" },
    });
    expect(runArguments(s).join(" ")).to.not.include("value with spaces");
    expect(runArguments(s)).to.include.members(["-e", "IEXEC_TASK_ID", "SECRET_LIKE"]);
    const run = await runContainer(s);
    expect(run.exitCode).to.equal(0);
    const env = await readFile(path.join(s.outDir, "env.txt"), "utf8");
    expect(env).to.include("IEXEC_TASK_ID=0xabc\n");
    expect(env).to.include("SECRET_LIKE=value with spaces=and=equals\n");
    // The worker's own environment does not leak into the app.
    expect(env).to.not.include("DOCKER_BIN=").and.not.include("npm_");
  });

  it("refuses variable names the Docker CLI itself would read", async function () {
    for (const name of ["DOCKER_HOST", "PATH", "BAD-NAME"]) {
      let error: unknown;
      try {
        await runContainer(await spec(["env"], { env: { [name]: "x" } }));
      } catch (e) {
        error = e;
      }
      expect(error, name).to.be.instanceOf(InvalidInputError);
    }
  });

  it("passes the args one by one, spaces and quotes kept", async function () {
    const args = ["args", ...splitArgs(`one "two words" 'it''s' a\\ b ""`)];
    const s = await spec(args);
    expect((await runContainer(s)).exitCode).to.equal(0);
    const read = (name: string) => readFile(path.join(s.outDir, name), "utf8");
    expect((await read("argc")).trim()).to.equal("5");
    expect(await Promise.all([1, 2, 3, 4, 5].map((i) => read(`arg${i}`)))).to.deep.equal([
      "one",
      "two words",
      "its",
      "a b",
      "",
    ]);
  });

  it("has no network but loopback unless asked", async function () {
    const s = await spec(["net"]);
    expect((await runContainer(s)).exitCode).to.equal(0);
    expect((await readFile(path.join(s.outDir, "net.txt"), "utf8")).trim().split(/\s+/)).to.deep.equal([
      "lo",
    ]);
  });

  it("applies the memory and process limits, and mounts /iexec_in read-only", async function () {
    const s = await spec(["limits"], { memoryBytes: 48 * MiB, pidsLimit: 37 });
    expect((await runContainer(s)).exitCode).to.equal(0);
    expect((await readFile(path.join(s.outDir, "memory.txt"), "utf8")).trim()).to.equal(String(48 * MiB));
    expect((await readFile(path.join(s.outDir, "pids.txt"), "utf8")).trim()).to.equal("37");
    expect((await readFile(path.join(s.outDir, "in.txt"), "utf8")).trim()).to.equal("read-only");
    expect(await readdir(s.inDir)).to.deep.equal([]);
  });

  it("kills an app going past its memory limit and says so", async function () {
    const run = await runContainer(await spec(["hog"], { memoryBytes: 32 * MiB }));
    expect(run).to.include({ exitCode: 137, oomKilled: true, timedOut: false });
  });

  it("reports the exit code and the output's tail, and removes the container", async function () {
    const s = await spec(["exit", "3"]);
    const run = await runContainer(s);
    expect(run).to.include({ exitCode: 3, timedOut: false, oomKilled: false });
    expect(run.logTail).to.include("bye on stdout").and.include("bye on stderr");
    expect(run.appLogs).to.deep.equal({ stdout: "bye on stdout\n", stderr: "bye on stderr\n" });
    expect(await containerNames(s.name)).to.deep.equal([]);
  });

  it("keeps the last APP_LOG_LIMIT_BYTES of each stream apart for the requester", async function () {
    const run = await runContainer(await spec(["flood"]));
    expect(run.exitCode).to.equal(0);
    expect(Buffer.byteLength(run.appLogs.stdout)).to.equal(APP_LOG_LIMIT_BYTES);
    expect(run.appLogs.stdout.endsWith("aaaaEND\n")).to.equal(true);
    expect(run.appLogs.stdout.replace("END\n", "")).to.match(/^a+$/);
    expect(run.appLogs.stderr).to.equal("short on stderr\n");
  });

  it("kills the app on timeout, reports it and removes the container", async function () {
    const s = await spec(["sleep"], { timeoutMs: 800 });
    const started = Date.now();
    const run = await runContainer(s);
    expect(run).to.include({ exitCode: null, timedOut: true });
    expect(Date.now() - started).to.be.below(10_000);
    expect(run.durationMs).to.be.at.least(800);
    expect(await containerNames(s.name)).to.deep.equal([]);
  });

  it("removeContainers removes the leftovers with the prefix only", async function () {
    const other = `openpoco-other-${process.pid}`;
    for (const name of [`${prefix}left-a`, `${prefix}left-b`, other])
      await dockerCli(["create", "--name", name, image]);
    try {
      const removed = await removeContainers(`${prefix}left-`);
      expect(removed.sort()).to.deep.equal([`${prefix}left-a`, `${prefix}left-b`]);
      expect(await containerNames(`${prefix}left-`)).to.deep.equal([]);
      expect(await containerNames(other)).to.deep.equal([other]);
    } finally {
      await dockerCli(["rm", "-f", other]);
    }
  });

  it("throws DockerEngineError, and leaves no container, when the image cannot run", async function () {
    const s = await spec(["env"], { image: `${registry.host}/does-not-exist:1` });
    let error: unknown;
    try {
      await runContainer(s);
    } catch (e) {
      error = e;
    }
    expect(error).to.have.property("code", "DOCKER_ENGINE_ERROR");
    expect(await containerNames(s.name)).to.deep.equal([]);
  });
});

describe("splitArgs", function () {
  it("splits like a shell without expansions", function () {
    expect(splitArgs("")).to.deep.equal([]);
    expect(splitArgs("  a   b\tc\n")).to.deep.equal(["a", "b", "c"]);
    expect(splitArgs(`"a b" 'c d' e"f g"h`)).to.deep.equal(["a b", "c d", "ef gh"]);
    expect(splitArgs(`'a\\b' "a\\b" "q\\"q" a\\ b \\'`)).to.deep.equal(["a\\b", "a\\b", 'q"q', "a b", "'"]);
    expect(splitArgs(`'' "" $HOME *`)).to.deep.equal(["", "", "$HOME", "*"]);
  });

  it("refuses an unterminated quote, naming the text", function () {
    for (const text of [`a "b`, `'c`, `"d\\"`]) {
      expect(() => splitArgs(text), text)
        .to.throw(InvalidInputError)
        .with.property("message")
        .that.includes(JSON.stringify(text));
    }
  });
});
