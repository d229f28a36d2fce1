/**
 * JSON schemas of every input of the market API: Fastify validates query strings and bodies
 * against them before a route runs, so routes only see well-formed values.
 */
const ADDRESS = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
const ADDRESS_OR_ANY = { type: "string", pattern: "^(0x[0-9a-fA-F]{40}|any)$" } as const;
const BYTES32 = { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } as const;
const UINT = { type: "string", pattern: "^[0-9]{1,78}$" } as const;
const BOOL = { type: "string", enum: ["true", "false"] } as const;

/** Query parameters every endpoint accepts. */
const CHAIN = { chainId: UINT } as const;
const PAGING = {
  pageIndex: { type: "string", pattern: "^[0-9]{1,6}$" },
  pageSize: { type: "string", pattern: "^[0-9]{1,4}$" },
} as const;

function query(properties: Record<string, unknown>) {
  return { type: "object", properties: { ...CHAIN, ...properties }, additionalProperties: false } as const;
}

/** Filters of each orderbook, with the official names. */
export const ORDERBOOK_QUERY = {
  app: query({
    ...PAGING,
    app: ADDRESS,
    appOwner: ADDRESS,
    dataset: ADDRESS_OR_ANY,
    workerpool: ADDRESS_OR_ANY,
    requester: ADDRESS_OR_ANY,
    minTag: BYTES32,
    maxTag: BYTES32,
    minVolume: UINT,
    isDatasetStrict: BOOL,
    isWorkerpoolStrict: BOOL,
    isRequesterStrict: BOOL,
  }),
  dataset: query({
    ...PAGING,
    dataset: ADDRESS,
    datasetOwner: ADDRESS,
    app: ADDRESS_OR_ANY,
    workerpool: ADDRESS_OR_ANY,
    requester: ADDRESS_OR_ANY,
    minTag: BYTES32,
    maxTag: BYTES32,
    minVolume: UINT,
    isAppStrict: BOOL,
    isWorkerpoolStrict: BOOL,
    isRequesterStrict: BOOL,
    bulkOnly: BOOL,
  }),
  workerpool: query({
    ...PAGING,
    category: UINT,
    workerpool: ADDRESS_OR_ANY,
    workerpoolOwner: ADDRESS,
    app: ADDRESS_OR_ANY,
    dataset: ADDRESS_OR_ANY,
    requester: ADDRESS_OR_ANY,
    minTag: BYTES32,
    maxTag: BYTES32,
    minTrust: UINT,
    minVolume: UINT,
    isAppStrict: BOOL,
    isDatasetStrict: BOOL,
    isRequesterStrict: BOOL,
  }),
  request: query({
    ...PAGING,
    category: UINT,
    requester: ADDRESS_OR_ANY,
    beneficiary: ADDRESS_OR_ANY,
    app: ADDRESS_OR_ANY,
    dataset: ADDRESS_OR_ANY,
    workerpool: ADDRESS_OR_ANY,
    minTag: BYTES32,
    maxTag: BYTES32,
    maxTrust: UINT,
    minVolume: UINT,
    isWorkerpoolStrict: BOOL,
  }),
} as const;

/** Query of the endpoints that take only the chain id. */
export const CHAIN_QUERY = query({});

/** GET /challenge. */
export const CHALLENGE_QUERY = {
  type: "object",
  properties: { ...CHAIN, address: ADDRESS },
  required: ["address"],
  additionalProperties: false,
} as const;

/** GET /categories. */
export const CATEGORIES_QUERY = query({ ...PAGING, minWorkClockTimeRef: UINT, maxWorkClockTimeRef: UINT });

/** GET /deals. */
export const DEALS_QUERY = query({
  ...PAGING,
  category: UINT,
  requester: ADDRESS,
  beneficiary: ADDRESS,
  app: ADDRESS,
  dataset: ADDRESS,
  workerpool: ADDRESS,
  appOwner: ADDRESS,
  datasetOwner: ADDRESS,
  workerpoolOwner: ADDRESS,
  apporderHash: BYTES32,
  datasetorderHash: BYTES32,
  workerpoolorderHash: BYTES32,
  requestorderHash: BYTES32,
});

/** Path parameter holding a bytes32 hash or id. */
export const HASH_PARAMS = {
  type: "object",
  properties: { hash: BYTES32 },
  required: ["hash"],
} as const;

/** Path parameter of GET /categories/:catid. */
export const CATID_PARAMS = {
  type: "object",
  properties: { catid: UINT },
  required: ["catid"],
} as const;

/** POST /{x}orders: the order's own shape is checked field by field by the service (parseOrder). */
export const PUBLISH_BODY = {
  type: "object",
  properties: { order: { type: "object" } },
  required: ["order"],
} as const;

/** PUT /{x}orders. */
export const UNPUBLISH_BODY = {
  type: "object",
  properties: {
    target: { type: "string", enum: ["unpublish_orderHash", "unpublish_last", "unpublish_all"] },
    orderHash: BYTES32,
    app: ADDRESS,
    dataset: ADDRESS,
    workerpool: ADDRESS,
    requester: ADDRESS,
  },
  required: ["target"],
} as const;
