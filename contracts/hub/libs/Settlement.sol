// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {HubStorage} from "../HubStorage.sol";
import {Escrow} from "./Escrow.sol";
import {Tasks} from "./Tasks.sol";
import {IDeals} from "../../interfaces/hub/IDeals.sol";
import {ITaskTypes} from "../../interfaces/hub/ITaskTypes.sol";
import {IFinalize} from "../../interfaces/hub/IFinalize.sol";
import {WORKERPOOL_STAKE_RATIO, KITTY_ADDRESS, KITTY_RATIO, KITTY_MIN} from "./Constants.sol";

/// @title Who gets what when a task ends: the payment rules of a completed task and the refunds of a failed one
/// @notice Every amount moves through `Escrow`; what is seized is handed on within the same call, so the SRLC supply
/// stays the sum of all balances and frozen balances. The scheduler's stake per task is `schedulerStake`, as
/// locked by the match.
library Settlement {
    /// @notice Pays for the completed task `taskid`: the sponsor pays the task price; app and dataset owners get
    /// their prices; the provers share the workerpool price plus the losers' stakes, less the scheduler's ratio,
    /// by weight; the scheduler gets its stake back, the rest, and its cut of the kitty.
    /// @dev Scores: provers gain 1 when the task had more than one contributor, everyone else loses a third.
    /// @param taskid The task.
    /// @param deal Its deal.
    /// @param contributorCount Number of the task's contributors.
    /// @param stakesLocked Whether the contributors locked the deal's worker stake (not in `contributeAndFinalize`):
    /// the provers get it back, or nothing is unlocked.
    function payCompleted(
        bytes32 taskid,
        IDeals.Deal memory deal,
        uint256 contributorCount,
        bool stakesLocked
    ) internal {
        Escrow.seize(deal.sponsor, deal.app.price + deal.dataset.price + deal.workerpool.price, taskid);
        if (deal.app.price != 0) Escrow.reward(deal.app.owner, deal.app.price, taskid);
        if (deal.dataset.price != 0) Escrow.reward(deal.dataset.owner, deal.dataset.price, taskid);

        uint256 schedulerReward = _payWorkers(taskid, deal, contributorCount, stakesLocked);

        uint256 kitty = HubStorage.layout().accounts[KITTY_ADDRESS].frozen;
        if (kitty != 0) {
            uint256 cut = Math.min(Math.max((kitty * KITTY_RATIO) / 100, KITTY_MIN), kitty);
            Escrow.seize(KITTY_ADDRESS, cut, taskid);
            schedulerReward += cut;
        }
        Escrow.unlockAndReward(
            deal.workerpool.owner,
            schedulerStake(deal.workerpool.price),
            schedulerReward,
            taskid
        );
    }

    /// @notice Settles the failed task `taskid`: the contributors get their stakes back, the sponsor the task price,
    /// and the scheduler's stake goes to the kitty.
    /// @param taskid The task.
    /// @param deal Its deal.
    function refundFailed(bytes32 taskid, IDeals.Deal memory deal) internal {
        HubStorage.Task storage task = Tasks.task(taskid);
        mapping(address => HubStorage.Contribution) storage contributions = HubStorage.layout().contributions[
            taskid
        ];
        address worker = Tasks.lastContributor(task);
        for (uint256 i = Tasks.loadState(task).contributorCount; i > 0; --i) {
            Escrow.unlock(worker, deal.workerStake);
            worker = address(uint160(contributions[worker].head));
        }
        Escrow.unlock(deal.sponsor, deal.app.price + deal.dataset.price + deal.workerpool.price);
        uint256 stake = schedulerStake(deal.workerpool.price);
        if (stake != 0) {
            Escrow.seize(deal.workerpool.owner, stake, taskid);
            Escrow.rewardLocked(KITTY_ADDRESS, stake, taskid);
        }
    }

    /// @dev Pays the workers of a completed task; returns what is left of the workers' pool for the scheduler.
    function _payWorkers(
        bytes32 taskid,
        IDeals.Deal memory deal,
        uint256 contributorCount,
        bool stakesLocked
    ) private returns (uint256 schedulerReward) {
        mapping(address => HubStorage.Contribution) storage contributions = HubStorage.layout().contributions[
            taskid
        ];
        address last = Tasks.lastContributor(Tasks.task(taskid));

        // First pass: the pool (workerpool price and the stakes of those who did not prove) and the provers' weight.
        Pool memory pool = Pool(
            deal.workerpool.price,
            0,
            0,
            deal.workerStake,
            contributorCount > 1,
            stakesLocked
        );
        address worker = last;
        for (uint256 i = contributorCount; i > 0; --i) {
            Tasks.Head memory head = Tasks.loadHead(contributions[worker]);
            if (head.status == ITaskTypes.ContributionStatus.PROVED) pool.proversWeight += head.weight;
            else pool.amount += deal.workerStake;
            worker = head.prev;
        }
        pool.workersShare = (pool.amount * (100 - deal.schedulerRewardRatio)) / 100;

        // Second pass: pay the provers by weight, seize the others' stakes.
        schedulerReward = pool.amount;
        worker = last;
        for (uint256 i = contributorCount; i > 0; --i) {
            Tasks.Head memory head = Tasks.loadHead(contributions[worker]);
            schedulerReward -= _settleWorker(taskid, worker, head, pool);
            worker = head.prev;
        }
    }

    /// @dev What the workers of a completed task share.
    struct Pool {
        uint256 amount;
        uint256 proversWeight;
        uint256 workersShare;
        uint256 workerStake;
        bool replicated;
        bool stakesLocked;
    }

    /// @dev Pays a prover its share (returned) and its stake back when it locked one, or seizes a non-prover's stake
    /// (a non-prover always locked one: only `contribute` leaves a contribution unproved); updates scores.
    function _settleWorker(
        bytes32 taskid,
        address worker,
        Tasks.Head memory head,
        Pool memory pool
    ) private returns (uint256 pay) {
        mapping(address => uint256) storage scores = HubStorage.layout().scores;
        if (head.status == ITaskTypes.ContributionStatus.PROVED) {
            pay = (pool.workersShare * head.weight) / pool.proversWeight;
            if (pool.stakesLocked) Escrow.unlockAndReward(worker, pool.workerStake, pay, taskid);
            else Escrow.reward(worker, pay, taskid);
            if (pool.replicated) {
                scores[worker] += 1;
                emit IFinalize.AccurateContribution(worker, taskid);
            }
        } else {
            Escrow.seize(worker, pool.workerStake, taskid);
            scores[worker] = (scores[worker] * 2) / 3;
            emit IFinalize.FaultyContribution(worker, taskid);
        }
    }

    /// @notice The scheduler's stake for one task of a deal at `workerpoolPrice`: `MatchingFacet` locks it per task
    /// of the deal, and each task's settlement hands it back (completed) or to the kitty (failed). The one place
    /// this formula is written: both sides must agree to the nRLC.
    /// @param workerpoolPrice The workerpool price of the deal, per task.
    /// @return The stake, `WORKERPOOL_STAKE_RATIO` percent of the price, rounded down.
    function schedulerStake(uint256 workerpoolPrice) internal pure returns (uint256) {
        return (workerpoolPrice * WORKERPOOL_STAKE_RATIO) / 100;
    }
}
