/**
 * Benchmark of the IPFS store (`npm run bench:ipfs`): a 1 GiB random file (BENCH_IPFS_MIB to change it)
 * added over HTTP (kubo's multipart `add`) to a node running in a child process, then read back through
 * the gateway and hashed, against `sha256sum` of the same file. The client is curl (and openssl for the
 * hash): compiled tools leave the machine's other CPU to the node. The node's peak RSS (VmHWM) is read
 * from /proc once both are done.
 *
 * Targets (issue #21): add and cat at least 200 MiB/s each, and a peak RSS under 150 MB whatever the
 * file size (everything streamed). A missed target is reported, not an error; a wrong CID or wrong bytes
 * back exit non-zero.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { IPFS_NODE_FLAGS } from "../src/ipfs/process-flags";

const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env.BENCH_IPFS_MIB ?? 1024);
const TARGET_MIB_S = 200;
const TARGET_RSS_MB = 150; // MB = 10^6 bytes
const ROOT = path.join(__dirname, "..");

/** Writes `mib` MiB of random bytes to `file`. */
function writeRandomFile(file: string, mib: number): void {
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(16 * MIB);
  for (let written = 0; written < mib; written += 16) {
    randomFillSync(chunk);
    writeSync(fd, chunk, 0, Math.min(16, mib - written) * MIB);
  }
  closeSync(fd);
}

/**
 * Compiles the node (src/ipfs/server.ts and what it imports) to JavaScript in `outDir`: the node runs as
 * the stack runs it, from JavaScript, without ts-node's compiler in its memory.
 */
function compileNode(outDir: string): string {
  const tsc = require.resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [
    tsc,
    ...[
      "--outDir",
      outDir,
      "--rootDir",
      path.join(ROOT, "src"),
      "--module",
      "commonjs",
      "--target",
      "es2022",
    ],
    ...["--moduleResolution", "node", "--esModuleInterop", "--skipLibCheck", "--types", "node"],
    path.join(ROOT, "src", "ipfs", "server.ts"),
  ]);
  return path.join(outDir, "ipfs", "server.js");
}

/** Starts the compiled node in a child process; resolves with the child and the node's URL. */
function startNodeChild(serverJs: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const script =
    `require(${JSON.stringify(serverJs)}).startIpfsNode({ dataDir: ${JSON.stringify(dataDir)}, port: 0, ` +
    `maxAddBytes: ${(SIZE_MIB + 1) * MIB} }).then((node) => { console.log(node.url); ` +
    `process.once("SIGTERM", () => node.close().then(() => process.exit(0))); }, (e) => { console.error(e); process.exit(1); });`;
  // BENCH_IPFS_PROFILE=<dir>: the node writes a CPU profile there when it stops.
  const profile = process.env.BENCH_IPFS_PROFILE
    ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_IPFS_PROFILE]
    : [];
  // The node runs with the flags the stack gives it.
  const child = spawn(process.execPath, [...profile, ...IPFS_NODE_FLAGS, "-e", script], {
    cwd: ROOT,
    // The compiled files live outside the project: they find its packages through NODE_PATH.
    env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (data: Buffer) => resolve({ child, url: data.toString().trim() }));
    child.once("exit", (code) => reject(new Error(`the node exited with ${code} before listening`)));
  });
}

/** Seconds of a `times` line ("0m1.250s 0m0.310s"): user plus system. */
function timesSeconds(line: string): number {
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, m, sec]) => sum + Number(m) * 60 + Number(sec),
    0,
  );
}

/**
 * kubo's add of `file` by curl, the client kubo's documentation uses (one multipart part, streamed from
 * the file); resolves with the CID and curl's CPU seconds. A compiled client keeps the machine's second
 * CPU for the node: Node's own HTTP client costs about as much CPU as the node itself here.
 */
function addFile(url: string, file: string): Promise<{ cid: string; clientCpu: number }> {
  const script = 'curl -sS --fail-with-body -F "file=@$1" "$2/api/v0/add" && echo && times';
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", script, "add", file, url], (error, stdout, stderr) => {
      if (error) return reject(new Error(`add failed: ${stderr || stdout || error.message}`));
      const lines = stdout.trim().split("\n");
      // The last line of `times` is the children's (curl's) CPU time.
      resolve({
        cid: (JSON.parse(lines[0]) as { Hash: string }).Hash,
        clientCpu: timesSeconds(lines[lines.length - 1]),
      });
    });
  });
}

/**
 * Reads `/ipfs/<cid>` through the gateway with curl, hashing the bytes with openssl (SHA-NI) on the way;
 * resolves with their SHA-256, their count and the client's CPU seconds (curl's and openssl's).
 */
function catFile(url: string, cid: string): Promise<{ sha256: string; bytes: number; clientCpu: number }> {
  const script =
    'set -o pipefail; curl -sS --fail -w "%{stderr}%{size_download}" "$1/ipfs/$2" | openssl dgst -sha256 -r && times';
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", script, "cat", url, cid], (error, stdout, stderr) => {
      if (error) return reject(new Error(`cat failed: ${stderr || error.message}`));
      const lines = stdout.trim().split("\n");
      resolve({
        sha256: lines[0].split(" ")[0],
        bytes: Number(stderr.trim()),
        clientCpu: timesSeconds(lines[lines.length - 1]),
      });
    });
  });
}

/** Peak resident set of process `pid`, in MB (10^6 bytes). */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmHWM:"));
  return (Number(/(\d+)/.exec(line ?? "")?.[1] ?? NaN) * 1024) / 1e6;
}

/** CPU seconds (user + system, all threads) process `pid` used so far. */
function cpuSeconds(pid: number): number {
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in ticks.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-bench-ipfs-"));
  let child: ChildProcess | undefined;
  try {
    const file = path.join(dir, "input.bin");
    writeRandomFile(file, SIZE_MIB);
    const sha = await timed(
      async () => execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0],
    );
    const expectedCid = execFileSync("ipfs_cid", [file], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const started = await startNodeChild(compileNode(path.join(dir, "js")), path.join(dir, "data"));
    child = started.child;
    const cpuAtStart = cpuSeconds(child.pid!);
    const add = await timed(() => addFile(started.url, file));
    const cpuAfterAdd = cpuSeconds(child.pid!);
    const rssAfterAdd = peakRssMb(child.pid!);
    const cat = await timed(() => catFile(started.url, add.value.cid));
    const cpuAfterCat = cpuSeconds(child.pid!);
    const rss = peakRssMb(child.pid!);

    const rate = (seconds: number) => SIZE_MIB / seconds;
    const verdict = (seconds: number) => (rate(seconds) >= TARGET_MIB_S ? "met" : "MISSED");
    const rows = [
      ["sha256sum (reference)", sha.seconds, "", "", ""],
      [
        "add (curl, multipart)",
        add.seconds,
        (cpuAfterAdd - cpuAtStart).toFixed(2),
        add.value.clientCpu.toFixed(2),
        verdict(add.seconds),
      ],
      [
        "cat (gateway GET)",
        cat.seconds,
        (cpuAfterCat - cpuAfterAdd).toFixed(2),
        cat.value.clientCpu.toFixed(2),
        verdict(cat.seconds),
      ],
    ] as const;
    console.log(
      `IPFS store, ${SIZE_MIB} MiB random file (targets: >= ${TARGET_MIB_S} MiB/s, < ${TARGET_RSS_MB} MB)`,
    );
    // The node's and the client's CPU time (all threads) say what the figures would be on an idle
    // machine: both share its CPUs.
    console.log(
      `${"operation".padEnd(24)}${"seconds".padStart(9)}${"MiB/s".padStart(9)}${"node CPU s".padStart(12)}${"client CPU s".padStart(14)}  target`,
    );
    for (const [name, seconds, cpu, clientCpu, target] of rows)
      console.log(
        `${name.padEnd(24)}${seconds.toFixed(2).padStart(9)}${rate(seconds).toFixed(0).padStart(9)}${cpu.padStart(12)}${clientCpu.padStart(14)}  ${target}`,
      );
    for (const [name, mb] of [
      ["node peak RSS, add", rssAfterAdd],
      ["node peak RSS, add+cat", rss],
    ] as const)
      console.log(
        `${name.padEnd(24)}${`${mb.toFixed(0)} MB`.padStart(18)}${"".padStart(26)}  ${mb < TARGET_RSS_MB ? "met" : "MISSED"}`,
      );
    console.log(
      `load average after the run: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
    );

    const cidOk = expectedCid.includes(`"${add.value.cid}"`);
    const bytesOk = cat.value.sha256 === sha.value && cat.value.bytes === SIZE_MIB * MIB;
    console.log(
      `CID ${add.value.cid} ${cidOk ? "equals" : "DIFFERS FROM"} ipfs_cid's; bytes back ${bytesOk ? "equal" : "DIFFER"}`,
    );
    if (!cidOk || !bytesOk) process.exitCode = 1;
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
