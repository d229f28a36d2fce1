/**
 * Errors of the IPFS store. Each has a stable code that the HTTP layer maps to a status, and a message
 * that says what was wrong and what to do.
 */
import { OpenPocoError } from "../sdk/core/errors";

/** A block file whose bytes do not hash to its CID: the store refuses to serve it. */
export class BlockHashMismatchError extends OpenPocoError {
  constructor(
    readonly cid: string,
    readonly file: string,
  ) {
    super(
      "BLOCK_HASH_MISMATCH",
      `Block ${cid} is corrupted on disk (${file} does not hash to its CID): it is not served; ` +
        "delete the file and add the content again.",
    );
  }
}

/** An add whose content is larger than the node's limit; nothing of it was kept. */
export class AddTooLargeError extends OpenPocoError {
  constructor(readonly maxBytes: number) {
    super(
      "ADD_TOO_LARGE",
      `The content is larger than this node accepts (${maxBytes} bytes); nothing was stored. ` +
        "Send a smaller file or start the node with a larger --max-add-size.",
    );
  }
}

/** A CID this store cannot verify (a hash function other than sha2-256 or identity). */
export class UnsupportedHashError extends OpenPocoError {
  constructor(cid: string, code: number) {
    super(
      "INVALID_INPUT",
      `CID ${cid} uses hash function 0x${code.toString(16)}; this store verifies sha2-256 blocks only.`,
    );
  }
}

/** An identity CID that inlines more than kubo accepts: such CIDs would let a tiny request name a big DAG. */
export class IdentityTooLargeError extends OpenPocoError {
  constructor(cid: string, bytes: number, maxBytes: number) {
    super(
      "INVALID_INPUT",
      `CID ${cid.slice(0, 100)}... inlines ${bytes} bytes with the identity hash; at most ${maxBytes} are ` +
        "accepted (as kubo): store the block and use its sha2-256 CID.",
    );
  }
}

/** An add refused because the node already runs as many adds as it takes at once; nothing was kept. */
export class AddBusyError extends OpenPocoError {
  constructor(readonly maxConcurrentAdds: number) {
    super(
      "ADD_BUSY",
      `This node already runs ${maxConcurrentAdds} adds at once; nothing was stored. ` +
        "Retry when one of them has finished.",
    );
  }
}
