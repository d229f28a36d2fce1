/**
 * Computes one task: app image, dataset and input files, the confined run, the zipped result and its
 * digest. Local failures (pull, checksums, downloads) throw TaskFailure and the worker does not
 * contribute; a crash or timeout of the app is a deterministic property of the run and ends in an
 * error result every honest worker computes identically.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { InvalidInputError } from "../sdk/core/errors";
import type { RequestParams } from "../sdk/core/params";
import type { ErrorResultCode } from "../sdk/core/scheduler";
import { unzipTo, zipFolder } from "../sdk/node/zip";
import { prepareAppImage } from "./app-image";
import { removeContainer, runContainer, splitArgs } from "./container";
import { CONTAINER_IN, taskEnvironment } from "./environment";
import { downloadDataset, downloadInputFiles } from "./inputs";
import { computeResultDigest, ResultDigestError } from "./result-digest";
import { TaskFailure } from "./task-failure";

export { TaskFailure } from "./task-failure";

export interface ComputeSpec {
  taskid: string;
  dealid: string;
  idx: bigint;
  botFirst: bigint;
  botSize: bigint;
  app: { multiaddr: string; checksum: string };
  /** The deal's dataset; `key` decrypts an encrypted one. */
  dataset?: { address: string; multiaddr: string; checksum: string; key?: Buffer };
  /** Already parsed request params. */
  params: RequestParams;
  /** Accept file:// dataset URLs (local mirrors, tests); refused by default. */
  allowFileUrls?: boolean;
  /** Base URL of the IPFS gateway `/ipfs/<cid>` datasets are fetched through; without it they fail. */
  ipfsGateway?: string;
  /** Secrets the SMS released for the task, given to the app as environment variables. */
  secrets?: { requester: Record<string, string>; app?: string };
  /** This task's folder; compute (re)creates iexec_in/, iexec_out/ and result.zip in it. */
  workDir: string;
  containerName: string;
  /** Wall-clock limit of the app run, from the category. */
  timeoutMs: number;
  limits: {
    memoryBytes: number;
    cpus: number;
    pidsLimit: number;
    maxInputFileBytes: number;
    /** Largest dataset, as downloaded and (for archives the app asks to extract) once extracted. */
    maxDatasetBytes?: number;
  };
  /**
   * Called once the app ran (exited, crashed or timed out) with its output, before the result is made:
   * the worker sends it to the scheduler for the requester. Its failure does not fail the task.
   */
  onAppLogs?: (logs: { stdout: string; stderr: string }) => Promise<void>;
}

export interface ComputedResult {
  /** "0x" and 64 hex digits. */
  resultDigest: string;
  /** callback.iexec as hex; "0x" when the app wrote none. */
  resultsCallback: string;
  /** <workDir>/result.zip, the zipped /iexec_out. */
  zipFile: string;
  /** Set for an error result: /iexec_out then holds only error.json. */
  error?: { code: ErrorResultCode; detail: string };
  /** Remarks for the worker's report, such as "DETERMINISM_FILE_MISSING: ...". */
  notes: string[];
  exitCode: number | null;
  durationMs: number;
  /** The end of the app's output, for the worker's logs only. */
  logTail: string;
  /** The app's stdout and stderr apart (the last APP_LOG_LIMIT_BYTES of each), for the requester. */
  appLogs: { stdout: string; stderr: string };
}

/** Where an extracted dataset appears in the container. */
export const DATASET_FOLDER = "dataset";

/**
 * Extracts the dataset archive into /iexec_in/dataset for apps that ask for it. An archive with an entry
 * escaping the folder, or larger than allowed once extracted, is the dataset's fault: every worker
 * refuses it alike, so the task is not contributed (it ends in a claim and a refund).
 */
async function extractDataset(archive: string, inDir: string, maxBytes: number): Promise<string> {
  try {
    await unzipTo(archive, path.join(inDir, DATASET_FOLDER), { maxBytes });
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new TaskFailure("DATASET_BAD_ARCHIVE", error.message.replace(archive, "the dataset"));
  }
  return `${CONTAINER_IN}/${DATASET_FOLDER}`;
}

/** The content of error.json: the same bytes on every honest worker (no time, no logs, no host paths). */
function errorJson(fields: Record<string, string | number>): string {
  return `${JSON.stringify(fields)}\n`;
}

/** Empties a folder (or creates it); the app may have left read-only entries, so remove and recreate. */
async function freshDir(dir: string, mode = 0o755): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.mkdir(dir, { recursive: true });
  // The app runs as its image's user without capabilities: it needs the folder's permission bits to write.
  await fsp.chmod(dir, mode);
}

/**
 * Computes a task; safe to call again in the same workDir (a restarted worker does).
 * @throws TaskFailure when the task cannot be computed here: the worker must not contribute. Unexpected
 *   local errors (Docker engine, disk) are TaskFailure WORKER_ERROR, with the original as cause.
 */
export async function computeTask(spec: ComputeSpec): Promise<ComputedResult> {
  try {
    return await compute(spec);
  } catch (error) {
    if (error instanceof TaskFailure) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new TaskFailure("WORKER_ERROR", `The worker could not run the task: ${message}`, { cause: error });
  }
}

async function compute(spec: ComputeSpec): Promise<ComputedResult> {
  const workDir = path.resolve(spec.workDir);
  const inDir = path.join(workDir, "iexec_in");
  const outDir = path.join(workDir, "iexec_out");
  const zipFile = path.join(workDir, "result.zip");

  let args: string[];
  try {
    args = splitArgs(spec.params.iexec_args ?? "");
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    // Every worker reads the same params, so none will run this request: it ends in a claim and a refund.
    throw new TaskFailure("WORKER_ERROR", `The request params cannot be run: ${error.message}`);
  }

  await removeContainer(spec.containerName);
  await fsp.mkdir(workDir, { recursive: true });
  await freshDir(inDir);
  await freshDir(outDir, 0o777);
  await fsp.rm(zipFile, { force: true });

  const app = await prepareAppImage(spec.app);

  let datasetFile: { address: string; filename: string } | undefined;
  let datasetFolder: string | undefined;
  if (spec.dataset) {
    // Named by its address, as the official worker does: unique and known before the download.
    const filename = spec.dataset.address;
    const maxBytes = spec.limits.maxDatasetBytes ?? Number.MAX_SAFE_INTEGER;
    await downloadDataset(spec.dataset, path.join(inDir, filename), {
      maxBytes,
      allowFileUrls: spec.allowFileUrls,
      ipfsGateway: spec.ipfsGateway,
    });
    datasetFile = { address: spec.dataset.address, filename };
    if (app.unzipDataset) datasetFolder = await extractDataset(path.join(inDir, filename), inDir, maxBytes);
  }
  const inputFileNames = await downloadInputFiles(spec.params.iexec_input_files ?? [], inDir, {
    maxBytes: spec.limits.maxInputFileBytes,
    reserved: datasetFile ? [datasetFile.filename] : [],
  });

  const run = await runContainer({
    image: app.image,
    args,
    env: taskEnvironment({
      taskid: spec.taskid,
      dealid: spec.dealid,
      idx: spec.idx,
      botFirst: spec.botFirst,
      botSize: spec.botSize,
      dataset: datasetFile,
      inputFileNames,
      datasetFolder,
      secrets: spec.secrets,
    }),
    inDir,
    outDir,
    name: spec.containerName,
    timeoutMs: spec.timeoutMs,
    memoryBytes: spec.limits.memoryBytes,
    cpus: spec.limits.cpus,
    pidsLimit: spec.limits.pidsLimit,
    network: app.network,
  });
  // The inputs (a decrypted dataset among them) are not needed once the app ran: they leave the disk now.
  await fsp.rm(inDir, { recursive: true, force: true });
  await spec.onAppLogs?.(run.appLogs).catch(() => undefined);

  const base = {
    zipFile,
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    logTail: run.logTail,
    appLogs: run.appLogs,
  };
  const errorResult = async (
    code: ErrorResultCode,
    fields: Record<string, string | number>,
    detail: string,
  ): Promise<ComputedResult> => {
    await freshDir(outDir, 0o777);
    await fsp.writeFile(path.join(outDir, "error.json"), errorJson({ error: code, ...fields }));
    await zipFolder(outDir, zipFile);
    const digest = await computeResultDigest(outDir, zipFile);
    return { ...base, ...digest, error: { code, detail }, notes: [] };
  };

  if (run.timedOut) {
    const timeoutSeconds = Math.round(spec.timeoutMs / 1000);
    return errorResult("APP_TIMEOUT", { timeoutSeconds }, `The app ran longer than ${timeoutSeconds} s.`);
  }
  if (run.exitCode !== 0)
    return errorResult(
      "APP_CRASHED",
      { exitCode: run.exitCode ?? -1 },
      `The app exited with code ${run.exitCode}${run.oomKilled ? " (killed for exceeding its memory limit)" : ""}.`,
    );

  try {
    await zipFolder(outDir, zipFile);
    const digest = await computeResultDigest(outDir, zipFile);
    const notes =
      digest.source === "zip"
        ? [
            "DETERMINISM_FILE_MISSING: the app wrote no determinism.iexec, callback.iexec or computed.json; the digest is the result zip's sha256.",
          ]
        : [];
    return { ...base, ...digest, notes };
  } catch (error) {
    // Links, special files or a bad deterministic-output-path are the app's doing, the same on every worker.
    // The reason is written without host paths so every worker's error.json is identical.
    const reason =
      error instanceof ResultDigestError
        ? error.message
        : error instanceof InvalidInputError
          ? "the app wrote a symbolic link or special file in /iexec_out"
          : undefined;
    if (reason === undefined) throw error;
    return errorResult("APP_CRASHED", { exitCode: 0, reason }, `The app's output is unusable: ${reason}`);
  }
}
