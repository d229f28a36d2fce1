/**
 * `OpenPoco`: the typed client of a PoCo deployment. It connects to a chain, checks the hub is
 * there, and groups the operations by subject (account, assets, orders, deals, tasks, categories).
 *
 * ```ts
 * import { OpenPoco, LOCAL_CHAIN } from "openpoco";
 * const poco = await OpenPoco.connect({ chain: LOCAL_CHAIN, signer: privateKey });
 * await poco.account.deposit(parseRlc("5 RLC"));
 * ```
 */
import { JsonRpcProvider, Network, Wallet, getAddress, isError } from "ethers";
import type { Signer } from "ethers";
import {
  IAppRegistry__factory,
  IDatasetRegistry__factory,
  IHub__factory,
  IWorkerpoolRegistry__factory,
  RLC__factory,
} from "../../../../typechain-types";
import type { ChainConfig } from "../chains";
import { InvalidInputError, ServiceUnavailableError } from "../errors";
import { hubDomain } from "../orders";
import { AccountApi } from "./account";
import { AssetsApi } from "./assets";
import { CategoriesApi } from "./categories";
import { ClientContext, type PocoAddresses } from "./context";
import { DealsApi } from "./deals";
import { OrdersApi } from "./orders";
import { TasksApi } from "./tasks";
import { WorkApi } from "./work";

/** How to connect. */
export interface ConnectOptions {
  chain: ChainConfig;
  /** A signer, or a private key; read-only without. */
  signer?: Signer | string;
  /** How often to poll the node for mined transactions, in ms (default 1000). */
  pollingIntervalMs?: number;
}

async function chainIdOf(provider: JsonRpcProvider, host: string): Promise<bigint> {
  try {
    return BigInt(await provider.send("eth_chainId", []));
  } catch (error) {
    throw new ServiceUnavailableError("chain node", host, error);
  }
}

/**
 * `signer` on `provider`. Signers that cannot move to another provider (a browser wallet's, EIP-1193) stay
 * on their own: they send through the wallet, and the client reads through `provider`.
 */
function connectSigner(signer: Signer, provider: JsonRpcProvider): Signer {
  try {
    return signer.connect(provider);
  } catch (error) {
    if (isError(error, "UNSUPPORTED_OPERATION")) return signer;
    throw error;
  }
}

/** The typed client of one PoCo deployment. */
export class OpenPoco {
  /** Escrow deposits, withdrawals and balances. */
  readonly account: AccountApi;
  /** Apps, datasets and workerpools. */
  readonly assets: AssetsApi;
  /** Signing, cancelling and matching orders. */
  readonly orders: OrdersApi;
  /** Deals and their refunds. */
  readonly deals: DealsApi;
  /** Tasks and their results. */
  readonly tasks: TasksApi;
  /** Categories of work. */
  readonly categories: CategoriesApi;
  /** What schedulers and workers send: initialize, contribute, reveal, finalize, reopen, claim. */
  readonly work: WorkApi;

  private constructor(readonly context: ClientContext) {
    this.account = new AccountApi(context);
    this.assets = new AssetsApi(context, {
      app: IAppRegistry__factory.connect(context.addresses.appRegistry, context.provider),
      dataset: IDatasetRegistry__factory.connect(context.addresses.datasetRegistry, context.provider),
      workerpool: IWorkerpoolRegistry__factory.connect(
        context.addresses.workerpoolRegistry,
        context.provider,
      ),
    });
    this.orders = new OrdersApi(context, hubDomain(context.chainId, context.addresses.hub));
    this.deals = new DealsApi(context);
    this.tasks = new TasksApi(context);
    this.categories = new CategoriesApi(context);
    this.work = new WorkApi(context);
  }

  /**
   * Connects to `chain`: checks that the node answers, that its chain id is the configured one, and
   * that a hub is deployed at the configured address, each with an error naming the fix.
   */
  static async connect(options: ConnectOptions): Promise<OpenPoco> {
    const { chain } = options;
    // A static network: ethers would otherwise retry a dead node forever instead of failing.
    const probe = new JsonRpcProvider(chain.host, undefined, { staticNetwork: Network.from(chain.id ?? 1n) });
    const chainId = await chainIdOf(probe, chain.host);
    probe.destroy();
    if (chain.id !== undefined && chain.id !== chainId)
      throw new InvalidInputError(
        `The node at ${chain.host} runs chain ${chainId}, not ${chain.id} as chain.json says: fix "id" or "host".`,
      );
    const provider = new JsonRpcProvider(chain.host, undefined, {
      staticNetwork: Network.from(chainId),
      pollingInterval: options.pollingIntervalMs ?? 1000,
      cacheTimeout: -1,
    });
    if ((await provider.getCode(chain.hub)) === "0x")
      throw new InvalidInputError(
        `No hub at ${chain.hub} on chain ${chainId} (${chain.host}): deploy one (\`npm start\`) or fix "hub" in chain.json.`,
      );
    const signer =
      typeof options.signer === "string"
        ? new Wallet(options.signer, provider)
        : options.signer && connectSigner(options.signer, provider);
    const hub = IHub__factory.connect(chain.hub, provider);
    const [token, appRegistry, datasetRegistry, workerpoolRegistry] = await Promise.all([
      hub.token(),
      hub.appregistry(),
      hub.datasetregistry(),
      hub.workerpoolregistry(),
    ]);
    const addresses: PocoAddresses = {
      hub: getAddress(chain.hub),
      token,
      appRegistry,
      datasetRegistry,
      workerpoolRegistry,
    };
    const context = new ClientContext(
      chain,
      chainId,
      provider,
      signer,
      hub,
      RLC__factory.connect(token, provider),
      addresses,
    );
    return new OpenPoco(context);
  }

  /** Chain id of the connected node. */
  get chainId(): bigint {
    return this.context.chainId;
  }

  /** Addresses of the hub, the token and the registries. */
  get addresses(): PocoAddresses {
    return this.context.addresses;
  }

  /** The signer's address, or undefined for a read-only client. */
  async address(): Promise<string | undefined> {
    return this.context.signer?.getAddress();
  }

  /** Closes the connection to the node (lets a script exit). */
  close(): void {
    this.context.provider.destroy();
  }
}

export type { PocoAddresses, Sent } from "./context";
export type { Balances } from "./account";
export type {
  AppFields,
  AppInfo,
  AssetKind,
  DatasetFields,
  DatasetInfo,
  Deployed,
  WorkerpoolFields,
  WorkerpoolInfo,
} from "./assets";
export type { Matched, OrderStatus, RequestOrderOptions, VolumeLimit } from "./orders";
export type { DealInfo, DealResource, DealTask, DealView } from "./deals";
export type { TaskInfo, TaskPlace, WatchOptions } from "./tasks";
export type { DiagnosisOptions, TaskDiagnosis } from "./diagnosis";
export { DIAGNOSIS_TIMEOUT_MS, WorkerpoolApiUnavailableError } from "./diagnosis";
export type { CategoryInfo } from "./categories";
export type {
  ContributeAndFinalizeInput,
  ContributeInput,
  ContributionInfo,
  SchedulerNotice,
  TaskRef,
} from "./work";
export { resultsBytes } from "./work";
export { explainRevert } from "./revert";
export { decodeText } from "./assets";
