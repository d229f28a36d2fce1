/**
 * The market's challenge authentication: the EIP-712 challenge a publisher signs to prove its address,
 * and the Authorization header that carries the signature. Clients sign with it, a market service
 * verifies with the same functions.
 */
import { TypedDataEncoder, getAddress, isAddress, isHexString, recoverAddress } from "ethers";
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";
import { InvalidInputError } from "../errors";

/** EIP-712 domain name of the market's login challenge. */
export const CHALLENGE_DOMAIN_NAME = "iExec Gateway";
/** EIP-712 domain version of the market's login challenge. */
export const CHALLENGE_DOMAIN_VERSION = "1";
/** EIP-712 types of the market's login challenge. */
export const CHALLENGE_TYPES: Record<string, TypedDataField[]> = {
  Challenge: [{ name: "challenge", type: "string" }],
};
/** Prefix of the challenge text the official market hands out before its random value. */
export const CHALLENGE_TEXT_PREFIX = "Sign this message to log into iExec Gateway: ";

/** The challenge's EIP-712 domain on chain `chainId`. */
export function challengeDomain(chainId: bigint): TypedDataDomain {
  return { name: CHALLENGE_DOMAIN_NAME, version: CHALLENGE_DOMAIN_VERSION, chainId };
}

/** The text a market signs in for a random `value`. */
export function challengeText(value: string): string {
  return CHALLENGE_TEXT_PREFIX + value;
}

/** The typed data the market serves on GET /challenge (`data` of its answer). */
export interface ChallengeTypedData {
  types: Record<string, { name: string; type: string }[]>;
  domain: { name: string; version: string; chainId: string | number };
  primaryType: "Challenge";
  message: { challenge: string };
}

/** The typed data of a challenge, as the market serves it (EIP712Domain type included). */
export function challengeTypedData(chainId: bigint, challenge: string): ChallengeTypedData {
  return {
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
      ],
      Challenge: [{ name: "challenge", type: "string" }],
    },
    domain: { name: CHALLENGE_DOMAIN_NAME, version: CHALLENGE_DOMAIN_VERSION, chainId: chainId.toString() },
    primaryType: "Challenge",
    message: { challenge },
  };
}

/** EIP-712 typed-data hash of a challenge: the first part of the Authorization header. */
export function hashChallenge(chainId: bigint, challenge: string): string {
  return TypedDataEncoder.hash(challengeDomain(chainId), CHALLENGE_TYPES, { challenge });
}

/** Address that signed `challenge` on chain `chainId` with `signature`. */
export function recoverChallengeSigner(chainId: bigint, challenge: string, signature: string): string {
  return recoverAddress(hashChallenge(chainId, challenge), signature);
}

/** The three parts of a market Authorization header. */
export interface MarketAuthorization {
  /** Typed-data hash of the challenge. */
  hash: string;
  /** Signature of the challenge's typed data. */
  signature: string;
  /** Address that claims to have signed. */
  address: string;
}

/** Signs a challenge; returns the parts and the header value `<hash>_<signature>_<address>`. */
export async function signChallenge(
  signer: Signer,
  chainId: bigint,
  challenge: string,
): Promise<MarketAuthorization & { authorization: string }> {
  const address = await signer.getAddress();
  const signature = await signer.signTypedData(challengeDomain(chainId), CHALLENGE_TYPES, { challenge });
  const hash = hashChallenge(chainId, challenge);
  return { hash, signature, address, authorization: `${hash}_${signature}_${address}` };
}

/** Splits an Authorization header into its parts; throws `InvalidInputError` when malformed. */
export function parseMarketAuthorization(header: string): MarketAuthorization {
  const parts = header.split("_");
  const [hash, signature, address] = parts;
  if (parts.length !== 3 || !isHexString(hash, 32) || !isHexString(signature, 65) || !isAddress(address))
    throw new InvalidInputError(
      "Malformed Authorization header: send <challenge hash>_<signature>_<address> from a signed GET /challenge.",
    );
  return { hash, signature, address: getAddress(address) };
}
