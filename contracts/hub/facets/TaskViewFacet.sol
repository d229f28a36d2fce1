// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Results} from "../libs/Results.sol";
import {Tasks} from "../libs/Tasks.sol";
import {ITaskViews} from "../../interfaces/hub/ITaskViews.sol";

/// @title Read access to tasks, contributions and scores
contract TaskViewFacet is ITaskViews, Facet {
    /// @inheritdoc ITaskViews
    function viewTask(bytes32 id) external view returns (Task memory task) {
        HubStorage.Task storage stored = Tasks.task(id);
        Tasks.State memory state = Tasks.loadState(stored);
        if (state.status == TaskStatus.UNSET) return task;
        task.status = state.status;
        task.dealid = stored.dealid;
        task.idx = state.idx;
        task.timeref = Tasks.timeref(state);
        task.contributionDeadline = state.contributionDeadline;
        task.revealDeadline = state.revealDeadline;
        task.finalDeadline = state.finalDeadline;
        (task.consensusValue, task.resultDigest) = _consensusAndDigest(id, stored, state);
        task.revealCounter = state.revealCount;
        task.winnerCounter = state.winnerCount;
        task.contributors = Tasks.contributors(id);
        bool recorded;
        (recorded, task.results, task.resultsCallback, task.resultsTimestamp) = Results.load(id);
        if (!recorded) task.resultsTimestamp = Tasks.resultsTimestamp(stored);
    }

    /// @inheritdoc ITaskViews
    function viewContribution(bytes32 taskid, address worker) external view returns (Contribution memory) {
        return _contribution(taskid, worker);
    }

    /// @inheritdoc ITaskViews
    function viewScore(address worker) external view returns (uint256) {
        return HubStorage.layout().scores[worker];
    }

    /// @inheritdoc ITaskViews
    function resultFor(bytes32 id) external view returns (bytes memory resultsCallback) {
        TaskStatus status = Tasks.loadState(Tasks.task(id)).status;
        if (status != TaskStatus.COMPLETED) revert TaskNotCompleted(id, status);
        (, , resultsCallback, ) = Results.load(id);
    }

    /// @inheritdoc ITaskViews
    function viewTaskABILegacy(
        bytes32 taskid
    )
        external
        view
        returns (
            TaskStatus,
            bytes32,
            uint256,
            uint256,
            uint256,
            uint256,
            uint256,
            bytes32,
            uint256,
            uint256,
            address[] memory,
            bytes memory
        )
    {
        Task memory task = this.viewTask(taskid);
        return (
            task.status,
            task.dealid,
            task.idx,
            task.timeref,
            task.contributionDeadline,
            task.revealDeadline,
            task.finalDeadline,
            task.consensusValue,
            task.revealCounter,
            task.winnerCounter,
            task.contributors,
            task.results
        );
    }

    /// @inheritdoc ITaskViews
    function viewContributionABILegacy(
        bytes32 taskid,
        address worker
    ) external view returns (ContributionStatus, bytes32, bytes32, address) {
        Contribution memory contribution = _contribution(taskid, worker);
        return (
            contribution.status,
            contribution.resultHash,
            contribution.resultSeal,
            contribution.enclaveChallenge
        );
    }

    function _contribution(
        bytes32 taskid,
        address worker
    ) private view returns (Contribution memory contribution) {
        HubStorage.Contribution storage stored = Tasks.contribution(taskid, worker);
        Tasks.Head memory head = Tasks.loadHead(stored);
        contribution.status = head.status;
        contribution.weight = head.weight;
        if (head.flags & Tasks.FLAG_ENCLAVE != 0) contribution.enclaveChallenge = stored.enclaveChallenge;
        HubStorage.Task storage task = Tasks.task(taskid);
        bytes32 consensus = Tasks.consensusHash(taskid, task, Tasks.loadState(task));
        contribution.resultHash = Tasks.committedHash(stored, head, consensus);
        // A seal not stored follows from the digest, which the task holds once revealed.
        contribution.resultSeal =
            head.flags & Tasks.FLAG_SEAL_FROM_DIGEST != 0
                ? Tasks.resultSeal(worker, taskid, task.consensus)
                : stored.resultSeal;
    }

    /// @dev The consensus hash and the result digest: before any reveal the task holds the hash (or nothing), after
    /// it the digest, whose hash is the consensus.
    function _consensusAndDigest(
        bytes32 id,
        HubStorage.Task storage stored,
        Tasks.State memory state
    ) private view returns (bytes32 consensus, bytes32 digest) {
        consensus = Tasks.consensusHash(id, stored, state);
        if (state.revealCount != 0) digest = stored.consensus;
    }
}
