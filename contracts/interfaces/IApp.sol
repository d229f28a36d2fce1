// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAsset} from "./IAsset.sol";

/// @title App asset
/// @notice An app: its name, type, multiaddr, checksum and MREnclave, set once at creation.
interface IApp is IAsset {
    /// @notice Kept for ABI compatibility; always reverts with `AssetAlreadyInitialized`.
    /// @param appName Ignored.
    /// @param appType Ignored.
    /// @param appMultiaddr Ignored.
    /// @param appChecksum Ignored.
    /// @param appMREnclave Ignored.
    function initialize(
        string calldata appName,
        string calldata appType,
        bytes calldata appMultiaddr,
        bytes32 appChecksum,
        bytes calldata appMREnclave
    ) external;

    /// @notice Name of the app.
    /// @return appName The name given at creation.
    function m_appName() external view returns (string memory appName);

    /// @notice Type of the app.
    /// @return appType The type given at creation.
    function m_appType() external view returns (string memory appType);

    /// @notice Location of the app.
    /// @return appMultiaddr The multiaddr given at creation.
    function m_appMultiaddr() external view returns (bytes memory appMultiaddr);

    /// @notice Checksum of the app.
    /// @return appChecksum The checksum given at creation.
    function m_appChecksum() external view returns (bytes32 appChecksum);

    /// @notice Enclave description of the app.
    /// @return appMREnclave The enclave description given at creation.
    function m_appMREnclave() external view returns (bytes memory appMREnclave);
}
