// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRegistry} from "./IRegistry.sol";

/// @title Dataset registry
/// @notice Creates datasets (ERC-721 tokens of this registry) and finds them by address.
interface IDatasetRegistry is IRegistry {
    /// @notice Deploys a dataset and mints its token to `datasetOwner`. Anyone may create a dataset for anyone.
    /// @param datasetOwner Owner of the new dataset (receives the token).
    /// @param datasetName Name of the dataset.
    /// @param datasetMultiaddr Location of the dataset.
    /// @param datasetChecksum Checksum of the dataset.
    /// @return dataset Address of the new dataset.
    function createDataset(
        address datasetOwner,
        string calldata datasetName,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) external returns (address dataset);

    /// @notice Address `createDataset` would give to a dataset with these arguments.
    /// @param datasetOwner Owner of the dataset.
    /// @param datasetName Name of the dataset.
    /// @param datasetMultiaddr Location of the dataset.
    /// @param datasetChecksum Checksum of the dataset.
    /// @return dataset Address of the dataset (created or not).
    function predictDataset(
        address datasetOwner,
        string calldata datasetName,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) external view returns (address dataset);
}
