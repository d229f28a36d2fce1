/** `worker start`: runs a worker of a workerpool until interrupted. */
import path from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../../sdk/core/errors";
import { DEV_ENCLAVE_WARNING, TEE_DEV_ANY_CHAIN_FLAG } from "../../sdk/core/tee-dev";
import { DEFAULT_WORKER_LIMITS, WorkerApp } from "../../worker/agent";
import { FolderResultStorage } from "../../worker/result-storage";
import { action } from "../action";
import { positiveInt, serveUntilSignal, serviceLogger } from "../service";
import type { Session } from "../session";

/** Where `scheduler start` listens by default, and so where workers look for it. */
export const DEFAULT_SCHEDULER_URL = "http://127.0.0.1:13100";

interface StartOptions {
  scheduler: string;
  sms?: string;
  resultStore?: string;
  ipfsNode?: string;
  ipfsGateway?: string;
  dataDir: string;
  resultsDir?: string;
  slots: string;
  pollMs: string;
  memory: string;
  cpus: string;
  maxRun?: string;
  tee?: string;
  teeDevOnAnyChain?: boolean;
}

/** An http(s) URL option, without its trailing slashes; undefined when not given. */
function urlOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(value))
    throw new InvalidInputError(`--${name} must be an http(s) URL, got ${JSON.stringify(value)}.`);
  return value.replace(/\/+$/, "");
}

function cpus(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || parsed <= 0)
    throw new InvalidInputError(`--cpus must be a number above zero, got ${JSON.stringify(value)}.`);
  return parsed;
}

/** `--tee`: only the development enclave exists here. */
function teeMode(value: string | undefined): "dev" | undefined {
  if (value === undefined) return undefined;
  if (value !== "dev")
    throw new InvalidInputError(
      `--tee ${JSON.stringify(value)} is not a TEE mode of this worker: give --tee dev (a ${DEV_ENCLAVE_WARNING}), or no --tee.`,
    );
  return value;
}

async function start(session: Session, options: StartOptions): Promise<void> {
  const chain = await session.chain();
  const wallet = await session.wallet();
  const dataDir = path.resolve(options.dataDir);
  const worker = await session.out.step(
    `Starting worker ${wallet.address}`,
    WorkerApp.start({
      chain,
      signer: wallet.privateKey,
      schedulerUrl: options.scheduler,
      smsUrl: options.sms ?? chain.sms,
      dataDir,
      resultStorage: options.resultsDir
        ? new FolderResultStorage(path.resolve(options.resultsDir))
        : undefined,
      resultStoreUrl: options.resultStore ?? chain.resultProxy,
      ipfsNode: urlOption("ipfs-node", options.ipfsNode) ?? chain.ipfsNode,
      ipfsGateway: urlOption("ipfs-gateway", options.ipfsGateway) ?? chain.ipfsGateway,
      slots: positiveInt("slots", options.slots),
      pollMs: positiveInt("poll-ms", options.pollMs),
      limits: { memoryBytes: positiveInt("memory", options.memory) * 1024 * 1024, cpus: cpus(options.cpus) },
      maxRunMs: options.maxRun === undefined ? undefined : positiveInt("max-run", options.maxRun) * 1000,
      tee: teeMode(options.tee),
      teeDevOnAnyChain: !!options.teeDevOnAnyChain,
      logger: serviceLogger("worker", !!session.options.quiet, !!session.options.debug),
    }),
  );
  await serveUntilSignal(
    session.out,
    `Worker ${worker.address} polling ${options.scheduler} (chain ${chain.name})${worker.enclaveAddress ? `, TEE tasks in a ${DEV_ENCLAVE_WARNING} (enclave ${worker.enclaveAddress})` : ""}, Ctrl-C to stop`,
    {
      address: worker.address,
      scheduler: options.scheduler,
      dataDir,
      ...(worker.enclaveAddress
        ? { tee: "dev", enclave: worker.enclaveAddress, warning: DEV_ENCLAVE_WARNING }
        : {}),
    },
    () => worker.stop(),
  );
}

/** Registers `worker`. */
export function registerWorker(program: Command): void {
  const worker = program
    .command("worker")
    .description("a worker: runs apps in Docker and contributes results");
  worker
    .command("start")
    .option("--scheduler <url>", "URL of the workerpool's scheduler", DEFAULT_SCHEDULER_URL)
    .option("--sms <url>", "URL of the SMS releasing the tasks' secrets (default: chain.json's sms)")
    .option(
      "--data-dir <dir>",
      "folder of the worker's journal and task folders",
      path.join("data", "worker"),
    )
    .option(
      "--result-store <url>",
      "result store chosen uploaders push to (default: chain.json's resultProxy)",
    )
    .option(
      "--ipfs-node <url>",
      "kubo RPC URL results are added to when a request asks for IPFS (default: chain.json's ipfsNode)",
    )
    .option(
      "--ipfs-gateway <url>",
      "IPFS gateway /ipfs/ datasets are fetched through, block by block verified (default: chain.json's ipfsGateway)",
    )
    .option("--results-dir <dir>", "keep results in this folder instead of a result store (one machine)")
    .option("--slots <n>", "tasks computed at once", "1")
    .option("--poll-ms <ms>", "time between polls of the scheduler", "200")
    .option(
      "--memory <MiB>",
      "memory limit of each app run",
      String(DEFAULT_WORKER_LIMITS.memoryBytes / 1024 / 1024),
    )
    .option("--cpus <n>", "CPU limit of each app run", String(DEFAULT_WORKER_LIMITS.cpus))
    .option("--max-run <seconds>", "time limit of each app run (default: the category's time)")
    .option("--tee <mode>", `run TEE tasks: "dev", a ${DEV_ENCLAVE_WARNING} (local development chains only)`)
    .option(TEE_DEV_ANY_CHAIN_FLAG, "allow --tee dev on a chain that is not a local development chain")
    .description("poll the scheduler, run tasks and contribute (the wallet is the worker's account)")
    .action(action(start));
}
