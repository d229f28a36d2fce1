/** `dataset init [--encrypted]|deploy|push|show|count|encrypt|push-secret|check-secret`. */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { ZeroHash } from "ethers";
import type { OpenPoco } from "../../sdk/core/client";
import { checkedAddress } from "../../sdk/core/client/account";
import { encryptDatasets } from "../../sdk/node/encryption";
import { InvalidInputError, NotFoundError } from "../../sdk/core/errors";
import { IpfsClient } from "../../sdk/node/ipfs";
import { sha256OfFile } from "../../sdk/node/results";
import { SmsClient } from "../../sdk/node/sms";
import { action } from "../action";
import { IEXEC_JSON } from "../project";
import type { Session } from "../session";
import { initSection, registerShowAndCount, reportDeployed } from "./assets";

const ORIGINAL = path.join("datasets", "original");
const ENCRYPTED = path.join("datasets", "encrypted");
const SECRETS = path.join(".secrets", "datasets");

async function init(session: Session, options: { encrypted?: boolean }): Promise<void> {
  if (options.encrypted) {
    for (const dir of [ORIGINAL, ENCRYPTED, SECRETS])
      await fs.mkdir(session.project.path(dir), { recursive: true });
    session.out.info("Created dataset folder tree for encryption");
  }
  await initSection(session, "dataset", (owner) => ({
    owner,
    name: "my-dataset",
    multiaddr: "/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ",
    checksum: ZeroHash,
  }));
}

async function deploy(session: Session): Promise<void> {
  const section = await session.project.section("dataset", "dataset init");
  const poco = await session.connect(true);
  const deployed = await session.out.step(
    "Deploying the dataset",
    poco.assets.deployDataset({
      owner: String(section.owner),
      name: String(section.name ?? ""),
      multiaddr: String(section.multiaddr ?? ""),
      checksum: String(section.checksum ?? ""),
    }),
  );
  await reportDeployed(session, poco, "dataset", deployed);
}

async function encrypt(session: Session): Promise<void> {
  const encrypted = await session.out.step("Encrypting datasets", encryptDatasets(session.project.dir));
  for (const dataset of encrypted)
    session.out.success(`Encrypted ${dataset.name}`, {
      encryptedFile: path.relative(session.project.dir, dataset.encrypted),
      secretFile: path.relative(session.project.dir, dataset.keyFile),
      checksum: dataset.checksum,
    });
  session.out.info(
    "Push the encrypted file to IPFS with `openpoco dataset push` (or publish it at a public URL and set multiaddr and checksum in iexec.json), then deploy.",
  );
  session.out.set({
    encryptedDatasetFolderPath: session.project.path(ENCRYPTED),
    secretPath: session.project.path(SECRETS),
    encryptedFiles: encrypted.map((dataset) => ({
      name: dataset.name,
      encryptedFile: dataset.encrypted,
      secretFile: dataset.keyFile,
      checksum: dataset.checksum,
      size: dataset.size,
    })),
  });
}

/** The file to push: the one given, else the only file of datasets/encrypted. */
async function fileToPush(session: Session, given?: string): Promise<string> {
  if (given) {
    const file = path.resolve(given);
    const info = await fs.stat(file).catch(() => undefined);
    if (!info?.isFile())
      throw new InvalidInputError(`${file} is not a file: pass the encrypted dataset file.`);
    return file;
  }
  const dir = session.project.path(ENCRYPTED);
  const files = (await fs.readdir(dir, { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
  if (files.length === 1) return path.join(dir, files[0]);
  throw new InvalidInputError(
    files.length === 0
      ? `No file in ${dir}: run \`openpoco dataset encrypt\` or pass the file to push.`
      : `${files.length} files in ${dir} (${files.join(", ")}): pass the one to push.`,
  );
}

/**
 * Adds the dataset file to chain.json's IPFS node and points iexec.json's dataset at it: multiaddr
 * `/ipfs/<cid>`, checksum the sha256 of the bytes added. iexec.json changes only once the node holds it.
 */
async function push(session: Session, given: string | undefined): Promise<void> {
  await session.project.section("dataset", "dataset init");
  const file = await fileToPush(session, given);
  const chain = await session.chain();
  if (!chain.ipfsNode)
    throw new InvalidInputError(
      `chain.json: chain "${chain.name}" has no "ipfsNode": add the URL of a kubo RPC API (\`openpoco stack up\` writes its own).`,
    );
  if (path.relative(session.project.path(ORIGINAL), file).split(path.sep)[0] !== "..")
    session.out.warn(
      `${path.relative(session.project.dir, file)} is an original, unencrypted file: on IPFS anyone can read it. Push datasets/encrypted's file instead (\`openpoco dataset encrypt\`).`,
    );
  const checksum = await sha256OfFile(file);
  const client = new IpfsClient({ nodeUrl: chain.ipfsNode, gatewayUrl: chain.ipfsGateway });
  const { cid, size } = await session.out.step(`Adding ${path.basename(file)} to IPFS`, client.addFile(file));
  if ((await sha256OfFile(file)) !== checksum)
    throw new InvalidInputError(
      `${file} changed while it was added to IPFS: iexec.json is unchanged, push it again once it is final.`,
    );
  const multiaddr = `/ipfs/${cid}`;
  await session.project.update(IEXEC_JSON, (iexec) => {
    const dataset = iexec.dataset as Record<string, unknown>;
    dataset.multiaddr = multiaddr;
    dataset.checksum = checksum;
  });
  session.out.success(`Added ${path.relative(session.project.dir, file)} to IPFS, iexec.json updated`, {
    multiaddr,
    checksum,
    size: `${size} bytes`,
    ipfsNode: chain.ipfsNode,
  });
  session.out.info("Deploy the dataset with `openpoco dataset deploy`.");
  session.out.set({ file, cid, multiaddr, checksum, size });
}

async function smsClient(session: Session): Promise<SmsClient> {
  const chain = await session.chain();
  if (!chain.sms)
    throw new InvalidInputError(`chain.json: chain "${chain.name}" has no "sms": add the SMS URL.`);
  return new SmsClient(chain.sms);
}

async function datasetAddress(session: Session, poco: OpenPoco, given?: string): Promise<string> {
  if (given) return checkedAddress(given, "dataset address");
  const deployed = await session.project.deployed("dataset", poco.chainId);
  if (!deployed)
    throw new NotFoundError(
      "No dataset given and none in deployed.json: pass its address or run `openpoco dataset deploy`.",
    );
  return deployed;
}

/** The key file: --secret-path, else the only key of .secrets/datasets. */
async function secretFile(session: Session, given?: string): Promise<string> {
  if (given) return path.resolve(given);
  const dir = session.project.path(SECRETS);
  const keys = (await fs.readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith(".key"));
  if (keys.length === 1) return path.join(dir, keys[0]);
  throw new InvalidInputError(
    keys.length === 0
      ? `No key in ${dir}: run \`openpoco dataset encrypt\` or pass --secret-path.`
      : `${keys.length} keys in ${dir} (${keys.join(", ")}): choose one with --secret-path.`,
  );
}

async function pushSecret(
  session: Session,
  given: string | undefined,
  options: { secretPath?: string },
): Promise<void> {
  const file = await secretFile(session, options.secretPath);
  const secret = (await fs.readFile(file, "utf8")).trim();
  const sms = await smsClient(session);
  const poco = await session.connect(true);
  const dataset = await datasetAddress(session, poco, given);
  const owner = (await poco.assets.showDataset(dataset)).owner;
  const wallet = (await poco.address())!;
  if (owner !== wallet)
    throw new InvalidInputError(
      `Only the dataset owner ${owner} can push its secret, not your wallet ${wallet}.`,
    );
  await session.out.step(
    "Pushing the secret to the SMS",
    sms.pushDatasetSecret(poco.context.requireSigner("push the secret"), dataset, secret),
  );
  session.out.success(`Secret of dataset ${dataset} pushed to the SMS`, { secretFile: file });
  session.out.set({ dataset, secretFile: file });
}

async function checkSecret(session: Session, given: string | undefined): Promise<void> {
  const sms = await smsClient(session);
  const poco = await session.connect(false);
  const dataset = await datasetAddress(session, poco, given);
  const isSecretSet = await session.out.step("Asking the SMS", sms.checkDatasetSecret(dataset));
  session.out.success(
    isSecretSet ? `The secret of ${dataset} is set in the SMS` : `No secret set for ${dataset} in the SMS`,
  );
  session.out.set({ isSecretSet });
}

/** Registers `dataset`. */
export function registerDataset(program: Command): void {
  const dataset = program
    .command("dataset")
    .description("datasets (data sold per task, optionally encrypted)");
  dataset
    .command("init")
    .option("--encrypted", "also create datasets/original, datasets/encrypted and .secrets/datasets")
    .description('add a "dataset" section to iexec.json')
    .action(action(init));
  dataset.command("deploy").description("register the dataset of iexec.json").action(action(deploy));
  dataset
    .command("push")
    .argument("[file]", "file to add (default: the only file of datasets/encrypted)")
    .description(
      "add the (encrypted) dataset file to chain.json's IPFS node; sets iexec.json's multiaddr to /ipfs/<cid> and its checksum",
    )
    .action(action(push));
  registerShowAndCount(dataset, "dataset");
  dataset
    .command("encrypt")
    .description("encrypt each file or folder of datasets/original (AES-256-CBC), keys in .secrets/datasets")
    .action(action(encrypt));
  dataset
    .command("push-secret")
    .argument("[datasetAddress]", "dataset address (default: deployed.json's)")
    .option("--secret-path <file>", "key file to push (default: the only key of .secrets/datasets)")
    .description("give the dataset key to the Secret Management Service")
    .action(action(pushSecret));
  dataset
    .command("check-secret")
    .argument("[datasetAddress]", "dataset address (default: deployed.json's)")
    .description("ask the Secret Management Service whether the dataset key is set")
    .action(action(checkSecret));
}
