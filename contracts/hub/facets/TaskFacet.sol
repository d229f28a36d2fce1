// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Categories} from "../libs/Categories.sol";
import {Deals} from "../libs/Deals.sol";
import {Settlement} from "../libs/Settlement.sol";
import {Tasks} from "../libs/Tasks.sol";
import {IDeals} from "../../interfaces/hub/IDeals.sol";
import {ITasks} from "../../interfaces/hub/ITasks.sol";
import {CONTRIBUTION_DEADLINE_RATIO, FINAL_DEADLINE_RATIO} from "../libs/Constants.sol";

/// @title Task lifecycle: initialization, and claims of expired tasks
contract TaskFacet is ITasks, Facet {
    /// @inheritdoc ITasks
    function initialize(bytes32 dealId, uint256 index) external returns (bytes32) {
        return _initialize(dealId, index);
    }

    /// @inheritdoc ITasks
    function initializeArray(bytes32[] calldata dealIds, uint256[] calldata indexes) external returns (bool) {
        if (dealIds.length != indexes.length) revert IndexesLengthMismatch(dealIds.length, indexes.length);
        for (uint256 i; i < dealIds.length; ++i) _initialize(dealIds[i], indexes[i]);
        return true;
    }

    /// @inheritdoc ITasks
    function claim(bytes32 taskId) external {
        _claim(taskId);
    }

    /// @inheritdoc ITasks
    function claimArray(bytes32[] calldata taskIds) external returns (bool) {
        for (uint256 i; i < taskIds.length; ++i) _claim(taskIds[i]);
        return true;
    }

    /// @inheritdoc ITasks
    function initializeAndClaimArray(
        bytes32[] calldata dealIds,
        uint256[] calldata indexes
    ) external returns (bool) {
        if (dealIds.length != indexes.length) revert IndexesLengthMismatch(dealIds.length, indexes.length);
        for (uint256 i; i < dealIds.length; ++i) _claim(_initialize(dealIds[i], indexes[i]));
        return true;
    }

    function _initialize(bytes32 dealId, uint256 index) private returns (bytes32 taskid) {
        IDeals.Deal memory deal = Deals.load(dealId);
        if (index < deal.botFirst || index - deal.botFirst >= deal.botSize) {
            // Every deal a match recorded has at least one task (volume 0 is refused): an empty one is no deal.
            if (deal.botSize == 0) revert DealNotFound(dealId);
            revert TaskIndexOutOfRange(dealId, index, deal.botFirst, deal.botSize);
        }
        taskid = keccak256(abi.encodePacked(dealId, index));
        HubStorage.Task storage task = Tasks.task(taskid);
        if (task.state != 0) revert TaskAlreadyInitialized(taskid);

        uint256 timeref = Categories.timeRefOfKnown(deal.category);
        Tasks.State memory state;
        state.status = TaskStatus.ACTIVE;
        state.idx = index;
        state.contributionDeadline = SafeCast.toUint40(
            deal.startTime + timeref * CONTRIBUTION_DEADLINE_RATIO
        );
        state.finalDeadline = SafeCast.toUint40(deal.startTime + timeref * FINAL_DEADLINE_RATIO);
        task.dealid = dealId;
        Tasks.saveState(task, state);
        emit TaskInitialize(taskid, deal.workerpool.pointer);
    }

    function _claim(bytes32 taskid) private {
        HubStorage.Task storage task = Tasks.task(taskid);
        Tasks.State memory state = Tasks.loadState(task);
        if (state.status != TaskStatus.ACTIVE && state.status != TaskStatus.REVEALING) {
            revert TaskNotClaimable(taskid, state.status);
        }
        if (block.timestamp < state.finalDeadline)
            revert FinalDeadlineNotReached(taskid, state.finalDeadline);
        state.status = TaskStatus.FAILED;
        Tasks.saveState(task, state);
        Settlement.refundFailed(taskid, Deals.load(task.dealid));
        emit TaskClaimed(taskid);
    }
}
