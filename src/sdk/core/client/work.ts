/**
 * The work of a workerpool on chain: what its scheduler sends (initialize, finalize, reopen, claim) and what
 * its workers send (contribute, reveal, contributeAndFinalize), plus the reads both need to decide. Result
 * hashes and seals are computed here from the signer's address, so callers only handle digests.
 */
import { ZeroAddress, getAddress, hexlify, isHexString, toUtf8Bytes } from "ethers";
import { InvalidInputError } from "../errors";
import { ContributionStatus, computeResultHash, computeResultSeal, computeTaskId } from "../tasks";
import type { ClientContext, Sent } from "./context";

/** Gas limit of a contribution, in percent of its estimate (see `contribute`). */
export const CONTRIBUTE_GAS_HEADROOM_PERCENT = 160n;

/** A task of a deal, by position. */
export interface TaskRef {
  dealid: string;
  idx: bigint;
}

/** A worker's contribution to a task, as the hub stores it. */
export interface ContributionInfo {
  status: ContributionStatus;
  resultHash: string;
  resultSeal: string;
  enclaveChallenge: string;
  /** log2 of the worker's weight when it contributed. */
  weight: bigint;
}

/** A `SchedulerNotice`: a deal was matched for the workerpool. */
export interface SchedulerNotice {
  dealid: string;
  blockNumber: number;
  logIndex: number;
}

/** What a worker contributes. */
export interface ContributeInput {
  taskid: string;
  /** The result digest (bytes32): the hash and seal are derived from it and the signer's address. */
  resultDigest: string;
  /** The scheduler's signature authorizing the signer on this task. */
  authorization: string;
  /** The enclave's address for a TEE task; none by default. */
  enclaveChallenge?: string;
  /** The enclave's signature of the hash and seal; "0x" by default. */
  enclaveSign?: string;
}

/** What a trust-1 worker contributes and finalizes at once. */
export interface ContributeAndFinalizeInput extends ContributeInput {
  /** Where the result is: text (UTF-8 encoded, usually a JSON location) or 0x hex bytes. */
  results: string;
  /** Callback data whose keccak256 is the digest, for deals with a callback; "0x" by default. */
  resultsCallback?: string;
}

function bytes32(value: string, what: string): string {
  if (!isHexString(value, 32))
    throw new InvalidInputError(`Invalid ${what} ${JSON.stringify(value)}: give 0x + 64 hex digits.`);
  return value;
}

function hexBytes(value: string, what: string): string {
  if (!isHexString(value))
    throw new InvalidInputError(`Invalid ${what} ${JSON.stringify(value)}: give 0x and hex bytes.`);
  return value;
}

/** `results` as bytes: hex stays hex, anything else is UTF-8 text. */
export function resultsBytes(results: string): string {
  return isHexString(results) ? results : hexlify(toUtf8Bytes(results));
}

/** Chain operations of schedulers and workers. */
export class WorkApi {
  constructor(private readonly context: ClientContext) {}

  /** `worker`'s contribution to `taskid` (status UNSET when it has none). */
  async contribution(taskid: string, worker: string): Promise<ContributionInfo> {
    bytes32(taskid, "task id");
    const view = await this.context.call("read the contribution", () =>
      this.context.hub.viewContribution(taskid, getAddress(worker)),
    );
    return {
      status: Number(view.status) as ContributionStatus,
      resultHash: view.resultHash,
      resultSeal: view.resultSeal,
      enclaveChallenge: view.enclaveChallenge,
      weight: view.weight,
    };
  }

  /** The worker's score (raised by accurate contributions to tasks of trust > 1, cut by faulty ones). */
  async score(worker: string): Promise<bigint> {
    return this.context.call("read the score", () => this.context.hub.viewScore(getAddress(worker)));
  }

  /**
   * The hub's TEE broker (the zero address when none): when set, it and not the workerpool's owner signs
   * the authorizations that name an enclave (see `expectedAuthorizer`).
   */
  async teeBroker(): Promise<string> {
    return this.context.call("read the TEE broker", () => this.context.hub.teebroker());
  }

  /** Number of the newest block. */
  async blockNumber(): Promise<number> {
    return this.context.call("read the block number", () => this.context.provider.getBlockNumber());
  }

  /** Timestamp of the newest block, in seconds: the clock deadlines are measured with. */
  async chainTime(): Promise<bigint> {
    const block = await this.context.call("read the latest block", () =>
      this.context.provider.getBlock("latest"),
    );
    return BigInt(block!.timestamp);
  }

  /** Deals matched for `workerpool` in blocks [fromBlock, toBlock], in chain order. */
  async schedulerNotices(workerpool: string, fromBlock: number, toBlock: number): Promise<SchedulerNotice[]> {
    const hub = this.context.hub;
    const events = await this.context.call("read the scheduler notices", () =>
      hub.queryFilter(hub.filters.SchedulerNotice(getAddress(workerpool)), fromBlock, toBlock),
    );
    return events.map((event) => ({
      dealid: event.args.dealid,
      blockNumber: event.blockNumber,
      logIndex: event.index,
    }));
  }

  /** Opens tasks for contributions, in one transaction (`initializeArray` for several). */
  async initialize(tasks: TaskRef[]): Promise<Sent & { taskids: string[] }> {
    if (tasks.length === 0) throw new InvalidInputError("No task to initialize: give at least one.");
    for (const task of tasks) bytes32(task.dealid, "deal id");
    const hub = this.context.hub.connect(this.context.requireSigner("initialize tasks"));
    const sent = await this.context.send("initialize tasks", () =>
      tasks.length === 1
        ? hub.initialize(tasks[0].dealid, tasks[0].idx)
        : hub.initializeArray(
            tasks.map((task) => task.dealid),
            tasks.map((task) => task.idx),
          ),
    );
    return { ...sent, taskids: tasks.map((task) => computeTaskId(task.dealid, task.idx)) };
  }

  /** Commits the signer's result to `taskid`, staking the deal's worker stake. */
  async contribute(input: ContributeInput): Promise<Sent & { resultHash: string; resultSeal: string }> {
    const worker = await this.context.signerAddress("contribute");
    const taskid = bytes32(input.taskid, "task id");
    const digest = bytes32(input.resultDigest, "result digest");
    const resultHash = computeResultHash(taskid, digest);
    const resultSeal = computeResultSeal(worker, taskid, digest);
    const hub = this.context.hub.connect(this.context.requireSigner("contribute"));
    const args = [
      taskid,
      resultHash,
      resultSeal,
      input.enclaveChallenge ?? ZeroAddress,
      hexBytes(input.enclaveSign ?? "0x", "enclave signature"),
      hexBytes(input.authorization, "authorization"),
    ] as const;
    const sent = await this.context.send("contribute", async () => {
      // Another worker's contribution mined first can make this one the one that brings the consensus,
      // which costs about a third more than the estimate made before: without headroom it runs out of gas.
      const estimate = await hub.contribute.estimateGas(...args);
      return hub.contribute(...args, { gasLimit: (estimate * CONTRIBUTE_GAS_HEADROOM_PERCENT) / 100n });
    });
    return { ...sent, resultHash, resultSeal };
  }

  /** Reveals the digest behind the signer's winning contribution. */
  async reveal(taskid: string, resultDigest: string): Promise<Sent> {
    bytes32(taskid, "task id");
    bytes32(resultDigest, "result digest");
    const hub = this.context.hub.connect(this.context.requireSigner("reveal"));
    return this.context.send("reveal", () => hub.reveal(taskid, resultDigest));
  }

  /** A trust-1 task's only worker contributes, reveals and finalizes in one transaction. */
  async contributeAndFinalize(input: ContributeAndFinalizeInput): Promise<Sent> {
    const taskid = bytes32(input.taskid, "task id");
    const digest = bytes32(input.resultDigest, "result digest");
    const hub = this.context.hub.connect(this.context.requireSigner("contribute and finalize"));
    return this.context.send("contribute and finalize", () =>
      hub.contributeAndFinalize(
        taskid,
        digest,
        resultsBytes(input.results),
        hexBytes(input.resultsCallback ?? "0x", "callback data"),
        input.enclaveChallenge ?? ZeroAddress,
        hexBytes(input.enclaveSign ?? "0x", "enclave signature"),
        hexBytes(input.authorization, "authorization"),
      ),
    );
  }

  /** Scheduler: completes a revealed task with where its result is, paying everyone. */
  async finalize(taskid: string, results: string, resultsCallback = "0x"): Promise<Sent> {
    bytes32(taskid, "task id");
    const hub = this.context.hub.connect(this.context.requireSigner("finalize"));
    return this.context.send("finalize", () =>
      hub.finalize(taskid, resultsBytes(results), hexBytes(resultsCallback, "callback data")),
    );
  }

  /** Scheduler: reopens a task whose winners all missed the reveal deadline. */
  async reopen(taskid: string): Promise<Sent> {
    bytes32(taskid, "task id");
    const hub = this.context.hub.connect(this.context.requireSigner("reopen"));
    return this.context.send("reopen", () => hub.reopen(taskid));
  }

  /** Initializes and at once claims tasks nobody started before their final deadline, refunding them. */
  async initializeAndClaim(tasks: TaskRef[]): Promise<Sent & { taskids: string[] }> {
    if (tasks.length === 0) throw new InvalidInputError("No task to claim: give at least one.");
    for (const task of tasks) bytes32(task.dealid, "deal id");
    const hub = this.context.hub.connect(this.context.requireSigner("claim tasks"));
    const sent = await this.context.send("initialize and claim tasks", () =>
      hub.initializeAndClaimArray(
        tasks.map((task) => task.dealid),
        tasks.map((task) => task.idx),
      ),
    );
    return { ...sent, taskids: tasks.map((task) => computeTaskId(task.dealid, task.idx)) };
  }

  /** Fails tasks past their final deadline, refunding their requesters (`claimArray` for several). */
  async claim(taskids: string[]): Promise<Sent> {
    if (taskids.length === 0) throw new InvalidInputError("No task to claim: give at least one.");
    for (const taskid of taskids) bytes32(taskid, "task id");
    const hub = this.context.hub.connect(this.context.requireSigner("claim tasks"));
    return this.context.send("claim tasks", () =>
      taskids.length === 1 ? hub.claim(taskids[0]) : hub.claimArray(taskids),
    );
  }
}
