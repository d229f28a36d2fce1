/**
 * Turns a failed call or transaction into an `OpenPocoError` whose message names the contract's
 * custom error and its values, and for the common ones, the fix.
 */
import { Interface, isError } from "ethers";
import type { ErrorDescription } from "ethers";
import {
  IAppRegistry__factory,
  IAsset__factory,
  IDatasetRegistry__factory,
  IHub__factory,
  IWorkerpoolRegistry__factory,
  RLC__factory,
} from "../../../../typechain-types";
import { ChainError, OpenPocoError } from "../errors";
import { formatRlc } from "../units";

// Every contract the SDK talks to, plus the ERC-20 errors the escrow reuses, so any revert decodes.
const ERC20_ERRORS = [
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC20InvalidSender(address sender)",
];
const ERRORS = new Interface(
  [
    ...IHub__factory.abi,
    ...IAppRegistry__factory.abi,
    ...IDatasetRegistry__factory.abi,
    ...IWorkerpoolRegistry__factory.abi,
    ...IAsset__factory.abi,
    ...RLC__factory.abi,
    ...ERC20_ERRORS,
  ].filter((fragment) => typeof fragment === "string" || fragment.type === "error"),
);

/** A sentence with the fix for the errors people run into; others are named with their values. */
function advice(error: ErrorDescription): string | undefined {
  const args = error.args;
  switch (error.name) {
    case "ERC20InsufficientBalance":
      return `Not enough RLC: ${args[0]} has ${formatRlc(args[1])} available and ${formatRlc(args[2])} is needed; deposit more with \`openpoco account deposit\`.`;
    case "OrderExhausted":
      return `The ${args[0]} ${args[1]} is already consumed or cancelled: use another order.`;
    case "InvalidOrderSignature":
      return `The ${args[0]} ${args[1]} has no valid signature of ${args[2]}: sign it again on this chain.`;
    case "AssetAlreadyRegistered":
      return `An asset with the same fields is already registered at ${args[0]}: change a field (the name) or use it.`;
    case "PriceAboveMax":
      return `The ${args[0]} (${args[1]} nRLC) is above the requester's maximum (${args[2]} nRLC): raise the maximum or lower the price.`;
    case "CategoryMismatch":
      return `The request asks for category ${args[0]} and the workerpool order offers category ${args[1]}: make them equal.`;
    case "TrustAboveOffer":
      return `The request asks for trust ${args[0]} and the workerpool order offers only ${args[1]}: lower the trust.`;
    case "RestrictionNotMet":
      return `The ${args[0]} restriction ${args[1]} excludes ${args[2]}: pick orders that allow each other.`;
    case "UnknownCategory":
      return `Category ${args[0]} does not exist (there are ${args[1]}): pick one with \`openpoco category show\`.`;
    case "OwnableUnauthorizedAccount":
      return `${args[0]} is not the owner allowed to do this: use the owner's wallet.`;
    case "TaskNotClaimable":
      return `Task ${args[0]} cannot be claimed: it is completed, failed, or its final deadline has not passed.`;
    case "FinalDeadlineNotReached":
      return `Task ${args[0]} can be claimed only after its final deadline (${new Date(Number(args[1]) * 1000).toISOString()}).`;
    case "DealNotFound":
      return `No match recorded a deal with id ${args[0]}: check the deal id (\`openpoco deal show\`).`;
    case "TooManyContributors":
      return `Task ${args[0]} already has the most contributions a task takes (256): it can no longer take yours.`;
    case "ResultsNotRecorded":
      return `The results of task ${args[0]} ran out of gas at chunk ${args[1]}: send the transaction again with a higher gas limit.`;
    default:
      return undefined;
  }
}

function revertData(error: unknown): string | undefined {
  // ethers puts the revert data on the error itself, or on its cause for wrapped provider errors.
  for (let current = error as Record<string, unknown> | undefined, depth = 0; current && depth < 5; depth++) {
    if (typeof current.data === "string" && current.data.startsWith("0x") && current.data.length >= 10)
      return current.data;
    const info = current.info as Record<string, unknown> | undefined;
    const nested = (info?.error as Record<string, unknown> | undefined)?.data;
    if (typeof nested === "string" && nested.startsWith("0x") && nested.length >= 10) return nested;
    current = (current.error ?? current.cause) as Record<string, unknown> | undefined;
  }
  return undefined;
}

/** Describes a decoded custom error: `Name(value, value)`. */
export function formatCustomError(error: ErrorDescription): string {
  const values = error.args.map((value: unknown) =>
    typeof value === "bigint" ? value.toString() : String(value),
  );
  return `${error.name}(${values.join(", ")})`;
}

/** The `OpenPocoError` for a failed call or transaction `action` (for example "deploy the app"). */
export function explainRevert(action: string, error: unknown): OpenPocoError {
  if (error instanceof OpenPocoError) return error;
  const data = revertData(error);
  if (data) {
    const decoded = ERRORS.parseError(data);
    if (decoded) {
      const hint = advice(decoded);
      const detail = formatCustomError(decoded);
      return new ChainError(
        hint
          ? `Could not ${action}: ${hint} (${detail})`
          : `Could not ${action}: the chain reverted with ${detail}.`,
        decoded.name,
        error,
      );
    }
  }
  if (isError(error, "INSUFFICIENT_FUNDS"))
    return new ChainError(
      `Could not ${action}: the wallet has not enough ether to pay for gas; fund it first.`,
      undefined,
      error,
    );
  if (isError(error, "NETWORK_ERROR") || /ECONNREFUSED|failed to detect network/i.test(String(error)))
    return new ChainError(
      `Could not ${action}: the chain's node does not answer; check "host" in chain.json.`,
      undefined,
      error,
    );
  const message = (error as { shortMessage?: string; message?: string }).shortMessage ?? String(error);
  return new ChainError(`Could not ${action}: ${message}.`, undefined, error);
}
