// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Workerpool} from "../assets/Workerpool.sol";
import {IWorkerpoolRegistry} from "../interfaces/IWorkerpoolRegistry.sol";
import {Registry} from "./Registry.sol";

/// @title Workerpool registry
/// @notice Deploys workerpools: data clones of a `Workerpool` implementation holding the description.
contract WorkerpoolRegistry is Registry, IWorkerpoolRegistry {
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
