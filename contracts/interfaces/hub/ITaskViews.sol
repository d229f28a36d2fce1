// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITaskTypes} from "./ITaskTypes.sol";

/// @title Read access to tasks, contributions and scores
interface ITaskViews is ITaskTypes {
    /// @notice The task `id`; every field is zero for an unknown id.
    function viewTask(bytes32 id) external view returns (Task memory task);

    /// @notice `worker`'s contribution to task `taskid` (zero when none).
    function viewContribution(bytes32 taskid, address worker) external view returns (Contribution memory);

    /// @notice `worker`'s score: +1 per accurate contribution to a replicated task, times 2/3 per faulty one.
    function viewScore(address worker) external view returns (uint256);

    /// @notice The callback data of a COMPLETED task (what its deal callback received).
    function resultFor(bytes32 id) external view returns (bytes memory);

    /// @notice `viewTask` as a flat tuple, without result digest, timestamp and callback data (legacy clients).
    function viewTaskABILegacy(
        bytes32 taskid
    )
        external
        view
        returns (
            TaskStatus status,
            bytes32 dealid,
            uint256 idx,
            uint256 timeref,
            uint256 contributionDeadline,
            uint256 revealDeadline,
            uint256 finalDeadline,
            bytes32 consensusValue,
            uint256 revealCounter,
            uint256 winnerCounter,
            address[] memory contributors,
            bytes memory results
        );

    /// @notice `viewContribution` as a flat tuple, without the weight (legacy clients).
    function viewContributionABILegacy(
        bytes32 taskid,
        address worker
    )
        external
        view
        returns (ContributionStatus status, bytes32 resultHash, bytes32 resultSeal, address enclaveChallenge);
}
