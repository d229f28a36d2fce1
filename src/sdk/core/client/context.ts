/**
 * What every part of the client shares: the provider, the optional signer, the hub and the
 * addresses it points to, and one way to send transactions.
 */
import type { ContractTransactionResponse, JsonRpcProvider, Signer, TransactionReceipt } from "ethers";
import type { IHub, RLC } from "../../../../typechain-types";
import type { ChainConfig } from "../chains";
import { InvalidInputError } from "../errors";
import { explainRevert } from "./revert";

/** Addresses of the contracts of one PoCo deployment. */
export interface PocoAddresses {
  hub: string;
  token: string;
  appRegistry: string;
  datasetRegistry: string;
  workerpoolRegistry: string;
}

/** A mined transaction: its hash and receipt. */
export interface Sent {
  txHash: string;
  receipt: TransactionReceipt;
}

/** The shared state of an `OpenPoco` client. */
export class ClientContext {
  constructor(
    readonly chain: ChainConfig,
    readonly chainId: bigint,
    readonly provider: JsonRpcProvider,
    readonly signer: Signer | undefined,
    readonly hub: IHub,
    readonly token: RLC,
    readonly addresses: PocoAddresses,
  ) {}

  /** The signer, or an error naming the fix when the client was made read-only. */
  requireSigner(action: string): Signer {
    if (!this.signer) throw new InvalidInputError(`A wallet is needed to ${action}: connect with a signer.`);
    return this.signer;
  }

  /** The signer's address. */
  async signerAddress(action: string): Promise<string> {
    return this.requireSigner(action).getAddress();
  }

  // Submissions of this client, one at a time: each takes its nonce from the node's pending count, which
  // only includes the previous transaction once the node has it. Waiting for receipts is not serialized.
  private submissions: Promise<unknown> = Promise.resolve();

  /**
   * Sends a transaction and waits for it to be mined; reverts (at estimation or on chain) become
   * `ChainError`s that name the contract's error. Concurrent sends of one client are submitted in turn,
   * so long-running agents (schedulers, workers) never race for a nonce.
   */
  async send(action: string, transaction: () => Promise<ContractTransactionResponse>): Promise<Sent> {
    try {
      const submitted = this.submissions.then(transaction);
      this.submissions = submitted.catch(() => undefined);
      const response = await submitted;
      const receipt = await response.wait();
      if (!receipt) throw new InvalidInputError(`Could not ${action}: the transaction was dropped.`);
      return { txHash: response.hash, receipt };
    } catch (error) {
      throw explainRevert(action, error);
    }
  }

  /** Runs a read-only call, with the same error decoding as `send`. */
  async call<T>(action: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw explainRevert(action, error);
    }
  }
}
