/** What the SMS reads on chain, through the SDK: asset owners, tasks, deals and the hub's TEE broker. */
import { getAddress } from "ethers";
import type { OpenPoco } from "../sdk/core/client";
import type { DealView } from "../sdk/core/client/deals";
import type { TaskInfo } from "../sdk/core/client/tasks";

/** The chain reads of the SMS (an interface, so the rules can be exercised without a node). */
export interface SmsChain {
  /** Current owner of the dataset at `address`; `NotFoundError` when none is registered there. */
  datasetOwner(address: string): Promise<string>;
  /** Current owner of the app at `address`; `NotFoundError` when none is registered there. */
  appOwner(address: string): Promise<string>;
  /** The task; `NotFoundError` when it is not initialized. */
  task(taskid: string): Promise<TaskInfo>;
  /** The deal's terms; `NotFoundError` when unknown. */
  deal(dealid: string): Promise<DealView>;
  /** The hub's TEE broker, the zero address when none. */
  teeBroker(): Promise<string>;
}

/** The SMS's chain reads through a (read-only) SDK client. */
export function pocoChain(poco: OpenPoco): SmsChain {
  return {
    datasetOwner: async (address) => getAddress((await poco.assets.showDataset(address)).owner),
    appOwner: async (address) => getAddress((await poco.assets.showApp(address)).owner),
    task: (taskid) => poco.tasks.show(taskid),
    deal: (dealid) => poco.deals.view(dealid),
    teeBroker: async () => getAddress(await poco.work.teeBroker()),
  };
}
