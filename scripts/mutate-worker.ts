/**
 * The mutation runner's worker (see scripts/mutate-contracts.ts, which starts it with node and ts-node in a
 * scratch copy of the repository and reads its messages over IPC). Never run it in the repository itself: it
 * rewrites sources and artifacts in place.
 *
 * The runner has compiled the scratch copy with hardhat (artifacts, build info, typechain types). One process for all
 * the worker's mutants:
 * 1. solc-js is loaded in-process with the build info's exact settings, and must reproduce hardhat's bytecode
 *    (checked by the first worker);
 * 2. the test files of the worker's mutants run once on the unmutated code and must pass;
 * 3. for each mutant: its snippet is replaced, only the contracts whose sources include the mutated file are
 *    recompiled (their artifacts rewritten), the chain is reset, and mocha runs the mutant's
 *    test files with --bail in this process; then the source and artifacts are restored.
 */
import fs from "fs";
import path from "path";
import hre from "hardhat";
import Mocha from "mocha";
import { reset } from "@nomicfoundation/hardhat-network-helpers";
import { MUTANTS, type Mutant } from "./mutants";

/** What the worker tells the runner. */
export type WorkerMessage =
  | { kind: "phase"; text: string }
  | {
      kind: "result";
      id: string;
      outcome: "killed" | "survived" | "no-compile";
      compileSeconds: number;
      testSeconds: number;
      detail: string;
    }
  | { kind: "fatal"; text: string };

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, CompiledContract>>;
}

interface CompiledContract {
  metadata?: string;
  evm: {
    bytecode: { object: string; linkReferences: unknown };
    deployedBytecode: { object: string; linkReferences: unknown };
  };
}

interface AstNode {
  nodeType: string;
  name?: string;
  contractKind?: string;
  nodes?: AstNode[];
}

interface BuildInfo {
  solcLongVersion: string;
  input: {
    language: string;
    sources: Record<string, { content: string }>;
    settings: Record<string, unknown>;
  };
  output: SolcOutput & { sources: Record<string, { ast: AstNode }> };
}

/** A deployable contract: its source, name and the sources it is compiled from (its metadata's). */
interface Target {
  source: string;
  name: string;
  dependencies: string[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const solc = require("solc") as { compile(input: string): string; version(): string };

const root = fs.realpathSync(hre.config.paths.root);
const testsDir = path.join(root, "test") + path.sep;

/** Sends `message` to the runner; resolves once it is on its way (before the worker may exit). */
function send(message: WorkerMessage): Promise<void> {
  if (!process.send) {
    console.log(JSON.stringify(message));
    return Promise.resolve();
  }
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

/** Reports a fatal problem and exits with 2. */
async function fail(text: string): Promise<never> {
  console.error(text);
  await send({ kind: "fatal", text });
  process.exit(2);
}

function seconds(since: number): number {
  return (Date.now() - since) / 1000;
}

/** Recompiles the contracts that depend on a mutated file, with hardhat's own settings, and rewrites their artifacts. */
class Recompiler {
  private readonly sources: Record<string, { content: string }>;
  private readonly targets: Target[] = [];
  private readonly settings: Record<string, unknown>;
  private readonly language: string;
  private readonly originals = new Map<string, string>();

  constructor() {
    const dir = path.join(hre.config.paths.artifacts, "build-info");
    const files = fs.readdirSync(dir);
    // A fresh compile with one compiler configuration is one compilation job: one build info, whose sources are
    // those on disk. Incremental compiles leave older build infos behind, with older sources in them.
    if (files.length !== 1) {
      throw new Error(`expected one build info from a fresh compile, found ${files.length}`);
    }
    const info = JSON.parse(fs.readFileSync(path.join(dir, files[0]), "utf8")) as BuildInfo;
    if (!solc.version().startsWith(info.solcLongVersion.replace(/\.Emscripten.*$/, ""))) {
      throw new Error(
        `solc ${solc.version()} is not the compiler of the build info (${info.solcLongVersion})`,
      );
    }
    this.settings = info.input.settings;
    this.language = info.input.language;
    this.sources = info.input.sources;
    for (const [source, contracts] of Object.entries(info.output.contracts ?? {})) {
      // Libraries are inlined (their functions are internal): only contracts are deployed.
      const libraries = new Set(
        (info.output.sources[source]?.ast.nodes ?? [])
          .filter((node) => node.nodeType === "ContractDefinition" && node.contractKind === "library")
          .map((node) => node.name),
      );
      for (const [name, contract] of Object.entries(contracts)) {
        if (!contract.evm.bytecode.object || !contract.metadata || libraries.has(name)) continue;
        const dependencies = Object.keys((JSON.parse(contract.metadata) as { sources: object }).sources);
        this.targets.push({ source, name, dependencies });
      }
    }
  }

  /** The deployable contracts whose code includes `file`. */
  dependents(file: string): Target[] {
    return this.targets.filter((target) => target.dependencies.includes(file));
  }

  /** Compiles the dependents of `file` with `content` as its source; returns the errors, or writes the artifacts. */
  compile(file: string, content: string): string[] {
    const targets = this.dependents(file);
    const sources: Record<string, { content: string }> = {};
    const selection: Record<string, Record<string, string[]>> = {};
    for (const target of targets) {
      for (const dependency of target.dependencies) sources[dependency] = this.sources[dependency];
      selection[target.source] ??= {};
      selection[target.source][target.name] = [
        "evm.bytecode.object",
        "evm.bytecode.linkReferences",
        "evm.deployedBytecode.object",
        "evm.deployedBytecode.linkReferences",
      ];
    }
    sources[file] = { content };
    const input = {
      language: this.language,
      sources,
      settings: { ...this.settings, outputSelection: selection },
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
    const errors = (output.errors ?? []).filter((e) => e.severity === "error").map((e) => e.formattedMessage);
    if (errors.length > 0) return errors;
    for (const target of targets) {
      const compiled = output.contracts?.[target.source]?.[target.name];
      if (!compiled) throw new Error(`solc returned no ${target.source}:${target.name}`);
      this.writeArtifact(target, compiled);
    }
    return [];
  }

  /** Whether the in-process compiler reproduces hardhat's bytecode for the dependents of `file`. */
  check(file: string): string[] {
    const mismatches: string[] = [];
    const targets = this.dependents(file);
    const before = targets.map((target) => this.readArtifact(target));
    this.compile(file, this.sources[file].content);
    targets.forEach((target, i) => {
      if (this.readArtifact(target).deployedBytecode !== before[i].deployedBytecode) {
        mismatches.push(`${target.source}:${target.name}`);
      }
    });
    this.restore();
    return mismatches;
  }

  /** Puts back every artifact rewritten since the last restore. */
  restore(): void {
    for (const [file, text] of this.originals) fs.writeFileSync(file, text);
    this.originals.clear();
  }

  private artifactPath(target: Target): string {
    return path.join(hre.config.paths.artifacts, target.source, `${target.name}.json`);
  }

  private readArtifact(target: Target): { deployedBytecode: string } {
    return JSON.parse(fs.readFileSync(this.artifactPath(target), "utf8")) as { deployedBytecode: string };
  }

  private writeArtifact(target: Target, compiled: CompiledContract): void {
    const file = this.artifactPath(target);
    const text = fs.readFileSync(file, "utf8");
    if (!this.originals.has(file)) this.originals.set(file, text);
    const artifact = JSON.parse(text) as Record<string, unknown>;
    artifact.bytecode = `0x${compiled.evm.bytecode.object}`;
    artifact.deployedBytecode = `0x${compiled.evm.deployedBytecode.object}`;
    artifact.linkReferences = compiled.evm.bytecode.linkReferences;
    artifact.deployedLinkReferences = compiled.evm.deployedBytecode.linkReferences;
    fs.writeFileSync(file, JSON.stringify(artifact, null, 2));
  }
}

/**
 * A fresh chain for each run: hardhat_reset, and loadFixture's snapshots forgotten (network-helpers' `reset`).
 * hardhat-deploy still remembers the snapshot of its "core" fixture, but the first test of a run asks for that fixture
 * before any snapshot of the new chain exists: the stale snapshot fails to revert and the hub is deployed again, from
 * the current artifacts. (Reverting instead to a snapshot taken first would not do: hardhat-deploy's revert of its
 * stale snapshot fails, yet drops every snapshot taken after that stale one, the worker's own among them.)
 */
async function freshChain(): Promise<void> {
  await reset();
}

/**
 * Runs `files` (only the tests whose title contains `grep`, when given) one by one, each on a fresh chain (as
 * `hardhat test <file>` would), stopping at the first failure (--bail); returns that failure.
 */
async function runTests(files: string[], grep?: string): Promise<{ failure?: string; passed: number }> {
  let passed = 0;
  let failure: string | undefined;
  class Quiet {
    constructor(runner: Mocha.Runner) {
      runner.on("pass", () => passed++);
      runner.on("fail", (test: Mocha.Runnable, error: Error) => {
        failure ??= `${test.fullTitle()}: ${String(error?.message ?? error).split("\n")[0]}`;
      });
    }
  }
  const reporter = Quiet as unknown as Mocha.ReporterConstructor;
  for (const file of files) {
    await freshChain();
    const mocha = new Mocha({ ...hre.config.mocha, bail: true, reporter, grep });
    mocha.addFile(path.join(root, file));
    try {
      const failures = await new Promise<number>((resolve) => mocha.run(resolve));
      if (failures > 0) failure ??= `${failures} failure(s) in ${file}`;
    } finally {
      mocha.dispose();
      // Fresh test modules next time: their fixtures are new functions, unknown to loadFixture.
      for (const key of Object.keys(require.cache)) if (key.startsWith(testsDir)) delete require.cache[key];
    }
    if (failure !== undefined) break;
  }
  if (passed === 0 && failure === undefined) failure = "no test ran (check the files and grep)";
  return { failure, passed };
}

function replaceOnce(text: string, mutant: Mutant): string {
  const at = text.indexOf(mutant.original);
  if (at < 0 || text.indexOf(mutant.original, at + 1) >= 0) {
    throw new Error(`mutant ${mutant.id}: its snippet is not found exactly once in ${mutant.file}`);
  }
  return text.slice(0, at) + mutant.replacement + text.slice(at + mutant.original.length);
}

async function main(): Promise<void> {
  const ids = (process.env.OPENPOCO_MUTANTS ?? "").split(",").filter(Boolean);
  const mutants = ids.map((id) => {
    const mutant = MUTANTS.find((m) => m.id === id);
    if (!mutant) throw new Error(`unknown mutant ${id}`);
    return mutant;
  });
  process.on("disconnect", () => process.exit(1)); // the runner is gone: stop here
  process.on("unhandledRejection", (reason) => console.error("unhandled rejection (ignored):", reason));

  const recompiler = new Recompiler();
  let started = Date.now();
  if (process.env.OPENPOCO_WORKER === "0") {
    // The in-process compiler must reproduce hardhat's bytecode, or the mutants would be tested against
    // something else than what the tests deploy.
    const file = mutants[0].file;
    const mismatches = recompiler.check(file);
    if (mismatches.length > 0) {
      await fail(`in-process solc does not reproduce hardhat's bytecode of ${mismatches.join(", ")}`);
    }
    await send({
      kind: "phase",
      text: `in-process solc reproduces hardhat's bytecode (dependents of ${file}) in ${seconds(started).toFixed(1)} s`,
    });
  }

  started = Date.now();
  const files = [...new Set(mutants.flatMap((m) => m.tests))];
  const baseline = await runTests(files);
  if (baseline.failure) {
    await fail(`the tests fail without any mutant: ${baseline.failure}`);
  }
  await send({
    kind: "phase",
    text: `${baseline.passed} tests of ${files.length} files pass on the original code (${seconds(started).toFixed(1)} s)`,
  });

  for (const mutant of mutants) {
    const file = path.join(root, mutant.file);
    const original = fs.readFileSync(file, "utf8");
    const mutated = replaceOnce(original, mutant);
    let compileSeconds: number;
    let testSeconds = 0;
    try {
      fs.writeFileSync(file, mutated);
      let time = Date.now();
      const errors = recompiler.compile(mutant.file, mutated);
      compileSeconds = seconds(time);
      if (errors.length > 0) {
        await send({
          kind: "result",
          id: mutant.id,
          outcome: "no-compile",
          compileSeconds,
          testSeconds,
          detail: errors[0].split("\n")[0],
        });
        continue;
      }
      time = Date.now();
      const { failure } = await runTests(mutant.tests, mutant.grep);
      testSeconds = seconds(time);
      await send({
        kind: "result",
        id: mutant.id,
        outcome: failure ? "killed" : "survived",
        compileSeconds,
        testSeconds,
        detail: failure ?? "",
      });
    } finally {
      fs.writeFileSync(file, original);
      recompiler.restore();
    }
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => fail(error.stack ?? String(error)),
);
