/**
 * Rules of pushing secrets: who may push what (the signature of the challenge must recover to the
 * owner: the dataset's or app's current owner on chain, or the account itself for named secrets),
 * size and name checks, set-once for dataset keys, app secrets and requester secrets.
 */
import { getAddress, isAddress } from "ethers";
import { decodeDatasetKey } from "../sdk/node/encryption";
import { InvalidInputError, NotFoundError, UnauthorizedError } from "../sdk/core/errors";
import type { ServiceLogger } from "../sdk/core/logger";
import {
  APP_SECRET_INDEX,
  MAX_SECRET_BYTES,
  SecretExistsError,
  appSecretChallenge,
  recoverSmsSigner,
  requesterSecretChallenge,
  web2SecretChallenge,
  web3SecretChallenge,
} from "../sdk/node/sms";
import type { SmsChain } from "./chain";
import type { SecretPlace, SmsStore } from "./store";

/** Names of requester secrets (the client's rule). */
export const REQUESTER_SECRET_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Names of web2 secrets: 1 to 256 characters, no control characters. */
// The control characters are the point of this pattern: names must not contain them.
// eslint-disable-next-line no-control-regex
const WEB2_SECRET_NAME = /^[^\x00-\x1f\x7f]{1,256}$/u;

/** `value` as a checksummed address, else an `InvalidInputError` naming the parameter. */
export function addressParam(name: string, value: unknown): string {
  if (typeof value !== "string" || !isAddress(value))
    throw new InvalidInputError(`Invalid ${name} ${JSON.stringify(value)}: pass a 0x address.`);
  return getAddress(value);
}

/** Checks a web2 or requester secret name. */
export function checkSecretName(name: unknown, pattern = WEB2_SECRET_NAME): string {
  if (typeof name !== "string" || !pattern.test(name))
    throw new InvalidInputError(
      `Invalid secret name ${JSON.stringify(name)}: use ${pattern === REQUESTER_SECRET_NAME ? 'letters, digits, "-" and "_" (1 to 64)' : "1 to 256 characters without control characters"}.`,
    );
  return name;
}

function checkValue(value: unknown): string {
  if (typeof value !== "string" || value === "")
    throw new InvalidInputError("The secret is empty: send its value as the text/plain body.");
  if (Buffer.byteLength(value, "utf8") > MAX_SECRET_BYTES)
    throw new InvalidInputError(`The secret is larger than ${MAX_SECRET_BYTES} bytes: store a smaller one.`);
  return value;
}

function signerOf(challenge: string, authorization: string | undefined): string {
  if (!authorization)
    throw new UnauthorizedError(
      "No Authorization header: send the personal signature of the secret's challenge.",
    );
  try {
    return recoverSmsSigner(challenge, authorization);
  } catch {
    throw new UnauthorizedError(
      "The Authorization header is not a valid signature: send the personal signature of the secret's challenge.",
    );
  }
}

/** Pushes and checks secrets. */
export class SecretDesk {
  constructor(
    private readonly store: SmsStore,
    private readonly chain: SmsChain,
    private readonly logger: ServiceLogger,
  ) {}

  /** True when the secret at `place` exists. */
  exists(place: SecretPlace): boolean {
    return this.store.has(place);
  }

  /** A dataset's key, by the dataset's current owner; set once. */
  async pushDatasetKey(dataset: string, value: unknown, authorization: string | undefined): Promise<void> {
    const key = checkValue(value);
    decodeDatasetKey(key);
    const signer = signerOf(web3SecretChallenge(dataset, key), authorization);
    const owner = await this.chain.datasetOwner(dataset);
    if (signer !== owner)
      throw new UnauthorizedError(
        `The signer ${signer} is not the owner ${owner} of dataset ${dataset}: sign with the owner's wallet, over this very value.`,
      );
    if (!this.store.insert({ kind: "web3", owner: dataset, name: "" }, key))
      throw new SecretExistsError(
        `The key of dataset ${dataset} is already set and is not updatable: deploy a new dataset to use another key.`,
      );
    this.logger.info(`Stored the key of dataset ${dataset}.`);
  }

  /** A named secret of `owner` (web2 paths): `update` replaces an existing one, else it must be new. */
  pushWeb2(
    owner: string,
    name: string,
    value: unknown,
    authorization: string | undefined,
    update: boolean,
  ): void {
    const secret = checkValue(value);
    const signer = signerOf(web2SecretChallenge(owner, name, secret), authorization);
    if (signer !== owner)
      throw new UnauthorizedError(
        `The signer ${signer} is not ${owner}, the owner of the secret: sign with that wallet, over this very name and value.`,
      );
    const place: SecretPlace = { kind: "web2", owner, name };
    if (update) {
      if (!this.store.update(place, secret))
        throw new NotFoundError(
          `${owner} has no secret ${JSON.stringify(name)} to update: create it with POST first.`,
        );
    } else if (!this.store.insert(place, secret))
      throw new SecretExistsError(
        `The secret ${JSON.stringify(name)} of ${owner} already exists: replace it with PUT.`,
      );
    this.logger.info(`${update ? "Updated" : "Stored"} the secret ${JSON.stringify(name)} of ${owner}.`);
  }

  /** A requester secret (stored with the named secrets of the requester); set once. */
  pushRequesterSecret(
    requester: string,
    name: string,
    value: unknown,
    authorization: string | undefined,
  ): void {
    const secret = checkValue(value);
    const signer = signerOf(requesterSecretChallenge(requester, name, secret), authorization);
    if (signer !== requester)
      throw new UnauthorizedError(
        `The signer ${signer} is not the requester ${requester}: sign with the requester's wallet, over this very name and value.`,
      );
    if (!this.store.insert({ kind: "web2", owner: requester, name }, secret))
      throw new SecretExistsError(
        `The requester secret ${JSON.stringify(name)} of ${requester} already exists and is not updatable: use another name.`,
      );
    this.logger.info(`Stored the requester secret ${JSON.stringify(name)} of ${requester}.`);
  }

  /** The app developer's secret, by the app's current owner; set once. */
  async pushAppSecret(
    app: string,
    index: string,
    value: unknown,
    authorization: string | undefined,
  ): Promise<void> {
    if (index !== APP_SECRET_INDEX)
      throw new InvalidInputError(
        `An app has a single developer secret, at index ${APP_SECRET_INDEX}, not ${JSON.stringify(index)}: push it to /apps/${app}/secrets/${APP_SECRET_INDEX}.`,
      );
    const secret = checkValue(value);
    const signer = signerOf(appSecretChallenge(app, secret, index), authorization);
    const owner = await this.chain.appOwner(app);
    if (signer !== owner)
      throw new UnauthorizedError(
        `The signer ${signer} is not the owner ${owner} of app ${app}: sign with the owner's wallet, over this very value.`,
      );
    if (!this.store.insert({ kind: "app", owner: app, name: index }, secret))
      throw new SecretExistsError(
        `The secret of app ${app} is already set and is not updatable: deploy a new app to use another one.`,
      );
    this.logger.info(`Stored the developer secret of app ${app}.`);
  }
}
