/**
 * Who may read a task's app logs: its deal's requester alone, proven as at the market's login. The
 * requester asks GET /tasks/logs/challenge for EIP-712 typed data (the shape the official SDK signs),
 * signs it, and sends `<typed-data hash>_<signature>_<address>` as Authorization. Each challenge is
 * issued for one address on this scheduler's chain, serves once, and expires.
 */
import { randomBytes } from "node:crypto";
import { getAddress } from "ethers";
import { ForbiddenError, InvalidInputError, UnauthorizedError } from "../sdk/core/errors";
import { logsChallengeText } from "../sdk/core/workerpool-api";
import {
  challengeTypedData,
  hashChallenge,
  parseMarketAuthorization,
  recoverChallengeSigner,
  type ChallengeTypedData,
} from "../sdk/core/market/auth";

/** Life of a logs challenge by default: 5 minutes. */
export const LOGS_CHALLENGE_TTL_MS = 5 * 60_000;

/** Challenges kept at most: anyone may ask for them, so the oldest go first beyond this. */
export const LOGS_CHALLENGES_KEPT = 10_000;

/** Live challenges kept per address: a new one beyond this retires that address's oldest. */
export const LOGS_CHALLENGES_PER_ADDRESS = 4;

/** Issues and checks the one-use challenges of the logs route. */
export class LogsGate {
  // Keyed by the challenge's typed-data hash: what the Authorization header names.
  private readonly issued = new Map<string, { challenge: string; address: string; expires: number }>();

  constructor(
    private readonly chainId: bigint,
    /** The workerpool this scheduler runs: named in every challenge's text. */
    private readonly workerpool: string,
    private readonly ttlMs = LOGS_CHALLENGE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Typed data for `address` to sign; `chainId` must be this scheduler's chain. */
  challenge(chainId: string, address: string): ChallengeTypedData {
    if (!/^\d+$/.test(chainId) || BigInt(chainId) !== this.chainId)
      throw new InvalidInputError(
        `This workerpool runs on chain ${this.chainId}, not ${chainId}: ask with chainId=${this.chainId}.`,
      );
    const now = this.now();
    // Issued in expiry order (one TTL): the sweep stops at the first live challenge.
    for (const [hash, entry] of this.issued) {
      if (entry.expires > now) break;
      this.issued.delete(hash);
    }
    // One address holds a few live challenges at most, so that asking for many cannot crowd out others'.
    const mine = [...this.issued].filter(([, entry]) => entry.address === getAddress(address));
    for (const [hash] of mine.slice(0, Math.max(0, mine.length - LOGS_CHALLENGES_PER_ADDRESS + 1)))
      this.issued.delete(hash);
    const challenge = logsChallengeText(this.workerpool, randomBytes(32).toString("hex"));
    this.issued.set(hashChallenge(this.chainId, challenge), {
      challenge,
      address: getAddress(address),
      expires: now + this.ttlMs,
    });
    for (const hash of this.issued.keys()) {
      if (this.issued.size <= LOGS_CHALLENGES_KEPT) break;
      this.issued.delete(hash);
    }
    return challengeTypedData(this.chainId, challenge);
  }

  /**
   * The address proven by an Authorization header; the challenge is used up either way.
   * @throws UnauthorizedError for a missing or malformed header, an unknown, used or expired challenge,
   * or a signature by someone else than the address named.
   */
  authenticate(header: string | undefined): string {
    if (header === undefined || header === "")
      throw new UnauthorizedError(
        "Missing Authorization header: sign the typed data of GET /tasks/logs/challenge and send <hash>_<signature>_<address>.",
      );
    let parts;
    try {
      parts = parseMarketAuthorization(header);
    } catch {
      throw new UnauthorizedError(
        "Malformed Authorization header: send <challenge hash>_<signature>_<address> from a signed GET /tasks/logs/challenge.",
      );
    }
    const entry = this.issued.get(parts.hash.toLowerCase());
    this.issued.delete(parts.hash.toLowerCase());
    if (!entry || entry.expires <= this.now() || entry.address !== parts.address)
      throw new UnauthorizedError(
        "Unknown, used or expired challenge: ask GET /tasks/logs/challenge for a new one and sign it.",
      );
    let signer: string;
    try {
      signer = recoverChallengeSigner(this.chainId, entry.challenge, parts.signature);
    } catch {
      throw new UnauthorizedError("Malformed signature: sign the challenge's typed data with your key.");
    }
    if (signer !== parts.address)
      throw new UnauthorizedError(
        `The challenge is signed by ${signer}, not by ${parts.address}: sign it with the key of the address you name.`,
      );
    return parts.address;
  }

  /** Refuses `address` unless it is the task's `requester`. */
  static checkRequester(taskid: string, requester: string | null, address: string): void {
    if (requester === null || getAddress(requester) !== address)
      throw new ForbiddenError(
        `Only the requester of task ${taskid}${requester ? ` (${getAddress(requester)})` : ""} may read its logs, not ${address}.`,
      );
  }
}
