/** `workerpool init|deploy|show|count|set-api-url|offer start|offer status`. */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { DEFAULT_OFFER, OfferPublisher, type OfferTerms } from "../../publisher/offer-publisher";
import { PUBLISHER_STATE_FILE, readPublisherState, writePublisherState } from "../../publisher/state-file";
import { OpenPoco, parseRlc } from "../../sdk";
import { InvalidInputError, NotFoundError } from "../../sdk/core/errors";
import { lookupWorkerpoolApi, registerWorkerpoolApi } from "../../sdk/core";
import { action } from "../action";
import { positiveInt, serveUntilSignal } from "../service";
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

/** The workerpool named by --workerpool, else the project's deployed one on `chainId`. */
async function workerpoolOf(session: Session, chainId: bigint, given?: string): Promise<string> {
  const workerpool = given ?? (await session.project.deployed("workerpool", chainId));
  if (!workerpool)
    throw new NotFoundError(
      `No workerpool given and none in deployed.json for chain ${chainId}: pass --workerpool <address>.`,
    );
  return workerpool;
}

/** `workerpool set-api-url <url>`: tells Compass where the workerpool's API is (owner only). */
async function setApiUrl(session: Session, url: string, options: { workerpool?: string }): Promise<void> {
  const chain = await session.chain();
  if (!chain.compass)
    throw new InvalidInputError(
      `chain.json: chain "${chain.name}" has no "compass": add the Compass URL (the local stack's is its market URL).`,
    );
  const market = await session.market();
  const workerpool = await workerpoolOf(session, market.chainId, options.workerpool);
  const signer = await session.wallet();
  const apiUrl = await session.out.step(
    `Registering ${url} for workerpool ${workerpool} in Compass`,
    registerWorkerpoolApi({ compass: chain.compass, market, workerpool, apiUrl: url, signer }),
  );
  const check = await lookupWorkerpoolApi(chain.compass, market.chainId, workerpool);
  session.out.success(`Compass now sends requesters of workerpool ${workerpool} to ${check ?? apiUrl}`);
  session.out.set({ workerpool, apiUrl: check ?? apiUrl });
}

interface OfferOptions {
  workerpool?: string;
  price: string;
  volume: string;
  trust: string;
  tag: string;
  category?: string[];
  ordersPerCategory: string;
  interval: string;
  dataDir: string;
}

/** The offer's terms from the command's options. */
function offerTerms(options: OfferOptions): Partial<OfferTerms> {
  const uint = (name: string, value: string, allowZero: boolean) =>
    BigInt(positiveInt(name, value, allowZero));
  return {
    price: parseRlc(options.price),
    volume: uint("volume", options.volume, false),
    trust: uint("trust", options.trust, true),
    tag: options.tag,
    categories: options.category?.map((c) => uint("category", c, true)),
    ordersPerCategory: positiveInt("orders-per-category", options.ordersPerCategory),
  };
}

/** `workerpool offer start`: keeps the workerpool's standing offer on the market until interrupted. */
async function startOffer(session: Session, options: OfferOptions): Promise<void> {
  const terms = offerTerms(options);
  const intervalMs = positiveInt("interval", options.interval);
  const chain = await session.chain();
  const market = await session.market();
  const workerpool = await workerpoolOf(session, market.chainId, options.workerpool);
  const signer = await session.wallet();
  const client = await OpenPoco.connect({ chain, signer });
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const stateFile = path.join(dataDir, PUBLISHER_STATE_FILE);
  let writing = Promise.resolve();
  const publisher = new OfferPublisher({
    client,
    market,
    workerpool,
    terms,
    onState: (state) => {
      writing = writing.then(() => writePublisherState(stateFile, state)).catch(() => undefined);
    },
    onPublished: (order, orderHash) =>
      process.stderr.write(
        `${new Date().toISOString()} offer info published workerpoolorder ${orderHash} (category ${order.category}, volume ${order.volume})\n`,
      ),
  });
  // The first pass runs before the ready line: a refusal (not the owner, no stake) stops here, clearly.
  const first = await session.out.step("Publishing the standing offer", publisher.refill());
  // The state file is there once the ready line is: `offer status` right after start reads it.
  await writing;
  publisher.start(intervalMs);
  await serveUntilSignal(
    session.out,
    `Standing offer of workerpool ${workerpool}: ${first.categories.length} categor(ies) kept open, checked every ${intervalMs / 1000} s; Ctrl-C to stop`,
    { workerpool, stateFile, state: first },
    async () => {
      await publisher.stop();
      await writing;
      client.close();
    },
  );
}

/** `workerpool offer status`: the state the running publisher last wrote. */
async function offerStatus(session: Session, options: { dataDir: string }): Promise<void> {
  const stateFile = path.join(path.resolve(options.dataDir), PUBLISHER_STATE_FILE);
  const state = readPublisherState(stateFile);
  if (!state)
    throw new NotFoundError(
      `No offer state in ${stateFile}: start the publisher with \`openpoco workerpool offer start\`.`,
    );
  for (const c of state.categories)
    session.out.info(
      `category ${c.category}: ${c.openOrders} open order(s), ${c.remaining} task(s) left${c.lastRefill ? `, last refill ${c.lastRefill}` : ""}`,
    );
  if (state.lastError) session.out.info(`last error (${state.lastError.at}): ${state.lastError.message}`);
  session.out.set({ ...state });
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
  workerpool
    .command("set-api-url <url>")
    .option("--workerpool <address>", "workerpool address (default: deployed.json)")
    .description("register the workerpool's API URL in Compass (workerpool owner only)")
    .action(action(setApiUrl));
  const offer = workerpool.command("offer").description("the workerpool's standing offer on the market");
  offer
    .command("start")
    .option("--workerpool <address>", "workerpool address (default: deployed.json)")
    .option("--price <amount>", "price of a task (nRLC, or with a unit: 0.1 RLC)", "0")
    .option("--volume <n>", "tasks per order", DEFAULT_OFFER.volume.toString())
    .option("--trust <n>", "highest trust sold", DEFAULT_OFFER.trust.toString())
    .option("--tag <bytes32>", "tag of the orders", DEFAULT_OFFER.tag)
    .option("--category <id...>", "categories served (default: every category of the chain)")
    .option("--orders-per-category <n>", "open orders kept per category", "1")
    .option("--interval <ms>", "time between checks of the market", "2000")
    .option("--data-dir <dir>", "folder of the publisher's state file", path.join("data", "offer"))
    .description("keep open workerpool orders on the market, refilled as they are consumed")
    .action(action(startOffer));
  offer
    .command("status")
    .option("--data-dir <dir>", "folder of the publisher's state file", path.join("data", "offer"))
    .description("what the running publisher last saw and did")
    .action(action(offerStatus));
}
