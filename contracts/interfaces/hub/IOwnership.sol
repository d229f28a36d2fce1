// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Ownership of the hub (configuration, categories, upgrades)
/// @notice One owner, who may transfer or renounce the ownership.
interface IOwnership {
    /// @notice `account` called an owner-only function.
    error OwnableUnauthorizedAccount(address account);
    /// @notice `owner` cannot become the owner (address(0): use renounceOwnership).
    error OwnableInvalidOwner(address owner);

    /// @notice The hub's owner changed (address(0) as `newOwner`: renounced).
    /// @param previousOwner The former owner (address(0) at deployment).
    /// @param newOwner The new owner.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice Current owner of the hub.
    /// @return Owner address (address(0) once renounced).
    function owner() external view returns (address);

    /// @notice Hands the hub over to `newOwner`. Owner only.
    /// @param newOwner New owner, not address(0).
    function transferOwnership(address newOwner) external;

    /// @notice Gives up ownership for good: no more categories, configuration changes or upgrades.
    function renounceOwnership() external;
}
