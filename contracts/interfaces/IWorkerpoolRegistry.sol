// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRegistry} from "./IRegistry.sol";

/// @title Workerpool registry
interface IWorkerpoolRegistry is IRegistry {
    /// @notice Deploys a workerpool and mints its token to `workerpoolOwner` (the scheduler).
    /// Anyone may create a workerpool for anyone.
    /// @param workerpoolOwner Owner of the new workerpool (receives the token).
    /// @param workerpoolDescription Description of the workerpool.
    /// @return workerpool Address of the new workerpool.
    function createWorkerpool(
        address workerpoolOwner,
        string calldata workerpoolDescription
    ) external returns (address workerpool);

    /// @notice Address `createWorkerpool` would give to a workerpool with these arguments.
    /// @param workerpoolOwner Owner of the workerpool.
    /// @param workerpoolDescription Description of the workerpool.
    /// @return workerpool Address of the workerpool (created or not).
    function predictWorkerpool(
        address workerpoolOwner,
        string calldata workerpoolDescription
    ) external view returns (address workerpool);
}
