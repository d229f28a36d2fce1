// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRegistry} from "./IRegistry.sol";

/// @title App registry
/// @notice Creates apps (ERC-721 tokens of this registry) and finds them by address.
interface IAppRegistry is IRegistry {
    /// @notice Deploys an app and mints its token to `appOwner`. Anyone may create an app for anyone.
    /// @param appOwner Owner of the new app (receives the token).
    /// @param appName Name of the app.
    /// @param appType Type of the app (e.g. "DOCKER").
    /// @param appMultiaddr Location of the app (e.g. the docker image).
    /// @param appChecksum Checksum of the app (e.g. the image digest).
    /// @param appMREnclave Enclave description, empty for non-TEE apps.
    /// @return app Address of the new app.
    function createApp(
        address appOwner,
        string calldata appName,
        string calldata appType,
        bytes calldata appMultiaddr,
        bytes32 appChecksum,
        bytes calldata appMREnclave
    ) external returns (address app);

    /// @notice Address `createApp` would give to an app with these arguments.
    /// @param appOwner Owner of the app.
    /// @param appName Name of the app.
    /// @param appType Type of the app.
    /// @param appMultiaddr Location of the app.
    /// @param appChecksum Checksum of the app.
    /// @param appMREnclave Enclave description.
    /// @return app Address of the app (created or not).
    function predictApp(
        address appOwner,
        string calldata appName,
        string calldata appType,
        bytes calldata appMultiaddr,
        bytes32 appChecksum,
        bytes calldata appMREnclave
    ) external view returns (address app);
}
