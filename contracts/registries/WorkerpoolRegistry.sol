// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Workerpool} from "../assets/Workerpool.sol";
import {IWorkerpool} from "../interfaces/IWorkerpool.sol";
import {IWorkerpoolRegistry} from "../interfaces/IWorkerpoolRegistry.sol";
import {Registry} from "./Registry.sol";

/// @title Workerpool registry
/// @notice Deploys workerpools: data clones of a `Workerpool` implementation holding the description.
contract WorkerpoolRegistry is Registry, IWorkerpoolRegistry {
    /// @dev Policy bits in the token's extra bits: bit 15 set once a policy is stored (0 is a valid ratio),
    /// worker stake ratio in bits 0-6, scheduler reward ratio in bits 7-13 (both <= 100 < 128).
    uint256 private constant _POLICY_SET = 1 << 15;
    uint256 private constant _RATIO_MASK = 0x7f;
    uint256 private constant _REWARD_SHIFT = 7;
    uint256 private constant _DEFAULT_WORKER_STAKE_RATIO = 30;
    uint256 private constant _DEFAULT_SCHEDULER_REWARD_RATIO = 1;
    uint256 private constant _MAX_RATIO = 100;

    /// @param initialOwner Owner of the registry (admin functions).
    constructor(address initialOwner) Registry(initialOwner, address(new Workerpool(address(this)))) {}

    /// @inheritdoc IWorkerpoolRegistry
    function createWorkerpool(
        address workerpoolOwner,
        string calldata workerpoolDescription
    ) external returns (address) {
        return _createAsset(workerpoolOwner, _pack(workerpoolDescription));
    }

    /// @inheritdoc IWorkerpoolRegistry
    function predictWorkerpool(
        address workerpoolOwner,
        string calldata workerpoolDescription
    ) external view returns (address) {
        return _predictAsset(workerpoolOwner, _pack(workerpoolDescription));
    }

    /// @inheritdoc IWorkerpoolRegistry
    function setPolicy(uint256 workerStakeRatio, uint256 schedulerRewardRatio) external {
        (address workerpoolOwner, ) = _ownerAndExtraOf(msg.sender);
        if (workerpoolOwner == address(0)) revert NotAWorkerpool(msg.sender);
        // The one home of the bounds: each ratio is a percentage, and 7 bits hold it.
        if (workerStakeRatio > _MAX_RATIO) revert IWorkerpool.InvalidWorkerStakeRatioPolicy(workerStakeRatio);
        if (schedulerRewardRatio > _MAX_RATIO) {
            revert IWorkerpool.InvalidSchedulerRewardRatioPolicy(schedulerRewardRatio);
        }
        _setExtra(msg.sender, _POLICY_SET | workerStakeRatio | (schedulerRewardRatio << _REWARD_SHIFT));
    }

    /// @inheritdoc IWorkerpoolRegistry
    function ownerAndPolicyOf(
        address workerpool
    )
        external
        view
        returns (address workerpoolOwner, uint256 workerStakeRatio, uint256 schedulerRewardRatio)
    {
        uint256 policy;
        (workerpoolOwner, policy) = _ownerAndExtraOf(workerpool);
        if (policy & _POLICY_SET == 0)
            return (workerpoolOwner, _DEFAULT_WORKER_STAKE_RATIO, _DEFAULT_SCHEDULER_REWARD_RATIO);
        return (workerpoolOwner, policy & _RATIO_MASK, (policy >> _REWARD_SHIFT) & _RATIO_MASK);
    }

    /// @notice Name of the token collection.
    /// @return collectionName The name.
    function name() external pure returns (string memory) {
        return "iExec Workerpool Registry (V5)";
    }

    /// @notice Symbol of the token collection.
    /// @return collectionSymbol The symbol.
    function symbol() external pure returns (string memory) {
        return "iExecWorkerpoolsV5";
    }

    /// @dev Workerpool data layout, read back by `Workerpool`. The length is truncated to 16 bits here, but a
    /// description that long makes the data exceed `DataClone.MAX_DATA_SIZE`, which the registry rejects.
    function _pack(string calldata workerpoolDescription) private pure returns (bytes memory) {
        return abi.encodePacked(uint16(bytes(workerpoolDescription).length), workerpoolDescription);
    }
}
