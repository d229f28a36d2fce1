// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Asset} from "./Asset.sol";
import {IDataset} from "../interfaces/IDataset.sol";

/// @title Dataset implementation
/// @notice Data layout (set by `DatasetRegistry`): checksum (32 bytes), then name and multiaddr, each as a
/// 2-byte length followed by its bytes.
contract Dataset is Asset, IDataset {
    uint256 private constant _FIELDS = 32; // offset of the first field, after the checksum

    /// @param datasetRegistry Registry deploying the datasets.
    constructor(address datasetRegistry) Asset(datasetRegistry) {}

    /// @inheritdoc IDataset
    function initialize(string calldata, bytes calldata, bytes32) external pure {
        revert AssetAlreadyInitialized();
    }

    /// @inheritdoc IDataset
    function m_datasetName() external view returns (string memory) {
        return string(_dataField(_FIELDS, 0));
    }

    /// @inheritdoc IDataset
    function m_datasetMultiaddr() external view returns (bytes memory) {
        return _dataField(_FIELDS, 1);
    }

    /// @inheritdoc IDataset
    function m_datasetChecksum() external view returns (bytes32) {
        return _dataBytes32(0);
    }
}
