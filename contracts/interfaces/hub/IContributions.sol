// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITaskTypes} from "./ITaskTypes.sol";

/// @title Consensus: contributions, reveals and reopening
/// @notice A worker commits to `resultHash = keccak256(abi.encodePacked(taskid, resultDigest))` and
/// `resultSeal = keccak256(abi.encodePacked(worker, taskid, resultDigest))`, staking the deal's worker stake.
/// Each worker weighs `max(score / 3, 3) - 1`; a group of agreeing workers weighs the product of their weights,
/// and a hash reaches consensus when `group * trust > total * (trust - 1)`, total being 1 plus every group's
/// weight. Then the winners (its contributors) reveal the digest before the reveal deadline.
interface IContributions is ITaskTypes {
    /// @notice `worker` committed to a result of task `taskid`, staking the deal's worker stake.
    /// @param taskid The task.
    /// @param worker The contributor.
    /// @param hash The result hash it committed to.
    event TaskContribute(bytes32 indexed taskid, address indexed worker, bytes32 hash);
    /// @notice Task `taskid` reached a consensus: it is REVEALING, and the winners must reveal.
    /// @param taskid The task.
    /// @param consensus The result hash agreed on.
    event TaskConsensus(bytes32 indexed taskid, bytes32 consensus);
    /// @notice `worker`, a winner, revealed the digest behind its contribution to task `taskid`.
    /// @param taskid The task.
    /// @param worker The winner.
    /// @param digest The result digest.
    event TaskReveal(bytes32 indexed taskid, address indexed worker, bytes32 digest);
    /// @notice Task `taskid` was reopened after its reveal deadline passed with no reveal: its winners are
    /// rejected and it takes contributions again.
    /// @param taskid The task.
    event TaskReopen(bytes32 indexed taskid);

    /// @notice Commits the sender's result to an ACTIVE task before its contribution deadline, locking the
    /// deal's worker stake.
    /// @param taskId The task.
    /// @param resultHash `keccak256(abi.encodePacked(taskId, resultDigest))`.
    /// @param resultSeal `keccak256(abi.encodePacked(worker, taskId, resultDigest))`.
    /// @param enclaveChallenge The enclave's address for a TEE task (then the TEE broker signs the
    /// authorization, when set), or address(0).
    /// @param enclaveSign The enclave challenge's EIP-191 signature of `keccak256(abi.encodePacked(resultHash,
    /// resultSeal))`; ignored without an enclave.
    /// @param authorizationSign The scheduler's EIP-191 signature of
    /// `keccak256(abi.encodePacked(worker, taskid, enclaveChallenge))`.
    function contribute(
        bytes32 taskId,
        bytes32 resultHash,
        bytes32 resultSeal,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) external;

    /// @notice Reveals the digest behind the sender's winning contribution, before the reveal deadline.
    /// @param taskId The task.
    /// @param resultDigest The digest the contribution's result hash and seal were computed from.
    function reveal(bytes32 taskId, bytes32 resultDigest) external;

    /// @notice Scheduler only: after a reveal deadline that passed with no reveal, rejects the winners and
    /// reopens the task for contributions.
    /// @param taskId The task.
    function reopen(bytes32 taskId) external;

    /// @notice Always reverts with `ScoreImportUnsupported`: this hub has no v3 predecessor to import from.
    /// @param worker The worker whose score would be imported.
    function importScore(address worker) external;
}
