/**
 * The environment variables an app sees (protocol.md "Worker side"), named as the official worker
 * names them, so apps written for it run unchanged.
 */
import { ZeroAddress } from "ethers";

/** Where the worker mounts the input and output folders inside the container. */
export const CONTAINER_IN = "/iexec_in";
export const CONTAINER_OUT = "/iexec_out";

export interface TaskEnvironmentInput {
  taskid: string;
  dealid: string;
  /** The task's index in the deal. */
  idx: bigint;
  botFirst: bigint;
  botSize: bigint;
  /** The dataset's address and its file name in /iexec_in, when the deal has a dataset. */
  dataset?: { address: string; filename: string };
  /** Names of the downloaded input files in /iexec_in, in the request's order. */
  inputFileNames: string[];
  /** Where the dataset archive was extracted, when the app asked for it (see app-image.ts). */
  datasetFolder?: string;
  /** Secrets the SMS released for this task: requester secrets by index, the app developer's secret. */
  secrets?: { requester: Record<string, string>; app?: string };
}

/** Every variable of the task, as name → value. */
export function taskEnvironment(input: TaskEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {
    IEXEC_IN: CONTAINER_IN,
    IEXEC_OUT: CONTAINER_OUT,
    IEXEC_TASK_ID: input.taskid,
    IEXEC_DEAL_ID: input.dealid,
    IEXEC_TASK_INDEX: input.idx.toString(),
    IEXEC_BOT_SIZE: input.botSize.toString(),
    IEXEC_BOT_FIRST_INDEX: input.botFirst.toString(),
    // The official worker gives the task's own index here too, not its offset in the bag of tasks.
    IEXEC_BOT_TASK_INDEX: input.idx.toString(),
    IEXEC_DATASET_ADDRESS: input.dataset?.address ?? ZeroAddress,
    IEXEC_DATASET_FILENAME: input.dataset?.filename ?? "",
    IEXEC_INPUT_FILES_FOLDER: CONTAINER_IN,
    IEXEC_NB_INPUT_FILES: String(input.inputFileNames.length),
    IEXEC_INPUT_FILES_NUMBER: String(input.inputFileNames.length),
  };
  input.inputFileNames.forEach((name, i) => (env[`IEXEC_INPUT_FILE_NAME_${i + 1}`] = name));
  if (input.datasetFolder !== undefined) env.IEXEC_DATASET_FOLDER = input.datasetFolder;
  for (const [index, value] of Object.entries(input.secrets?.requester ?? {}))
    env[`IEXEC_REQUESTER_SECRET_${index}`] = value;
  if (input.secrets?.app !== undefined) env.IEXEC_APP_DEVELOPER_SECRET = input.secrets.app;
  return env;
}
