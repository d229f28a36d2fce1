// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title A deal callback: the contract that receives each task's callback data when the task is finalized
/// @notice The hub calls `receiveResult` with a gas budget when the task is finalized; a revert there does not undo
/// the finalization.
interface IOracleConsumer {
    /// @notice Called by the hub when task `id` of a deal naming this contract as callback is finalized.
    /// @param id The task id.
    /// @param callbackData The task's callback data, whose keccak256 is the task's result digest.
    function receiveResult(bytes32 id, bytes calldata callbackData) external;
}
