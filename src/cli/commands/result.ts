/**
 * `result`: download a completed task's result (signed as its requester or beneficiary, checked against
 * the on-chain digest, unzipped), the beneficiary's result-encryption keys and decryption, and
 * `result serve`, the result store service.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type { Signer } from "ethers";
import { DEFAULT_RESULT_STORE_PORT, ResultStoreApp } from "../../results/app";
import type { TaskInfo } from "../../sdk/core/client";
import { InvalidInputError, OpenPocoError } from "../../sdk/core/errors";
import { writeFileAtomic } from "../../sdk/node/files";
import {
  decryptResult,
  encodeResultPublicKey,
  generateResultKeyPair,
  isEncryptedResult,
} from "../../sdk/node/result-encryption";
import { RESULT_ENCRYPTION_KEY_NAME, SmsClient } from "../../sdk/node/sms";
import { checkedAddress } from "../../sdk/core/client/account";
import { parseParams } from "../../sdk/core/params";
import {
  DEFAULT_MAX_RESULT_BYTES,
  IPFS_STORAGE,
  fetchResultZip,
  resultLocation,
  resultStoreOf,
} from "../../sdk/node/results";
import { TaskStatus } from "../../sdk/core/tasks";
import { unzipTo } from "../../sdk/node/zip";
import { computeResultDigest } from "../../worker/result-digest";
import { action } from "../action";
import { positiveInt, serveUntilSignal, serviceLogger } from "../service";
import type { Session } from "../session";

/** Name of the downloaded archive kept as is when the result is encrypted. */
export const ENCRYPTED_DOWNLOAD_NAME = "encrypted-result.zip";
const BENEFICIARY_SECRETS = path.join(".secrets", "beneficiary");

/** Thrown when a downloaded result does not hash to the task's on-chain result digest. */
export class ResultDigestMismatchError extends OpenPocoError {
  constructor(taskid: string, expected: string, actual: string) {
    super(
      "RESULT_DIGEST_MISMATCH",
      `The downloaded result of ${taskid} has digest ${actual}, not the on-chain ${expected}: it was tampered with or is not this task's; nothing was kept, report the result's store.`,
    );
  }
}

/** Base URL of the result store holding `task`'s result: the one its results name, else chain.json's. */
async function storeUrl(session: Session, task: TaskInfo): Promise<string> {
  try {
    const named = resultStoreOf(resultLocation(task.results));
    if (named) return named;
  } catch {
    // Results that are not a location (callback data): chain.json's store.
  }
  const chain = await session.chain();
  if (!chain.resultProxy)
    throw new InvalidInputError(
      `chain.json: chain "${chain.name}" has no "resultProxy": add the result store URL.`,
    );
  return chain.resultProxy;
}

/** Whether `task`'s results say its result is on IPFS (`{"storage":"ipfs",...}` or a `/ipfs/` location). */
function onIpfs(task: TaskInfo): boolean {
  try {
    const location = resultLocation(task.results);
    return location.storage === IPFS_STORAGE || !!location.location?.startsWith("/ipfs/");
  } catch {
    return false;
  }
}

/** Where and how to fetch `task`'s result: IPFS through chain.json's gateway (public), or the signed store. */
async function source(
  session: Session,
  task: TaskInfo,
): Promise<{ from: string; resultProxy?: string; ipfsGateway?: string; signer?: Signer }> {
  if (onIpfs(task)) {
    const chain = await session.chain();
    if (!chain.ipfsGateway)
      throw new InvalidInputError(
        `The result of ${task.taskid} is on IPFS and chain.json's chain "${chain.name}" has no "ipfsGateway": add an IPFS gateway URL.`,
      );
    return { from: `IPFS (${chain.ipfsGateway})`, ipfsGateway: chain.ipfsGateway };
  }
  const resultProxy = await storeUrl(session, task);
  return { from: resultProxy, resultProxy, signer: await session.wallet() };
}

/**
 * Downloads the result of a completed task, from our result store (signed with the wallet: the requester
 * or the beneficiary) or from IPFS (public, through chain.json's gateway), checks it against the task's
 * on-chain result digest and unzips it into folder `out` (default `<taskid>`). An encrypted result is saved
 * as is in that folder. Nothing is left on failure.
 */
export async function downloadResult(session: Session, task: TaskInfo, out?: string): Promise<void> {
  if (task.status !== TaskStatus.COMPLETED)
    throw new InvalidInputError(
      `Task ${task.taskid} is ${task.statusName}: only a completed task has a result.`,
    );
  const chainId = (await session.connect(false)).chainId;
  const target = path.resolve(out ?? task.taskid);
  if ((await readdir(target).catch(() => [])).length > 0 || (existsSync(target) && !(await isFolder(target))))
    throw new InvalidInputError(`${target} already exists: choose another --out folder or remove it.`);
  const { from, ...fetchOptions } = await source(session, task);
  await mkdir(path.dirname(target), { recursive: true });
  const work = await mkdtemp(path.join(path.dirname(target), ".openpoco-download-"));
  try {
    const zip = path.join(work, "result.zip");
    const { size, storage } = await session.out.step(
      `Downloading the result of ${task.taskid} from ${from}`,
      fetchResultZip(task.results, task.taskid, zip, { chainId, ...fetchOptions }),
    );
    const unzipped = path.join(work, "out");
    const files = await unzipTo(zip, unzipped, { maxBytes: DEFAULT_MAX_RESULT_BYTES });
    const { resultDigest } = await computeResultDigest(unzipped, zip);
    const verified = resultDigest === task.resultDigest.toLowerCase();
    // An encrypted result cannot match the digest before decryption, so it is kept unchecked only when the
    // deal asked for encryption: a zip that merely holds the encrypted files' names must match the chain.
    if (isEncryptedResult(files) && (verified || (await asksEncryption(session, task)))) {
      const kept = path.join(work, "encrypted");
      await mkdir(kept);
      await rename(zip, path.join(kept, ENCRYPTED_DOWNLOAD_NAME));
      await rm(target, { recursive: true, force: true });
      await rename(kept, target);
      const file = path.join(target, ENCRYPTED_DOWNLOAD_NAME);
      session.out.success(`Encrypted result saved in ${file}: run \`openpoco result decrypt ${file}\``, {
        size: `${size} bytes`,
        storage,
        verified: verified ? "digest matches the chain" : "not verifiable before decryption",
      });
      session.out.set({ resultPath: file, encrypted: true, verified, size, storage });
      return;
    }
    if (!verified) throw new ResultDigestMismatchError(task.taskid, task.resultDigest, resultDigest);
    await rm(target, { recursive: true, force: true });
    await rename(unzipped, target);
    session.out.success(`Result of ${task.taskid} verified and unzipped in ${target}`, {
      size: `${size} bytes`,
      storage,
      files: files.length,
    });
    session.out.set({
      resultPath: target,
      files,
      resultDigest,
      verified: true,
      encrypted: false,
      size,
      storage,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Whether `task`'s deal asked for an encrypted result (`iexec_result_encryption: true` in its params). */
async function asksEncryption(session: Session, task: TaskInfo): Promise<boolean> {
  const deal = await (await session.connect(false)).deals.view(task.dealid);
  return parseParams(deal.params).iexec_result_encryption === true;
}

async function isFolder(file: string): Promise<boolean> {
  return readdir(file).then(
    () => true,
    () => false,
  );
}

async function download(session: Session, taskid: string, options: { out?: string }): Promise<void> {
  const poco = await session.connect(false);
  const task = await session.out.step("Reading the task", poco.tasks.show(taskid));
  await downloadResult(session, task, options.out);
}

/** The beneficiary's key files in this project: `.secrets/beneficiary/<address>_key` and `.pub`. */
function keyFiles(session: Session, address: string): { privateKey: string; publicKey: string } {
  const privateKey = session.project.path(path.join(BENEFICIARY_SECRETS, `${address}_key`));
  return { privateKey, publicKey: `${privateKey}.pub` };
}

async function generateKeys(session: Session, options: { force?: boolean }): Promise<void> {
  const address = await session.walletAddressIfAny();
  if (!address)
    throw new InvalidInputError(
      "No wallet found to name the keys after: create one with `openpoco wallet create` or pass --wallet-file.",
    );
  const files = keyFiles(session, address);
  if (!options.force && (existsSync(files.privateKey) || existsSync(files.publicKey)))
    throw new InvalidInputError(
      `${files.privateKey} already exists: keep it, or pass --force to replace it.`,
    );
  const keys = await session.out.step("Generating an RSA-4096 key pair", generateResultKeyPair());
  await mkdir(path.dirname(files.privateKey), { recursive: true, mode: 0o700 });
  await writeFileAtomic(files.privateKey, keys.privateKey, 0o600);
  await writeFileAtomic(files.publicKey, keys.publicKey, 0o644);
  session.out.success(`Result encryption keys of ${address} generated`, files);
  session.out.set({ address, privateKeyFile: files.privateKey, publicKeyFile: files.publicKey });
}

/** --key, else the wallet's key in .secrets/beneficiary, else the only key there. */
async function privateKeyFile(session: Session, given?: string): Promise<string> {
  if (given) return path.resolve(given);
  const address = await session.walletAddressIfAny();
  if (address && existsSync(keyFiles(session, address).privateKey))
    return keyFiles(session, address).privateKey;
  const dir = session.project.path(BENEFICIARY_SECRETS);
  const keys = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith("_key"));
  if (keys.length === 1) return path.join(dir, keys[0]);
  throw new InvalidInputError(
    keys.length === 0
      ? `No key in ${dir}: run \`openpoco result generate-encryption-keypair\` or pass --key.`
      : `${keys.length} keys in ${dir}: choose one with --key.`,
  );
}

async function decrypt(
  session: Session,
  file: string,
  options: { key?: string; out: string; force?: boolean },
): Promise<void> {
  const keyFile = await privateKeyFile(session, options.key);
  const out = path.resolve(options.out);
  if (!options.force && existsSync(out))
    throw new InvalidInputError(`${out} already exists: choose another --out or pass --force.`);
  const key = await readFile(keyFile, "utf8").catch(() => {
    throw new InvalidInputError(`Cannot read the key file ${keyFile}: check --key.`);
  });
  await session.out.step(`Decrypting ${file}`, decryptResult(path.resolve(file), key, out));
  session.out.success(`Result decrypted in ${out}`, { key: keyFile });
  session.out.set({ resultPath: out, keyFile });
}

async function smsOf(session: Session): Promise<SmsClient> {
  const chain = await session.chain();
  if (!chain.sms)
    throw new InvalidInputError(`chain.json: chain "${chain.name}" has no "sms": add the SMS URL.`);
  return new SmsClient(chain.sms);
}

/**
 * Pushes the beneficiary's public key to the SMS as the official clients do (base64 of the PEM), after
 * checking it is a key the workers can encrypt with.
 */
async function pushKey(
  session: Session,
  options: { secretPath?: string; forceUpdate?: boolean },
): Promise<void> {
  const sms = await smsOf(session);
  const address = (await session.walletFile()).address;
  const file = options.secretPath ? path.resolve(options.secretPath) : keyFiles(session, address).publicKey;
  const publicKey = await readFile(file, "utf8").catch(() => {
    throw new InvalidInputError(
      `Cannot read the public key ${file}: run \`openpoco result generate-encryption-keypair\` or pass --secret-path.`,
    );
  });
  // Checked before the wallet is unlocked: a key the workers would refuse is never pushed.
  const encoded = encodeResultPublicKey(publicKey);
  const signer = await session.wallet();
  const pushed = await session.out.step(
    "Pushing the result-encryption key to the SMS",
    sms.pushWeb2Secret(signer, RESULT_ENCRYPTION_KEY_NAME, encoded, { update: !!options.forceUpdate }),
  );
  session.out.success(`Result-encryption key of ${address} ${pushed.isUpdated ? "updated" : "pushed"}`, {
    publicKeyFile: file,
  });
  session.out.set({ address, publicKeyFile: file, ...pushed });
}

async function checkKey(session: Session, given: string | undefined): Promise<void> {
  const address = given ? checkedAddress(given, "beneficiary address") : await session.walletAddressIfAny();
  if (!address)
    throw new InvalidInputError("No address given and no wallet found: pass the beneficiary's address.");
  const sms = await smsOf(session);
  const isEncryptionKeySet = await session.out.step(
    "Asking the SMS",
    sms.checkWeb2Secret(address, RESULT_ENCRYPTION_KEY_NAME),
  );
  session.out.success(
    isEncryptionKeySet
      ? `Result-encryption key found for ${address}`
      : `No result-encryption key for ${address}: run \`openpoco result push-encryption-key\``,
  );
  session.out.set({ address, isEncryptionKeySet });
}

interface ServeOptions {
  host: string;
  port: string;
  dataDir: string;
  publicUrl?: string;
}

async function serve(session: Session, options: ServeOptions): Promise<void> {
  const chain = await session.chain();
  const store = await session.out.step(
    "Starting the result store",
    ResultStoreApp.start({
      chain,
      host: options.host,
      port: positiveInt("port", options.port, true),
      dataDir: path.resolve(options.dataDir),
      publicUrl: options.publicUrl,
      logger: serviceLogger("result-store", !!session.options.quiet, !!session.options.debug),
    }),
  );
  await serveUntilSignal(
    session.out,
    `Result store listening at ${store.url} (chain ${chain.name}), Ctrl-C to stop`,
    { url: store.url },
    () => store.stop(),
  );
}

/** Registers `result`. */
export function registerResult(program: Command): void {
  const result = program.command("result").description("results of tasks");
  result
    .command("download")
    .argument("<taskid>", "task id")
    .option("--out <folder>", "folder to unzip the result into (default <taskid>)")
    .description(
      "download a completed task's result (from the result store as its requester or beneficiary, or from IPFS), verify and unzip it",
    )
    .action(action(download));
  result
    .command("generate-encryption-keypair")
    .option("--force", "replace existing keys")
    .description("generate the beneficiary's RSA keys in .secrets/beneficiary/<address>_key(.pub)")
    .action(action(generateKeys));
  result
    .command("decrypt")
    .argument("<file>", "encrypted result zip")
    .option("--key <file>", "beneficiary private key (default .secrets/beneficiary/<wallet>_key)")
    .option("--out <file>", "decrypted result zip to write", "results.zip")
    .option("--force", "replace --out if it exists")
    .description(
      "decrypt an encrypted result with the beneficiary's private key (iExec's format or OpenPoCo's OAEP)",
    )
    .action(action(decrypt));
  result
    .command("push-encryption-key")
    .option("--secret-path <file>", "public key to push (default .secrets/beneficiary/<wallet>_key.pub)")
    .option("--force-update", "replace the key already in the SMS")
    .description("push the beneficiary's public key to the SMS, in the official clients' form")
    .action(action(pushKey));
  result
    .command("check-encryption-key")
    .argument("[address]", "beneficiary address (default the wallet's)")
    .description("tell whether the SMS holds a result-encryption key for an address")
    .action(action(checkKey));
  result
    .command("serve")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", String(DEFAULT_RESULT_STORE_PORT))
    .option("--data-dir <dir>", "folder of the stored results", path.join("data", "results"))
    .option("--public-url <url>", "base URL written in the tasks' results (default: the URL listened on)")
    .description("serve the result store (workers upload, requesters download)")
    .action(action(serve));
}
