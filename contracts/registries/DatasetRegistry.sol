// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Dataset} from "../assets/Dataset.sol";
import {IDatasetRegistry} from "../interfaces/IDatasetRegistry.sol";
import {Registry} from "./Registry.sol";

/// @title Dataset registry
/// @notice Deploys datasets: data clones of a `Dataset` implementation holding the dataset's packed data.
contract DatasetRegistry is Registry, IDatasetRegistry {
    /// @param initialOwner Owner of the registry (admin functions).
    constructor(address initialOwner) Registry(initialOwner, address(new Dataset(address(this)))) {}

    /// @inheritdoc IDatasetRegistry
    function createDataset(
        address datasetOwner,
        string calldata datasetName,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) external returns (address) {
        return _createAsset(datasetOwner, _pack(datasetName, datasetMultiaddr, datasetChecksum));
    }

    /// @inheritdoc IDatasetRegistry
    function predictDataset(
        address datasetOwner,
        string calldata datasetName,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) external view returns (address) {
        return _predictAsset(datasetOwner, _pack(datasetName, datasetMultiaddr, datasetChecksum));
    }

    /// @notice Name of the token collection.
    /// @return collectionName The name.
    function name() external pure returns (string memory) {
        return "iExec Dataset Registry (V5)";
    }

    /// @notice Symbol of the token collection.
    /// @return collectionSymbol The symbol.
    function symbol() external pure returns (string memory) {
        return "iExecDatasetsV5";
    }

    /// @dev Dataset data layout, read back by `Dataset`. Lengths are truncated to 16 bits here, but any field
    /// that long makes the data exceed `DataClone.MAX_DATA_SIZE`, which the registry rejects.
    function _pack(
        string calldata datasetName,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) private pure returns (bytes memory) {
        return
            abi.encodePacked(
                datasetChecksum,
                uint16(bytes(datasetName).length),
                datasetName,
                uint16(datasetMultiaddr.length),
                datasetMultiaddr
            );
    }
}
