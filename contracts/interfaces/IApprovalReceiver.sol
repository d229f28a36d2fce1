// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Receiver side of `approveAndCall`
/// @notice The token calls `receiveApproval` after approving the receiver, so that one transaction approves
/// and uses the allowance.
interface IApprovalReceiver {
    /// @notice Called by `token` right after `sender` approved this contract for `amount`.
    /// @param sender Account that approved and called.
    /// @param amount Allowance granted, in the token's units.
    /// @param token Token contract (must be the caller).
    /// @param extraData Opaque payload chosen by `sender`.
    /// @return success True when the approval was acted upon.
    function receiveApproval(
        address sender,
        uint256 amount,
        address token,
        bytes calldata extraData
    ) external returns (bool);
}
