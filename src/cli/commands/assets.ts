/**
 * What `app`, `dataset` and `workerpool` share: `init` of their iexec.json section, `deploy`
 * bookkeeping in deployed.json, and `show` / `count`.
 */
import type { Command } from "commander";
import type {
  AppInfo,
  AssetKind,
  DatasetInfo,
  Deployed,
  OpenPoco,
  WorkerpoolInfo,
} from "../../sdk/core/client";
import { checkedAddress } from "../../sdk/core/client/account";
import { NotFoundError } from "../../sdk/core/errors";
import { action } from "../action";
import { IEXEC_JSON } from "../project";
import type { Session } from "../session";

/** Adds the `kind` section to iexec.json, owned by the wallet when there is one. */
export async function initSection(
  session: Session,
  kind: AssetKind,
  template: (owner: string) => Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const owner = (await session.walletAddressIfAny()) ?? "0x0000000000000000000000000000000000000000";
  const section = template(owner);
  await session.project.update(IEXEC_JSON, (iexec) => void (iexec[kind] = section));
  session.out.success(`Saved default ${kind} in "iexec.json", you can edit it`, section);
  session.out.set({ [kind]: section });
  return section;
}

/** Records a deployment in deployed.json and reports it. */
export async function reportDeployed(session: Session, poco: OpenPoco, kind: AssetKind, deployed: Deployed) {
  await session.project.saveDeployed(kind, poco.chainId, deployed.address);
  session.out.success(`Deployed new ${kind} at address ${deployed.address}`, { txHash: deployed.txHash });
  session.out.set({ address: deployed.address, txHash: deployed.txHash });
}

/** The asset meant by an argument: an address, an index among the wallet's (or --user's), else deployed.json's. */
async function target(session: Session, poco: OpenPoco, kind: AssetKind, given?: string, user?: string) {
  if (given) {
    const owner = /^\d+$/.test(given)
      ? user
        ? checkedAddress(user)
        : (await session.walletFile()).address
      : undefined;
    return { ref: given, owner };
  }
  const deployed = await session.project.deployed(kind, poco.chainId);
  if (!deployed)
    throw new NotFoundError(
      `No ${kind} given and none in deployed.json for chain ${poco.chainId}: pass an address or run \`openpoco ${kind} deploy\`.`,
    );
  return { ref: deployed, owner: undefined };
}

type AssetView = AppInfo | DatasetInfo | WorkerpoolInfo;
const SHOW: Record<AssetKind, (poco: OpenPoco, ref: string, owner?: string) => Promise<AssetView>> = {
  app: (poco: OpenPoco, ref: string, owner?: string) => poco.assets.showApp(ref, owner),
  dataset: (poco: OpenPoco, ref: string, owner?: string) => poco.assets.showDataset(ref, owner),
  workerpool: (poco: OpenPoco, ref: string, owner?: string) => poco.assets.showWorkerpool(ref, owner),
};

/** Adds `show [addressOrIndex] [--user]` and `count [--user]` to the `kind` command. */
export function registerShowAndCount(command: Command, kind: AssetKind): void {
  command
    .command("show")
    .argument(
      "[addressOrIndex]",
      `${kind} address, or index among the user's ${kind}s (default: deployed.json)`,
    )
    .option("--user <address>", "owner whose index is given (default: the wallet)")
    .description(`show a ${kind}`)
    .action(
      action(async (session: Session, given: string | undefined, options: { user?: string }) => {
        const poco = await session.connect(false);
        const { ref, owner } = await target(session, poco, kind, given, options.user);
        const { address, ...fields } = await session.out.step(
          `Reading the ${kind}`,
          SHOW[kind](poco, ref, owner),
        );
        session.out.success(`${kind} ${address}`, fields as Record<string, unknown>);
        session.out.set({ objAddress: address, [kind]: fields });
      }),
    );
  command
    .command("count")
    .option("--user <address>", "owner to count for (default: the wallet)")
    .description(`count the ${kind}s of an owner`)
    .action(
      action(async (session: Session, options: { user?: string }) => {
        const owner = options.user ? checkedAddress(options.user) : (await session.walletFile()).address;
        const poco = await session.connect(false);
        const count = await poco.assets.count(kind, owner);
        session.out.success(`${owner} has ${count} ${kind}(s)`);
        session.out.set({ count });
      }),
    );
}
