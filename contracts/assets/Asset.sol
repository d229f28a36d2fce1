// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IAsset} from "../interfaces/IAsset.sol";
import {DataClone} from "../libs/DataClone.sol";
import {ENSReverse} from "../libs/ENSReverse.sol";

/// @title Asset implementation base
/// @notice Shared implementation of the assets of one registry. Each asset is a data clone (see `DataClone`)
/// delegating to this contract, so `address(this)` is the asset and its data is in the asset's code.
abstract contract Asset is IAsset {
    address private immutable _REGISTRY;
    address private immutable _SELF;

    /// @dev Reverts unless called by the asset owner.
    modifier onlyOwner() {
        if (msg.sender != owner()) revert OwnableUnauthorizedAccount(msg.sender);
        _;
    }

    /// @param assetRegistry Registry deploying the assets (it deploys this implementation too).
    constructor(address assetRegistry) {
        _REGISTRY = assetRegistry;
        _SELF = address(this);
    }

    /// @inheritdoc IAsset
    function setName(address ens, string calldata name) external onlyOwner {
        ENSReverse.setName(ens, name);
    }

    /// @inheritdoc IAsset
    function registry() external view returns (address) {
        return _REGISTRY;
    }

    /// @inheritdoc IAsset
    function owner() public view returns (address) {
        // Ownership is the registry token's, so it moves with every token transfer.
        return IERC721(_REGISTRY).ownerOf(uint160(address(this)));
    }

    /// @dev 32 bytes of the asset data at `offset`.
    function _dataBytes32(uint256 offset) internal view returns (bytes32) {
        _checkCallContext();
        return DataClone.readBytes32(offset);
    }

    /// @dev Length-prefixed field number `index` of the asset data, counting from the field at `offset`.
    function _dataField(uint256 offset, uint256 index) internal view returns (bytes memory) {
        _checkCallContext();
        return DataClone.readField(offset, index);
    }

    /// @dev The implementation's own code holds no asset data: refuse to decode it.
    function _checkCallContext() private view {
        if (address(this) == _SELF) revert AssetUnauthorizedCallContext();
    }
}
