// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITaskTypes} from "./ITaskTypes.sol";

/// @title Finalization: results, payments and the deal callback
/// @notice On finalize the sponsor pays the task price: the app and dataset owners get their prices, the scheduler
/// its stake back; the workerpool price plus the stakes of the workers who did not prove the consensus, less the
/// scheduler's reward ratio, is split among the provers by weight (log2); the scheduler keeps the rest plus a
/// share of the kitty (10%, at least 1 RLC, at most all of it).
interface IFinalize is ITaskTypes {
    /// @notice Task `taskid` was completed and everyone paid.
    /// @param taskid The task.
    /// @param results Where the result is, as given to `finalize`.
    event TaskFinalize(bytes32 indexed taskid, bytes results);
    /// @notice The worker proved the consensus of a task with more than one contributor: its score rose by one.
    /// @param worker The worker.
    /// @param taskid The task.
    event AccurateContribution(address indexed worker, bytes32 indexed taskid);
    /// @notice The worker did not prove the consensus: its stake was seized and its score cut by a third.
    /// @param worker The worker.
    /// @param taskid The task.
    event FaultyContribution(address indexed worker, bytes32 indexed taskid);

    /// @notice Scheduler only: completes a REVEALING task once every winner revealed (or at least one did and the
    /// reveal deadline passed), before the final deadline, and pays everyone. With a deal callback, calls
    /// `receiveResult(taskId, resultsCallback)` on it with the configured gas; its failure does not matter.
    /// @param taskId The task.
    /// @param results Where the result is (for example `abi.encode` of a JSON location), kept for `viewTask`.
    /// @param resultsCallback Data for the callback; `keccak256(resultsCallback)` must be the result digest when
    /// the deal has a callback.
    function finalize(bytes32 taskId, bytes calldata results, bytes calldata resultsCallback) external;

    /// @notice A trust-1 task's only worker contributes, reveals and finalizes in one call (see `contribute` and
    /// `finalize`). The contribution has no consensus to lose, so it locks no worker stake: a worker without any
    /// may call it, and is paid its share as `finalize` would pay it.
    /// @param taskId The task.
    /// @param resultDigest The result digest, committed to and revealed at once.
    /// @param results As for `finalize`.
    /// @param resultsCallback As for `finalize`.
    /// @param enclaveChallenge As for `contribute`.
    /// @param enclaveSign As for `contribute`.
    /// @param authorizationSign As for `contribute`.
    function contributeAndFinalize(
        bytes32 taskId,
        bytes32 resultDigest,
        bytes calldata results,
        bytes calldata resultsCallback,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) external;
}
