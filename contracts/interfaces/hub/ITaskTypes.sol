// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Tasks: the types and errors shared by the task lifecycle, the consensus and their views
/// @notice A deal's task `idx` (botFirst <= idx < botFirst + botSize) has the id
/// `keccak256(abi.encodePacked(dealid, idx))`. It is initialized, receives contributions (a commitment to a
/// result hash) until a consensus is reached, then the winners reveal their digest, and the scheduler finalizes
/// it (everyone is paid) before its final deadline; past that deadline anyone can claim it (the requester is
/// refunded).
interface ITaskTypes {
    enum TaskStatus {
        UNSET,
        ACTIVE,
        REVEALING,
        COMPLETED,
        FAILED
    }

    enum ContributionStatus {
        UNSET,
        CONTRIBUTED,
        PROVED,
        REJECTED
    }

    /// @notice A task, with the field order and types of the reference `IexecLibCore_v5.Task`.
    struct Task {
        TaskStatus status;
        bytes32 dealid;
        uint256 idx;
        uint256 timeref;
        uint256 contributionDeadline;
        uint256 revealDeadline;
        uint256 finalDeadline;
        bytes32 consensusValue;
        uint256 revealCounter;
        uint256 winnerCounter;
        address[] contributors;
        bytes32 resultDigest;
        bytes results;
        uint256 resultsTimestamp;
        bytes resultsCallback;
    }

    /// @notice A worker's contribution, as the reference returns it; `weight` is log2 of the worker's weight.
    struct Contribution {
        ContributionStatus status;
        bytes32 resultHash;
        bytes32 resultSeal;
        address enclaveChallenge;
        uint256 weight;
    }

    /// @notice `index` is not a task of the deal (an unknown deal has no task at all: botSize 0).
    error TaskIndexOutOfRange(bytes32 dealid, uint256 index, uint256 botFirst, uint256 botSize);
    error TaskAlreadyInitialized(bytes32 taskid);
    /// @notice The operation needs the task in status `expected`.
    error TaskStatusMismatch(bytes32 taskid, TaskStatus status, TaskStatus expected);
    /// @notice Only an ACTIVE or REVEALING task can be claimed.
    error TaskNotClaimable(bytes32 taskid, TaskStatus status);
    error ContributionDeadlinePassed(bytes32 taskid, uint256 deadline);
    error RevealDeadlinePassed(bytes32 taskid, uint256 deadline);
    error RevealDeadlineNotReached(bytes32 taskid, uint256 deadline);
    error FinalDeadlinePassed(bytes32 taskid, uint256 deadline);
    error FinalDeadlineNotReached(bytes32 taskid, uint256 deadline);
    /// @notice Only the deal's scheduler (its workerpool owner when matched) may do this.
    error NotTheScheduler(bytes32 taskid, address account, address scheduler);
    error AlreadyContributed(bytes32 taskid, address worker);
    /// @notice `authorizer` (the scheduler, or the TEE broker for an enclave) did not sign this worker's
    /// `keccak256(abi.encodePacked(worker, taskid, enclaveChallenge))` (EIP-191).
    error InvalidAuthorization(bytes32 taskid, address worker, address authorizer);
    /// @notice The deal's tag asks for a TEE (bit 0), so the contribution must name an enclave challenge.
    error EnclaveRequired(bytes32 taskid);
    /// @notice The enclave challenge did not sign `keccak256(abi.encodePacked(resultHash, resultSeal))` (EIP-191).
    error InvalidEnclaveSignature(bytes32 taskid, address enclaveChallenge);
    /// @notice A task holds at most 256 contributions (so that settling it always fits a block).
    error TooManyContributors(bytes32 taskid);
    /// @notice Only a contribution in status CONTRIBUTED can be revealed.
    error ContributionNotRevealable(bytes32 taskid, address worker, ContributionStatus status);
    /// @notice The contribution committed to `resultHash`, not to the consensus: its worker lost.
    error NotInConsensus(bytes32 taskid, address worker, bytes32 resultHash, bytes32 consensus);
    /// @notice `keccak256(abi.encodePacked(taskid, resultDigest))` is not the committed result hash.
    error ResultHashMismatch(bytes32 taskid, bytes32 resultDigest, bytes32 resultHash);
    /// @notice `keccak256(abi.encodePacked(worker, taskid, resultDigest))` is not the committed seal.
    error ResultSealMismatch(bytes32 taskid, address worker, bytes32 resultDigest);
    /// @notice Finalize needs every winner's reveal, or one reveal and the reveal deadline passed.
    error RevealsPending(bytes32 taskid, uint256 revealed, uint256 winners, uint256 revealDeadline);
    /// @notice A task can be reopened only when no winner revealed.
    error AlreadyRevealed(bytes32 taskid, uint256 revealed);
    /// @notice `keccak256(resultsCallback)` must be the result digest when the deal has a callback (or the
    /// callback data is not empty).
    error ResultsCallbackMismatch(bytes32 taskid, bytes32 resultDigest, bytes32 callbackHash);
    /// @notice Chunk `chunk` of the task's results could not be written: the transaction ran short of gas (results
    /// and callback data cost about 200 gas a byte). Send it again with more gas.
    error ResultsNotRecorded(bytes32 taskid, uint256 chunk);
    /// @notice contributeAndFinalize is for trust-1 deals only.
    error TrustAboveOne(bytes32 taskid, uint256 trust);
    /// @notice contributeAndFinalize is for a task without contributions.
    error TaskHasContributions(bytes32 taskid, uint256 contributors);
    /// @notice The transaction must leave the callback its configured gas, so that a scheduler cannot make it
    /// fail by sending too little.
    error CallbackGasTooLow(bytes32 taskid, uint256 available, uint256 required);
    error TaskNotCompleted(bytes32 taskid, TaskStatus status);
    error IndexesLengthMismatch(uint256 dealIds, uint256 indexes);
    /// @notice Scores of the v3 hub cannot be imported: this hub has no predecessor.
    error ScoreImportUnsupported(address worker);
}
