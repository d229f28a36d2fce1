/**
 * What a command works with: the global options, the output, the project folder, and lazily the
 * chain, the wallet and the connected SDK client.
 */
import path from "node:path";
import type { Wallet, HDNodeWallet } from "ethers";
import {
  LOCAL_CHAIN,
  resolveChain,
  type ChainConfig,
  type ChainExtrasJson,
  type ChainJson,
} from "../sdk/core/chains";
import { OpenPoco } from "../sdk/core/client";
import { InvalidInputError } from "../sdk/core/errors";
import { MarketClient } from "../sdk/core/market";
import { defaultKeystoreDir, findWallet, unlockWallet, type WalletFile } from "../sdk/node/keystore";
import { Output } from "./output";
import { CHAIN_EXTRAS_JSON, CHAIN_JSON, Project } from "./project";
import { promptPassword } from "./prompt";

/** Options every command accepts. */
export interface GlobalOptions {
  chain?: string;
  raw?: boolean;
  quiet?: boolean;
  debug?: boolean;
  walletFile?: string;
  walletAddress?: string;
  keystoredir?: string;
  password?: string;
}

/** The environment variable a password may come from, for scripts that keep it out of argv. */
export const PASSWORD_ENV = "OPENPOCO_WALLET_PASSWORD";

/** One command's session. */
export class Session {
  readonly out: Output;
  readonly project: Project;
  private client?: OpenPoco;

  constructor(readonly options: GlobalOptions) {
    this.out = new Output({ raw: !!options.raw, quiet: !!options.quiet, debug: !!options.debug });
    this.project = new Project(process.cwd());
  }

  /** The chain chosen by --chain in chain.json (with its companion's extras); without chain.json, the local chain. */
  async chain(): Promise<ChainConfig> {
    if (!(await this.project.exists(CHAIN_JSON))) {
      if (this.options.chain && this.options.chain !== LOCAL_CHAIN.name)
        return resolveChain({ default: LOCAL_CHAIN.name, chains: {} }, this.options.chain);
      return LOCAL_CHAIN;
    }
    const extras = (await this.project.exists(CHAIN_EXTRAS_JSON))
      ? await this.project.read<ChainExtrasJson & Record<string, unknown>>(CHAIN_EXTRAS_JSON)
      : undefined;
    return resolveChain(
      await this.project.read<ChainJson & Record<string, unknown>>(CHAIN_JSON),
      this.options.chain,
      extras,
    );
  }

  /** The keystore folder: --keystoredir ("local" is this folder, "global" the default), else the default. */
  keystoreDir(): string {
    const dir = this.options.keystoredir;
    if (!dir || dir === "global") return defaultKeystoreDir();
    if (dir === "local") return this.project.dir;
    return path.resolve(dir);
  }

  /** The wallet file chosen by the options (no password needed). */
  async walletFile(): Promise<WalletFile> {
    return findWallet({
      dir: this.keystoreDir(),
      walletFile: this.options.walletFile,
      walletAddress: this.options.walletAddress,
    });
  }

  /** The wallet's address if one can be found, without unlocking it. */
  async walletAddressIfAny(): Promise<string | undefined> {
    try {
      return (await this.walletFile()).address;
    } catch {
      return undefined;
    }
  }

  /** The unlocked wallet: password from --password, the environment, or a hidden prompt. */
  async wallet(): Promise<Wallet | HDNodeWallet> {
    const { file, address } = await this.walletFile();
    const password =
      this.options.password ??
      process.env[PASSWORD_ENV] ??
      (await promptPassword(`Password of wallet ${address}:`));
    return this.out.step(`Unlocking wallet ${address}`, unlockWallet(file, password));
  }

  /** The SDK client on the chosen chain, with the wallet when `signed`. */
  async connect(signed: boolean): Promise<OpenPoco> {
    if (this.client) return this.client;
    const chain = await this.chain();
    this.out.info(`using chain [${chain.name}]`);
    const signer = signed ? await this.wallet() : undefined;
    this.client = await this.out.step(`Connecting to ${chain.host}`, OpenPoco.connect({ chain, signer }));
    return this.client;
  }

  /** The market API client of the chain, or an error naming the missing chain.json field. */
  async market(): Promise<MarketClient> {
    const chain = await this.chain();
    if (!chain.iexecGateway)
      throw new InvalidInputError(
        `chain.json: chain "${chain.name}" has no "iexecGateway": add the market API URL.`,
      );
    const chainId = chain.id ?? (await this.connect(false)).chainId;
    return new MarketClient(chain.iexecGateway, chainId);
  }

  /** Releases the connection so the process can exit. */
  close(): void {
    this.client?.close();
  }
}
