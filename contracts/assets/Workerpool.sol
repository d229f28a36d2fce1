// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Asset} from "./Asset.sol";
import {IWorkerpool} from "../interfaces/IWorkerpool.sol";

/// @title Workerpool implementation
/// @notice Data layout (set by `WorkerpoolRegistry`): the description as a 2-byte length followed by its bytes.
/// The policy is the only storage of a workerpool, written by `changePolicy` only, so that creation writes
/// no storage in the workerpool.
contract Workerpool is Asset, IWorkerpool {
    /// @dev One slot; `isSet` tells a stored policy (where 0 is a valid ratio) from the defaults.
    struct Policy {
        bool isSet;
        uint8 workerStakeRatio;
        uint8 schedulerRewardRatio;
    }

    uint256 private constant _DEFAULT_WORKER_STAKE_RATIO = 30;
    uint256 private constant _DEFAULT_SCHEDULER_REWARD_RATIO = 1;
    uint256 private constant _MAX_RATIO = 100;

    Policy private _policy;

    /// @param workerpoolRegistry Registry deploying the workerpools.
    constructor(address workerpoolRegistry) Asset(workerpoolRegistry) {}

    /// @inheritdoc IWorkerpool
    function initialize(string calldata) external pure {
        revert AssetAlreadyInitialized();
    }

    /// @inheritdoc IWorkerpool
    function changePolicy(
        uint256 newWorkerStakeRatioPolicy,
        uint256 newSchedulerRewardRatioPolicy
    ) external onlyOwner {
        if (newWorkerStakeRatioPolicy > _MAX_RATIO)
            revert InvalidWorkerStakeRatioPolicy(newWorkerStakeRatioPolicy);
        if (newSchedulerRewardRatioPolicy > _MAX_RATIO) {
            revert InvalidSchedulerRewardRatioPolicy(newSchedulerRewardRatioPolicy);
        }
        emit PolicyUpdate(
            m_workerStakeRatioPolicy(),
            newWorkerStakeRatioPolicy,
            m_schedulerRewardRatioPolicy(),
            newSchedulerRewardRatioPolicy
        );
        // Both values are <= 100, so the casts are exact.
        _policy = Policy({
            isSet: true,
            workerStakeRatio: uint8(newWorkerStakeRatioPolicy),
            schedulerRewardRatio: uint8(newSchedulerRewardRatioPolicy)
        });
    }

    /// @inheritdoc IWorkerpool
    function m_workerpoolDescription() external view returns (string memory) {
        return string(_dataField(0, 0));
    }

    /// @inheritdoc IWorkerpool
    function m_workerStakeRatioPolicy() public view returns (uint256) {
        Policy memory policy = _policy;
        return policy.isSet ? policy.workerStakeRatio : _DEFAULT_WORKER_STAKE_RATIO;
    }

    /// @inheritdoc IWorkerpool
    function m_schedulerRewardRatioPolicy() public view returns (uint256) {
        Policy memory policy = _policy;
        return policy.isSet ? policy.schedulerRewardRatio : _DEFAULT_SCHEDULER_REWARD_RATIO;
    }
}
