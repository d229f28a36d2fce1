/**
 * The official iExec CLI (npm `iexec` 9.0.1, its `iexec` binary, unchanged) plays the whole walkthrough
 * on `stack up`'s marketplace, with its default TEE+TDX tags: init and wallet import; app init, deploy
 * and show; orders of the app, an encrypted dataset and requests, signed and published; the orderbook;
 * the account; `app run --watch` to COMPLETED and `task show --download`; `task debug --logs` through
 * Compass; the encrypted dataset (`dataset init --encrypted`, `encrypt`, an `/ipfs/` multiaddr,
 * `push-secret`, `check-secret`) read decrypted by the app; `app run --encrypt-result` after
 * `result push-encryption-key`, then `result decrypt`; and `deal claim` of a deal that expired.
 * The stack's workers run these TDX deals in their development enclaves, its TDX standing offer sells
 * them. (@stack @docker: needs `npm run build` and the Docker engine.)
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { HDNodeWallet, Wallet } from "ethers";
import { IpfsClient, TEE_TDX_TAG, unzipTo } from "../../src/sdk";
import { CHAIN_EXTRAS_JSON } from "../../src/sdk/core/chains";
import { LOCAL_MNEMONIC } from "../../src/stack/accounts";
import { buildAppImage } from "../../src/stack/docker-images";
import { stackPorts, type StackManifest } from "../../src/stack/layout";
import { portFree, startCli, type Running } from "../cli/child";

const IEXEC_BIN = path.join(__dirname, "..", "..", "node_modules", ".bin", "iexec");
const PASSWORD = "official";
/** What the app writes: the dataset's decrypted file when it has one, else a greeting. */
const APP_SCRIPT =
  'if [ -n "$IEXEC_DATASET_FILENAME" ]; then cat "/iexec_in/$IEXEC_DATASET_FILENAME" > /iexec_out/result.txt; ' +
  'else echo "hello from the official CLI" > /iexec_out/result.txt; fi; cp /iexec_out/result.txt /iexec_out/determinism.iexec';
const DATASET_TEXT = "name,face\nalice,0.93\n";

/** The key of the stack's account `index` (Hardhat's mnemonic). */
function accountKey(index: number): string {
  return HDNodeWallet.fromPhrase(LOCAL_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

/** A stack port offset whose ports are all free (not the other stack tests' offsets). */
async function freeOffset(): Promise<number> {
  for (let offset = 3_200; offset <= 19_000; offset += 1_100) {
    const free = await Promise.all(Object.values(stackPorts(offset)).map(portFree));
    if (free.every(Boolean)) return offset;
  }
  throw new Error("no free port offset for the stack");
}

/** The `--raw` answer of one official CLI command run in `dir`. */
interface Answer {
  ok: boolean;
  [key: string]: unknown;
}

/** Runs the official `iexec` binary in `dir` with `--raw`; resolves with its JSON answer (ok or not). */
function iexec(dir: string, args: string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    execFile(IEXEC_BIN, [...args, "--raw"], { cwd: dir, timeout: 300_000 }, (error, stdout, stderr) => {
      // A refusal's answer is on stderr.
      const line = (stdout.trim() || stderr.trim()).split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as Answer);
      } catch {
        reject(new Error(`iexec ${args.join(" ")}: no JSON answer (${error?.message}): ${stdout}${stderr}`));
      }
    });
  });
}

/** Like iexec, and fails the test unless the answer is ok. */
async function ok(dir: string, args: string[]): Promise<Answer> {
  const answer = await iexec(dir, args);
  expect(answer.ok, `iexec ${args.join(" ")}: ${JSON.stringify(answer)}`).to.equal(true);
  return answer;
}

/** Edits `dir`/iexec.json. */
function editIexecJson(dir: string, edit: (json: Record<string, Record<string, unknown>>) => void): void {
  const file = path.join(dir, "iexec.json");
  const json = JSON.parse(readFileSync(file, "utf8"));
  edit(json);
  writeFileSync(file, JSON.stringify(json, null, 2));
}

describe("the official iExec CLI on the stack @stack @docker", function () {
  this.timeout(900_000);
  let cwd: string;
  let stack: Running | undefined;
  let manifest: StackManifest;
  /** Project folders: the app developer and dataset owner (account #1), the requester (#4), the hub owner (#0). */
  const dirs = { developer: "", requester: "", owner: "" };
  const wallet = ["--password", PASSWORD, "--keystoredir", "./keystore"];
  const onChain = [...wallet, "--chain", "local"];
  const made = { app: "", dataset: "", checksum: "", ipfsCid: "" };

  before(async function () {
    cwd = mkdtempSync(path.join(os.tmpdir(), "openpoco-official-cli-"));
    const dataDir = path.join(cwd, "data");
    const offset = await freeOffset();
    stack = startCli(
      ["stack", "up", "--raw", "--workers", "1", "--data-dir", dataDir, "--port-offset", String(offset)],
      cwd,
    );
    for (let i = 0; i < 1500 && !stack.output().includes('{"ok":') && stack.child.exitCode === null; i++)
      await new Promise((resolve) => setTimeout(resolve, 200));
    const line = stack
      .output()
      .split("\n")
      .find((l) => l.startsWith('{"ok":'));
    expect(line, stack.output()).to.not.equal(undefined);
    manifest = JSON.parse(line!);
    expect((manifest as unknown as Answer).ok, line).to.equal(true);
    for (const [role, index] of [
      ["developer", 1],
      ["requester", 4],
      ["owner", 0],
    ] as const) {
      const dir = path.join(cwd, role);
      mkdirSync(dir);
      dirs[role] = dir;
      await ok(dir, ["init", "--skip-wallet", "--force"]);
      // The stack's chain.json, unchanged: the official schema accepts it (our extras are in the companion).
      copyFileSync(path.join(dataDir, "chain.json"), path.join(dir, "chain.json"));
      const imported = (await ok(dir, ["wallet", "import", accountKey(index), ...wallet])).wallet as {
        address: string;
      };
      expect(`0x${imported.address}`.toLowerCase()).to.equal(
        new Wallet(accountKey(index)).address.toLowerCase(),
      );
    }
  });

  after(async function () {
    if (stack && stack.child.exitCode === null) {
      stack.child.kill("SIGTERM");
      await stack.exited;
    }
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it("deploys, shows and offers an app; the requester deposits and reads the orderbook", async function () {
    const image = await buildAppImage({ host: manifest.registry! }, "official-cli-app", APP_SCRIPT, {
      tag: "1.0",
    });
    const dev = dirs.developer;
    await ok(dev, ["app", "init", ...wallet]);
    editIexecJson(dev, (json) => {
      json.app = { ...json.app, name: "official-cli-app", type: "DOCKER", multiaddr: image.reference };
      json.app.checksum = image.checksum;
      delete json.app.mrenclave;
    });
    made.app = String((await ok(dev, ["app", "deploy", ...onChain])).address);
    const shown = (await ok(dev, ["app", "show", made.app, "--chain", "local"])).app as Record<
      string,
      string
    >;
    expect(shown).to.include({ appMultiaddr: image.reference, appChecksum: image.checksum });
    await ok(dev, ["order", "init", "--app", ...onChain]);
    await ok(dev, ["order", "sign", "--app", ...onChain]);
    await ok(dev, ["order", "publish", "--app", "--force", ...onChain]);
    const book = await ok(dev, ["orderbook", "app", made.app, "--chain", "local"]);
    // 9.x tags every order it signs TEE+TDX.
    expect((book.appOrders as { tag: string }[]).map((o) => o.tag)).to.deep.equal([TEE_TDX_TAG]);

    const req = dirs.requester;
    await ok(req, ["account", "deposit", "20", "RLC", ...onChain]);
    const account = (await ok(req, ["account", "show", ...onChain])).balance as { stake: string };
    expect(BigInt(account.stake) >= 20n * 10n ** 9n).to.equal(true);
    // The stack's TDX standing offer is what the official SDK's runs need.
    const pools = await ok(req, ["orderbook", "workerpool", "--tag", "tee,tdx", "--chain", "local"]);
    const offers = pools.workerpoolOrders as { workerpool: string; tag: string }[];
    expect(offers.map((o) => [o.workerpool, o.tag])).to.deep.include([manifest.workerpool, TEE_TDX_TAG]);
  });

  it("runs the app with --watch to COMPLETED, downloads result.txt, and debugs the task with its logs", async function () {
    const req = dirs.requester;
    const run = await ok(req, ["app", "run", made.app, "--tag", "tee,tdx", "--watch", "--force", ...onChain]);
    const deal = (run.deals as { dealid: string }[])[0].dealid;
    const tasks = (run.tasks as { taskid: string; statusName: string }[]) ?? [];
    expect(
      tasks.map((t) => t.statusName),
      JSON.stringify(run),
    ).to.deep.equal(["COMPLETED"]);
    const taskid = tasks[0].taskid;
    const shown = await ok(req, ["task", "show", taskid, "--download", "first", ...onChain]);
    expect((shown.task as { results: { storage: string } }).results.storage).to.equal("ipfs");
    await unzipTo(path.join(req, "first.zip"), path.join(req, "first"));
    expect(readFileSync(path.join(req, "first", "result.txt"), "utf8")).to.equal(
      "hello from the official CLI\n",
    );
    // Compass gives the scheduler's task API: the task's history and the app's logs.
    const debug = await ok(req, ["task", "debug", taskid, "--logs", ...onChain]);
    expect((debug.offchainData as { task: { status: string } }).task.status).to.equal("COMPLETED");
    expect((debug.appLogs as unknown[] | undefined)?.length, JSON.stringify(debug)).to.be.above(0);
    expect((await ok(req, ["deal", "show", deal, "--chain", "local"])).deal).to.deep.include({
      tag: TEE_TDX_TAG,
    });
  });

  it("runs on an encrypted /ipfs/ dataset whose key went to the SMS: the app reads the decrypted file", async function () {
    const dev = dirs.developer;
    await ok(dev, ["dataset", "init", "--encrypted", ...wallet]);
    writeFileSync(path.join(dev, "datasets", "original", "faces.csv"), DATASET_TEXT);
    const encrypted = await ok(dev, ["dataset", "encrypt", "--force"]);
    const [file] = encrypted.encryptedFiles as { encrypted: string; checksum: string }[];
    // The official CLI leaves the upload to the user: the stack's IPFS node, as its chain.json companion names it.
    const extras = JSON.parse(readFileSync(path.join(manifest.dataDir, CHAIN_EXTRAS_JSON), "utf8"));
    const { cid } = await new IpfsClient({
      nodeUrl: extras.chains.local.ipfsNode,
      gatewayUrl: manifest.chain.ipfsGateway,
    }).addFile(file.encrypted);
    editIexecJson(dev, (json) => {
      json.dataset = { ...json.dataset, name: "faces", multiaddr: `/ipfs/${cid}`, checksum: file.checksum };
    });
    made.dataset = String((await ok(dev, ["dataset", "deploy", ...onChain])).address);
    await ok(dev, ["dataset", "push-secret", made.dataset, ...onChain]);
    expect(
      (await ok(dev, ["dataset", "check-secret", made.dataset, "--chain", "local"])).isSecretSet,
    ).to.equal(true);
    await ok(dev, ["order", "init", "--dataset", ...onChain]);
    await ok(dev, ["order", "sign", "--dataset", ...onChain]);
    await ok(dev, ["order", "publish", "--dataset", "--force", ...onChain]);

    const req = dirs.requester;
    const run = await ok(req, [
      "app",
      "run",
      made.app,
      "--dataset",
      made.dataset,
      "--tag",
      "tee,tdx",
      "--watch",
      "--force",
      ...onChain,
    ]);
    const [task] = run.tasks as { taskid: string; statusName: string }[];
    expect(task.statusName, JSON.stringify(run)).to.equal("COMPLETED");
    await ok(req, ["task", "show", task.taskid, "--download", "dataset-run", ...onChain]);
    await unzipTo(path.join(req, "dataset-run.zip"), path.join(req, "dataset-run"));
    expect(readFileSync(path.join(req, "dataset-run", "result.txt"), "utf8")).to.equal(DATASET_TEXT);
  });

  it("encrypts the result for the requester after push-encryption-key; result decrypt opens it", async function () {
    const req = dirs.requester;
    await ok(req, ["result", "generate-encryption-keypair", "--force", ...wallet]);
    await ok(req, ["result", "push-encryption-key", ...onChain]);
    const run = await ok(req, [
      "app",
      "run",
      made.app,
      "--dataset",
      made.dataset,
      "--tag",
      "tee,tdx",
      "--encrypt-result",
      "--watch",
      "--force",
      ...onChain,
    ]);
    const [task] = run.tasks as { taskid: string; statusName: string }[];
    expect(task.statusName, JSON.stringify(run)).to.equal("COMPLETED");
    await ok(req, ["task", "show", task.taskid, "--download", "sealed", ...onChain]);
    // Encrypted: the zip holds no readable result.txt until the requester's key opens it.
    await unzipTo(path.join(req, "sealed.zip"), path.join(req, "sealed"));
    expect(() => readFileSync(path.join(req, "sealed", "result.txt"))).to.throw();
    await ok(req, ["result", "decrypt", "sealed.zip", "--force", ...wallet]);
    await unzipTo(path.join(req, "results.zip"), path.join(req, "opened"));
    expect(readFileSync(path.join(req, "opened", "result.txt"), "utf8")).to.equal(DATASET_TEXT);
  });

  it("claims a deal whose task could not run, once its final time passed: the requester is refunded", async function () {
    // A category of 1 s (final time 10 s after the deal): the hub's owner creates it, the stack's
    // standing offers pick it up at their next pass.
    const own = dirs.owner;
    await ok(own, ["category", "init"]);
    editIexecJson(own, (json) => {
      json.category = { name: "instant", description: "claimable 10 s after the deal", workClockTimeRef: 1 };
    });
    const category = String((await ok(own, ["category", "create", ...onChain])).catid);
    // An app whose image does not exist: the worker fails the task, which then waits for its deadline.
    const req = dirs.requester;
    await ok(req, ["app", "init", ...wallet]);
    editIexecJson(req, (json) => {
      json.app = {
        ...json.app,
        name: "missing",
        type: "DOCKER",
        multiaddr: `${manifest.registry}/missing:1.0`,
      };
      json.app.checksum = "0x" + "11".repeat(32);
      delete json.app.mrenclave;
    });
    await ok(req, ["app", "deploy", ...onChain]);
    let run: Answer | undefined;
    for (let attempt = 0; attempt < 30; attempt++) {
      run = await iexec(req, ["app", "run", "--category", category, "--force", ...onChain]);
      if (run.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 1000)); // The offer of the new category.
    }
    expect(run!.ok, JSON.stringify(run)).to.equal(true);
    const dealid = (run!.deals as { dealid: string }[])[0].dealid;
    const before = ((await ok(req, ["account", "show", ...onChain])).balance as { stake: string }).stake;
    // Too early: refused by the official CLI itself.
    const early = await iexec(req, ["deal", "claim", dealid, ...onChain]);
    expect(early.ok).to.equal(false);
    // The official CLI compares the deal's final time (chain time, which runs ahead of the wall clock
    // when blocks come faster than one a second) with the wall clock: wait for it.
    const { finalTime } = (await ok(req, ["deal", "show", dealid, "--chain", "local"])).deal as {
      finalTime: string;
    };
    const waitMs = Number(finalTime) * 1000 - Date.now() + 1500;
    expect(waitMs, "the deal's final time is minutes away").to.be.below(180_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
    await ok(req, ["deal", "claim", dealid, ...onChain]);
    const task = (await ok(req, ["deal", "show", dealid, "--chain", "local"])).deal as {
      tasks: Record<string, string>;
    };
    const shown = await ok(req, ["task", "show", task.tasks["0"], "--chain", "local"]);
    expect((shown.task as { statusName: string }).statusName).to.equal("FAILED");
    // Free runs: nothing was locked, nothing lost.
    const after = ((await ok(req, ["account", "show", ...onChain])).balance as { stake: string }).stake;
    expect(after).to.equal(before);
  });
});
