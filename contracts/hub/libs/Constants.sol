// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

// Protocol constants of PoCo v5, in one place. Ratios are percentages unless said otherwise.

/// @dev Deadlines, in multiples of the category's work clock time reference.
uint256 constant CONTRIBUTION_DEADLINE_RATIO = 7;
uint256 constant REVEAL_DEADLINE_RATIO = 2;
uint256 constant FINAL_DEADLINE_RATIO = 10;

/// @dev Stake the workerpool owner locks per task, as a percentage of the workerpool price.
uint256 constant WORKERPOOL_STAKE_RATIO = 30;

/// @dev Share of the kitty paid to a scheduler on each finalized task, with a floor in nRLC.
uint256 constant KITTY_RATIO = 10;
uint256 constant KITTY_MIN = 1e9;

/// @dev The kitty is an escrow account nobody holds a key for: address(uint160(keccak256("openpoco.kitty"))).
address constant KITTY_ADDRESS = address(uint160(uint256(keccak256("openpoco.kitty"))));

/// @dev ERC-734 key purpose that makes an address a member of a restriction group.
uint256 constant GROUPMEMBER_PURPOSE = 4;

/// @dev Gas forwarded to a deal's callback on finalize, unless the owner changes it.
uint256 constant DEFAULT_CALLBACK_GAS = 100_000;
/// @dev Upper bound for the callback gas, so that finalize always stays affordable.
uint256 constant MAX_CALLBACK_GAS = 5_000_000;

/// @dev EIP-712 domain of orders.
string constant DOMAIN_NAME = "iExecODB";
string constant DOMAIN_VERSION = "5.0.0";
bytes32 constant DOMAIN_TYPEHASH = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
);

/// @dev Longest work clock time reference a category may have (about 136 years): every deadline of its tasks then
/// fits the 40-bit timestamps of a task (see `Tasks`).
uint256 constant MAX_WORK_CLOCK_TIME_REF = 2 ** 32;

/// @dev Gas a finalize must hold beyond the callback's own before calling it: the call's cold access and the
/// 1/64 that EIP-150 keeps back are on top of it.
uint256 constant CALLBACK_GAS_OVERHEAD = 10_000;
