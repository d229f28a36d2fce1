/** `init`: the project files (iexec.json, chain.json and its companion) and, unless skipped, a new wallet. */
import type { Command } from "commander";
import { ZeroAddress, ZeroHash } from "ethers";
import { defaultChainFiles } from "../../sdk/core/chains";
import { action } from "../action";
import { CHAIN_EXTRAS_JSON, CHAIN_JSON, IEXEC_JSON } from "../project";
import type { Session } from "../session";
import { createWallet } from "./wallet";

/** The iexec.json `init` writes: a description and the defaults of `app run` / `order fill`. */
export function defaultIexecJson(): Record<string, unknown> {
  return {
    description: "Describe your application, dataset or workerpool here.",
    license: "MIT",
    author: "?",
    buyConf: { params: {}, tag: ZeroHash, trust: "0", callback: ZeroAddress },
  };
}

async function init(session: Session, options: { skipWallet?: boolean; force?: boolean }): Promise<void> {
  const { project, out } = session;
  const written: string[] = [];
  const chain = defaultChainFiles();
  // chain.json and its companion go together: an existing chain.json keeps its companion too.
  const groups: [string, [string, unknown][]][] = [
    [IEXEC_JSON, [[IEXEC_JSON, defaultIexecJson()]]],
    [
      CHAIN_JSON,
      [
        [CHAIN_JSON, chain.chainJson],
        ...(chain.extras ? [[CHAIN_EXTRAS_JSON, chain.extras] as [string, unknown]] : []),
      ],
    ],
  ];
  for (const [name, files] of groups) {
    if ((await project.exists(name)) && !options.force) {
      out.info(`${name} already exists, kept (--force overwrites it)`);
      continue;
    }
    for (const [file, content] of files) {
      await project.write(file, content);
      written.push(file);
    }
  }
  out.success(`Project initialized in ${project.dir}`, { files: written.join(", ") || "none (all kept)" });
  out.set({ files: written });
  if (options.skipWallet) return;
  if (await session.walletAddressIfAny()) {
    out.info(`a wallet exists in ${session.keystoreDir()}, kept`);
    return;
  }
  await createWallet(session, {});
}

/** Registers `init`. */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description(
      "create iexec.json, chain.json and chain.openpoco.json in this folder, and a wallet unless --skip-wallet",
    )
    .option("--skip-wallet", "do not create a wallet")
    .option("--force", "overwrite existing project files")
    .action(action(init));
}
