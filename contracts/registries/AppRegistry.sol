// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {App} from "../assets/App.sol";
import {IAppRegistry} from "../interfaces/IAppRegistry.sol";
import {Registry} from "./Registry.sol";

/// @title App registry
/// @notice Deploys apps: data clones of an `App` implementation holding the app's packed data.
contract AppRegistry is Registry, IAppRegistry {
    /// @param initialOwner Owner of the registry (admin functions).
    constructor(address initialOwner) Registry(initialOwner, address(new App(address(this)))) {}

    /// @inheritdoc IAppRegistry
    function createApp(
        address appOwner,
        string calldata appName,
        string calldata appType,
        bytes calldata appMultiaddr,
        bytes32 appChecksum,
        bytes calldata appMREnclave
    ) external returns (address) {
        return _createAsset(appOwner, _pack(appName, appType, appMultiaddr, appChecksum, appMREnclave));
    }

    /// @inheritdoc IAppRegistry
    function predictApp(
        address appOwner,
        string calldata appName,
        string calldata appType,
        bytes calldata appMultiaddr,
        bytes32 appChecksum,
        bytes calldata appMREnclave
    ) external view returns (address) {
        return _predictAsset(appOwner, _pack(appName, appType, appMultiaddr, appChecksum, appMREnclave));
    }

    /// @notice Name of the token collection.
    /// @return collectionName The name.
    function name() external pure returns (string memory) {
        return "iExec Application Registry (V5)";
    }

    /// @notice Symbol of the token collection.
    /// @return collectionSymbol The symbol.
    function symbol() external pure returns (string memory) {
        return "iExecAppsV5";
    }

    /// @dev App data layout, read back by `App`. Lengths are truncated to 16 bits here, but any field that long
    /// makes the data exceed `DataClone.MAX_DATA_SIZE`, which the registry rejects.
    function _pack(
        string calldata appName,
        string calldata appType,
        bytes calldata appMultiaddr,
        bytes32 appChecksum,
        bytes calldata appMREnclave
    ) private pure returns (bytes memory) {
        // Two halves keep the expression shallow enough for the stack (unoptimized builds).
        return
            bytes.concat(
                abi.encodePacked(appChecksum, uint16(bytes(appName).length), appName),
                abi.encodePacked(
                    uint16(bytes(appType).length),
                    appType,
                    uint16(appMultiaddr.length),
                    appMultiaddr
                ),
                abi.encodePacked(uint16(appMREnclave.length), appMREnclave)
            );
    }
}
