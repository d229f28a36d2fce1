// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @dev A malicious wallet: while asked to check a signature it calls `callee` with `payload` (for instance
/// a hub `transfer` of its own SRLC), and answers "valid" when that call went through. Called with a
/// staticcall, as the hub does, the inner call cannot change state and fails. With `swallowFailure` the
/// wallet ignores that failure and answers "valid" anyway, to show that no state changed regardless.
/// It does not inherit IERC1271 on purpose: its `isValidSignature` is not a view.
contract ERC1271ReentrantMock {
    error ReentryFailed(bytes reason);

    address public callee;
    bytes public payload;
    bool public swallowFailure;

    /// @notice Sets the call made from `isValidSignature`.
    /// @param callee_ Contract to call back (the hub).
    /// @param payload_ Calldata of the call.
    /// @param swallowFailure_ Answer "valid" even when the call fails.
    function configure(address callee_, bytes calldata payload_, bool swallowFailure_) external {
        callee = callee_;
        payload = payload_;
        swallowFailure = swallowFailure_;
    }

    /// @notice Calls back `callee`, then answers the magic value unless that call failed (and is not
    /// swallowed).
    /// @return magicValue The ERC-1271 magic value.
    function isValidSignature(bytes32, bytes calldata) external returns (bytes4) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool success, bytes memory reason) = callee.call(payload);
        if (!success && !swallowFailure) revert ReentryFailed(reason);
        return IERC1271.isValidSignature.selector;
    }
}
