/**
 * The local marketplace as one supervised process tree: a Hardhat chain (journaled, so it survives
 * restarts) or an attached node, the core contracts deployed if absent, a Docker registry, a file host,
 * the market, the SMS, the result store, an IPFS node, the workerpool's scheduler and its workers, all on embedded
 * defaults (SQLite files, logs and keys under one data folder). Owns no rule of its own: every part is
 * the `openpoco` command a user would run by hand.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { STACK_ROLES, localAccountKey } from "./accounts";
import { OpenPocoError } from "../sdk/core/errors";
import { writeFileAtomic } from "../sdk/node/files";
import { REGISTRY_BIN, ensureDockerEngine, registryAnswers, writeRegistryConfig } from "./docker-images";
import { startFileHost } from "./file-host";
import {
  DEPLOY_VARIABLES,
  STACK_PORTS,
  stackPaths,
  stackPorts,
  writeStackChainFiles,
  type StackManifest,
  type StackPart,
  type StandingOffer,
} from "./layout";
import { acquireLock, lockHolder, processStart, type LockHolder } from "./lock";
import { STACK_WALLET_PASSWORD, provisionStack } from "./provision";
import { Supervisor, type ChildStatus, type ReadyAnswer } from "./supervisor";
import { Wallet } from "ethers";
import { IPFS_NODE_FLAGS } from "../ipfs/process-flags";
import { PUBLISHER_STATE_FILE } from "../publisher/state-file";
import { MarketClient, TEE_TDX_TAG, registerWorkerpoolApi } from "../sdk/core";
import { DEV_ENCLAVE_WARNING } from "../sdk/core/tee-dev";

const SETPRIV = "/usr/bin/setpriv";
/** Tasks per order of the stack's standing offer. */
const STACK_OFFER_VOLUME = "100";
/** Workers use accounts #10 and up; Hardhat funds #0 to #19. */
const MAX_WORKERS = 10;
/** The local chain's environment: the deploy variables of a shell removed (undefined = not passed). */
const withoutDeployVariables = Object.fromEntries(DEPLOY_VARIABLES.map((name) => [name, undefined]));

/** How to run the stack. */
export interface StackOptions {
  /** Folder of every file of the stack (default data/stack). */
  dataDir: string;
  /** JSON-RPC URL of a node to attach to instead of starting a Hardhat chain. */
  rpc?: string;
  /** Number of workers (default 2; 0 runs no worker and needs no Docker engine). */
  workers: number;
  /** Added to every default port. */
  portOffset: number;
  /** Progress lines for the person waiting. */
  onEvent: (message: string) => void;
  /** Starts the explorer's web server, when it is built. */
  startExplorer?: (
    chain: StackManifest["chain"],
    port: number,
  ) => Promise<{ url: string; stop(): Promise<void> }>;
}

/**
 * The stack's refusals (before anything starts, or of a command on a stack that is not there): a clear
 * sentence naming the fix. Code `STACK_ERROR`.
 */
export class StackError extends OpenPocoError {
  constructor(message: string) {
    super("STACK_ERROR", message);
  }
}

/** The project folder (where hardhat.config.ts is), found upwards from this file. */
export function projectRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir))
    if (existsSync(path.join(dir, "hardhat.config.ts"))) return dir;
  throw new StackError(
    "The stack runs from the OpenPoCo repository (it deploys with its Hardhat scripts): run it from a clone.",
  );
}

/** Fails with how to start Docker when no engine answers. */
async function checkDocker(): Promise<void> {
  try {
    await ensureDockerEngine();
  } catch (error) {
    throw new StackError(
      `${(error as Error).message.split(":")[0]}: workers run apps in Docker. ` +
        "Start one with `sudo bash scripts/docker-up.sh` (installs Debian's docker.io and starts dockerd), " +
        "or run the stack without workers: --workers 0.",
    );
  }
  if (!existsSync(REGISTRY_BIN))
    throw new StackError(
      `${REGISTRY_BIN} is missing: the stack's app images go to a local registry. Install it with ` +
        "`sudo bash scripts/docker-up.sh` (Debian's docker-registry), or run with --workers 0.",
    );
}

/** True when nothing listens on 127.0.0.1:`port`. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * Waits until every port is free: the parts of a stack that was killed stop by themselves within a
 * second or two. A port still taken after that belongs to another program.
 */
async function waitForPorts(ports: Record<string, number>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const taken: string[] = [];
    for (const [part, port] of Object.entries(ports))
      if (!(await portFree(port))) taken.push(`${port} (${part})`);
    if (taken.length === 0) return;
    if (Date.now() > deadline)
      throw new StackError(
        `Port ${taken.join(", ")} is in use by another program: stop it, or move the whole stack with --port-offset <n>.`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Waits for what a killed stack of `dataDir` left running (a worker finishing its container, say):
 * they stop by themselves once they see their supervisor gone; after `timeoutMs` they are killed.
 */
async function waitForLeftovers(
  childrenFile: string,
  onEvent: (message: string) => void,
  timeoutMs = 20_000,
): Promise<void> {
  let listed: { pid: number; since?: string }[];
  try {
    listed = JSON.parse(readFileSync(childrenFile, "utf8"));
  } catch {
    return;
  }
  const alive = () => listed.filter(({ pid, since }) => since !== undefined && processStart(pid) === since);
  if (alive().length === 0) return;
  onEvent(`waiting for ${alive().length} part(s) of the previous stack to stop`);
  const deadline = Date.now() + timeoutMs;
  while (alive().length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 250));
  for (const { pid } of alive()) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}

/** First port the system hands out to outgoing connections (Linux's range; 32768 elsewhere). */
function ephemeralPortStart(): number {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
}

/**
 * Refuses ports in the ephemeral range: the stack's own connections would take them at random, and a
 * service would then find its port in use.
 */
function checkOutsideEphemeralRange(portOffset: number): void {
  const start = ephemeralPortStart();
  const highestDefault = Math.max(...Object.values(STACK_PORTS));
  if (highestDefault + portOffset >= start)
    throw new StackError(
      `--port-offset ${portOffset} puts port ${highestDefault + portOffset} in the range the system gives ` +
        `outgoing connections (${start} and up): pick an offset of at most ${start - 1 - highestDefault}.`,
    );
}

/** The manifest of a stack's data folder, if one was written. */
export function readManifest(dataDir: string): StackManifest | undefined {
  const file = stackPaths(dataDir).stackJson;
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as StackManifest) : undefined;
}

/** The manifest of the stack running from `dataDir`, or undefined when none runs (or it is still starting). */
export function runningManifest(dataDir: string): StackManifest | undefined {
  const holder = lockHolder(dataDir);
  const manifest = readManifest(dataDir);
  return holder && manifest?.pid === holder.pid ? manifest : undefined;
}

/** The error of a data folder held by another stack. */
function alreadyRunning(dataDir: string, holder: LockHolder): StackError {
  return new StackError(
    `A stack already runs from ${dataDir} (pid ${holder.pid}): stop it with \`openpoco stack down\` or use another --data-dir.`,
  );
}

/** Host every part of the stack listens on. */
const HOST = "127.0.0.1";

/**
 * The chain script runs with Hardhat's environment loaded in-process (what `hardhat run` does in a
 * re-launched child): one process to supervise and signal.
 */
const CHAIN_SCRIPT = [
  "--require",
  "ts-node/register/transpile-only",
  "--require",
  "hardhat/register",
  "src/stack/chain-node.ts",
];

/** A server of this process (file host, explorer), stopped with the stack. */
interface InProcessPart {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/** What the steps of a start share: the options, where things go, and what was started so far. */
interface Starting {
  options: StackOptions;
  dataDir: string;
  files: ReturnType<typeof stackPaths>;
  /** The project folder, where the chain script runs. */
  root: string;
  /** The built CLI, which runs every service. */
  cli: string;
  ports: ReturnType<typeof stackPorts>;
  url: (part: StackPart) => string;
  supervisor: Supervisor;
  inProcess: InProcessPart[];
}

/** The built CLI of the project at `root`; the services run from it, so it must exist. */
function builtCli(root: string): string {
  const cli = path.join(root, "dist", "src", "cli", "main.js");
  if (!existsSync(cli))
    throw new StackError(`${cli} is missing: run \`npm run build\` first (npm start does).`);
  return cli;
}

/** Stops what a failed start had started, last first, ignoring what fails to stop. */
async function stopStarted({ inProcess, supervisor }: Starting): Promise<void> {
  for (const part of [...inProcess].reverse()) await part.stop().catch(() => undefined);
  await supervisor.stopAll(5000);
}

/** The chain: ours, journaled, or the given node with the contracts deployed if absent. */
async function startChain({ options, files, root, ports, supervisor }: Starting): Promise<ReadyAnswer> {
  options.onEvent(options.rpc ? `attaching to ${options.rpc}` : "starting the chain");
  const answer = options.rpc
    ? await supervisor.runOnce({
        name: "deploy",
        command: process.execPath,
        args: CHAIN_SCRIPT,
        cwd: root,
        env: { HARDHAT_NETWORK: "remote", RPC_URL: options.rpc, OPENPOCO_CHAIN_DIR: files.chain },
        readyTimeoutMs: 600_000,
      })
    : await supervisor.start({
        name: "chain",
        command: process.execPath,
        args: CHAIN_SCRIPT,
        cwd: root,
        env: {
          ...withoutDeployVariables,
          HARDHAT_NETWORK: "hardhat",
          OPENPOCO_CHAIN_DIR: files.chain,
          OPENPOCO_CHAIN_HOST: HOST,
          OPENPOCO_CHAIN_PORT: String(ports.chain),
        },
        // Replaying a long journal takes a while: about a millisecond a block.
        readyTimeoutMs: 1_800_000,
      });
  options.onEvent(
    answer.deployed
      ? `contracts deployed, hub ${answer.hub}`
      : `chain at block ${answer.block ?? "?"}${answer.replayed ? ` (${answer.replayed} blocks replayed)` : ""}, hub ${answer.hub}`,
  );
  return answer;
}

/**
 * Writes the stack's chain.json (the chain and the services' URLs, as the official CLI accepts them) and
 * its companion (our extra URLs), which every part reads.
 */
async function writeChainJson(
  { options, files, url }: Starting,
  chainAnswer: ReadyAnswer,
): Promise<StackManifest["chain"]> {
  const chain: StackManifest["chain"] = {
    name: "local",
    host: options.rpc ?? String(chainAnswer.url),
    id: String(chainAnswer.chainId),
    hub: String(chainAnswer.hub),
    iexecGateway: url("market"),
    sms: url("sms"),
    resultProxy: url("results"),
    // One port serves both: results and datasets are added through the RPC, fetched through the gateway.
    ipfsGateway: url("ipfs"),
    ipfsNode: url("ipfs"),
    // Compass is served at the market's root (see market/compass.ts).
    compass: url("market"),
    ...(options.startExplorer ? { explorer: url("explorer") } : {}),
  };
  await writeStackChainFiles(path.dirname(files.chainJson), chain);
  return chain;
}

/** The Docker registry the workers pull app images from; returns its host:port. */
async function startRegistry({ dataDir, files, ports, supervisor }: Starting): Promise<string> {
  const config = await writeRegistryConfig(files.registry, ports.registry);
  const registry = `${HOST}:${ports.registry}`;
  // The registry cannot watch its supervisor as our services do: the kernel stops it instead
  // when the stack dies (util-linux's setpriv, present on Debian), so its port is never left taken.
  const pdeath = existsSync(SETPRIV) ? [SETPRIV, "--pdeathsig", "SIGTERM", "--"] : [];
  await supervisor.start({
    name: "registry",
    command: pdeath[0] ?? REGISTRY_BIN,
    args: [...pdeath.slice(1), ...(pdeath.length ? [REGISTRY_BIN] : []), "serve", config],
    cwd: dataDir,
    probe: async () => ((await registryAnswers(registry)) ? { ready: true, host: registry } : undefined),
    readyTimeoutMs: 30_000,
  });
  return registry;
}

/** Starts `openpoco <args> --raw` as the supervised child `name`, with the wallet given if any. */
function startOpenpoco(
  { cli, dataDir, supervisor }: Starting,
  name: string,
  args: string[],
  wallet?: { keystoreDir: string; walletFile: string },
  nodeFlags: readonly string[] = [],
): Promise<ReadyAnswer> {
  return supervisor.start({
    name,
    command: process.execPath,
    args: [
      ...nodeFlags,
      cli,
      ...args,
      "--raw",
      ...(wallet ? ["--keystoredir", wallet.keystoreDir, "--wallet-file", wallet.walletFile] : []),
    ],
    cwd: dataDir,
    env: { OPENPOCO_WALLET_PASSWORD: STACK_WALLET_PASSWORD },
  });
}

/** The market, the SMS, the result store and the IPFS node, at once: none needs another to start. */
async function startServices(starting: Starting): Promise<void> {
  const { files, ports } = starting;
  starting.options.onEvent("starting the market, the SMS, the result store and the IPFS node");
  await Promise.all([
    startOpenpoco(starting, "market", [
      "market",
      "start",
      "--port",
      String(ports.market),
      "--data-dir",
      files.service("market"),
    ]),
    // The workers' development enclaves get TEE deals' secrets only from an SMS in the same mode.
    startOpenpoco(starting, "sms", [
      "sms",
      "start",
      "--port",
      String(ports.sms),
      "--data-dir",
      files.service("sms"),
      "--tee",
      "dev",
    ]),
    startOpenpoco(starting, "results", [
      "result",
      "serve",
      "--port",
      String(ports.results),
      "--data-dir",
      files.service("results"),
    ]),
    startOpenpoco(
      starting,
      "ipfs",
      ["ipfs", "start", "--port", String(ports.ipfs), "--data-dir", files.service("ipfs")],
      undefined,
      IPFS_NODE_FLAGS,
    ),
  ]);
}

/** The workerpool's scheduler, then its workers (they log in to the scheduler). */
async function startWorkerpool(
  starting: Starting,
  provisioned: Awaited<ReturnType<typeof provisionStack>>,
): Promise<void> {
  const { options, files, ports, url } = starting;
  options.onEvent(`starting the scheduler of ${provisioned.workerpool} and ${options.workers} worker(s)`);
  await startOpenpoco(
    starting,
    "scheduler",
    [
      "scheduler",
      "start",
      "--workerpool",
      provisioned.workerpool,
      "--port",
      String(ports.scheduler),
      "--data-dir",
      files.service("scheduler"),
    ],
    provisioned.scheduler,
  );
  await Promise.all(
    provisioned.workers.map((wallet, i) =>
      startOpenpoco(
        starting,
        `worker-${i + 1}`,
        // Each worker also runs TEE tasks, in a development enclave: the chain is the local one.
        [
          "worker",
          "start",
          "--scheduler",
          url("scheduler"),
          "--data-dir",
          files.service(`worker-${i + 1}`),
          "--tee",
          "dev",
        ],
        wallet,
      ),
    ),
  );
}

/**
 * Registers the scheduler's URL as the workerpool's API in Compass, signed by the pool owner: the
 * official SDK's `task debug` and our CLI find the task API from the workerpool address.
 */
async function registerInCompass(
  starting: Starting,
  chain: StackManifest["chain"],
  workerpool: string,
): Promise<void> {
  const apiUrl = starting.url("scheduler");
  await registerWorkerpoolApi({
    compass: chain.compass,
    market: new MarketClient(chain.iexecGateway, BigInt(chain.id)),
    workerpool,
    apiUrl,
    signer: new Wallet(localAccountKey(STACK_ROLES.workerpoolOwner)),
  });
  starting.options.onEvent(`Compass: workerpool ${workerpool} -> ${apiUrl}`);
}

/**
 * The highest trust the stack's workers can reach: trust t needs (t + 1) / 2 agreeing new workers,
 * so n workers reach 2n - 1 (the demo's trust 3 with the default 2 workers).
 */
export function reachableTrust(workers: number): bigint {
  return BigInt(Math.max(1, 2 * workers - 1));
}

/**
 * A standing offer of the workerpool (`openpoco workerpool offer start`), supervised like the other
 * services: free tasks at the trust the workers reach, in every category, refilled as consumed. The
 * stack runs two: the standard one, and a TEE+TDX one (the tag the official SDK puts on every order)
 * that the workers' development enclaves serve.
 */
async function startOfferPublisher(
  starting: Starting,
  provisioned: Awaited<ReturnType<typeof provisionStack>>,
  kind: { name: string; dir: string; tag?: string },
): Promise<StandingOffer> {
  const { options } = starting;
  const offer = {
    stateFile: path.join(kind.dir, PUBLISHER_STATE_FILE),
    trust: reachableTrust(options.workers).toString(),
    price: "0",
    volume: STACK_OFFER_VOLUME,
  };
  options.onEvent(
    `publishing the workerpool's ${kind.tag ? `TEE+TDX (tag ${kind.tag}, ${DEV_ENCLAVE_WARNING}) ` : ""}standing offer (price 0, trust ${offer.trust}, volume ${offer.volume})`,
  );
  await startOpenpoco(
    starting,
    kind.name,
    [
      "workerpool",
      "offer",
      "start",
      "--workerpool",
      provisioned.workerpool,
      "--price",
      offer.price,
      "--trust",
      offer.trust,
      "--volume",
      offer.volume,
      ...(kind.tag ? ["--tag", kind.tag] : []),
      "--data-dir",
      kind.dir,
    ],
    provisioned.scheduler,
  );
  return offer;
}

/** The explorer's web server, when the caller can start one (it is built); returns its URL. */
async function startExplorer(starting: Starting, chain: StackManifest["chain"]): Promise<string | undefined> {
  if (!starting.options.startExplorer) return undefined;
  const started = await starting.options.startExplorer(chain, starting.ports.explorer);
  starting.inProcess.push({ name: "explorer", url: started.url, stop: started.stop });
  return started.url;
}

/** A running stack. */
export class Stack {
  private constructor(
    readonly manifest: StackManifest,
    /** How the chain came up: blocks replayed from the journal, contracts deployed now or not. */
    readonly chainStart: { block?: number; replayed: number; deployed: boolean },
    private readonly supervisor: Supervisor,
    private readonly inProcess: InProcessPart[],
    private readonly dataDir: string,
    private readonly releaseLock: () => void,
  ) {}

  /** Each part: supervised children and the servers of this process. */
  status(): (ChildStatus | { name: string; state: "up"; url: string })[] {
    return [
      ...this.supervisor.status(),
      ...this.inProcess.map(({ name, url }) => ({ name, state: "up" as const, url })),
    ];
  }

  /** Stops everything, last started first, and removes the manifest. */
  async stop(): Promise<void> {
    for (const part of [...this.inProcess].reverse()) await part.stop();
    await this.supervisor.stopAll();
    rmSync(stackPaths(this.dataDir).stackJson, { force: true });
    this.releaseLock();
  }

  /** Starts the stack; on any failure stops what was started and throws. */
  static async start(options: StackOptions): Promise<Stack> {
    const dataDir = path.resolve(options.dataDir);
    const files = stackPaths(dataDir);
    if (!Number.isSafeInteger(options.workers) || options.workers < 0 || options.workers > MAX_WORKERS)
      throw new StackError(
        `--workers must be between 0 and ${MAX_WORKERS} (Hardhat's funded accounts #10 to #19), got ${options.workers}.`,
      );
    checkOutsideEphemeralRange(options.portOffset);
    mkdirSync(dataDir, { recursive: true });
    const releaseLock = acquireLock(dataDir, (holder) => alreadyRunning(dataDir, holder));
    try {
      return await Stack.startLocked(options, dataDir, files, releaseLock);
    } catch (error) {
      releaseLock();
      throw error;
    }
  }

  /** Starts every part in order, the data folder's lock held; on a failure stops what was started. */
  private static async startLocked(
    options: StackOptions,
    dataDir: string,
    files: ReturnType<typeof stackPaths>,
    releaseLock: () => void,
  ): Promise<Stack> {
    await waitForLeftovers(files.children, options.onEvent);
    if (options.workers > 0) await checkDocker();
    const root = projectRoot();
    const cli = builtCli(root);
    const ports = stackPorts(options.portOffset);
    // An attached node has its own port: only the services' ports must be free.
    const { chain: _attached, ...servicePorts } = ports;
    await waitForPorts(options.rpc ? servicePorts : ports);
    const starting: Starting = {
      options,
      dataDir,
      files,
      root,
      cli,
      ports,
      url: (part) => `http://${HOST}:${ports[part]}`,
      supervisor: new Supervisor(files.logs, options.onEvent, files.children),
      inProcess: [],
    };
    try {
      const chainAnswer = await startChain(starting);
      const chain = await writeChainJson(starting, chainAnswer);
      options.onEvent("checking the workerpool, stakes and wallets");
      const provisioned = await provisionStack({ ...chain, id: BigInt(chain.id) }, dataDir, options.workers);
      for (const action of provisioned.actions) options.onEvent(action);
      const registry = options.workers > 0 ? await startRegistry(starting) : undefined;
      const fileHost = await startFileHost(files.files, HOST, ports.files);
      starting.inProcess.push({ name: "files", url: fileHost.url, stop: fileHost.stop });
      await startServices(starting);
      await startWorkerpool(starting, provisioned);
      await registerInCompass(starting, chain, provisioned.workerpool);
      // Without workers nobody would compute what the offers sell.
      const [offer, teeOffer] =
        options.workers > 0
          ? await Promise.all([
              startOfferPublisher(starting, provisioned, { name: "offer", dir: files.offer }),
              startOfferPublisher(starting, provisioned, {
                name: "offer-tdx",
                dir: files.teeOffer,
                tag: TEE_TDX_TAG,
              }).then((started) => ({ ...started, tag: TEE_TDX_TAG })),
            ])
          : [undefined, undefined];
      const explorer = await startExplorer(starting, chain);
      const manifest: StackManifest = {
        pid: process.pid,
        dataDir,
        startedAt: new Date().toISOString(),
        chain,
        workerpool: provisioned.workerpool,
        scheduler: {
          url: starting.url("scheduler"),
          owner: new Wallet(localAccountKey(STACK_ROLES.workerpoolOwner)).address,
          keystoreDir: provisioned.scheduler.keystoreDir,
          walletFile: provisioned.scheduler.walletFile,
        },
        workers: provisioned.workers.map(({ address }) => ({ address })),
        offer,
        teeOffer,
        registry,
        files: fileHost.url,
        explorer,
      };
      // Written last: its presence (with this pid) is what tells other commands the stack is up.
      await writeFileAtomic(files.stackJson, JSON.stringify(manifest, null, 2) + "\n");
      const chainStart = {
        block: chainAnswer.block as number | undefined,
        replayed: Number(chainAnswer.replayed ?? 0),
        deployed: chainAnswer.deployed === true,
      };
      return new Stack(manifest, chainStart, starting.supervisor, starting.inProcess, dataDir, releaseLock);
    } catch (error) {
      await stopStarted(starting);
      throw error;
    }
  }
}
