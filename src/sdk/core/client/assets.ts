/**
 * Apps, datasets and workerpools: register them, read them back, count them. Each asset is a
 * contract whose address is also its NFT id in its registry.
 */
import { ZeroHash, getAddress, hexlify, isHexString, toUtf8Bytes, toUtf8String } from "ethers";
import { IApp__factory, IDataset__factory, IWorkerpool__factory } from "../../../../typechain-types";
import type { IAppRegistry, IDatasetRegistry, IWorkerpoolRegistry } from "../../../../typechain-types";
import { InvalidInputError, NotFoundError } from "../errors";
import { checkDatasetMultiaddr, decodeMultiaddr, encodeMultiaddr } from "../multiaddr";
import { checkedAddress } from "./account";
import type { ClientContext, Sent } from "./context";

/** The three kinds of assets. */
export type AssetKind = "app" | "dataset" | "workerpool";

/** What registers an app (the `app` section of iexec.json). */
export interface AppFields {
  owner: string;
  name: string;
  /** Only "DOCKER" is run by workers. */
  type: string;
  /** Where to pull the image, e.g. `registry.example.com/team/app:1.0`. */
  multiaddr: string;
  /** 0x + the sha256 digest of the image. */
  checksum: string;
  /** Enclave description (JSON) for TEE apps; empty otherwise. */
  mrenclave?: string | Record<string, unknown>;
}

/** What registers a dataset (the `dataset` section of iexec.json). */
export interface DatasetFields {
  owner: string;
  name: string;
  /** Where to download the (encrypted) dataset: an http(s) URL or `/ipfs/<cid>`. */
  multiaddr: string;
  /** 0x + sha256 of the dataset file as downloaded, or zero. */
  checksum: string;
}

/** What registers a workerpool (the `workerpool` section of iexec.json). */
export interface WorkerpoolFields {
  owner: string;
  description: string;
}

/** An app as registered. */
export interface AppInfo extends AppFields {
  address: string;
  mrenclave: string;
}
/** A dataset as registered. */
export interface DatasetInfo extends DatasetFields {
  address: string;
}
/** A workerpool as registered, with its policies. */
export interface WorkerpoolInfo extends WorkerpoolFields {
  address: string;
  workerStakeRatioPolicy: bigint;
  schedulerRewardRatioPolicy: bigint;
}

/** The result of a deployment: the new asset's address and the transaction. */
export type Deployed = Sent & { address: string };

const DIGEST = /^0x[0-9a-fA-F]{64}$/;

function required(kind: AssetKind, field: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new InvalidInputError(`The ${kind} has no "${field}": set it in iexec.json.`);
  return value;
}

function bytes32(kind: AssetKind, field: string, value: string, hint: string): string {
  if (!DIGEST.test(value))
    throw new InvalidInputError(
      `The ${kind} "${field}" ${JSON.stringify(value)} is not 0x + 64 hex digits: ${hint}.`,
    );
  return value.toLowerCase();
}

/** Bytes as stored on chain for a text field: its UTF-8, or the bytes themselves if given as hex. */
function encodeText(value: string): string {
  return isHexString(value) && value.length % 2 === 0 ? value : hexlify(toUtf8Bytes(value));
}

/** The text of a bytes field when it is printable UTF-8, else its hex. */
export function decodeText(bytes: string): string {
  if (bytes === "0x") return "";
  try {
    const text = toUtf8String(bytes);
    return /^[\P{Cc}\t\n\r]*$/u.test(text) ? text : bytes;
  } catch {
    return bytes;
  }
}

function mrenclaveBytes(mrenclave: AppFields["mrenclave"]): string {
  if (mrenclave === undefined || mrenclave === "") return "0x";
  return encodeText(typeof mrenclave === "string" ? mrenclave : JSON.stringify(mrenclave));
}

/** Registration, lookup and counting of apps, datasets and workerpools. */
export class AssetsApi {
  constructor(
    private readonly context: ClientContext,
    private readonly registries: {
      app: IAppRegistry;
      dataset: IDatasetRegistry;
      workerpool: IWorkerpoolRegistry;
    },
  ) {}

  /** Registers an app; refuses a checksum that is not a Docker digest and an app already registered. */
  async deployApp(fields: AppFields): Promise<Deployed> {
    const owner = checkedAddress(required("app", "owner", fields.owner), "app owner");
    const name = required("app", "name", fields.name);
    const type = required("app", "type", fields.type);
    if (type !== "DOCKER")
      throw new InvalidInputError(`The app "type" is ${JSON.stringify(type)}: only "DOCKER" runs.`);
    const multiaddr = encodeMultiaddr(required("app", "multiaddr", fields.multiaddr));
    const checksum = bytes32(
      "app",
      "checksum",
      required("app", "checksum", fields.checksum),
      "use the image digest (`openpoco app checksum <image>`)",
    );
    if (checksum === ZeroHash)
      throw new InvalidInputError(
        'The app "checksum" is zero: set the image digest (`openpoco app checksum <image>`).',
      );
    const mrenclave = mrenclaveBytes(fields.mrenclave);
    const args = [owner, name, type, multiaddr, checksum, mrenclave] as const;
    const registry = this.registries.app.connect(this.context.requireSigner("deploy an app"));
    return this.deploy(
      "app",
      () => registry.predictApp(...args),
      () => registry.createApp(...args),
    );
  }

  /** Registers a dataset; refuses a malformed checksum and a dataset already registered. */
  async deployDataset(fields: DatasetFields): Promise<Deployed> {
    const owner = checkedAddress(required("dataset", "owner", fields.owner), "dataset owner");
    const name = required("dataset", "name", fields.name);
    const text = required("dataset", "multiaddr", fields.multiaddr);
    checkDatasetMultiaddr(text);
    // `/ipfs/<cid>` is stored as a binary multiaddr, as the official SDK does; other addresses as UTF-8.
    const multiaddr = encodeMultiaddr(text);
    const checksum = bytes32(
      "dataset",
      "checksum",
      fields.checksum || ZeroHash,
      "use the checksum printed by `openpoco dataset encrypt`",
    );
    const args = [owner, name, multiaddr, checksum] as const;
    const registry = this.registries.dataset.connect(this.context.requireSigner("deploy a dataset"));
    return this.deploy(
      "dataset",
      () => registry.predictDataset(...args),
      () => registry.createDataset(...args),
    );
  }

  /** Registers a workerpool; refuses one already registered. */
  async deployWorkerpool(fields: WorkerpoolFields): Promise<Deployed> {
    const owner = checkedAddress(required("workerpool", "owner", fields.owner), "workerpool owner");
    const description = required("workerpool", "description", fields.description);
    const registry = this.registries.workerpool.connect(this.context.requireSigner("deploy a workerpool"));
    return this.deploy(
      "workerpool",
      () => registry.predictWorkerpool(owner, description),
      () => registry.createWorkerpool(owner, description),
    );
  }

  private async deploy(
    kind: AssetKind,
    predict: () => Promise<string>,
    create: Parameters<ClientContext["send"]>[1],
  ): Promise<Deployed> {
    const address = await this.context.call(`predict the ${kind} address`, predict);
    if (await this.registries[kind].isRegistered(address))
      throw new InvalidInputError(
        `This ${kind} is already deployed at ${address}: use it, or change a field (the name) to deploy another.`,
      );
    const sent = await this.context.send(`deploy the ${kind}`, create);
    return { ...sent, address: getAddress(address) };
  }

  /** Number of `kind` assets owned by `owner`. */
  async count(kind: AssetKind, owner: string): Promise<bigint> {
    const who = checkedAddress(owner, "owner");
    return this.context.call(`count the ${kind}s`, () => this.registries[kind].balanceOf(who));
  }

  /** The address of an asset given by address, or by its index among `owner`'s assets. */
  async resolve(kind: AssetKind, addressOrIndex: string, owner?: string): Promise<string> {
    if (/^\d+$/.test(addressOrIndex)) {
      if (!owner) throw new InvalidInputError(`Give the owner to look up ${kind} #${addressOrIndex}.`);
      const who = checkedAddress(owner, "owner");
      const count = await this.count(kind, who);
      const index = BigInt(addressOrIndex);
      if (index >= count)
        throw new NotFoundError(
          `${who} has ${count} ${kind}(s), so there is no ${kind} #${index}: indexes start at 0.`,
        );
      const id = await this.context.call(`find ${kind} #${index}`, () =>
        this.registries[kind].tokenOfOwnerByIndex(who, index),
      );
      return getAddress("0x" + id.toString(16).padStart(40, "0"));
    }
    const address = checkedAddress(addressOrIndex, `${kind} address`);
    if (!(await this.registries[kind].isRegistered(address)))
      throw new NotFoundError(`No ${kind} is registered at ${address} on this chain.`);
    return address;
  }

  /** An app, by address or by index among `owner`'s apps. */
  async showApp(addressOrIndex: string, owner?: string): Promise<AppInfo> {
    const address = await this.resolve("app", addressOrIndex, owner);
    const app = IApp__factory.connect(address, this.context.provider);
    const [appOwner, name, type, multiaddr, checksum, mrenclave] = await this.context.call(
      "read the app",
      () =>
        Promise.all([
          app.owner(),
          app.m_appName(),
          app.m_appType(),
          app.m_appMultiaddr(),
          app.m_appChecksum(),
          app.m_appMREnclave(),
        ]),
    );
    return {
      address,
      owner: appOwner,
      name,
      type,
      multiaddr: decodeMultiaddr(multiaddr),
      checksum,
      mrenclave: decodeText(mrenclave),
    };
  }

  /** A dataset, by address or by index among `owner`'s datasets. */
  async showDataset(addressOrIndex: string, owner?: string): Promise<DatasetInfo> {
    const address = await this.resolve("dataset", addressOrIndex, owner);
    const dataset = IDataset__factory.connect(address, this.context.provider);
    const [datasetOwner, name, multiaddr, checksum] = await this.context.call("read the dataset", () =>
      Promise.all([
        dataset.owner(),
        dataset.m_datasetName(),
        dataset.m_datasetMultiaddr(),
        dataset.m_datasetChecksum(),
      ]),
    );
    return { address, owner: datasetOwner, name, multiaddr: decodeMultiaddr(multiaddr), checksum };
  }

  /** A workerpool, by address or by index among `owner`'s workerpools. */
  async showWorkerpool(addressOrIndex: string, owner?: string): Promise<WorkerpoolInfo> {
    const address = await this.resolve("workerpool", addressOrIndex, owner);
    const pool = IWorkerpool__factory.connect(address, this.context.provider);
    const [poolOwner, description, workerStakeRatioPolicy, schedulerRewardRatioPolicy] =
      await this.context.call("read the workerpool", () =>
        Promise.all([
          pool.owner(),
          pool.m_workerpoolDescription(),
          pool.m_workerStakeRatioPolicy(),
          pool.m_schedulerRewardRatioPolicy(),
        ]),
      );
    return { address, owner: poolOwner, description, workerStakeRatioPolicy, schedulerRewardRatioPolicy };
  }
}
