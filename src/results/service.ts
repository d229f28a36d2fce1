/**
 * The result store's rules: who may upload a task's result and when, who may download it, and the
 * streaming of an accepted upload to disk (size limit, SHA-256 checked against the signed one).
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { getAddress, getBytes, verifyMessage, ZeroAddress } from "ethers";
import type { OpenPoco, TaskInfo } from "../sdk/core/client";
import { ForbiddenError, NotFoundError, OpenPocoError, UnauthorizedError } from "../sdk/core/errors";
import { closeFileStream } from "../sdk/node/files";
import {
  openpocoResultsText,
  parseResultProof,
  resultDownloadMessage,
  resultUploadMessage,
  type ResultProof,
  type ResultUploaded,
} from "../sdk/node/results";
import { authorizationMessage, ContributionStatus, TaskStatus } from "../sdk/core/tasks";
import type { ResultFileStore, StoredResult } from "./store";

/** Rules' settings. */
export interface ResultServiceOptions {
  /** Largest accepted zip, in bytes. */
  maxBytes: number;
  /** Largest age of a signed request, in seconds. */
  maxAgeSeconds: number;
  /** Base URL written in the `results` of uploaded tasks. */
  publicUrl: string;
}

/** An upload whose proofs were checked: the body may be read. */
export interface AcceptedUpload {
  taskid: string;
  worker: string;
  sha256: string;
}

/** Thrown for a task that no longer takes uploads (HTTP 409). */
export class ResultImmutableError extends OpenPocoError {
  constructor(taskid: string, status: string) {
    super(
      "RESULT_IMMUTABLE",
      `Task ${taskid} is ${status}: its result can no longer be uploaded; upload while it is ACTIVE or REVEALING.`,
    );
  }
}

/** Thrown for an upload of other bytes than the result already stored for the task (HTTP 409). */
export class ResultAlreadyStoredError extends OpenPocoError {
  constructor(taskid: string, sha256: string) {
    super(
      "RESULT_IMMUTABLE",
      `Task ${taskid} already has a result (sha256 ${sha256}): the first upload stays; finalize with its location.`,
    );
  }
}

/** Thrown for a body over the size limit (HTTP 413). */
export class ResultTooLargeError extends OpenPocoError {
  constructor(maxBytes: number) {
    super("RESULT_TOO_LARGE", `The result zip is larger than ${maxBytes} bytes: shrink the app's output.`);
  }
}

const SHA256 = /^0x[0-9a-f]{64}$/;

/** The result store's rules over the chain (read through the SDK) and the file store. */
export class ResultService {
  constructor(
    private readonly poco: OpenPoco,
    readonly store: ResultFileStore,
    readonly options: ResultServiceOptions,
  ) {}

  get chainId(): bigint {
    return this.poco.chainId;
  }

  /** Refuses requests for another chain. */
  checkChainId(chainId: string | undefined): void {
    if (chainId !== undefined && BigInt(chainId) !== this.chainId)
      throw new OpenPocoError(
        "INVALID_INPUT",
        `This result store serves chain ${this.chainId}, not ${chainId}: use the store of that chain.`,
      );
  }

  private checkProof(header: string | undefined, message: (proof: ResultProof) => string): string {
    const proof = parseResultProof(header);
    if (!proof)
      throw new UnauthorizedError(
        "Missing or malformed Authorization header: send <timestamp>_<signature>_<address> as the SDK does.",
      );
    const age = BigInt(Math.floor(Date.now() / 1000)) - proof.timestamp;
    const max = BigInt(this.options.maxAgeSeconds);
    if (age > max || age < -max)
      throw new UnauthorizedError(
        `The signature's timestamp is ${age} s away from now (max ${max}): sign again with the current time.`,
      );
    let signer: string;
    try {
      signer = verifyMessage(getBytes(message(proof)), proof.signature);
    } catch {
      signer = ZeroAddress;
    }
    if (signer !== proof.address)
      throw new UnauthorizedError(
        `The signature is not ${proof.address}'s for this request: sign the request of this task and chain.`,
      );
    return signer;
  }

  private async task(taskid: string): Promise<TaskInfo> {
    try {
      return await this.poco.tasks.show(taskid);
    } catch (error) {
      if (error instanceof NotFoundError)
        throw new NotFoundError(
          `Task ${taskid} is not initialized on chain ${this.chainId}: check the task id.`,
        );
      throw error;
    }
  }

  /** Checks an upload's proofs and the task's state on chain, before its body is read. */
  async acceptUpload(
    taskid: string,
    headers: { authorization?: string; sha256?: string; schedulerAuthorization?: string },
  ): Promise<AcceptedUpload> {
    const sha256 = headers.sha256?.toLowerCase();
    if (sha256 === undefined || !SHA256.test(sha256))
      throw new OpenPocoError(
        "INVALID_INPUT",
        "Missing or malformed X-Result-Sha256 header: send 0x and the 64 hex digits of the body's SHA-256.",
      );
    const worker = this.checkProof(headers.authorization, (proof) =>
      resultUploadMessage(this.chainId, taskid, sha256, proof.timestamp),
    );
    const task = await this.task(taskid);
    if (task.status !== TaskStatus.ACTIVE && task.status !== TaskStatus.REVEALING)
      throw new ResultImmutableError(taskid, task.statusName);
    const deal = await this.poco.deals.view(task.dealid);
    // Before consensus only a trust-1 task's worker uploads (it finalizes itself right after); with more
    // trust, nobody knows the agreed result until the task is REVEALING.
    if (task.status === TaskStatus.ACTIVE && deal.trust > 1n)
      throw new ForbiddenError(
        `Task ${taskid} has trust ${deal.trust} and no consensus yet: upload once it is REVEALING, as a winner.`,
      );
    // The first result stored stays: a later winner cannot swap in other bytes behind the same location.
    const stored = this.store.get(this.chainId, taskid);
    if (stored !== undefined && stored.sha256 !== sha256)
      throw new ResultAlreadyStoredError(taskid, stored.sha256);
    let scheduler = ZeroAddress;
    try {
      scheduler = verifyMessage(
        getBytes(authorizationMessage(worker, taskid, ZeroAddress)),
        headers.schedulerAuthorization ?? "",
      );
    } catch {
      // Missing or malformed: refused below.
    }
    if (scheduler !== getAddress(deal.workerpool.owner))
      throw new ForbiddenError(
        `Worker ${worker} has no authorization of the workerpool owner for task ${taskid}: send the scheduler's authorization in X-Scheduler-Authorization.`,
      );
    if (task.status === TaskStatus.REVEALING) {
      const contribution = await this.poco.work.contribution(taskid, worker);
      const counted =
        contribution.status === ContributionStatus.CONTRIBUTED ||
        contribution.status === ContributionStatus.PROVED;
      if (!counted || contribution.resultHash !== task.consensusValue)
        throw new ForbiddenError(
          `Worker ${worker} did not contribute the consensus of task ${taskid}: only a winner uploads its result.`,
        );
    }
    return { taskid: taskid.toLowerCase(), worker, sha256 };
  }

  /** Streams an accepted upload's body to disk, checks it, and stores it; returns the upload's answer. */
  async receive(upload: AcceptedUpload, body: Readable): Promise<ResultUploaded> {
    const temp = this.store.tempPath();
    const hash = createHash("sha256");
    let size = 0;
    const maxBytes = this.options.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new ResultTooLargeError(maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const sink = createWriteStream(temp, { flags: "wx" });
    try {
      await pipeline(body, meter, sink);
      const sha256 = `0x${hash.digest("hex")}`;
      if (sha256 !== upload.sha256)
        throw new OpenPocoError(
          "INVALID_INPUT",
          `The body's SHA-256 is ${sha256}, not the signed ${upload.sha256}: send the file that was signed, whole.`,
        );
      // The task may have completed while the body was arriving.
      const task = await this.task(upload.taskid);
      if (task.status !== TaskStatus.ACTIVE && task.status !== TaskStatus.REVEALING)
        throw new ResultImmutableError(upload.taskid, task.statusName);
      await this.store.put(
        {
          chainId: this.chainId,
          taskid: upload.taskid,
          sha256,
          size,
          worker: upload.worker,
          uploadedAt: Date.now(),
        },
        temp,
      );
    } finally {
      await closeFileStream(sink);
      await rm(temp, { force: true });
    }
    const results = openpocoResultsText(this.options.publicUrl, this.chainId, upload.taskid);
    return {
      results,
      location: (JSON.parse(results) as { location: string }).location,
      sha256: upload.sha256,
      size,
    };
  }

  /** The stored result of `taskid` if the proof's signer is the deal's requester or beneficiary. */
  async authorizeDownload(taskid: string, authorization: string | undefined): Promise<StoredResult> {
    const caller = this.checkProof(authorization, (proof) =>
      resultDownloadMessage(this.chainId, taskid, proof.timestamp),
    );
    const task = await this.task(taskid);
    const deal = await this.poco.deals.view(task.dealid);
    if (caller !== getAddress(deal.requester) && caller !== getAddress(deal.beneficiary))
      throw new ForbiddenError(
        `${caller} is neither the requester nor the beneficiary of task ${taskid}: sign with one of their wallets.`,
      );
    const stored = this.store.get(this.chainId, taskid);
    if (!stored)
      throw new NotFoundError(`No result stored for task ${taskid}: wait for a worker to upload it.`);
    return stored;
  }
}
