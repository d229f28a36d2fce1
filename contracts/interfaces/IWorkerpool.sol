// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAsset} from "./IAsset.sol";

/// @title Workerpool asset
/// @notice A workerpool: its owner (the scheduler) sets the policy its deals use, the workers' stake and the
/// scheduler's reward ratio.
interface IWorkerpool is IAsset {
    /// @notice The policy changed.
    /// @param oldWorkerStakeRatioPolicy Previous worker stake ratio, in percent of the workerpool price.
    /// @param newWorkerStakeRatioPolicy New worker stake ratio.
    /// @param oldSchedulerRewardRatioPolicy Previous scheduler reward ratio, in percent of the worker reward.
    /// @param newSchedulerRewardRatioPolicy New scheduler reward ratio.
    event PolicyUpdate(
        uint256 oldWorkerStakeRatioPolicy,
        uint256 newWorkerStakeRatioPolicy,
        uint256 oldSchedulerRewardRatioPolicy,
        uint256 newSchedulerRewardRatioPolicy
    );

    /// @notice The worker stake ratio is above 100 percent.
    /// @param workerStakeRatioPolicy The rejected value.
    error InvalidWorkerStakeRatioPolicy(uint256 workerStakeRatioPolicy);

    /// @notice The scheduler reward ratio is above 100 percent.
    /// @param schedulerRewardRatioPolicy The rejected value.
    error InvalidSchedulerRewardRatioPolicy(uint256 schedulerRewardRatioPolicy);

    /// @notice Kept for ABI compatibility; always reverts with `AssetAlreadyInitialized`.
    /// @param workerpoolDescription Ignored.
    function initialize(string calldata workerpoolDescription) external;

    /// @notice Sets both policy ratios; owner only.
    /// @param newWorkerStakeRatioPolicy Worker stake, in percent (0 to 100) of the workerpool price.
    /// @param newSchedulerRewardRatioPolicy Scheduler share, in percent (0 to 100) of the worker reward.
    function changePolicy(uint256 newWorkerStakeRatioPolicy, uint256 newSchedulerRewardRatioPolicy) external;

    /// @notice Description of the workerpool.
    /// @return workerpoolDescription The description given at creation.
    function m_workerpoolDescription() external view returns (string memory workerpoolDescription);

    /// @notice Stake each worker locks per task, in percent of the workerpool price (default 30).
    /// @return ratio The worker stake ratio.
    function m_workerStakeRatioPolicy() external view returns (uint256 ratio);

    /// @notice Share of the worker reward kept by the scheduler, in percent (default 1).
    /// @return ratio The scheduler reward ratio.
    function m_schedulerRewardRatioPolicy() external view returns (uint256 ratio);
}
