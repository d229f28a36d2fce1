// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Minimal ENS registry surface
/// @notice The only ENS registry call needed to find the reverse registrar.
interface IENS {
    /// @notice Owner of an ENS node.
    /// @param node Namehash of the node.
    /// @return nodeOwner Address owning `node` (for `addr.reverse`: the reverse registrar).
    function owner(bytes32 node) external view returns (address nodeOwner);
}
