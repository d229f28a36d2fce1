/**
 * The development enclave (`openpoco worker start --tee dev`): TEE tasks run in the same Docker
 * containers as standard ones, and the enclave's key lives in the worker's data folder. It gives a TEE
 * deal everything the protocol checks (the scheduler's authorization names the enclave, the SMS
 * releases the deal's secrets to the enclave's signed request, the hub checks the enclave's signature
 * of each contribution), so TEE (and TDX-tagged) deals made by the official SDK complete on a local
 * stack, and none of the isolation a real enclave gives: the worker's operator can read the secrets.
 * A hardware enclave (TDX) takes its place by providing the same key (`EnclaveKey`) from inside the
 * enclave, after the SMS has verified its attestation.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Wallet, type Signer } from "ethers";
import { InvalidInputError } from "../sdk/core/errors";
import { computeResultHash, computeResultSeal, signEnclaveResult } from "../sdk/core/tasks";
import { DEV_ENCLAVE_WARNING } from "../sdk/core/tee-dev";

/** File of the development enclave's key, in the worker's data folder: kept so restarts keep the key. */
export const DEV_ENCLAVE_KEY_FILE = "dev-enclave-key.json";

/** The enclave of a TEE-capable worker: its address, and its signatures. */
export interface EnclaveKey {
  /** The enclave's address: the scheduler's authorizations name it as the enclave challenge. */
  readonly address: string;
  /** The enclave's key, for the SMS's enclave requests and the scheduler's login declaration. */
  readonly signer: Signer;
}

/**
 * The enclave's signature of a contribution, as the hub checks it: of keccak256(resultHash, resultSeal),
 * both computed from the result digest.
 */
export function signContribution(
  enclave: EnclaveKey,
  worker: string,
  taskid: string,
  resultDigest: string,
): Promise<string> {
  return signEnclaveResult(
    enclave.signer,
    computeResultHash(taskid, resultDigest),
    computeResultSeal(worker, taskid, resultDigest),
  );
}

/**
 * The development enclave's key of the worker whose data folder is `dataDir`: read from its file, or
 * made and written there (atomically) the first time.
 */
export function openDevEnclave(dataDir: string): EnclaveKey {
  const file = path.join(dataDir, DEV_ENCLAVE_KEY_FILE);
  if (existsSync(file)) {
    // The key is the enclave's: a file others may read (or that others wrote) is not used.
    if ((statSync(file).mode & 0o077) !== 0)
      throw new InvalidInputError(
        `${file} is readable or writable by other users: make it the worker's alone (chmod 600), or remove it to make a new key.`,
      );
    let key: string | undefined;
    try {
      key = (JSON.parse(readFileSync(file, "utf8")) as { privateKey?: string }).privateKey;
    } catch {
      key = undefined;
    }
    if (typeof key !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(key))
      throw new InvalidInputError(
        `${file} is not a development enclave key file: remove it (a new key is made at start; the tasks authorized for the old one are then failed).`,
      );
    const wallet = new Wallet(key);
    return { address: wallet.address, signer: wallet };
  }
  mkdirSync(dataDir, { recursive: true });
  const wallet = Wallet.createRandom();
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(
    temp,
    JSON.stringify({ warning: DEV_ENCLAVE_WARNING, address: wallet.address, privateKey: wallet.privateKey }),
    // "wx": a file (or link) already at the temporary name is an error, never followed or reused.
    { mode: 0o600, flag: "wx" },
  );
  renameSync(temp, file);
  return { address: wallet.address, signer: new Wallet(wallet.privateKey) };
}
