/**
 * The SMS as one running service: the master key and the SQLite store in a data folder, a read-only
 * SDK client for the chain reads (asset owners, tasks, deals), and the HTTP API. `openpoco sms start`
 * and the local stack run it. A restart on the same folder serves the same secrets.
 */
import path from "node:path";
import { OpenPoco } from "../sdk/core/client";
import type { ChainConfig } from "../sdk/core/chains";
import { CONSOLE_LOGGER, type ServiceLogger } from "../sdk/core/logger";
import {
  DEV_ENCLAVE_WARNING,
  DEVELOPMENT_CHAIN_IDS,
  TEE_DEV_ANY_CHAIN_FLAG,
  isDevelopmentChain,
} from "../sdk/core/tee-dev";
import { pocoChain } from "./chain";
import { ChallengeDesk } from "./challenges";
import { DEV_ENCLAVE_VERIFIER, NO_ENCLAVE_VERIFIER, type EnclaveVerifier } from "./enclave";
import { TeeDevChainError } from "./errors";
import { ReleaseDesk } from "./release";
import { SecretDesk } from "./secrets";
import { buildSmsServer, type FastifyInstance, type SmsServerOptions } from "./server";
import { SmsStore } from "./store";
import { Vault } from "./vault";

/** Default port of the SMS (chain.json's `sms` of the local chain). */
export const DEFAULT_SMS_PORT = 13300;
/** File names in the data folder. */
export const SMS_DB_FILE = "sms.sqlite";
export const SMS_MASTER_KEY_FILE = "master.key";

/** How to run the SMS. */
export interface SmsOptions {
  chain: ChainConfig;
  /** Folder of `sms.sqlite` and `master.key` (default ./data/sms). */
  dataDir?: string;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 13300; 0 picks a free one). */
  port?: number;
  /** Largest age of a worker's signed request, in ms (default TASK_SECRETS_MAX_AGE_MS). */
  maxRequestAgeMs?: number;
  /**
   * "dev": the development TEE mode, releasing enclave keys to development enclaves (no hardware
   * isolation). Refused on a chain other than a local development one unless `teeDevOnAnyChain`.
   * Unset: enclave challenges are issued, but no key is released.
   */
  tee?: "dev";
  /** Allows `tee: "dev"` on any chain (the risk: secrets of that chain reach enclaves with no isolation). */
  teeDevOnAnyChain?: boolean;
  server?: SmsServerOptions;
  logger?: ServiceLogger;
}

/**
 * The enclave verifier of the options: the development one with `tee: "dev"` on a development chain
 * (or any chain with `teeDevOnAnyChain`), else one that releases no key. A refused start is logged and
 * written to the audit log.
 */
function enclaveVerifier(
  options: SmsOptions,
  chainId: bigint,
  store: SmsStore,
  logger: ServiceLogger,
): EnclaveVerifier {
  if (options.tee === undefined) return NO_ENCLAVE_VERIFIER;
  if (!isDevelopmentChain(chainId) && !options.teeDevOnAnyChain) {
    const error = new TeeDevChainError(
      `The SMS refuses the development TEE mode on chain ${chainId}, which is not a local development chain (${DEVELOPMENT_CHAIN_IDS.join(", ")}): a ${DEV_ENCLAVE_WARNING}. Start without --tee dev, or, knowing that any secret of this chain can then leave without isolation, add ${TEE_DEV_ANY_CHAIN_FLAG}.`,
    );
    store.audit({
      time: Date.now(),
      action: "start",
      taskid: "",
      worker: "",
      enclave: "",
      outcome: "refused",
      status: 0,
      code: error.code,
      released: [],
      withheld: [],
      reason: error.message,
    });
    logger.error(error.message);
    throw error;
  }
  logger.warn(
    `TEE mode dev on chain ${chainId}${isDevelopmentChain(chainId) ? "" : ` (not a development chain: ${TEE_DEV_ANY_CHAIN_FLAG})`}: ${DEV_ENCLAVE_WARNING}.`,
  );
  return DEV_ENCLAVE_VERIFIER;
}

/** A running SMS. */
export class SmsApp {
  private constructor(
    readonly url: string,
    readonly store: SmsStore,
    private readonly server: FastifyInstance,
    private readonly poco: OpenPoco,
  ) {}

  /** Opens the master key (created on first start) and the store, connects to the chain and serves. */
  static async start(options: SmsOptions): Promise<SmsApp> {
    const logger = options.logger ?? CONSOLE_LOGGER;
    const dataDir = path.resolve(options.dataDir ?? path.join("data", "sms"));
    // The key first: a bad key file stops the start before anything else is opened.
    const vault = Vault.open(path.join(dataDir, SMS_MASTER_KEY_FILE));
    const poco = await OpenPoco.connect({ chain: options.chain });
    let store: SmsStore | undefined;
    try {
      store = SmsStore.open(path.join(dataDir, SMS_DB_FILE), vault);
      const verifier = enclaveVerifier(options, poco.chainId, store, logger);
      const chain = pocoChain(poco);
      const server = await buildSmsServer(
        new SecretDesk(store, chain, logger),
        new ReleaseDesk(store, chain, logger, verifier, options.maxRequestAgeMs),
        new ChallengeDesk(store, chain, verifier, logger, options.maxRequestAgeMs),
        options.server,
      );
      const url = await server.listen({
        host: options.host ?? "127.0.0.1",
        port: options.port ?? DEFAULT_SMS_PORT,
      });
      logger.info(`SMS listening at ${url}, data in ${dataDir}.`);
      return new SmsApp(url, store, server, poco);
    } catch (error) {
      store?.close();
      poco.close();
      throw error;
    }
  }

  /** Stops serving and closes the store. */
  async stop(): Promise<void> {
    await this.server.close();
    this.store.close();
    this.poco.close();
  }
}
