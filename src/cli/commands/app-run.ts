/**
 * `app run [app]`: buy one run of an app in one command. Picks the cheapest matching app, dataset
 * and workerpool orders from the market (or takes them by hash, from orders.json or the market),
 * signs a request with the run's params, matches, and with --watch follows the deal to its end.
 */
import type { Command } from "commander";
import type { OpenPoco } from "../../sdk/core/client";
import { checkedAddress } from "../../sdk/core/client/account";
import { InvalidInputError, NotFoundError } from "../../sdk/core/errors";
import type { OrderbookFilters } from "../../sdk/core/market";
import type { OrderByKind, OrderKind } from "../../sdk/core/orders";
import { buildParams } from "../../sdk/core/params";
import { action } from "../action";
import { printDealLinks, watchDeal } from "../deal-watch";
import { storageOption } from "../result-storage";
import type { Session } from "../session";
import { fillOrders, signedOrder } from "./order";

interface RunOptions {
  dataset?: string;
  workerpool?: string;
  category?: string;
  trust?: string;
  tag?: string;
  args?: string;
  inputFiles?: string;
  params?: string;
  callback?: string;
  beneficiary?: string;
  volume?: string;
  appOrder?: string;
  datasetOrder?: string;
  workerpoolOrder?: string;
  storage?: string;
  encryptResult?: boolean;
  watch?: boolean;
}

function integer(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new InvalidInputError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}.`);
  return BigInt(value);
}

/** The order of hash `hash`: orders.json's when it is that one, else the market's. */
async function byHash<K extends OrderKind>(
  session: Session,
  poco: OpenPoco,
  kind: K,
  hash: string,
): Promise<OrderByKind[K]> {
  try {
    const local = await signedOrder(session, poco, kind);
    if (poco.orders.hash(kind, local).toLowerCase() === hash.toLowerCase()) return local;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  return (await (await session.market()).order(kind, hash)).order;
}

/** The first order of the market's `kind` orderbook under `filters` (the market sorts by price). */
async function cheapest<K extends OrderKind>(
  session: Session,
  kind: K,
  filters: OrderbookFilters,
): Promise<OrderByKind[K]> {
  const market = await session.market();
  const book = await session.out.step(
    `Looking for a ${kind} order`,
    market.orderbook(kind, { ...filters, minVolume: 1n }),
  );
  if (book.orders.length === 0)
    throw new NotFoundError(
      `No ${kind} order on the market matches this run: ask its owner to publish one, or relax the options.`,
    );
  return book.orders[0].order;
}

/** Refuses an address where no app is registered, before looking for its orders. */
async function requireRegisteredApp(poco: OpenPoco, app: string): Promise<void> {
  try {
    await poco.assets.showApp(app);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new NotFoundError(
      `No app is registered at ${app} on chain ${poco.chainId}: check the address (\`openpoco app show <address>\`) and --chain, or deploy the app first (\`openpoco app deploy\`).`,
    );
  }
}

async function run(session: Session, appArg: string | undefined, options: RunOptions): Promise<void> {
  const poco = await session.connect(true);
  const requester = (await poco.address())!;
  const app = appArg
    ? checkedAddress(appArg, "app address")
    : await session.project.deployed("app", poco.chainId);
  if (!app)
    throw new InvalidInputError("Which app? Pass its address, or deploy one here (`openpoco app deploy`).");
  await requireRegisteredApp(poco, app);
  const dataset = options.dataset ? checkedAddress(options.dataset, "dataset address") : undefined;
  const workerpool = options.workerpool
    ? checkedAddress(options.workerpool, "workerpool address")
    : undefined;
  const category = integer("category", options.category);
  const trust = integer("trust", options.trust);
  const volume = integer("volume", options.volume);
  if (volume === 0n) throw new InvalidInputError("--volume must be at least 1.");
  // Checked before any order is looked up: a bad option costs nothing.
  const storageProvider = storageOption(options.storage);

  const appOrder = options.appOrder
    ? await byHash(session, poco, "app", options.appOrder)
    : await cheapest(session, "app", { app, dataset, workerpool, requester });
  const datasetOrder = options.datasetOrder
    ? await byHash(session, poco, "dataset", options.datasetOrder)
    : dataset
      ? await cheapest(session, "dataset", { dataset, app, workerpool, requester })
      : undefined;
  const workerpoolOrder = options.workerpoolOrder
    ? await byHash(session, poco, "workerpool", options.workerpoolOrder)
    : await cheapest(session, "workerpool", {
        workerpool,
        category,
        app,
        dataset: datasetOrder?.dataset,
        requester,
        minTrust: trust,
        minTag: options.tag,
      });

  const params = buildParams({
    args: options.args,
    inputFiles: options.inputFiles ? options.inputFiles.split(",").map((url) => url.trim()) : undefined,
    extra: options.params,
    storageProvider,
    resultEncryption: options.encryptResult ? true : undefined,
  });
  const made = await poco.orders.createRequest(
    { app: appOrder, dataset: datasetOrder, workerpool: workerpoolOrder },
    {
      requester,
      params,
      volume,
      trust,
      category,
      tag: options.tag,
      callback: options.callback ? checkedAddress(options.callback, "callback address") : undefined,
      beneficiary: options.beneficiary
        ? checkedAddress(options.beneficiary, "beneficiary address")
        : undefined,
      workerpool,
    },
  );
  const request = await poco.orders.sign("request", made);
  const dealid = await fillOrders(
    session,
    poco,
    { app: appOrder, dataset: datasetOrder, workerpool: workerpoolOrder, request },
    {},
  );
  if (options.watch) await watchDeal(session, poco, dealid);
  else await printDealLinks(session, poco, dealid);
}

/** Registers `app run` on the `app` command. */
export function registerAppRun(app: Command): void {
  app
    .command("run")
    .argument("[app]", "app address (default: deployed.json's app)")
    .option("--dataset <address>", "dataset to run the app on")
    .option("--workerpool <address>", "workerpool to run on (default: the cheapest that matches)")
    .option("--category <id>", "category of the run")
    .option("--trust <n>", "trust level (number of agreeing workers needed grows with it)")
    .option("--tag <tag>", "tag the workerpool must offer (bytes32)")
    .option("--args <args>", "arguments of the app")
    .option("--input-files <urls>", "comma-separated URLs downloaded into the input folder")
    .option("--params <json>", "more request params, as a JSON object")
    .option("--callback <address>", "contract to call with the result")
    .option("--beneficiary <address>", "who may read the result (default: you)")
    .option("--volume <n>", "number of tasks", "1")
    .option(
      "--storage <provider>",
      "where the result goes: openpoco (the result store, private to you and the beneficiary; default) or ipfs (public unless encrypted)",
    )
    .option("--encrypt-result", "encrypt the result for the beneficiary (their key must be in the SMS)")
    .option("--app-order <hash>", "app order to use (orders.json's or the market's)")
    .option("--dataset-order <hash>", "dataset order to use")
    .option("--workerpool-order <hash>", "workerpool order to use")
    .option("--watch", "follow the deal until its tasks end")
    .description("buy a run of an app: pick orders, sign a request, match, and optionally watch")
    .action(action(run));
}
