// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Asset} from "./Asset.sol";
import {IApp} from "../interfaces/IApp.sol";

/// @title App implementation
/// @notice Data layout (set by `AppRegistry`): checksum (32 bytes), then name, type, multiaddr and mrenclave,
/// each as a 2-byte length followed by its bytes.
contract App is Asset, IApp {
    uint256 private constant _FIELDS = 32; // offset of the first field, after the checksum

    /// @param appRegistry Registry deploying the apps.
    constructor(address appRegistry) Asset(appRegistry) {}

    /// @inheritdoc IApp
    function initialize(
        string calldata,
        string calldata,
        bytes calldata,
        bytes32,
        bytes calldata
    ) external pure {
        revert AssetAlreadyInitialized();
    }

    /// @inheritdoc IApp
    function m_appName() external view returns (string memory) {
        return string(_dataField(_FIELDS, 0));
    }

    /// @inheritdoc IApp
    function m_appType() external view returns (string memory) {
        return string(_dataField(_FIELDS, 1));
    }

    /// @inheritdoc IApp
    function m_appMultiaddr() external view returns (bytes memory) {
        return _dataField(_FIELDS, 2);
    }

    /// @inheritdoc IApp
    function m_appChecksum() external view returns (bytes32) {
        return _dataBytes32(0);
    }

    /// @inheritdoc IApp
    function m_appMREnclave() external view returns (bytes memory) {
        return _dataField(_FIELDS, 3);
    }
}
