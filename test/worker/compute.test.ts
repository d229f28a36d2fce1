/** computeTask end to end against the real engine: inputs, environment, digests, error results, failures. */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { keccak256, ZeroAddress } from "ethers";
import { unzipTo } from "../../src/sdk/node/zip";
import { computeTask, TaskFailure } from "../../src/worker/compute";
import type { ComputeSpec } from "../../src/worker/compute";
import { removeContainers } from "../../src/worker/container";
import { buildAppImage, dockerCli, ensureDockerEngine, startLocalRegistry } from "../docker/images";
import type { AppImage, LocalRegistry } from "../docker/images";
import { rejectionOf } from "../rejection";

const DIGEST = `0x${"5a".repeat(32)}`;
const SCRIPT = `
case "$1" in
  env) env | grep '^IEXEC_' | sort > /iexec_out/env.txt; cp /iexec_in/* /iexec_out/ 2>/dev/null
       echo "${DIGEST}" > /iexec_out/determinism.iexec ;;
  noise) head -c 64 /dev/urandom > /iexec_out/noise.bin; echo "$2" > /iexec_out/determinism.iexec ;;
  crash) head -c 64 /dev/urandom > /iexec_out/noise.bin; echo "partial output"; exit 3 ;;
  sleep) head -c 64 /dev/urandom > /iexec_out/noise.bin; sleep 30 ;;
  plain) echo "$2" > /iexec_out/out.txt ;;
  link) ln -s /etc/passwd /iexec_out/link; echo "${DIGEST}" > /iexec_out/determinism.iexec ;;
  callback) printf '\\001\\002' > /iexec_out/callback.iexec ;;
esac`;

const sha256 = (data: string | Buffer) => `0x${createHash("sha256").update(data).digest("hex")}`;
const MiB = 1024 * 1024;

describe("compute @docker", function () {
  let registry: LocalRegistry;
  let app: AppImage;
  let server: Server;
  let baseUrl: string;
  const prefix = `openpoco-compute-${process.pid}-`;
  let count = 0;

  before(async function () {
    await ensureDockerEngine();
    registry = await startLocalRegistry();
    app = await buildAppImage(registry, "compute-probe", SCRIPT);
    server = createServer((request, response) => {
      if (request.url === "/files/data%20set.txt") response.end("input one\n");
      else if (request.url === "/big/blob.bin") response.end(Buffer.alloc(2 * MiB));
      else {
        response.statusCode = 404;
        response.end("no");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    await removeContainers(prefix);
    server?.close();
    await registry?.stop();
  });

  async function spec(args: string, overrides: Partial<ComputeSpec> = {}): Promise<ComputeSpec> {
    return {
      taskid: `0x${"a1".repeat(32)}`,
      dealid: `0x${"d2".repeat(32)}`,
      idx: 4n,
      botFirst: 3n,
      botSize: 5n,
      app: { multiaddr: app.reference, checksum: app.checksum },
      params: { iexec_args: args },
      workDir: await mkdtemp(path.join(tmpdir(), "openpoco-task-")),
      containerName: `${prefix}${++count}`,
      timeoutMs: 20_000,
      limits: { memoryBytes: 64 * MiB, cpus: 1, pidsLimit: 64, maxInputFileBytes: MiB },
      // The datasets of these tests are local files.
      allowFileUrls: true,
      ...overrides,
    };
  }

  it("gives the app its variables, input files and dataset in /iexec_in", async function () {
    const datasetFile = path.join(await mkdtemp(path.join(tmpdir(), "openpoco-dataset-")), "dataset.bin");
    await writeFile(datasetFile, "dataset content\n");
    const address = "0x00000000000000000000000000000000000000d5";
    const s = await spec("env", {
      params: { iexec_args: "env", iexec_input_files: [`${baseUrl}/files/data%20set.txt`] },
      dataset: {
        address,
        multiaddr: pathToFileURL(datasetFile).toString(),
        checksum: sha256("dataset content\n"),
      },
    });
    const result = await computeTask(s);
    expect(result.error).to.equal(undefined);
    expect(result).to.include({ resultDigest: DIGEST, resultsCallback: "0x", exitCode: 0 });
    expect(result.notes).to.deep.equal([]);
    const env = await readFile(path.join(s.workDir, "iexec_out", "env.txt"), "utf8");
    expect(env.trim().split("\n")).to.deep.equal(
      [
        "IEXEC_IN=/iexec_in",
        "IEXEC_OUT=/iexec_out",
        `IEXEC_TASK_ID=${s.taskid}`,
        `IEXEC_DEAL_ID=${s.dealid}`,
        "IEXEC_TASK_INDEX=4",
        "IEXEC_BOT_SIZE=5",
        "IEXEC_BOT_FIRST_INDEX=3",
        "IEXEC_BOT_TASK_INDEX=4",
        `IEXEC_DATASET_ADDRESS=${address}`,
        `IEXEC_DATASET_FILENAME=${address}`,
        "IEXEC_INPUT_FILES_FOLDER=/iexec_in",
        "IEXEC_NB_INPUT_FILES=1",
        "IEXEC_INPUT_FILES_NUMBER=1",
        "IEXEC_INPUT_FILE_NAME_1=data_set.txt",
      ].sort(),
    );
    // The app copied /iexec_in to its output: the files are where the variables say.
    expect(await readFile(path.join(s.workDir, "iexec_out", "data_set.txt"), "utf8")).to.equal("input one\n");
    expect(await readFile(path.join(s.workDir, "iexec_out", address), "utf8")).to.equal("dataset content\n");
    // The zip holds /iexec_out.
    const unzipped = await mkdtemp(path.join(tmpdir(), "openpoco-unzip-"));
    expect((await unzipTo(result.zipFile, unzipped)).sort()).to.include.members([
      "env.txt",
      "determinism.iexec",
    ]);
  });

  it("defaults: no dataset gives the zero address and no file, no input files gives 0", async function () {
    const s = await spec("env");
    await computeTask(s);
    const env = await readFile(path.join(s.workDir, "iexec_out", "env.txt"), "utf8");
    expect(env).to.include(`IEXEC_DATASET_ADDRESS=${ZeroAddress}\n`).and.include("IEXEC_DATASET_FILENAME=\n");
    expect(env).to.include("IEXEC_NB_INPUT_FILES=0\n").and.not.include("IEXEC_INPUT_FILE_NAME_1");
  });

  it("gives the same digest for two runs writing random noise next to a fixed determinism.iexec", async function () {
    const first = await computeTask(await spec(`noise ${DIGEST}`));
    const second = await computeTask(await spec(`noise ${DIGEST}`));
    expect(first.resultDigest).to.equal(DIGEST);
    expect(second.resultDigest).to.equal(DIGEST);
    // The results differ: only the determinism file makes them agree.
    expect(sha256(await readFile(first.zipFile))).to.not.equal(sha256(await readFile(second.zipFile)));
  });

  it("without a determinism file the digest is the zip's sha256, with a DETERMINISM_FILE_MISSING note", async function () {
    const result = await computeTask(await spec("plain hello"));
    expect(result.resultDigest).to.equal(sha256(await readFile(result.zipFile)));
    expect(result.notes).to.have.length(1);
    expect(result.notes[0]).to.match(/^DETERMINISM_FILE_MISSING: /);
    // Deterministic zip: another run of the same app gives the same digest.
    expect((await computeTask(await spec("plain hello"))).resultDigest).to.equal(result.resultDigest);
  });

  it("returns callback.iexec as resultsCallback and digests it with keccak256", async function () {
    const result = await computeTask(await spec("callback"));
    expect(result).to.include({ resultsCallback: "0x0102", resultDigest: keccak256("0x0102") });
  });

  it("turns a crash into an APP_CRASHED error result with the same digest on every run", async function () {
    const sent: { stdout: string; stderr: string }[] = [];
    const first = await computeTask(await spec("crash", { onAppLogs: async (logs) => void sent.push(logs) }));
    const second = await computeTask(await spec("crash"));
    expect(sent).to.deep.equal([{ stdout: "partial output\n", stderr: "" }]);
    expect(first.appLogs).to.deep.equal(sent[0]);
    expect(first.error?.code).to.equal("APP_CRASHED");
    expect(first.exitCode).to.equal(3);
    expect(first.logTail).to.include("partial output");
    expect(first.resultDigest).to.equal(second.resultDigest);
    expect(first.resultDigest).to.equal(sha256(await readFile(first.zipFile)));
    const unzipped = await mkdtemp(path.join(tmpdir(), "openpoco-unzip-"));
    expect(await unzipTo(first.zipFile, unzipped)).to.deep.equal(["error.json"]);
    expect(JSON.parse(await readFile(path.join(unzipped, "error.json"), "utf8"))).to.deep.equal({
      error: "APP_CRASHED",
      exitCode: 3,
    });
  });

  it("turns an output holding a symbolic link into an APP_CRASHED error result, never following it", async function () {
    const first = await computeTask(await spec("link"));
    const second = await computeTask(await spec("link"));
    expect(first.error?.code).to.equal("APP_CRASHED");
    expect(first.exitCode).to.equal(0);
    expect(first.resultDigest).to.equal(second.resultDigest).and.not.equal(DIGEST);
    const unzipped = await mkdtemp(path.join(tmpdir(), "openpoco-unzip-"));
    expect(await unzipTo(first.zipFile, unzipped)).to.deep.equal(["error.json"]);
    expect(await readFile(path.join(unzipped, "error.json"), "utf8")).to.include("symbolic link");
  });

  it("turns a timeout into an APP_TIMEOUT error result and removes the container", async function () {
    let sent = 0;
    const s = await spec("sleep", { timeoutMs: 1000, onAppLogs: async () => void sent++ });
    const result = await computeTask(s);
    expect(sent, "the logs of a timed-out run are sent too").to.equal(1);
    expect(result.error?.code).to.equal("APP_TIMEOUT");
    expect(result.exitCode).to.equal(null);
    expect(await readdir(path.join(s.workDir, "iexec_out"))).to.deep.equal(["error.json"]);
    expect(JSON.parse(await readFile(path.join(s.workDir, "iexec_out", "error.json"), "utf8"))).to.deep.equal(
      {
        error: "APP_TIMEOUT",
        timeoutSeconds: 1,
      },
    );
    expect(await dockerCli(["ps", "-a", "-q", "--filter", `name=^${s.containerName}$`])).to.equal("");
  });

  it("runs again in the same workDir: stale files and a leftover container are removed first", async function () {
    const s = await spec("plain again");
    await mkdir(path.join(s.workDir, "iexec_out"), { recursive: true });
    await writeFile(path.join(s.workDir, "iexec_out", "stale.txt"), "from a crashed worker");
    await dockerCli(["create", "--name", s.containerName, app.reference]);
    const first = await computeTask(s);
    const second = await computeTask(s);
    expect(await readdir(path.join(s.workDir, "iexec_out"))).to.deep.equal(["out.txt"]);
    expect(second.resultDigest).to.equal(first.resultDigest);
  });

  it("runs nothing when the app checksum does not match the image (APP_CHECKSUM_MISMATCH)", async function () {
    const s = await spec("plain ran", { app: { multiaddr: app.reference, checksum: `0x${"3".repeat(64)}` } });
    const error = await rejectionOf(computeTask(s), TaskFailure);
    expect(error.failure).to.equal("APP_CHECKSUM_MISMATCH");
    expect(error.detail).to.include(app.checksum);
    expect(await readdir(path.join(s.workDir, "iexec_out"))).to.deep.equal([]);
    expect(existsSync(path.join(s.workDir, "result.zip"))).to.equal(false);
  });

  it("refuses a dataset whose bytes do not match its checksum, leaving no file (DATASET_BAD_CHECKSUM)", async function () {
    const datasetFile = path.join(await mkdtemp(path.join(tmpdir(), "openpoco-dataset-")), "dataset.bin");
    await writeFile(datasetFile, "tampered content\n");
    const address = "0x00000000000000000000000000000000000000d5";
    const s = await spec("env", {
      dataset: {
        address,
        multiaddr: pathToFileURL(datasetFile).toString(),
        checksum: sha256("dataset content\n"),
      },
    });
    const error = await rejectionOf(computeTask(s), TaskFailure);
    expect(error.failure).to.equal("DATASET_BAD_CHECKSUM");
    expect(error.detail).to.include(sha256("tampered content\n"));
    expect(await readdir(path.join(s.workDir, "iexec_in"))).to.deep.equal([]);
    expect(await readdir(path.join(s.workDir, "iexec_out"))).to.deep.equal([]);
  });

  it("fails with DATASET_DOWNLOAD_FAILED when the dataset cannot be fetched", async function () {
    const s = await spec("env", {
      dataset: { address: ZeroAddress, multiaddr: `${baseUrl}/missing`, checksum: sha256("x") },
    });
    expect((await rejectionOf(computeTask(s), TaskFailure)).failure).to.equal("DATASET_DOWNLOAD_FAILED");
  });

  it("fails with INPUT_FILE_DOWNLOAD_FAILED on a missing or too large input file, leaving no partial file", async function () {
    for (const url of [`${baseUrl}/missing.txt`, `${baseUrl}/big/blob.bin`]) {
      const s = await spec("env", { params: { iexec_args: "env", iexec_input_files: [url] } });
      const error = await rejectionOf(computeTask(s), TaskFailure);
      expect(error.failure, url).to.equal("INPUT_FILE_DOWNLOAD_FAILED");
      expect(error.detail).to.include(url);
      expect(await readdir(path.join(s.workDir, "iexec_in"))).to.deep.equal([]);
    }
  });

  it("reports a Docker CLI that cannot run as TaskFailure WORKER_ERROR", async function () {
    const s = await spec("plain x");
    const saved = process.env.DOCKER_BIN;
    process.env.DOCKER_BIN = "/nonexistent/docker";
    try {
      const error = await rejectionOf(computeTask(s), TaskFailure);
      expect(error.failure).to.equal("WORKER_ERROR");
      expect(error.detail).to.include("/nonexistent/docker");
    } finally {
      if (saved === undefined) delete process.env.DOCKER_BIN;
      else process.env.DOCKER_BIN = saved;
    }
  });

  it("refuses request args with an unterminated quote before running anything", async function () {
    const error = await rejectionOf(computeTask(await spec(`plain "oops`)), TaskFailure);
    expect(error.failure).to.equal("WORKER_ERROR");
    expect(error.detail).to.include("unterminated");
  });
});
