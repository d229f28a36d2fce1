// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Minimal ENS reverse registrar surface
/// @notice Only the call that sets the reverse name of the caller.
interface IENSReverseRegistrar {
    /// @notice Sets the reverse record (primary name) of the caller.
    /// @param name ENS name the caller's address resolves back to.
    /// @return node Reverse node of the caller.
    function setName(string calldata name) external returns (bytes32 node);
}
