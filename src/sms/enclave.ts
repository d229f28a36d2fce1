/**
 * Who may receive a task's enclave key, or a TEE deal's secrets: the one place an enclave's genuineness
 * is judged. The SMS picks a verifier once, at start; the key release and the secrets' release ask it
 * after every other check (signature, challenge, task, authorization) has passed. Today there are two: the development verifier (`--tee dev`: any
 * authorized worker is its own enclave, no hardware isolation) and the one of an SMS without a TEE
 * mode (refuses: a real enclave needs attestation). A real attestation backend (TDX quote
 * verification: the quote's report data binds the request, its measurement is the app's) would be a
 * third implementation of the same interface, reading its evidence from the request.
 */
import { DEV_ENCLAVE_WARNING } from "../sdk/core/tee-dev";
import { DevEnclaveDisabledError } from "./errors";

/** What an enclave presents to receive its task's key or secrets, once the request's other checks passed. */
export interface EnclaveKeyClaim {
  /** What the enclave would receive, for the refusal's words. */
  releasing: "the task's enclave key" | "the TEE deal's secrets";
  taskid: string;
  worker: string;
  /** The task's enclave challenge (issued by this SMS). */
  enclaveChallenge: string;
  /** The message the worker signed (what attestation evidence would have to bind). */
  requestMessage: string;
  /** The request's body, where attestation evidence (a quote) would travel. */
  body: unknown;
}

/** Judges whether an enclave may receive its task's challenge key. */
export interface EnclaveVerifier {
  /** Short name for the logs: "dev", "none"... */
  readonly name: string;
  /** Said in the SMS's log at start and in each key answer; undefined when there is nothing to warn of. */
  readonly warning?: string;
  /** Resolves when the claim is accepted; throws an `OpenPocoError` naming the refusal otherwise. */
  verify(claim: EnclaveKeyClaim): Promise<void>;
}

/** The development enclave: the authorized worker itself, with no hardware isolation and no evidence. */
export const DEV_ENCLAVE_VERIFIER: EnclaveVerifier = {
  name: "dev",
  warning: DEV_ENCLAVE_WARNING,
  verify: async () => {},
};

/** An SMS without a TEE mode: no enclave can prove itself, so no key goes out. */
export const NO_ENCLAVE_VERIFIER: EnclaveVerifier = {
  name: "none",
  verify: async (claim) => {
    throw new DevEnclaveDisabledError(
      `This SMS runs without a development TEE mode, so it releases ${claim.releasing} (task ${claim.taskid}) to no enclave: a real TEE enclave needs attestation (TDX quote verification), which is not available yet. For development, start the SMS with \`--tee dev\` and the worker with \`--tee dev\`.`,
    );
  },
};
