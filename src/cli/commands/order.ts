/**
 * `order init|sign|publish|unpublish|cancel|show|fill` for `--app --dataset --workerpool
 * --request`: templates in iexec.json, signed orders in orders.json (per chain id), the market for
 * sharing them, the hub for cancelling and matching them.
 */
import type { Command } from "commander";
import { ZeroAddress, ZeroHash } from "ethers";
import type { Matched, OpenPoco } from "../../sdk/core/client";
import { InvalidInputError, NotFoundError } from "../../sdk/core/errors";
import type { OrderSet } from "../../sdk/core/matching";
import { orderKey, orderToJson, parseOrder } from "../../sdk/core/order-json";
import {
  ORDER_KIND_NAMES,
  assetOf,
  createSalt,
  orderKind,
  signerOf,
  type OrderByKind,
  type OrderKind,
} from "../../sdk/core/orders";
import { buildParams } from "../../sdk/core/params";
import { action } from "../action";
import { IEXEC_JSON, ORDERS_JSON } from "../project";
import { storageOption, warnIfPublicResult } from "../result-storage";
import type { Session } from "../session";

export const KINDS: readonly OrderKind[] = ORDER_KIND_NAMES;
type KindFlags = Partial<Record<OrderKind, boolean | string>>;

function chosen(flags: KindFlags, command: string): OrderKind[] {
  const kinds = KINDS.filter((kind) => flags[kind] !== undefined && flags[kind] !== false);
  if (kinds.length === 0)
    throw new InvalidInputError(
      `Say which order to ${command}: --app, --dataset, --workerpool and/or --request.`,
    );
  return kinds;
}

function addKindFlags(command: Command, withHash: boolean): Command {
  for (const kind of KINDS)
    command.option(withHash ? `--${kind} [orderHash]` : `--${kind}`, `the ${kind} order`);
  return command;
}

type OrdersFile = Record<string, Record<string, Record<string, string>>>;

/** The signed order of `kind` in orders.json for the chain, or an error naming `order sign`. */
export async function signedOrder<K extends OrderKind>(
  session: Session,
  poco: OpenPoco,
  kind: K,
): Promise<OrderByKind[K]> {
  const file = await session.project.read<OrdersFile>(ORDERS_JSON, {});
  const json = file[poco.chainId.toString()]?.[orderKey(kind)];
  if (!json)
    throw new NotFoundError(
      `No signed ${kind} order in orders.json for chain ${poco.chainId}: run \`openpoco order sign --${kind}\`.`,
    );
  return parseOrder(kind, json, `orders.json ${orderKey(kind)}`);
}

async function template(session: Session, poco: OpenPoco, kind: OrderKind): Promise<Record<string, unknown>> {
  const deployed = async (asset: string) =>
    (await session.project.deployed(asset, poco.chainId)) ?? ZeroAddress;
  const restrictions = {
    apprestrict: ZeroAddress,
    datasetrestrict: ZeroAddress,
    workerpoolrestrict: ZeroAddress,
  };
  switch (kind) {
    case "app": {
      const { apprestrict: _a, ...rest } = restrictions;
      return {
        app: await deployed("app"),
        appprice: "0",
        volume: "1000000",
        tag: ZeroHash,
        ...rest,
        requesterrestrict: ZeroAddress,
      };
    }
    case "dataset": {
      const { datasetrestrict: _d, ...rest } = restrictions;
      return {
        dataset: await deployed("dataset"),
        datasetprice: "0",
        volume: "1000000",
        tag: ZeroHash,
        ...rest,
        requesterrestrict: ZeroAddress,
      };
    }
    case "workerpool":
      return {
        workerpool: await deployed("workerpool"),
        workerpoolprice: "0",
        volume: "1",
        tag: ZeroHash,
        category: "0",
        trust: "0",
        apprestrict: ZeroAddress,
        datasetrestrict: ZeroAddress,
        requesterrestrict: ZeroAddress,
      };
    default: {
      const requester = (await session.walletAddressIfAny()) ?? ZeroAddress;
      return {
        app: await deployed("app"),
        appmaxprice: "0",
        dataset: await deployed("dataset"),
        datasetmaxprice: "0",
        workerpool: ZeroAddress,
        workerpoolmaxprice: "0",
        requester,
        volume: "1",
        tag: ZeroHash,
        category: "0",
        trust: "0",
        beneficiary: requester,
        callback: ZeroAddress,
        params: { iexec_args: "" },
      };
    }
  }
}

async function init(session: Session, flags: KindFlags): Promise<void> {
  const kinds = chosen(flags, "init");
  const poco = await session.connect(false);
  for (const kind of kinds) {
    const order = await template(session, poco, kind);
    await session.project.update(IEXEC_JSON, (iexec) => {
      const orders = (iexec.order ?? {}) as Record<string, unknown>;
      orders[orderKey(kind)] = order;
      iexec.order = orders;
    });
    session.out.success(`Saved default ${orderKey(kind)} in "iexec.json", you can edit it`, order);
    session.out.set({ [orderKey(kind)]: order });
  }
}

/** The owner the hub will check the signature against: the asset owner, or the requester. */
async function expectedSigner<K extends OrderKind>(
  poco: OpenPoco,
  kind: K,
  order: OrderByKind[K],
): Promise<string> {
  const signer = signerOf(kind, order);
  if (signer.by === "self") return signer.address;
  const { asset: address, assetKind } = signer;
  if (address === ZeroAddress)
    throw new InvalidInputError(
      `The ${kind} order has no ${kind} address: deploy the ${kind} or set it in iexec.json.`,
    );
  if (assetKind === "app") return (await poco.assets.showApp(address)).owner;
  if (assetKind === "dataset") return (await poco.assets.showDataset(address)).owner;
  return (await poco.assets.showWorkerpool(address)).owner;
}

async function sign(session: Session, flags: KindFlags): Promise<void> {
  const kinds = chosen(flags, "sign");
  const iexec = await session.project.read(IEXEC_JSON);
  const poco = await session.connect(true);
  const signer = (await poco.address())!;
  for (const kind of kinds) {
    const json = (iexec.order as Record<string, unknown> | undefined)?.[orderKey(kind)];
    if (!json)
      throw new NotFoundError(
        `iexec.json has no order.${orderKey(kind)}: run \`openpoco order init --${kind}\`.`,
      );
    const order = parseOrder(
      kind,
      { ...(json as object), salt: createSalt() },
      `iexec.json order.${orderKey(kind)}`,
    );
    const owner = await expectedSigner(poco, kind, order);
    if (owner.toLowerCase() !== signer.toLowerCase())
      throw new InvalidInputError(
        `The ${kind} order must be signed by ${owner} (the ${orderKind(kind).signerRole}), not by your wallet ${signer}.`,
      );
    if (kind === "request") warnIfPublicResult(session.out, (order as OrderByKind["request"]).params);
    const signed = orderToJson(kind, await poco.orders.sign(kind, order));
    await session.project.update<OrdersFile>(
      ORDERS_JSON,
      (file) => {
        const chain = poco.chainId.toString();
        file[chain] = { ...(file[chain] ?? {}), [orderKey(kind)]: signed };
      },
      {},
    );
    session.out.success(`${orderKey(kind)} signed and saved in orders.json, you can share it`, signed);
    session.out.set({ [orderKey(kind)]: signed });
  }
}

async function cancel(session: Session, flags: KindFlags): Promise<void> {
  const poco = await session.connect(true);
  for (const kind of chosen(flags, "cancel")) {
    const order = await signedOrder(session, poco, kind);
    const cancelled = await session.out.step(`Cancelling the ${kind} order`, poco.orders.cancel(kind, order));
    session.out.success(`${orderKey(kind)} cancelled`, {
      orderHash: cancelled.orderHash,
      txHash: cancelled.txHash,
    });
    session.out.set({ [orderKey(kind)]: { orderHash: cancelled.orderHash, txHash: cancelled.txHash } });
  }
}

async function publish(session: Session, flags: KindFlags): Promise<void> {
  const poco = await session.connect(true);
  const market = await session.market();
  const signer = poco.context.requireSigner("publish orders");
  for (const kind of chosen(flags, "publish")) {
    const order = await signedOrder(session, poco, kind);
    const orderHash = await session.out.step(
      `Publishing the ${kind} order`,
      market.publish(kind, order, signer),
    );
    session.out.success(`${orderKey(kind)} successfully published with orderHash ${orderHash}`);
    session.out.set({ [orderKey(kind)]: { orderHash } });
  }
}

async function unpublish(session: Session, flags: KindFlags & { all?: boolean }): Promise<void> {
  const poco = await session.connect(true);
  const market = await session.market();
  const signer = poco.context.requireSigner("unpublish orders");
  for (const kind of chosen(flags, "unpublish")) {
    const given = flags[kind];
    let hashes: string[];
    if (typeof given === "string") hashes = [await market.unpublish(kind, given, signer)];
    else {
      const order = await signedOrder(session, poco, kind);
      hashes = flags.all
        ? await market.unpublishAll(kind, signer, assetOf(kind, order))
        : [await market.unpublish(kind, poco.orders.hash(kind, order), signer)];
    }
    session.out.success(`${orderKey(kind)} unpublished`, { orderHashes: hashes.join(", ") });
    session.out.set({ [orderKey(kind)]: { orderHashes: hashes } });
  }
}

async function show(session: Session, flags: KindFlags): Promise<void> {
  const poco = await session.connect(false);
  for (const kind of chosen(flags, "show")) {
    const given = flags[kind];
    if (typeof given === "string") {
      const market = await session.market();
      const published = await session.out.step(`Reading ${kind} order ${given}`, market.order(kind, given));
      session.out.success(`${orderKey(kind)} ${given} (market)`, {
        ...orderToJson(kind, published.order),
        remaining: published.remaining,
        status: published.status,
      });
      session.out.set({ [orderKey(kind)]: { ...published, order: orderToJson(kind, published.order) } });
      continue;
    }
    const order = await signedOrder(session, poco, kind);
    const status = await poco.orders.status(kind, order);
    session.out.success(`${orderKey(kind)} of orders.json`, { ...orderToJson(kind, order), ...status });
    session.out.set({ [orderKey(kind)]: { order: orderToJson(kind, order), ...status } });
  }
}

/** An order from the market when a hash is given, else from orders.json. */
async function pick<K extends OrderKind>(
  session: Session,
  poco: OpenPoco,
  kind: K,
  hash: string | boolean | undefined,
): Promise<OrderByKind[K]> {
  if (typeof hash === "string") return (await (await session.market()).order(kind, hash)).order;
  try {
    return await signedOrder(session, poco, kind);
  } catch (error) {
    // Only a workerpool's owner can sign its order: a buyer takes a published one instead.
    if (!(error instanceof NotFoundError) || kind !== "workerpool") throw error;
    throw new NotFoundError(
      `No workerpool order in orders.json for chain ${poco.chainId}: take one from the market, \`openpoco orderbook workerpool\` then \`openpoco order fill --workerpool <orderHash>\`, or let \`openpoco app run\` pick one (only a workerpool owner can sign one with \`openpoco order sign --workerpool\`).`,
    );
  }
}

async function hasSigned(session: Session, poco: OpenPoco, kind: OrderKind): Promise<boolean> {
  const file = await session.project.read<OrdersFile>(ORDERS_JSON, {});
  return !!file[poco.chainId.toString()]?.[orderKey(kind)];
}

/** Why fewer tasks than requested were bought, or undefined when all were. */
export function shortfallMessage(matched: Matched): string | undefined {
  const missing = matched.requested - matched.volume;
  if (missing <= 0n) return undefined;
  const limit = matched.limitedBy;
  const why = limit
    ? `the ${limit.kind} order ${limit.orderHash} had only ${limit.remaining} task(s) left`
    : "an order had fewer tasks left";
  return `${missing} of the ${matched.requested} task(s) requested were not purchased: ${why}; buy the rest with another order (\`openpoco orderbook ${limit?.kind ?? "workerpool"}\`) or ask its owner to publish more.`;
}

/** Matches the orders (signing a request first when none is given) and reports the deal. */
export async function fillOrders(
  session: Session,
  poco: OpenPoco,
  orders: Omit<OrderSet, "request"> & { request?: OrderSet["request"] },
  request: { params?: string; volume?: bigint },
): Promise<string> {
  let requestOrder = orders.request;
  if (!requestOrder) {
    const made = await poco.orders.createRequest(orders, { params: request.params, volume: request.volume });
    requestOrder = await poco.orders.sign("request", made);
  }
  warnIfPublicResult(session.out, requestOrder.params);
  const matched = await session.out.step(
    "Matching the orders",
    poco.orders.match({ ...orders, request: requestOrder }),
  );
  session.out.success(`${matched.volume} task(s) purchased in deal ${matched.dealid}`, {
    txHash: matched.txHash,
  });
  const shortfall = shortfallMessage(matched);
  if (shortfall) session.out.warn(shortfall);
  session.out.set({
    dealid: matched.dealid,
    volume: matched.volume,
    requested: matched.requested,
    notPurchased: shortfall ? matched.requested - matched.volume : undefined,
    shortfall,
    txHash: matched.txHash,
  });
  return matched.dealid;
}

async function fill(
  session: Session,
  flags: KindFlags & {
    params?: string;
    args?: string;
    volume?: string;
    storage?: string;
    encryptResult?: boolean;
  },
): Promise<void> {
  const storageProvider = storageOption(flags.storage);
  const shapesRequest = !!(flags.params || flags.args || flags.storage || flags.encryptResult);
  const poco = await session.connect(true);
  const withDataset =
    typeof flags.dataset === "string" ||
    ((await hasSigned(session, poco, "dataset")) && flags.dataset !== false);
  const withRequest = typeof flags.request === "string" || (await hasSigned(session, poco, "request"));
  if (withRequest && (shapesRequest || flags.volume))
    throw new InvalidInputError(
      "--params, --args, --storage, --encrypt-result and --volume shape a new request: leave them out when a request order is given.",
    );
  if (flags.volume !== undefined && !/^[1-9]\d*$/.test(flags.volume))
    throw new InvalidInputError(`--volume must be a positive integer, got ${JSON.stringify(flags.volume)}.`);
  const params = shapesRequest
    ? buildParams({
        extra: flags.params,
        args: flags.args,
        storageProvider,
        resultEncryption: flags.encryptResult ? true : undefined,
      })
    : undefined;
  await fillOrders(
    session,
    poco,
    {
      app: await pick(session, poco, "app", flags.app),
      dataset: withDataset ? await pick(session, poco, "dataset", flags.dataset) : undefined,
      workerpool: await pick(session, poco, "workerpool", flags.workerpool),
      request: withRequest ? await pick(session, poco, "request", flags.request) : undefined,
    },
    {
      params,
      volume: flags.volume ? BigInt(flags.volume) : undefined,
    },
  );
}

/** Registers `order`. */
export function registerOrder(program: Command): void {
  const order = program
    .command("order")
    .description("orders: offers of apps, datasets, workerpools and requests");
  addKindFlags(order.command("init").description("add order templates to iexec.json"), false).action(
    action(init),
  );
  addKindFlags(order.command("sign").description("sign iexec.json's orders into orders.json"), false).action(
    action(sign),
  );
  addKindFlags(order.command("publish").description("publish signed orders on the market"), false).action(
    action(publish),
  );
  addKindFlags(
    order.command("unpublish").description("remove orders from the market (orders.json's, or by hash)"),
    true,
  )
    .option("--all", "unpublish every order of the asset")
    .action(action(unpublish));
  addKindFlags(order.command("cancel").description("cancel orders.json's orders on chain"), false).action(
    action(cancel),
  );
  addKindFlags(
    order
      .command("show")
      .description("show orders.json's orders with what is left, or market orders by hash"),
    true,
  ).action(action(show));
  addKindFlags(
    order.command("fill").description("match orders (orders.json's, or market orders by hash) into a deal"),
    true,
  )
    .option("--params <json>", "params of the request made when no request order is given")
    .option("--args <args>", "arguments of the app, for the request made")
    .option("--volume <n>", "number of tasks of the request made")
    .option(
      "--storage <provider>",
      "where the request made sends the result: openpoco (the result store, private; default) or ipfs (public unless encrypted)",
    )
    .option("--encrypt-result", "the request made asks the result encrypted for the beneficiary")
    .action(action(fill));
}
