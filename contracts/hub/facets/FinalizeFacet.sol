// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Contributions} from "../libs/Contributions.sol";
import {Deals} from "../libs/Deals.sol";
import {Results} from "../libs/Results.sol";
import {Settlement} from "../libs/Settlement.sol";
import {Tasks} from "../libs/Tasks.sol";
import {IDeals} from "../../interfaces/hub/IDeals.sol";
import {IContributions} from "../../interfaces/hub/IContributions.sol";
import {IFinalize} from "../../interfaces/hub/IFinalize.sol";
import {IOracleConsumer} from "../../interfaces/IOracleConsumer.sol";
import {REVEAL_DEADLINE_RATIO, CALLBACK_GAS_OVERHEAD} from "../libs/Constants.sol";

/// @title Finalization: results, payments and the deal callback
contract FinalizeFacet is IFinalize, Facet {
    /// @dev Whether the contribution of `contributeAndFinalize` locks the worker's stake: no, as in the reference. It
    /// settles in the same call and has no consensus to lose, so a worker without stake may run a trust-1 task.
    /// The contribution's record and the task's settlement both follow it.
    bool private constant INSTANT_CONTRIBUTION_LOCKS_STAKE = false;

    /// @inheritdoc IFinalize
    function finalize(bytes32 taskId, bytes calldata results, bytes calldata resultsCallback) external {
        HubStorage.Task storage task = Tasks.task(taskId);
        Tasks.State memory state = Tasks.loadState(task);
        if (state.status != TaskStatus.REVEALING) {
            revert TaskStatusMismatch(taskId, state.status, TaskStatus.REVEALING);
        }
        IDeals.Deal memory deal = Deals.load(task.dealid);
        if (msg.sender != deal.workerpool.owner)
            revert NotTheScheduler(taskId, msg.sender, deal.workerpool.owner);
        if (block.timestamp >= state.finalDeadline) revert FinalDeadlinePassed(taskId, state.finalDeadline);
        bool allRevealed = state.revealCount == state.winnerCount;
        if (!allRevealed && (state.revealCount == 0 || block.timestamp < state.revealDeadline)) {
            revert RevealsPending(taskId, state.revealCount, state.winnerCount, state.revealDeadline);
        }
        // With at least one reveal, the task holds the digest (see `ContributionFacet.reveal`).
        _checkCallbackData(taskId, deal, task.consensus, resultsCallback);
        _complete(taskId, state, deal, results, resultsCallback, true);
    }

    /// @inheritdoc IFinalize
    function contributeAndFinalize(
        bytes32 taskId,
        bytes32 resultDigest,
        bytes calldata results,
        bytes calldata resultsCallback,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) external {
        (Tasks.State memory state, IDeals.Deal memory deal) = _openTrustOneTask(taskId);
        _checkCallbackData(taskId, deal, resultDigest, resultsCallback);
        _contributeProved(
            taskId,
            state,
            deal,
            resultDigest,
            enclaveChallenge,
            enclaveSign,
            authorizationSign
        );
        _complete(taskId, state, deal, results, resultsCallback, INSTANT_CONTRIBUTION_LOCKS_STAKE);
    }

    /// @dev The task, which must be ACTIVE, before its contribution deadline, of a trust-1 deal, and without
    /// contributions.
    function _openTrustOneTask(
        bytes32 taskid
    ) private view returns (Tasks.State memory state, IDeals.Deal memory deal) {
        HubStorage.Task storage task = Tasks.task(taskid);
        state = Tasks.loadState(task);
        if (state.status != TaskStatus.ACTIVE)
            revert TaskStatusMismatch(taskid, state.status, TaskStatus.ACTIVE);
        if (block.timestamp >= state.contributionDeadline) {
            revert ContributionDeadlinePassed(taskid, state.contributionDeadline);
        }
        deal = Deals.load(task.dealid);
        if (deal.trust != 1) revert TrustAboveOne(taskid, deal.trust);
        if (state.contributorCount != 0) revert TaskHasContributions(taskid, state.contributorCount);
    }

    /// @dev Records the sender's contribution as proved at once (consensus and reveal in one step), with no stake
    /// locked (see INSTANT_CONTRIBUTION_LOCKS_STAKE). Its hash and seal follow from the digest, so they are not
    /// stored.
    function _contributeProved(
        bytes32 taskid,
        Tasks.State memory state,
        IDeals.Deal memory deal,
        bytes32 resultDigest,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) private {
        bytes32 resultHash = Tasks.resultHash(taskid, resultDigest);
        Contributions.Commitment memory commitment = Contributions.Commitment(
            resultHash,
            Tasks.resultSeal(msg.sender, taskid, resultDigest),
            enclaveChallenge
        );
        Contributions.checkAuthorized(taskid, deal, msg.sender, commitment, enclaveSign, authorizationSign);
        uint256 flags = Tasks.FLAG_HASH_IS_CONSENSUS | Tasks.FLAG_SEAL_FROM_DIGEST;
        uint256 weight = Contributions.weightOf(msg.sender);
        Contributions.record(
            taskid,
            state,
            deal,
            msg.sender,
            commitment,
            ContributionStatus.PROVED,
            weight,
            flags,
            INSTANT_CONTRIBUTION_LOCKS_STAKE
        );
        emit IContributions.TaskConsensus(taskid, resultHash);
        emit IContributions.TaskReveal(taskid, msg.sender, resultDigest);
        state.revealDeadline = block.timestamp + Tasks.timeref(state) * REVEAL_DEADLINE_RATIO;
        state.revealCount = 1;
        state.winnerCount = 1;
        Tasks.task(taskid).consensus = resultDigest;
    }

    /// @dev With a deal callback (or any callback data), the callback data must hash to the result digest.
    function _checkCallbackData(
        bytes32 taskid,
        IDeals.Deal memory deal,
        bytes32 resultDigest,
        bytes calldata resultsCallback
    ) private pure {
        if (deal.callback == address(0) && resultsCallback.length == 0) return;
        bytes32 callbackHash = keccak256(resultsCallback);
        if (callbackHash != resultDigest) revert ResultsCallbackMismatch(taskid, resultDigest, callbackHash);
    }

    /// @dev Completes the task: records it, pays everyone, then calls the deal callback, last, so that a callback
    /// reentering the hub finds the task settled. `stakesLocked`: whether the contributors locked their stakes.
    function _complete(
        bytes32 taskid,
        Tasks.State memory state,
        IDeals.Deal memory deal,
        bytes calldata results,
        bytes calldata resultsCallback,
        bool stakesLocked
    ) private {
        HubStorage.Task storage task = Tasks.task(taskid);
        state.status = TaskStatus.COMPLETED;
        Tasks.saveState(task, state);
        if (!Results.store(taskid, results, resultsCallback))
            Tasks.setResultsTimestamp(task, block.timestamp);
        Settlement.payCompleted(taskid, deal, state.contributorCount, stakesLocked);
        emit TaskFinalize(taskid, results);
        if (deal.callback != address(0)) _callBack(taskid, deal.callback, resultsCallback);
    }

    /// @dev Calls `receiveResult` on the callback with exactly the configured gas, ignoring its outcome and return
    /// data (a callback that reverts, burns its gas or returns megabytes changes nothing). The transaction must hold
    /// that gas: otherwise a scheduler could starve the callback on purpose.
    function _callBack(bytes32 taskid, address callback, bytes calldata resultsCallback) private {
        uint256 gasLimit = HubStorage.layout().callbackGas;
        bytes memory payload = abi.encodeCall(IOracleConsumer.receiveResult, (taskid, resultsCallback));
        uint256 required = gasLimit + gasLimit / 63 + CALLBACK_GAS_OVERHEAD;
        uint256 available = gasleft();
        if (available < required) revert CallbackGasTooLow(taskid, available, required);
        assembly ("memory-safe") {
            pop(call(gasLimit, callback, 0, add(payload, 0x20), mload(payload), 0, 0))
        }
    }
}
