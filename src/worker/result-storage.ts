/**
 * Where a worker chosen to upload puts a task's result zip, and the `results` text the task is finalized
 * with. The folder storage suits one machine (the local stack, tests); the HTTP storage uploads to an
 * OpenPoCo result store (`src/results/`), signed by the worker and carrying the scheduler's authorization;
 * the IPFS storage adds the zip to an IPFS node (requests with `iexec_result_storage_provider: ipfs`).
 */
import { copyFile, mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Signer } from "ethers";
import { InvalidInputError, ServiceError } from "../sdk/core/errors";
import { fileSystemError, tempPathNextTo } from "../sdk/node/files";
import { IpfsClient } from "../sdk/node/ipfs";
import { ResultsClient, ipfsResultsText, openpocoResultsText } from "../sdk/node/results";

/** What an upload may need to know about the task besides its zip. */
export interface ResultUploadContext {
  /** The scheduler's authorization of this worker on the task: the one it contributes with. */
  authorization: string;
}

/** A place results are uploaded to. */
export interface ResultStorage {
  /** Stores the zip of `taskid`'s result; returns the task's `results`: a JSON location. */
  upload(taskid: string, zipFile: string, context?: ResultUploadContext): Promise<string>;
}

/** Results as files `<taskid>.zip` in a folder; the location is the file's URL. */
export class FolderResultStorage implements ResultStorage {
  constructor(readonly dir: string) {}

  async upload(taskid: string, zipFile: string): Promise<string> {
    const target = path.join(path.resolve(this.dir), `${taskid.toLowerCase()}.zip`);
    const temp = tempPathNextTo(target);
    try {
      await mkdir(this.dir, { recursive: true });
      await copyFile(zipFile, temp);
      await rename(temp, target);
    } catch (error) {
      throw fileSystemError("store the result", target, error);
    }
    return JSON.stringify({ storage: "file", location: pathToFileURL(target).href });
  }
}

/** Results uploaded to an OpenPoCo result store; the location is the store's URL of the result. */
export class HttpResultStorage implements ResultStorage {
  private readonly client: ResultsClient;

  /**
   * @param baseUrl URL of the result store (chain.json's `resultProxy`).
   * @param chainId Chain of the tasks.
   * @param signer The worker's signer: the store checks the upload comes from the authorized worker.
   */
  constructor(
    baseUrl: string,
    chainId: bigint,
    private readonly signer: Signer,
    timeoutMs?: number,
  ) {
    this.client = new ResultsClient(baseUrl, chainId, timeoutMs);
  }

  async upload(taskid: string, zipFile: string, context?: ResultUploadContext): Promise<string> {
    if (!context?.authorization)
      throw new InvalidInputError(
        `Uploading the result of ${taskid} needs the scheduler's authorization: pass { authorization } from the task.`,
      );
    try {
      const uploaded = await this.client.upload(taskid, zipFile, {
        signer: this.signer,
        authorization: context.authorization,
      });
      return uploaded.results;
    } catch (error) {
      // 409: the store already holds this task's result (another winner's upload, or the task is done);
      // its location does not depend on who uploaded, so the task can be finalized with it.
      if (error instanceof ServiceError && error.status === 409)
        return openpocoResultsText(this.client.baseUrl, this.client.chainId, taskid);
      throw error;
    }
  }
}

/**
 * Results added to a kubo-compatible IPFS node; the location is `/ipfs/<cid>`. The zip is public there
 * to whoever has the CID: the worker adds it encrypted when the request asks for encryption.
 */
export class IpfsResultStorage implements ResultStorage {
  private readonly client: IpfsClient;

  /**
   * @param nodeUrl The node's RPC URL (chain.json's `ipfsNode`). No HEAD on a gateway follows the add:
   *   the node pinned the content, and a public gateway may take a while to find it; the requester's
   *   download checks every block anyway.
   */
  constructor(nodeUrl: string, timeoutMs?: number) {
    this.client = new IpfsClient({ nodeUrl, timeoutMs });
  }

  async upload(_taskid: string, zipFile: string): Promise<string> {
    const { cid } = await this.client.addFile(zipFile);
    return ipfsResultsText(cid);
  }
}
