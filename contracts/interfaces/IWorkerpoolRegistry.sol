// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRegistry} from "./IRegistry.sol";

/// @title Workerpool registry
/// @notice Creates workerpools (ERC-721 tokens of this registry) and finds them by address.
interface IWorkerpoolRegistry is IRegistry {
    /// @notice Deploys a workerpool and mints its token to `workerpoolOwner` (the scheduler).
    /// Anyone may create a workerpool for anyone.
    /// @param workerpoolOwner Owner of the new workerpool (receives the token).
    /// @param workerpoolDescription Description of the workerpool.
    /// @return workerpool Address of the new workerpool.
    function createWorkerpool(
        address workerpoolOwner,
        string calldata workerpoolDescription
    ) external returns (address workerpool);

    /// @notice Address `createWorkerpool` would give to a workerpool with these arguments.
    /// @param workerpoolOwner Owner of the workerpool.
    /// @param workerpoolDescription Description of the workerpool.
    /// @return workerpool Address of the workerpool (created or not).
    function predictWorkerpool(
        address workerpoolOwner,
        string calldata workerpoolDescription
    ) external view returns (address workerpool);

    /// @notice `caller` is not a workerpool of this registry.
    error NotAWorkerpool(address caller);

    /// @notice Records the calling workerpool's policy (`Workerpool.changePolicy` validates it and calls this).
    /// @dev Kept here, beside the owner, so that the hub reads both with one call when it matches orders.
    /// @param workerStakeRatio Percent of the workerpool price a worker stakes per task (<= 100).
    /// @param schedulerRewardRatio Percent of the workers' reward kept by the scheduler (<= 100).
    function setPolicy(uint256 workerStakeRatio, uint256 schedulerRewardRatio) external;

    /// @notice Owner and policy of `workerpool` (defaults 30 and 1 until its owner changes them).
    /// @param workerpool The workerpool.
    /// @return workerpoolOwner Its owner, address(0) when it is not registered here.
    /// @return workerStakeRatio Percent of the workerpool price a worker stakes per task.
    /// @return schedulerRewardRatio Percent of the workers' reward kept by the scheduler.
    function ownerAndPolicyOf(
        address workerpool
    ) external view returns (address workerpoolOwner, uint256 workerStakeRatio, uint256 schedulerRewardRatio);
}
