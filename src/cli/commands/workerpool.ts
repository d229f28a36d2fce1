/** `workerpool init|deploy|show|count`. */
import type { Command } from "commander";
import { action } from "../action";
import type { Session } from "../session";
import { initSection, registerShowAndCount, reportDeployed } from "./assets";

async function deploy(session: Session): Promise<void> {
  const section = await session.project.section("workerpool", "workerpool init");
  const poco = await session.connect(true);
  const deployed = await session.out.step(
    "Deploying the workerpool",
    poco.assets.deployWorkerpool({
      owner: String(section.owner),
      description: String(section.description ?? ""),
    }),
  );
  await reportDeployed(session, poco, "workerpool", deployed);
}

/** Registers `workerpool`. */
export function registerWorkerpool(program: Command): void {
  const workerpool = program.command("workerpool").description("workerpools (sellers of computing power)");
  workerpool
    .command("init")
    .description('add a "workerpool" section to iexec.json')
    .action(
      action((session: Session) =>
        initSection(session, "workerpool", (owner) => ({ owner, description: "my-workerpool" })).then(
          () => {},
        ),
      ),
    );
  workerpool.command("deploy").description("register the workerpool of iexec.json").action(action(deploy));
  registerShowAndCount(workerpool, "workerpool");
}
