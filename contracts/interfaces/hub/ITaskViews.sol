// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITaskTypes} from "./ITaskTypes.sol";

/// @title Read access to tasks, contributions and scores
/// @notice Views only: they never change state.
interface ITaskViews is ITaskTypes {
    /// @notice The task `id`; every field is zero for an unknown id.
    /// @param id The task.
    /// @return task The task's fields.
    function viewTask(bytes32 id) external view returns (Task memory task);

    /// @notice `worker`'s contribution to task `taskid` (zero when none).
    /// @param taskid The task.
    /// @param worker The worker.
    /// @return The contribution.
    function viewContribution(bytes32 taskid, address worker) external view returns (Contribution memory);

    /// @notice `worker`'s score: +1 per accurate contribution to a replicated task, times 2/3 per faulty one.
    /// @param worker The worker.
    /// @return The score.
    function viewScore(address worker) external view returns (uint256);

    /// @notice The callback data of a COMPLETED task (what its deal callback received).
    /// @param id The task.
    /// @return The callback data.
    function resultFor(bytes32 id) external view returns (bytes memory);

    /// @notice `viewTask` as a flat tuple, without result digest, timestamp and callback data (legacy clients).
    /// @param taskid The task.
    /// @return status The task's status.
    /// @return dealid Its deal.
    /// @return idx Its index in the deal.
    /// @return timeref The work clock time reference of its category.
    /// @return contributionDeadline End of contributions.
    /// @return revealDeadline End of reveals (0 before a consensus).
    /// @return finalDeadline End of the task: past it, it can only be claimed.
    /// @return consensusValue The consensus hash (0 without consensus).
    /// @return revealCounter Number of reveals.
    /// @return winnerCounter Number of winners.
    /// @return contributors The contributors, first to last.
    /// @return results Where the result is, once completed.
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
    /// @param taskid The task.
    /// @param worker The worker.
    /// @return status The contribution's status.
    /// @return resultHash The result hash committed to.
    /// @return resultSeal The result seal committed to.
    /// @return enclaveChallenge The enclave's address, or address(0).
    function viewContributionABILegacy(
        bytes32 taskid,
        address worker
    )
        external
        view
        returns (ContributionStatus status, bytes32 resultHash, bytes32 resultSeal, address enclaveChallenge);
}
