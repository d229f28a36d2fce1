// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Consensus} from "../libs/Consensus.sol";
import {Contributions} from "../libs/Contributions.sol";
import {Deals} from "../libs/Deals.sol";
import {Tasks} from "../libs/Tasks.sol";
import {IDeals} from "../../interfaces/hub/IDeals.sol";
import {IContributions} from "../../interfaces/hub/IContributions.sol";
import {REVEAL_DEADLINE_RATIO} from "../libs/Constants.sol";

/// @title Consensus: contributions, reveals and reopening
contract ContributionFacet is IContributions, Facet {
    /// @inheritdoc IContributions
    function contribute(
        bytes32 taskId,
        bytes32 resultHash,
        bytes32 resultSeal,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) external {
        HubStorage.Task storage task = Tasks.task(taskId);
        Tasks.State memory state = Tasks.loadState(task);
        _requireStatus(taskId, state, TaskStatus.ACTIVE);
        if (block.timestamp >= state.contributionDeadline) {
            revert ContributionDeadlinePassed(taskId, state.contributionDeadline);
        }
        IDeals.Deal memory deal = Deals.load(task.dealid);
        Contributions.Commitment memory commitment = Contributions.Commitment(
            resultHash,
            resultSeal,
            enclaveChallenge
        );
        Contributions.checkAuthorized(taskId, deal, msg.sender, commitment, enclaveSign, authorizationSign);
        _recordAndCount(taskId, state, deal, commitment);
        Tasks.saveState(task, state);
    }

    /// @inheritdoc IContributions
    function reveal(bytes32 taskId, bytes32 resultDigest) external {
        HubStorage.Task storage task = Tasks.task(taskId);
        Tasks.State memory state = Tasks.loadState(task);
        _requireStatus(taskId, state, TaskStatus.REVEALING);
        if (block.timestamp >= state.revealDeadline)
            revert RevealDeadlinePassed(taskId, state.revealDeadline);
        HubStorage.Contribution storage contribution = Tasks.contribution(taskId, msg.sender);
        Tasks.Head memory head = Tasks.loadHead(contribution);
        if (head.status != ContributionStatus.CONTRIBUTED) {
            revert ContributionNotRevealable(taskId, msg.sender, head.status);
        }

        bytes32 consensus = Tasks.consensusHash(taskId, task, state);
        bytes32 committed = Tasks.committedHash(contribution, head, consensus);
        if (committed != consensus) revert NotInConsensus(taskId, msg.sender, committed, consensus);
        if (Tasks.resultHash(taskId, resultDigest) != committed) {
            revert ResultHashMismatch(taskId, resultDigest, committed);
        }
        if (Tasks.resultSeal(msg.sender, taskId, resultDigest) != contribution.resultSeal) {
            revert ResultSealMismatch(taskId, msg.sender, resultDigest);
        }

        Tasks.setStatus(contribution, ContributionStatus.PROVED);
        // From the first reveal on, the task keeps the digest instead of the consensus hash (which follows from it).
        if (state.revealCount == 0) task.consensus = resultDigest;
        state.revealCount += 1;
        Tasks.saveState(task, state);
        emit TaskReveal(taskId, msg.sender, resultDigest);
    }

    /// @inheritdoc IContributions
    function reopen(bytes32 taskId) external {
        HubStorage.Task storage task = Tasks.task(taskId);
        Tasks.State memory state = Tasks.loadState(task);
        _requireStatus(taskId, state, TaskStatus.REVEALING);
        address scheduler = Deals.load(task.dealid).workerpool.owner;
        if (msg.sender != scheduler) revert NotTheScheduler(taskId, msg.sender, scheduler);
        if (block.timestamp >= state.finalDeadline) revert FinalDeadlinePassed(taskId, state.finalDeadline);
        if (block.timestamp < state.revealDeadline)
            revert RevealDeadlineNotReached(taskId, state.revealDeadline);
        if (state.revealCount != 0) revert AlreadyRevealed(taskId, state.revealCount);

        // The winners lose; their group already left the consensus weights when it won (see `Consensus`).
        bytes32 consensus = task.consensus;
        mapping(address => HubStorage.Contribution) storage contributions = HubStorage.layout().contributions[
            taskId
        ];
        address worker = Tasks.lastContributor(task);
        for (uint256 i = state.contributorCount; i > 0; --i) {
            HubStorage.Contribution storage contribution = contributions[worker];
            Tasks.Head memory head = Tasks.loadHead(contribution);
            if (_isPendingWinner(contribution, head, consensus)) {
                if (head.flags & Tasks.FLAG_HASH_IS_CONSENSUS != 0) {
                    // The task forgets its consensus: the contribution keeps its own copy of the hash.
                    contribution.resultHash = consensus;
                    head.flags &= ~Tasks.FLAG_HASH_IS_CONSENSUS;
                }
                head.status = ContributionStatus.REJECTED;
                Tasks.saveHead(contribution, head);
            }
            worker = head.prev;
        }
        state.status = TaskStatus.ACTIVE;
        state.revealDeadline = 0;
        state.winnerCount = 0;
        task.consensus = bytes32(0);
        Tasks.saveState(task, state);
        emit TaskReopen(taskId);
    }

    /// @inheritdoc IContributions
    function importScore(address worker) external pure {
        revert ScoreImportUnsupported(worker);
    }

    /// @dev Records the sender's contribution and adds it to the consensus; on consensus, opens the reveals.
    function _recordAndCount(
        bytes32 taskid,
        Tasks.State memory state,
        IDeals.Deal memory deal,
        Contributions.Commitment memory commitment
    ) private {
        bytes32 resultHash = commitment.resultHash;
        uint256 weight = Contributions.weightOf(msg.sender);
        bool reached = Consensus.add(taskid, resultHash, weight, deal.trust);
        // The contribution that brings the consensus shares its hash with the task.
        uint256 flags = reached ? Tasks.FLAG_HASH_IS_CONSENSUS : 0;
        Contributions.record(
            taskid,
            state,
            deal,
            msg.sender,
            commitment,
            ContributionStatus.CONTRIBUTED,
            weight,
            flags,
            true
        );
        if (reached) {
            state.status = TaskStatus.REVEALING;
            state.revealDeadline = block.timestamp + Tasks.timeref(state) * REVEAL_DEADLINE_RATIO;
            // A first contribution is the only winner: no need to walk the list.
            state.winnerCount =
                state.contributorCount == 1 ? 1 : _countWinners(taskid, state.contributorCount, resultHash);
            Tasks.task(taskid).consensus = resultHash;
            emit TaskConsensus(taskid, resultHash);
        }
    }

    function _requireStatus(bytes32 taskid, Tasks.State memory state, TaskStatus expected) private pure {
        if (state.status != expected) revert TaskStatusMismatch(taskid, state.status, expected);
    }

    /// @dev How many contributions to the task are pending (CONTRIBUTED) with the consensus hash.
    function _countWinners(
        bytes32 taskid,
        uint256 count,
        bytes32 consensus
    ) private view returns (uint256 winners) {
        mapping(address => HubStorage.Contribution) storage contributions = HubStorage.layout().contributions[
            taskid
        ];
        address worker = Tasks.lastContributor(Tasks.task(taskid));
        for (uint256 i = count; i > 0; --i) {
            HubStorage.Contribution storage contribution = contributions[worker];
            Tasks.Head memory head = Tasks.loadHead(contribution);
            if (_isPendingWinner(contribution, head, consensus)) winners += 1;
            worker = head.prev;
        }
    }

    function _isPendingWinner(
        HubStorage.Contribution storage contribution,
        Tasks.Head memory head,
        bytes32 consensus
    ) private view returns (bool) {
        return
            head.status == ContributionStatus.CONTRIBUTED &&
            Tasks.committedHash(contribution, head, consensus) == consensus;
    }
}
