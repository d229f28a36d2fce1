// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Asset (common part of apps, datasets and workerpools)
/// @notice An asset is a contract deployed by its registry; its owner is the owner of its registry token.
interface IAsset {
    /// @notice The caller is not the asset owner (same error as OpenZeppelin's Ownable).
    /// @param account The caller.
    error OwnableUnauthorizedAccount(address account);

    /// @notice Asset data is fixed at creation: `initialize` always reverts.
    error AssetAlreadyInitialized();

    /// @notice A data getter was called on the shared implementation instead of an asset.
    error AssetUnauthorizedCallContext();

    /// @notice Current owner of the asset: the owner of its registry token.
    /// @return assetOwner The owner.
    function owner() external view returns (address assetOwner);

    /// @notice Registry that created the asset.
    /// @return assetRegistry The registry.
    function registry() external view returns (address assetRegistry);

    /// @notice Sets the ENS reverse record (primary name) of the asset; owner only.
    /// @param ens ENS registry.
    /// @param name ENS name of the asset.
    function setName(address ens, string calldata name) external;
}
