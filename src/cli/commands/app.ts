/** `app init|checksum|deploy|show|count|run`. */
import type { Command } from "commander";
import { ZeroHash } from "ethers";
import { imageDigest } from "../../sdk/node/docker";
import { action } from "../action";
import { IEXEC_JSON } from "../project";
import type { Session } from "../session";
import { initSection, registerShowAndCount, reportDeployed } from "./assets";
import { registerAppRun } from "./app-run";

async function checksum(session: Session, image: string): Promise<void> {
  const digest = await session.out.step(`Reading the digest of ${image}`, imageDigest(image));
  session.out.success(`Checksum of ${image}: ${digest}`);
  session.out.set({ image, checksum: digest });
}

async function deploy(session: Session, options: { fromImage?: boolean }): Promise<void> {
  const section = await session.project.section("app", "app init");
  if (options.fromImage) {
    const image = String(section.multiaddr ?? "");
    section.checksum = await session.out.step(`Reading the digest of ${image}`, imageDigest(image));
    await session.project.update(
      IEXEC_JSON,
      (iexec) => void ((iexec.app as Record<string, unknown>).checksum = section.checksum),
    );
    session.out.info(`checksum ${String(section.checksum)} read from ${image}, saved in iexec.json`);
  }
  const poco = await session.connect(true);
  const deployed = await session.out.step(
    "Deploying the app",
    poco.assets.deployApp({
      owner: String(section.owner),
      name: String(section.name ?? ""),
      type: String(section.type ?? ""),
      multiaddr: String(section.multiaddr ?? ""),
      checksum: String(section.checksum ?? ""),
      mrenclave: section.mrenclave as string | Record<string, unknown> | undefined,
    }),
  );
  await reportDeployed(session, poco, "app", deployed);
}

/** Registers `app`. */
export function registerApp(program: Command): void {
  const app = program.command("app").description("apps (Docker images sold per task)");
  app
    .command("init")
    .description('add an "app" section to iexec.json')
    .action(
      action((session: Session) =>
        initSection(session, "app", (owner) => ({
          owner,
          name: "hello-world",
          type: "DOCKER",
          multiaddr: "docker.io/library/hello-world:latest",
          checksum: ZeroHash,
          mrenclave: "",
        })).then(() => {}),
      ),
    );
  app
    .command("checksum")
    .argument("<image>", "Docker image (name:tag, name@sha256:..., registry/name:tag)")
    .description("print the app checksum (0x + image digest) of a local or registry image")
    .action(action(checksum));
  app
    .command("deploy")
    .option("--from-image", "read the checksum from the image named by multiaddr first")
    .description("register the app of iexec.json")
    .action(action(deploy));
  registerShowAndCount(app, "app");
  registerAppRun(app);
}
