/**
 * Why a task fails, for people: for each code a worker reports (a refusal before or around the run) and
 * each error-result code (the app ran and failed), who must act and what they must do. The CLI, the
 * explorer and the scheduler's task API all explain failures with this one table.
 */
import type { ErrorResultCode, WorkerFailureCode } from "./scheduler";

/** Who can fix a failure. */
export type ResponsibleParty = "app owner" | "dataset owner" | "requester" | "workerpool";

/** What a failure means and who fixes it. */
export interface FailureGuide {
  /** Who must act. */
  party: ResponsibleParty;
  /** What failed, in one sentence. */
  summary: string;
  /** What the party should do. */
  fix: string;
}

/** The guide of every worker failure code and error-result code. */
export const FAILURE_GUIDES: Readonly<Record<WorkerFailureCode | ErrorResultCode, FailureGuide>> = {
  APP_CHECKSUM_MISMATCH: {
    party: "app owner",
    summary: "The app's Docker image does not match the checksum registered for the app.",
    fix: "Register the app again with the image's digest (`openpoco app deploy`), or push the image that has it.",
  },
  APP_IMAGE_PULL_FAILED: {
    party: "app owner",
    summary: "The workers could not pull the app's Docker image.",
    fix: "Push the image to a registry the workers can reach, under the name registered for the app.",
  },
  APP_CRASHED: {
    party: "app owner",
    summary: "The app ran and exited with an error; the task completed with an error result (error.json).",
    fix: "Read the app's logs (`openpoco task debug <taskid> --logs`) and fix the app or its inputs.",
  },
  APP_TIMEOUT: {
    party: "app owner",
    summary:
      "The app ran past the category's time limit and was stopped; the task completed with an error result.",
    fix: "Make the app faster, or buy in a category with a longer time limit.",
  },
  DATASET_DOWNLOAD_FAILED: {
    party: "dataset owner",
    summary: "The workers could not download the dataset from its registered address.",
    fix: "Serve the dataset at its registered URL or multiaddr.",
  },
  DATASET_BAD_CHECKSUM: {
    party: "dataset owner",
    summary: "The dataset's bytes do not match the checksum registered for it.",
    fix: "Serve the file whose checksum is registered, or register the dataset again with the right checksum.",
  },
  DATASET_BAD_ARCHIVE: {
    party: "dataset owner",
    summary:
      "The dataset is an archive the workers refuse to open (corrupt, or with entries escaping its folder).",
    fix: "Publish a plain zip whose entries stay inside it.",
  },
  INPUT_FILE_DOWNLOAD_FAILED: {
    party: "requester",
    summary: "An input file of the request could not be downloaded, or is too large.",
    fix: "Give input files that are public http(s) URLs within the size limit, then buy the execution again.",
  },
  RESULT_ENCRYPTION_KEY_UNUSABLE: {
    party: "requester",
    summary: "The beneficiary's result-encryption key in the SMS cannot encrypt.",
    fix: "Push an RSA public key (`openpoco result push-encryption-key`), or buy without result encryption.",
  },
  SECRET_MISSING: {
    party: "requester",
    summary: "A secret the task needs is not in the SMS (a requester secret, or the app developer's secret).",
    fix: "Push the secret named in the detail (`openpoco sms push-secret` or the app owner's `app push-secret`), then buy again.",
  },
  RESULT_STORAGE_UNAVAILABLE: {
    party: "workerpool",
    summary:
      "The request asks for its result on IPFS (iexec_result_storage_provider: ipfs) and the worker has no IPFS node to add it to.",
    fix: "The workerpool sets its workers' IPFS node (chain.json's ipfsNode, or `openpoco worker start --ipfs-node`); or the requester buys again with another result storage.",
  },
  ENCLAVE_REQUIRED: {
    party: "workerpool",
    summary: "The task is a TEE task and the worker has no enclave.",
    fix: "The workerpool must run TEE-capable workers, or the requester buys a standard (non-TEE) execution.",
  },
  INSUFFICIENT_STAKE: {
    party: "workerpool",
    summary: "The worker has not enough RLC staked to contribute.",
    fix: "The worker deposits more RLC; another worker may take the task.",
  },
  CONTRIBUTION_DEADLINE_PASSED: {
    party: "workerpool",
    summary: "The worker finished after the contribution deadline.",
    fix: "Nothing for the requester: the refund can be claimed after the final deadline.",
  },
  TASK_NOT_ACTIVE: {
    party: "workerpool",
    summary: "The task was no longer active on chain when the worker tried to contribute.",
    fix: "Nothing for the requester: look at the task's status on chain.",
  },
  CONTRIBUTE_FAILED: {
    party: "workerpool",
    summary: "The worker's contribution transaction failed.",
    fix: "The workerpool checks its worker; another worker may take the task.",
  },
  REVEAL_FAILED: {
    party: "workerpool",
    summary: "The worker's reveal transaction failed.",
    fix: "The workerpool checks its worker; the task may be reopened or claimed after its deadline.",
  },
  UPLOAD_FAILED: {
    party: "workerpool",
    summary: "The worker could not upload the result.",
    fix: "Another revealed worker is asked to upload it.",
  },
  WORKER_ERROR: {
    party: "workerpool",
    summary: "The worker met an error of its own (Docker engine, disk, network).",
    fix: "The workerpool checks its worker; another worker may take the task.",
  },
};

/** The guide of `code`, or a generic one naming the workerpool for a code this version does not know. */
export function failureGuide(code: string): FailureGuide {
  return (
    (FAILURE_GUIDES as Record<string, FailureGuide>)[code] ?? {
      party: "workerpool",
      summary: `The worker reported ${code}.`,
      fix: "Ask the workerpool; the refund can be claimed after the final deadline if the task does not end.",
    }
  );
}
