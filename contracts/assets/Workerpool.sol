// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Asset} from "./Asset.sol";
import {IWorkerpool} from "../interfaces/IWorkerpool.sol";
import {IWorkerpoolRegistry} from "../interfaces/IWorkerpoolRegistry.sol";

/// @title Workerpool implementation
/// @notice Data layout (set by `WorkerpoolRegistry`): the description as a 2-byte length followed by its bytes.
/// The policy lives in the registry, beside the workerpool's owner, so that the hub reads both in one call
/// when it matches orders; a workerpool has no storage of its own.
contract Workerpool is Asset, IWorkerpool {
    IWorkerpoolRegistry private immutable _WORKERPOOL_REGISTRY;

    /// @param workerpoolRegistry Registry deploying the workerpools.
    constructor(address workerpoolRegistry) Asset(workerpoolRegistry) {
        _WORKERPOOL_REGISTRY = IWorkerpoolRegistry(workerpoolRegistry);
    }

    /// @inheritdoc IWorkerpool
    function initialize(string calldata) external pure {
        revert AssetAlreadyInitialized();
    }

    /// @inheritdoc IWorkerpool
    function changePolicy(
        uint256 newWorkerStakeRatioPolicy,
        uint256 newSchedulerRewardRatioPolicy
    ) external onlyOwner {
        (, uint256 oldWorkerStakeRatio, uint256 oldSchedulerRewardRatio) = _policy();
        emit PolicyUpdate(
            oldWorkerStakeRatio,
            newWorkerStakeRatioPolicy,
            oldSchedulerRewardRatio,
            newSchedulerRewardRatioPolicy
        );
        // The registry bounds both ratios (InvalidWorkerStakeRatioPolicy, InvalidSchedulerRewardRatioPolicy).
        _WORKERPOOL_REGISTRY.setPolicy(newWorkerStakeRatioPolicy, newSchedulerRewardRatioPolicy);
    }

    /// @inheritdoc IWorkerpool
    function m_workerpoolDescription() external view returns (string memory) {
        return string(_dataField(0, 0));
    }

    /// @inheritdoc IWorkerpool
    function m_workerStakeRatioPolicy() external view returns (uint256 ratio) {
        (, ratio, ) = _policy();
    }

    /// @inheritdoc IWorkerpool
    function m_schedulerRewardRatioPolicy() external view returns (uint256 ratio) {
        (, , ratio) = _policy();
    }

    function _policy() private view returns (address, uint256, uint256) {
        return _WORKERPOOL_REGISTRY.ownerAndPolicyOf(address(this));
    }
}
