/**
 * `openpoco stack demo`: the seed documents played on the running stack as their users would, each
 * step an `openpoco` command in the user's own project folder, printed with what it did and the chain's
 * evidence. The app developer builds and registers a Docker app, the dataset owner publishes an
 * encrypted dataset, the workerpool's standing offer sells compute (no pool-owner action), a requester
 * buys an execution, the stack's workers compute and agree, and the requester downloads the verified
 * result. It ends with the explorer's links to the deal and the task.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  NotFoundError,
  OpenPoco,
  OpenPocoError,
  ServiceUnavailableError,
  TaskStatus,
  formatRlc,
  type TaskInfo,
} from "../sdk";
import { copyChainFiles } from "../sdk/node/chain-files";
import { STACK_ROLES, localAccountKey } from "./accounts";
import { buildAppImage } from "./docker-images";
import { manifestChain, stackPaths, type StackManifest } from "./layout";
import { STACK_WALLET_PASSWORD } from "./provision";
import { reachableTrust } from "./stack";

/** Where the demo speaks (the CLI's Output fits). */
export interface DemoOutput {
  print(text: string): void;
  info(text: string): void;
}

/** What the demo ends with. */
export interface DemoResult {
  app: string;
  dataset: string;
  workerpool: string;
  dealid: string;
  taskid: string;
  status: string;
  consensus: string;
  result: string;
  resultPath: string;
  /** Explorer pages of the deal and the task, when the stack serves the explorer. */
  links?: { deal: string; task: string };
}

/**
 * A step's failure: names the step and the command's own error, whose sentence says what to do (the
 * commands' errors do). Code `DEMO_STEP_FAILED`.
 */
export class DemoStepError extends OpenPocoError {
  constructor(
    readonly step: string,
    reason: string,
  ) {
    super("DEMO_STEP_FAILED", `demo step "${step}" failed: ${reason}`);
  }
}

/** The demo app: greets its argument and reports the size of its dataset; the report is deterministic. */
export const DEMO_APP_SCRIPT = [
  'f="/iexec_in/$IEXEC_DATASET_FILENAME"',
  'words=$(wc -w < "$f" | tr -d " ")',
  'echo "Hello, $1! Your dataset has $words words." > /iexec_out/result.txt',
  "cp /iexec_out/result.txt /iexec_out/determinism.iexec",
].join("; ");

const DEMO_DATASET = "the quick brown fox jumps over the lazy dog\n";
/**
 * Trust 3 (two of the stack's new workers must compute and agree), or what the stack's workers can
 * reach when it runs fewer: the standing offer sells up to that trust.
 */
function demoTrust(manifest: StackManifest): string {
  return (
    reachableTrust(manifest.workers.length) < 3n ? reachableTrust(manifest.workers.length) : 3n
  ).toString();
}
const CLI = path.resolve(__dirname, "..", "cli", "main.js");
/** Time the scheduler gets to initialize the task (restarts of the stack included). */
const INITIALIZE_TIMEOUT_MS = 5 * 60_000;

interface Role {
  name: string;
  dir: string;
  key: string;
}

/** The user's project folder with the stack's chain.json and the wallet imported, as the seed starts. */
function role(root: string, name: string, account: number): Role {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return { name, dir, key: localAccountKey(account) };
}

async function retryWhileDown<T>(what: string, out: DemoOutput, work: () => Promise<T>): Promise<T> {
  let told = false;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      const message = (error as Error).message;
      const down =
        error instanceof ServiceUnavailableError ||
        /ECONNREFUSED|ECONNRESET|connect|socket hang up|fetch failed|not answer/i.test(message);
      if (!down) throw error;
      if (!told)
        out.info(
          `${what}: the stack does not answer (${message.split("\n")[0]}); waiting for it to come back`,
        );
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Plays the walkthrough on the stack of `manifest`. */
export async function runDemo(manifest: StackManifest, out: DemoOutput): Promise<DemoResult> {
  if (!manifest.registry)
    throw new DemoStepError(
      "setup",
      "the stack runs without workers or registry (--workers 0): start it with workers.",
    );
  const runId = new Date()
    .toISOString()
    .replace(/[-:T.Z]/g, "")
    .slice(0, 14);
  const chain = manifestChain(manifest);
  const reader = await OpenPoco.connect({ chain });
  try {
    const demo = new Walkthrough(manifest, out, runId, reader);
    const developer = role(demo.root, "app-developer", STACK_ROLES.appDeveloper);
    const owner = role(demo.root, "dataset-owner", STACK_ROLES.datasetOwner);
    const pool = role(demo.root, "workerpool-owner", STACK_ROLES.workerpoolOwner);
    const requester = role(demo.root, "requester", STACK_ROLES.requester);
    out.print(`Walkthrough ${runId} on ${chain.host} (hub ${chain.hub}); project folders in ${demo.root}`);
    out.print(
      `To run commands again in a folder: cd into it and add \`--keystoredir keystore\` (the wallet's folder ` +
        `there), with the password "${STACK_WALLET_PASSWORD}" (or export OPENPOCO_WALLET_PASSWORD=${STACK_WALLET_PASSWORD}).`,
    );

    const image = await demo.pushAppImage(manifest.registry);
    const app = await demo.registerApp(developer, image);
    await demo.publishAppOrder(developer);
    const dataset = await demo.publishDataset(owner);
    await demo.showStandingOffer(pool);
    const { dealid, taskid } = await demo.buyRun(requester, app, dataset);
    const task = await demo.followTask(taskid);
    const { result, resultPath } = await demo.downloadResult(requester, taskid);
    const links = demo.explorerLinks(dealid, taskid);
    return {
      links,
      app,
      dataset,
      workerpool: manifest.workerpool,
      dealid,
      taskid,
      status: task.statusName,
      consensus: task.consensusValue,
      result,
      resultPath,
    };
  } finally {
    reader.close();
  }
}

/** The CLI's `--raw` answer: JSON whose shape each step knows from the command it ran. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CliAnswer = Record<string, any>;

/** The demo's steps, in the order `runDemo` plays them, and what they share: the output and the CLI. */
class Walkthrough {
  /** Folder of this run's project folders, one per role. */
  readonly root: string;
  private stepNumber = 0;

  constructor(
    private readonly manifest: StackManifest,
    private readonly out: DemoOutput,
    private readonly runId: string,
    /** A client of the stack's chain, to show the chain's evidence of each step. */
    private readonly reader: OpenPoco,
  ) {
    this.root = path.join(stackPaths(manifest.dataDir).demo, runId);
  }

  private step(title: string): void {
    this.out.print(`\n${++this.stepNumber}. ${title}`);
  }

  private evidence(text: string): void {
    this.out.print(`   ↳ ${text}`);
  }

  /** Runs `openpoco <args> --raw` in the role's folder; returns its answer or throws with its error. */
  private openpoco(who: Role, args: string[], keystore = path.join(who.dir, "keystore")): Promise<CliAnswer> {
    // Keys shown shortened: they are public test keys, but a demo should not teach pasting keys around.
    const shown = args.map((arg) =>
      arg === who.key
        ? `${arg.slice(0, 6)}…${arg.slice(-4)}`
        : /[\s"']/.test(arg)
          ? JSON.stringify(arg)
          : arg,
    );
    this.out.print(`   $ openpoco ${shown.join(" ")}`);
    return new Promise<CliAnswer>((resolve, reject) =>
      execFile(
        process.execPath,
        [CLI, ...args, "--raw", "--keystoredir", keystore],
        {
          cwd: who.dir,
          env: { ...process.env, OPENPOCO_WALLET_PASSWORD: STACK_WALLET_PASSWORD },
          maxBuffer: 16 << 20,
        },
        (_error, stdout, stderr) => {
          let answer: CliAnswer;
          try {
            answer = JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
          } catch {
            return reject(new DemoStepError(args.join(" "), `no answer (${stderr.trim() || stdout.trim()})`));
          }
          if (answer.ok !== true)
            return reject(new DemoStepError(args.join(" "), answer.error?.message ?? stdout));
          resolve(answer);
        },
      ),
    );
  }

  /** The role's project: `init`, the stack's chain.json (and companion), and its Hardhat wallet imported. */
  private async setUp(who: Role): Promise<void> {
    await this.openpoco(who, ["init", "--skip-wallet"]);
    // The stack's chain files: the same local chain as `init` writes, with the stack's ports.
    await copyChainFiles(this.manifest.dataDir, who.dir);
    const imported = await this.openpoco(who, ["wallet", "import", who.key]);
    this.evidence(`wallet ${imported.address} (Hardhat account, funded by the stack's deployer)`);
    this.evidence(
      `folder ${who.dir}, keystore ${path.join(who.dir, "keystore")} (--keystoredir keystore), password "${STACK_WALLET_PASSWORD}"`,
    );
  }

  /** Edits the role's iexec.json as a user would by hand. */
  private editIexec(who: Role, change: (iexec: CliAnswer) => void): void {
    const file = path.join(who.dir, "iexec.json");
    const iexec = JSON.parse(readFileSync(file, "utf8"));
    change(iexec);
    writeFileSync(file, JSON.stringify(iexec, null, 2));
  }

  /** Builds the demo app's image and pushes it to the stack's registry. */
  async pushAppImage(registry: string): Promise<{ reference: string; checksum: string }> {
    this.step(
      "App developer: build the app image and push it to the registry (seed: Build & test your Docker image)",
    );
    this.out.print(
      `   $ docker build (FROM scratch + static busybox) && docker push ${registry}/hello-dataset`,
    );
    const image = await buildAppImage({ host: registry }, "hello-dataset", DEMO_APP_SCRIPT, { tag: "1.0" });
    this.evidence(`pushed ${image.reference}, digest sha256:${image.checksum.slice(2)}`);
    return image;
  }

  /** Registers the app on the image; returns its address. */
  async registerApp(developer: Role, image: { reference: string; checksum: string }): Promise<string> {
    this.step("App developer: register the app with its image digest as checksum (seed: Deploy your dapp)");
    await this.setUp(developer);
    await this.openpoco(developer, ["app", "init"]);
    this.editIexec(developer, (iexec) => {
      iexec.app.name = `hello-dataset-${this.runId}`;
      iexec.app.multiaddr = image.reference;
    });
    const app = await this.openpoco(developer, ["app", "deploy", "--from-image"]);
    const appInfo = await this.reader.assets.showApp(app.address);
    this.evidence(`app ${app.address} registered in tx ${app.txHash}`);
    this.evidence(
      `registry: owner ${appInfo.owner}, checksum ${appInfo.checksum} (= the pushed digest: ${appInfo.checksum === image.checksum})`,
    );
    return app.address;
  }

  async publishAppOrder(developer: Role): Promise<void> {
    this.step("App developer: init, sign and publish the app order (seed: Publish app order)");
    await this.openpoco(developer, ["order", "init", "--app"]);
    this.editIexec(developer, (iexec) => (iexec.order.apporder.appprice = "1000000000"));
    await this.openpoco(developer, ["order", "sign", "--app"]);
    const appOrder = await this.openpoco(developer, ["order", "publish", "--app"]);
    this.evidence(
      `apporder ${appOrder.apporder.orderHash} on the market at ${this.manifest.chain.iexecGateway} (price 1 RLC a run)`,
    );
  }

  /** Encrypts, hosts and registers the dataset, gives its key to the SMS, publishes its order; returns its address. */
  async publishDataset(owner: Role): Promise<string> {
    const { manifest, runId } = this;
    this.step(
      "Dataset owner: encrypt a dataset, put it on IPFS (or the file host), register it, give its key to the SMS",
    );
    await this.setUp(owner);
    await this.openpoco(owner, ["dataset", "init", "--encrypted"]);
    writeFileSync(path.join(owner.dir, "datasets", "original", "words.txt"), DEMO_DATASET);
    const encrypted = await this.openpoco(owner, ["dataset", "encrypt"]);
    const [file] = encrypted.encryptedFiles as { encryptedFile: string; checksum: string }[];
    this.editIexec(owner, (iexec) => (iexec.dataset.name = `words-${runId}`));
    // A stack with its IPFS part names its node in chain.json (and stack.json); older stacks have none.
    if (manifest.chain.ipfsNode) {
      // The stack's IPFS node: `dataset push` adds the file and sets /ipfs/<cid> and the checksum.
      const pushed = await this.openpoco(owner, ["dataset", "push"]);
      this.evidence(
        `AES-256-CBC file ${path.basename(file.encryptedFile)}, checksum ${pushed.checksum}, on IPFS at ${pushed.multiaddr}`,
      );
    } else {
      // The stack's file host serves its folder: copying the file there is hosting it.
      const hosted = `words-${runId}.txt.enc`;
      copyFileSync(file.encryptedFile, path.join(stackPaths(manifest.dataDir).files, hosted));
      this.evidence(
        `AES-256-CBC file ${path.basename(file.encryptedFile)}, checksum ${file.checksum}, served at ${manifest.files}/${hosted}`,
      );
      this.editIexec(owner, (iexec) => {
        iexec.dataset.multiaddr = `${manifest.files}/${hosted}`;
        iexec.dataset.checksum = file.checksum;
      });
    }
    const dataset = await this.openpoco(owner, ["dataset", "deploy"]);
    this.evidence(`dataset ${dataset.address} registered in tx ${dataset.txHash}`);
    await this.openpoco(owner, ["dataset", "push-secret"]);
    const secret = await this.openpoco(owner, ["dataset", "check-secret"]);
    this.evidence(`SMS at ${manifest.chain.sms} holds the key: ${secret.isSecretSet}`);
    await this.openpoco(owner, ["order", "init", "--dataset"]);
    this.editIexec(owner, (iexec) => (iexec.order.datasetorder.datasetprice = "1000000000"));
    await this.openpoco(owner, ["order", "sign", "--dataset"]);
    const datasetOrder = await this.openpoco(owner, ["order", "publish", "--dataset"]);
    this.evidence(`datasetorder ${datasetOrder.datasetorder.orderHash} on the market`);
    return dataset.address;
  }

  /**
   * Shows the workerpool's standing offer on the market: the stack's publisher keeps it open, so
   * the workerpool owner has nothing to do for a requester to be served.
   */
  async showStandingOffer(pool: Role): Promise<void> {
    const { manifest } = this;
    const trust = demoTrust(manifest);
    this.step("Workerpool owner: nothing to do, the pool's standing offer sells its compute");
    const keystore = manifest.scheduler.keystoreDir;
    mkdirSync(pool.dir, { recursive: true });
    await this.openpoco(pool, ["init", "--skip-wallet"], keystore);
    await copyChainFiles(manifest.dataDir, pool.dir);
    this.evidence(
      `folder ${pool.dir}, keystore ${keystore} (--keystoredir ${keystore}), password "${STACK_WALLET_PASSWORD}"`,
    );
    const book = await this.openpoco(
      pool,
      ["orderbook", "workerpool", manifest.workerpool, "--category", "0", "--min-trust", trust],
      keystore,
    );
    const orders = (book.orders ?? []) as CliAnswer[];
    const standing = orders.find((o) => BigInt(o.order?.trust ?? 0) >= BigInt(trust));
    if (!standing)
      throw new DemoStepError(
        "standing offer",
        `no workerpool order of ${manifest.workerpool} at trust ${trust} is on the market: see ${stackPaths(manifest.dataDir).logs}/offer.log`,
      );
    this.evidence(
      `workerpoolorder ${standing.orderHash}: ${standing.remaining} task(s) left at ${standing.order.workerpoolprice} nRLC, trust up to ${standing.order.trust}, refilled by the stack's publisher as it is consumed`,
    );
  }

  /** Deposits and runs the app on the dataset; returns the deal and its task. */
  async buyRun(requester: Role, app: string, dataset: string): Promise<{ dealid: string; taskid: string }> {
    this.step("Requester: deposit RLC and buy a run of the app on the dataset (seed: Quick start)");
    await this.setUp(requester);
    const deposit = await this.openpoco(requester, ["account", "deposit", "5", "RLC"]);
    this.evidence(`deposit in tx ${deposit.txHash}`);
    const run = await this.openpoco(requester, [
      "app",
      "run",
      app,
      "--dataset",
      dataset,
      "--workerpool",
      this.manifest.workerpool,
      "--trust",
      demoTrust(this.manifest),
      "--category",
      "0",
      "--args",
      "world",
    ]);
    const dealid: string = run.dealid;
    const deal = await this.reader.deals.show(dealid);
    const taskid = deal.tasks[0].taskid;
    const rlc = (nrlc: bigint) => formatRlc(nrlc).replace(/ RLC$/, "");
    const [appPrice, datasetPrice, poolPrice] = [deal.app.price, deal.dataset.price, deal.workerpool.price];
    this.evidence(
      `deal ${dealid} matched in tx ${run.txHash}: ${formatRlc(appPrice + datasetPrice + poolPrice)} locked ` +
        `(app ${rlc(appPrice)} + dataset ${rlc(datasetPrice)} + workerpool ${rlc(poolPrice)})`,
    );
    this.evidence(
      `task ${taskid}, trust ${deal.trust}, final deadline ${new Date(Number(deal.finalDeadline) * 1000).toISOString()}`,
    );
    return { dealid, taskid };
  }

  /** Follows the task on chain until it completes, printing each change; fails unless it COMPLETED. */
  async followTask(taskid: string): Promise<TaskInfo> {
    this.step(
      "Workers: the scheduler hands the task out, two workers compute in Docker, contribute, reveal; it finalizes",
    );
    const task = await this.pollTask(taskid);
    if (task.status !== TaskStatus.COMPLETED)
      throw new DemoStepError(
        "compute",
        `the task ended ${task.statusName}${task.claimable ? " (claimable)" : ""}`,
      );
    this.evidence(
      `consensus ${task.consensusValue} by ${task.contributors.length} workers, result digest ${task.resultDigest}`,
    );
    this.evidence(`results location: ${task.resultsText ?? task.results}`);
    return task;
  }

  /**
   * Polls the task until it is COMPLETED or claimable, through restarts of the stack (with a new
   * client each time it comes back), printing each change once.
   */
  private pollTask(taskid: string): Promise<TaskInfo> {
    const chain = manifestChain(this.manifest);
    let last = "";
    const initializeBy = Date.now() + INITIALIZE_TIMEOUT_MS;
    return retryWhileDown("following the task", this.out, async () => {
      const client = await OpenPoco.connect({ chain });
      try {
        for (;;) {
          const current = await client.tasks.show(taskid).catch((error: unknown) => {
            // Not initialized yet: the scheduler has not seen the deal (or the stack is coming back).
            if (error instanceof NotFoundError) return undefined;
            throw error;
          });
          if (current === undefined) {
            if (Date.now() > initializeBy)
              throw new DemoStepError(
                "compute",
                `the workerpool's scheduler did not initialize task ${taskid} within ${INITIALIZE_TIMEOUT_MS / 60_000} minutes: see ${stackPaths(this.manifest.dataDir).logs}/scheduler.log`,
              );
            if (last === "")
              this.evidence("task UNSET: waiting for the workerpool's scheduler to initialize it");
            last = "UNSET";
            await new Promise((resolve) => setTimeout(resolve, 500));
            continue;
          }
          const seen = `${current.statusName}, ${current.contributors.length} contribution(s), ${current.revealCounter} reveal(s)`;
          if (seen !== last) this.evidence(`task ${seen}`);
          last = seen;
          if (current.status >= TaskStatus.COMPLETED || current.claimable) return current;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      } finally {
        client.close();
      }
    });
  }

  /** Downloads the result, which the CLI checks against the on-chain digest; returns result.txt. */
  async downloadResult(requester: Role, taskid: string): Promise<{ result: string; resultPath: string }> {
    this.step("Requester: download the result, checked against the on-chain digest");
    const downloaded = await this.openpoco(requester, ["result", "download", taskid, "--out", "result"]);
    const result = readFileSync(path.join(downloaded.resultPath, "result.txt"), "utf8").trim();
    this.evidence(`verified: ${downloaded.verified}, files: ${(downloaded.files as string[]).join(", ")}`);
    this.out.print(`\n   result.txt: ${result}\n`);
    return { result, resultPath: downloaded.resultPath };
  }

  /** Prints the explorer's pages of the deal and the task (when the stack serves the explorer). */
  explorerLinks(dealid: string, taskid: string): { deal: string; task: string } | undefined {
    const explorer = this.manifest.explorer;
    if (!explorer) return undefined;
    const base = explorer.replace(/\/+$/, "");
    const links = { deal: `${base}/#/deal/${dealid}`, task: `${base}/#/task/${taskid}` };
    this.out.print(`In the explorer:\n   deal ${links.deal}\n   task ${links.task}`);
    return links;
  }
}
