/**
 * Mutation testing of the hub's contracts: `npm run mutate:contracts [-- --only id,id] [-- --check] [-- --list]`.
 *
 * Each mutant of scripts/mutants.ts (a small fault: payer and payee swapped, a check dropped, an off-by-one, a wrong
 * offset in a packed layout...) is applied alone and the test files that matter for it run with --bail: some test
 * must fail, otherwise the mutant SURVIVED and the run fails, unless the mutant is listed as equivalent with its
 * reason. Stryker does not mutate Solidity; this runner does it itself.
 *
 * The repository is never modified: the sources, tests and scripts are copied once to a scratch directory (with a
 * symlink to node_modules), where scripts/mutate-worker.ts compiles, mutates and tests, and the scratch directory
 * is removed at the end, on failure and on interruption. Exit codes: 0 every mutant killed or equivalent,
 * 1 some survived, 2 the run could not be made (a snippet not found exactly once, failing tests on the original
 * code, a worker crash).
 *
 * --check  only checks that every snippet is found exactly once (a few milliseconds);
 * --list   lists the mutants;
 * --only   runs the mutants named (comma-separated ids);
 * --jobs   number of workers (default 2, or 1 on a single core): each one mutates and tests its own copy;
 * --keep   keeps the scratch directory, for debugging.
 */
import { spawn, type ChildProcess } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { MUTANTS, type Mutant } from "./mutants";
import type { WorkerMessage } from "./mutate-worker";

const REPO = path.resolve(__dirname, "..");
/** What the worker needs of the repository: sources, tests, deploy scripts, the SDK the tests import, configs. */
const COPIED = [
  "contracts",
  "test",
  "src",
  "scripts",
  "deploy",
  "reference",
  "storage-layout",
  "hardhat.config.ts",
  "tsconfig.json",
  "package.json",
];

interface Row {
  mutant: Mutant;
  line: number;
  result?: Extract<WorkerMessage, { kind: "result" }>;
}

const WORKER = "scripts/mutate-worker.ts";

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/** Runs `command` in `cwd`, in its own process group (killed with the others on exit); resolves to its exit code. */
function run(children: ChildProcess[], command: string, args: string[], cwd: string): Promise<number> {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"], detached: true });
  children.push(child);
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 2)));
}

/**
 * Splits the mutants between `jobs` workers: mutants that run the same test files stay together (each worker runs
 * its files once on the original code first), and the biggest groups go first to the least loaded worker.
 */
function share(rows: Row[], jobs: number): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = [...row.mutant.tests].sort().join(" ");
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const parts: Row[][] = Array.from({ length: jobs }, () => []);
  for (const group of [...groups.values()].sort((a, b) => b.length - a.length)) {
    parts.reduce((least, part) => (part.length < least.length ? part : least)).push(...group);
  }
  return parts.filter((part) => part.length > 0);
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

/** Line (1-based) of the only occurrence of the mutant's snippet, or the problem with it. */
function locate(mutant: Mutant): number | string {
  const file = path.join(REPO, mutant.file);
  if (!fs.existsSync(file)) return `${mutant.file} does not exist`;
  const text = fs.readFileSync(file, "utf8");
  const at = text.indexOf(mutant.original);
  if (at < 0) return `its snippet is not found in ${mutant.file}`;
  if (text.indexOf(mutant.original, at + 1) >= 0)
    return `its snippet is found more than once in ${mutant.file}`;
  if (mutant.original === mutant.replacement) return "its replacement equals its snippet";
  const missing = mutant.tests.filter((test) => !fs.existsSync(path.join(REPO, test)));
  if (missing.length > 0) return `its test files do not exist: ${missing.join(", ")}`;
  if (mutant.tests.length === 0) return "it names no test file";
  return text.slice(0, at).split("\n").length;
}

function table(rows: Row[]): string {
  const cells = rows.map(({ mutant, line, result }) => {
    const outcome = !result
      ? "NOT RUN"
      : result.outcome === "no-compile"
        ? "killed (does not compile)"
        : result.outcome === "killed"
          ? mutant.equivalent
            ? "killed (listed as equivalent)"
            : "killed"
          : mutant.equivalent
            ? "equivalent"
            : "SURVIVED";
    const time = result ? (result.compileSeconds + result.testSeconds).toFixed(1) : "-";
    return [
      mutant.id,
      `${mutant.file.replace(/^contracts\//, "")}:${line}`,
      mutant.description,
      outcome,
      time,
    ];
  });
  const header = ["id", "file:line", "description", "result", "s"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const format = (c: string[]) =>
    c.map((cell, i) => (i === 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(" | ");
  return [format(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...cells.map(format)].join("\n");
}

async function main(): Promise<number> {
  const started = Date.now();
  const only = option("--only")?.split(",").filter(Boolean);
  const unknown = only?.filter((id) => !MUTANTS.some((m) => m.id === id)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown mutant(s): ${unknown.join(", ")}`);
    return 2;
  }
  const ids = MUTANTS.map((m) => m.id);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (duplicates.length > 0) {
    console.error(`duplicate mutant id(s): ${duplicates.join(", ")}`);
    return 2;
  }

  // Every snippet is checked, selected or not: a moved snippet must be noticed on any run.
  const rows: Row[] = [];
  const problems: string[] = [];
  for (const mutant of MUTANTS) {
    const line = locate(mutant);
    if (typeof line === "string") problems.push(`mutant ${mutant.id}: ${line}`);
    else if (!only || only.includes(mutant.id)) rows.push({ mutant, line });
  }
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    console.error(`${problems.length} mutant(s) cannot be applied: fix their snippets in scripts/mutants.ts`);
    return 2;
  }
  if (process.argv.includes("--list")) {
    console.log(table(rows));
    return 0;
  }
  if (process.argv.includes("--check")) {
    console.log(`${MUTANTS.length} mutants: every snippet is found exactly once`);
    return 0;
  }

  const wanted = Number(option("--jobs") ?? Math.min(2, os.availableParallelism()));
  const parts = share(rows, Number.isInteger(wanted) && wanted > 0 ? wanted : 1);
  const jobs = parts.length;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "openpoco-mutate-"));
  const children: ChildProcess[] = [];
  const cleanUp = () => {
    for (const child of children) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      try {
        process.kill(-child.pid, "SIGKILL"); // the child's process group: itself and any process it started
      } catch {
        // already gone
      }
    }
    if (!process.argv.includes("--keep")) fs.rmSync(base, { recursive: true, force: true });
  };
  process.on("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping; the repository is untouched`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }

  // One scratch copy, compiled once by hardhat, then cloned for each further worker (each mutates its own).
  const scratches = Array.from({ length: jobs }, (_, i) => path.join(base, `w${i}`));
  const first = scratches[0];
  for (const entry of COPIED) fs.cpSync(path.join(REPO, entry), path.join(first, entry), { recursive: true });
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(first, "node_modules"), "dir");
  console.log(`${rows.length} mutants, ${jobs} worker(s), in ${base}`);
  let time = Date.now();
  const hardhat = path.join(REPO, "node_modules", "hardhat", "internal", "cli", "cli.js");
  const compiled = await run(children, process.execPath, [hardhat, "compile", "--quiet"], first);
  if (compiled !== 0) {
    console.error(`hardhat could not compile the scratch copy (exit code ${compiled})`);
    return 2;
  }
  console.log(`- hardhat compiled the scratch copy in ${seconds(time)} s`);
  time = Date.now();
  for (const scratch of scratches.slice(1)) {
    for (const entry of fs.readdirSync(first)) {
      if (entry === "node_modules") continue;
      fs.cpSync(path.join(first, entry), path.join(scratch, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(scratch, "node_modules"), "dir");
  }
  if (jobs > 1) console.log(`- cloned it ${jobs - 1} time(s) in ${seconds(time)} s`);

  const byId = new Map(rows.map((row) => [row.mutant.id, row]));
  let done = 0;
  const fatal: string[] = [];
  const codes = await Promise.all(
    parts.map((part, i) => {
      // node itself runs the worker (hardhat run would start yet another process, out of reach of the IPC
      // channel); importing "hardhat" there loads the scratch copy's config.
      const worker = spawn(process.execPath, ["--require", "ts-node/register/transpile-only", WORKER], {
        cwd: scratches[i],
        env: {
          ...process.env,
          OPENPOCO_MUTANTS: part.map((row) => row.mutant.id).join(","),
          OPENPOCO_WORKER: String(i),
        },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        detached: true,
      });
      children.push(worker);
      worker.on("message", (message: WorkerMessage) => {
        const who = jobs > 1 ? `[w${i}] ` : "";
        if (message.kind === "phase") console.log(`- ${who}${message.text}`);
        else if (message.kind === "fatal") fatal.push(`${who}${message.text}`);
        else {
          const row = byId.get(message.id);
          if (!row) return;
          row.result = message;
          done++;
          const time = `${message.compileSeconds.toFixed(1)} + ${message.testSeconds.toFixed(1)} s`;
          const what =
            message.outcome === "survived"
              ? row.mutant.equivalent
                ? "equivalent (no test fails, as expected)"
                : "SURVIVED: no test fails"
              : message.outcome === "no-compile"
                ? `killed: DOES NOT COMPILE: ${message.detail}`
                : `killed by ${message.detail}`;
          console.log(`[${done}/${rows.length}] ${who}${row.mutant.id} (${time}): ${what}`);
        }
      });
      return new Promise<number>((resolve) => worker.on("exit", (c) => resolve(c ?? 2)));
    }),
  );
  const code = codes.find((c) => c !== 0) ?? 0;

  console.log(`\n${table(rows)}\n`);
  const equivalents = rows.filter((row) => row.mutant.equivalent);
  for (const { mutant } of equivalents) console.log(`equivalent ${mutant.id}: ${mutant.equivalent}`);
  const count = (test: (row: Row) => boolean) => rows.filter(test).length;
  const killed = count((row) => row.result !== undefined && row.result.outcome !== "survived");
  const noCompile = count((row) => row.result?.outcome === "no-compile");
  const survived = count((row) => row.result?.outcome === "survived" && !row.mutant.equivalent);
  const equivalent = count(
    (row) => row.result?.outcome === "survived" && row.mutant.equivalent !== undefined,
  );
  const notRun = count((row) => row.result === undefined);
  console.log(
    `${rows.length} mutants: ${killed} killed, ${survived} survived` +
      (equivalent > 0 ? `, ${equivalent} equivalent` : "") +
      (noCompile > 0 ? ` (${noCompile} killed because they do not compile)` : "") +
      (notRun > 0 ? `, ${notRun} NOT RUN` : ""),
  );
  console.log(`total wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (fatal.length > 0 || code !== 0 || notRun > 0) {
    console.error(
      `the run failed${fatal.length > 0 ? `: ${fatal.join("\n")}` : ` (worker exit code ${code})`}`,
    );
    return 2;
  }
  if (survived > 0) {
    const names = rows.filter((row) => row.result?.outcome === "survived" && !row.mutant.equivalent);
    console.error(`surviving mutant(s): ${names.map((row) => row.mutant.id).join(", ")}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error);
    process.exit(2);
  },
);
