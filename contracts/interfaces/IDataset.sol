// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAsset} from "./IAsset.sol";

/// @title Dataset asset
/// @notice A dataset: its name, multiaddr and checksum, set once at creation.
interface IDataset is IAsset {
    /// @notice Kept for ABI compatibility; always reverts with `AssetAlreadyInitialized`.
    /// @param datasetName Ignored.
    /// @param datasetMultiaddr Ignored.
    /// @param datasetChecksum Ignored.
    function initialize(
        string calldata datasetName,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) external;

    /// @notice Name of the dataset.
    /// @return datasetName The name given at creation.
    function m_datasetName() external view returns (string memory datasetName);

    /// @notice Location of the dataset.
    /// @return datasetMultiaddr The multiaddr given at creation.
    function m_datasetMultiaddr() external view returns (bytes memory datasetMultiaddr);

    /// @notice Checksum of the dataset.
    /// @return datasetChecksum The checksum given at creation.
    function m_datasetChecksum() external view returns (bytes32 datasetChecksum);
}
