/**
 * Benchmark of dataset encryption (`npm run bench:encrypt`): encrypts a large file (1 GiB by default, set
 * BENCH_ENCRYPT_MIB to change it) with our streaming `encryptFile` in a child process, and with
 * `openssl enc -aes-256-cbc` for comparison, then checks that decryption gives the original back.
 *
 * Targets: our time at most 1.5 × openssl's (ours also computes the SHA-256 checksum, openssl does not),
 * and a peak RSS under 150 MB whatever the file size. A missed target is reported, not an error; a failed
 * round trip exits non-zero. Each measurement is the best of BENCH_ENCRYPT_RUNS runs (default 2).
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { ChildResult } from "./encrypt-child";

const MIB = 1024 * 1024;
const OPENSSL = "openssl";
const CHILD = path.join(__dirname, "encrypt-child.ts");
const TARGET_RATIO = 1.5;
const TARGET_RSS_MB = 150; // MB = 10^6 bytes

interface Run {
  ms: number;
  maxRssMiB: number;
  checksum: string;
}

/** Runs `command` and resolves with its stdout, or rejects with its stderr if it exits non-zero. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/** Runs one operation of bench/encrypt-child.ts in a fresh Node process. */
async function runChild(mode: string, input: string, output: string, hexKey: string): Promise<Run> {
  const stdout = await run(process.execPath, [
    "-r",
    "ts-node/register/transpile-only",
    CHILD,
    mode,
    input,
    output,
    hexKey,
  ]);
  return JSON.parse(stdout.trim()) as ChildResult;
}

/** Wall time of `openssl enc -aes-256-cbc` on the file, in milliseconds (process start included). */
async function runOpenssl(input: string, output: string, hexKey: string, hexIv: string): Promise<number> {
  const start = process.hrtime.bigint();
  await run(OPENSSL, ["enc", "-aes-256-cbc", "-K", hexKey, "-iv", hexIv, "-in", input, "-out", output]);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Streams `file` through SHA-256; returns the hex digest. */
async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * MIB }))
    hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Writes `mib` MiB of incompressible data quickly (a 64 MiB random block, repeated); returns its SHA-256. */
async function writeInput(file: string, mib: number): Promise<string> {
  const block = randomBytes(Math.min(64, mib) * MIB);
  const hash = createHash("sha256");
  const handle = await fsp.open(file, "w");
  try {
    for (let left = mib * MIB; left > 0; left -= block.length) {
      const piece = left >= block.length ? block : block.subarray(0, left);
      await handle.write(piece);
      hash.update(piece);
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

/**
 * Runs `once` `runs` times and keeps the fastest time and the highest peak RSS; the checksum is the last
 * run's, since each run overwrites the output file with a new IV.
 */
async function best(runs: number, once: () => Promise<Run>): Promise<Run> {
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  return {
    ms: Math.min(...results.map((r) => r.ms)),
    maxRssMiB: Math.max(...results.map((r) => r.maxRssMiB)),
    checksum: results[results.length - 1].checksum,
  };
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n");
}

async function main(): Promise<number> {
  const mib = Number(process.env.BENCH_ENCRYPT_MIB ?? "1024");
  const runs = Number(process.env.BENCH_ENCRYPT_RUNS ?? "2");
  if (!Number.isInteger(mib) || mib <= 0 || !Number.isInteger(runs) || runs <= 0) {
    console.error("BENCH_ENCRYPT_MIB and BENCH_ENCRYPT_RUNS must be positive integers.");
    return 2;
  }
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "openpoco-bench-encrypt-"));
  try {
    const input = path.join(dir, "input.bin");
    const ours = path.join(dir, "ours.enc");
    const theirs = path.join(dir, "openssl.bin");
    const back = path.join(dir, "back.bin");
    const key = randomBytes(32).toString("hex");
    const iv = randomBytes(16).toString("hex");

    console.log(`Writing ${mib} MiB of test data to ${dir} …`);
    const originalHash = await writeInput(input, mib);

    // Baseline: what a Node process with ts-node weighs before doing any work.
    const idle = await runChild("idle", input, ours, key);
    const encrypt = await best(runs, () => runChild("encrypt", input, ours, key));
    const openssl = await best(runs, async () => ({
      ms: await runOpenssl(input, theirs, key, iv),
      maxRssMiB: 0,
      checksum: "",
    }));
    await fsp.rm(theirs, { force: true });
    const decrypt = await runChild("decrypt", ours, back, key);

    const checksumOk = encrypt.checksum === `0x${await sha256File(ours)}`;
    const roundTripOk = (await sha256File(back)) === originalHash;
    const ratio = encrypt.ms / openssl.ms;
    const peakMiB = Math.max(encrypt.maxRssMiB, decrypt.maxRssMiB);
    const peakMB = (peakMiB * MIB) / 1e6;
    const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    const met = (ok: boolean): string => (ok ? "met" : "MISSED");

    console.log(
      `\nDataset encryption benchmark (${os.cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}, best of ${runs})\n`,
    );
    console.log(
      table([
        ["size", `${mib} MiB`],
        ["ours: encrypt time", seconds(encrypt.ms)],
        ["ours: throughput", `${(mib / (encrypt.ms / 1000)).toFixed(0)} MiB/s`],
        ["ours: peak RSS (encrypt)", `${encrypt.maxRssMiB.toFixed(1)} MiB`],
        ["ours: decrypt time", `${seconds(decrypt.ms)} (${(mib / (decrypt.ms / 1000)).toFixed(0)} MiB/s)`],
        ["ours: peak RSS (decrypt)", `${decrypt.maxRssMiB.toFixed(1)} MiB`],
        ["node + ts-node idle RSS", `${idle.maxRssMiB.toFixed(1)} MiB`],
        ["openssl enc time", seconds(openssl.ms)],
        ["ratio ours / openssl", ratio.toFixed(2)],
        ["target ratio ≤ 1.5", met(ratio <= TARGET_RATIO)],
        [`target peak RSS < ${TARGET_RSS_MB} MB`, `${met(peakMB < TARGET_RSS_MB)} (${peakMB.toFixed(1)} MB)`],
        ["checksum = sha256(.enc)", checksumOk ? "yes" : "NO"],
        ["round trip (decrypt = original)", roundTripOk ? "yes" : "NO"],
      ]),
    );
    return checksumOk && roundTripOk ? 0 : 1;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
