/** `info`: the chain, its hub and registries, and the services' URLs. */
import type { Command } from "commander";
import { action } from "../action";
import type { Session } from "../session";

async function info(session: Session): Promise<void> {
  const poco = await session.connect(false);
  const chain = poco.context.chain;
  const fields = {
    chain: chain.name,
    chainId: poco.chainId,
    host: chain.host,
    hubAddress: poco.addresses.hub,
    rlcAddress: poco.addresses.token,
    appRegistryAddress: poco.addresses.appRegistry,
    datasetRegistryAddress: poco.addresses.datasetRegistry,
    workerpoolRegistryAddress: poco.addresses.workerpoolRegistry,
    marketURL: chain.iexecGateway,
    smsURL: chain.sms,
    resultProxyURL: chain.resultProxy,
  };
  session.out.success(`PoCo on chain ${chain.name}`, fields);
  session.out.set(fields);
}

/** Registers `info`. */
export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("show the hub, registries and service URLs of the chain")
    .action(action(info));
}
