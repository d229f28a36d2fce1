// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IApprovalReceiver} from "../interfaces/IApprovalReceiver.sol";

/// @dev Records the last `receiveApproval` call, so tests can check what approveAndCall forwarded.
contract ApprovalReceiverMock is IApprovalReceiver {
    /// @notice `receiveApproval` was called with these arguments.
    /// @param sender The account that approved.
    /// @param amount The amount approved.
    /// @param token The token that called.
    /// @param extraData The data forwarded by `approveAndCall`.
    event ApprovalReceived(address sender, uint256 amount, address token, bytes extraData);

    function receiveApproval(
        address sender,
        uint256 amount,
        address token,
        bytes calldata extraData
    ) external returns (bool) {
        emit ApprovalReceived(sender, amount, token, extraData);
        return true;
    }
}
