// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITaskTypes} from "./ITaskTypes.sol";

/// @title Task lifecycle: initialize and claim
/// @notice A deal's tasks are initialized one by one, by anyone, and a task still unfinished at its final deadline
/// can be claimed by anyone, which refunds the sponsor.
interface ITasks is ITaskTypes {
    /// @notice Task `taskid` was opened for contributions.
    /// @param taskid The task.
    /// @param workerpool The workerpool of its deal, whose workers may contribute.
    event TaskInitialize(bytes32 indexed taskid, address indexed workerpool);
    /// @notice Task `taskid` was failed past its final deadline: the sponsor and contributors are refunded.
    /// @param taskid The task.
    event TaskClaimed(bytes32 indexed taskid);

    /// @notice No match recorded a deal under `dealid` (an id of anything else is no deal).
    error DealNotFound(bytes32 dealid);

    /// @notice Opens task `index` of deal `dealId` for contributions. Anyone may call it.
    /// @dev Its deadlines count from the deal's start: contributions until start + 7 T, finalize until
    /// start + 10 T, where T is the category's work clock time reference.
    /// @param dealId The deal.
    /// @param index Index of the task in the deal (from botFirst to botFirst + botSize - 1).
    /// @return taskid `keccak256(abi.encodePacked(dealId, index))`.
    function initialize(bytes32 dealId, uint256 index) external returns (bytes32 taskid);

    /// @notice `initialize` for each (dealIds[i], indexes[i]); all or nothing.
    /// @param dealIds The deals, one per task.
    /// @param indexes The task indexes, as long as `dealIds`.
    /// @return success Always true (failures revert).
    function initializeArray(
        bytes32[] calldata dealIds,
        uint256[] calldata indexes
    ) external returns (bool success);

    /// @notice Fails an ACTIVE or REVEALING task at or after its final deadline: the sponsor gets the task price
    /// back, the contributors their stakes, and the scheduler's stake goes to the kitty. Anyone may call it.
    /// @param taskId The task.
    function claim(bytes32 taskId) external;

    /// @notice `claim` for each task; all or nothing.
    /// @param taskIds The tasks.
    /// @return success Always true (failures revert).
    function claimArray(bytes32[] calldata taskIds) external returns (bool success);

    /// @notice `initialize` then `claim` for each (dealIds[i], indexes[i]): settles expired tasks that were never
    /// initialized; all or nothing.
    /// @param dealIds The deals, one per task.
    /// @param indexes The task indexes, as long as `dealIds`.
    /// @return success Always true (failures revert).
    function initializeAndClaimArray(
        bytes32[] calldata dealIds,
        uint256[] calldata indexes
    ) external returns (bool success);
}
