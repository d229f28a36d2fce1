/**
 * The WHERE clause of an orderbook query: the filters of an `OrderQuery` as SQL terms over the
 * columns of `orders` (see `schema.ts`) and their bound parameters. Values only ever reach SQL as
 * parameters; the terms depend only on which filters are present, so a store can cache one
 * statement per shape.
 */
import type { OrderKind } from "../../sdk/core/orders";
import { BULK_MIN_VOLUME, type OrderQuery } from "../store";
import { encodeAmount, tagWords } from "./encoding";
import { ZERO_ADDRESS } from "./schema";

/** The WHERE terms and bound parameters of an orderbook query (values only ever as parameters). */
export function orderFilters(
  kind: OrderKind,
  query: OrderQuery,
): { terms: string[]; params: Record<string, unknown> } {
  const terms = ["kind = @kind", "status = 'open'"];
  const params: Record<string, unknown> = { kind };
  const eq = (column: string, name: string, value: string | undefined) => {
    if (value === undefined) return;
    terms.push(`${column} = @${name}`);
    params[name] = value;
  };
  const restriction = (
    column: string,
    name: string,
    value: string | undefined,
    strict: boolean | undefined,
  ) => {
    if (value === undefined) return;
    terms.push(strict ? `${column} = @${name}` : `${column} IN (@${name}, '${ZERO_ADDRESS}')`);
    params[name] = value;
  };
  const amount = (term: string, name: string, value: bigint | undefined) => {
    if (value === undefined) return;
    terms.push(term);
    params[name] = encodeAmount(value, name);
  };
  switch (kind) {
    case "app":
      eq("asset", "app", query.app);
      eq("owner", "appOwner", query.appOwner);
      restriction("dataset_restrict", "dataset", query.dataset, query.isDatasetStrict);
      restriction("workerpool_restrict", "workerpool", query.workerpool, query.isWorkerpoolStrict);
      restriction("requester_restrict", "requester", query.requester, query.isRequesterStrict);
      break;
    case "dataset":
      eq("asset", "dataset", query.dataset);
      eq("owner", "datasetOwner", query.datasetOwner);
      restriction("app_restrict", "app", query.app, query.isAppStrict);
      restriction("workerpool_restrict", "workerpool", query.workerpool, query.isWorkerpoolStrict);
      restriction("requester_restrict", "requester", query.requester, query.isRequesterStrict);
      if (query.bulkOnly) amount("volume >= @bulkVolume", "bulkVolume", BULK_MIN_VOLUME);
      break;
    case "workerpool":
      eq("asset", "workerpool", query.workerpool);
      eq("owner", "workerpoolOwner", query.workerpoolOwner);
      restriction("app_restrict", "app", query.app, query.isAppStrict);
      restriction("dataset_restrict", "dataset", query.dataset, query.isDatasetStrict);
      restriction("requester_restrict", "requester", query.requester, query.isRequesterStrict);
      amount("category = @category", "category", query.category);
      amount("trust >= @minTrust", "minTrust", query.minTrust);
      break;
    case "request":
      eq("asset", "requester", query.requester);
      eq("app", "app", query.app);
      eq("dataset", "dataset", query.dataset);
      restriction("workerpool", "workerpool", query.workerpool, query.isWorkerpoolStrict);
      eq("beneficiary", "beneficiary", query.beneficiary);
      amount("category = @category", "category", query.category);
      amount("trust <= @maxTrust", "maxTrust", query.maxTrust);
      break;
  }
  amount("remaining >= @minVolume", "minVolume", query.minVolume);
  if (query.minTag !== undefined) {
    tagWords(query.minTag).forEach((word, i) => {
      if (word === 0n) return; // no bit required in this word
      terms.push(`(tag${i} & @minTag${i}) = @minTag${i}`);
      params[`minTag${i}`] = word;
    });
  }
  if (query.maxTag !== undefined) {
    tagWords(query.maxTag).forEach((word, i) => {
      if (word === -1n) return; // every bit allowed in this word
      terms.push(`(tag${i} & ~@maxTag${i}) = 0`);
      params[`maxTag${i}`] = word;
    });
  }
  return { terms, params };
}
