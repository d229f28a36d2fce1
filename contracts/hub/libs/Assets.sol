// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {HubStorage} from "../HubStorage.sol";
import {IOrderManagement} from "../../interfaces/hub/IOrderManagement.sol";
import {IWorkerpoolRegistry} from "../../interfaces/IWorkerpoolRegistry.sol";

/// @title Owners of registered assets, as the hub sees them
/// @dev Asks the registry (the NFT is the ownership record) rather than the asset contract: one call
/// instead of three, and it proves registration at the same time.
library Assets {
    function appOwner(address app) internal view returns (address) {
        return _ownerIn(HubStorage.layout().appRegistry, app);
    }

    function datasetOwner(address dataset) internal view returns (address) {
        return _ownerIn(HubStorage.layout().datasetRegistry, dataset);
    }

    function workerpoolOwner(address workerpool) internal view returns (address) {
        return _ownerIn(HubStorage.layout().workerpoolRegistry, workerpool);
    }

    /// @dev Owner and policy (worker stake ratio, scheduler reward ratio) of `workerpool`, from one registry call;
    /// reverts with AssetNotRegistered when it has no owner.
    function workerpoolOwnerAndPolicy(
        address workerpool
    ) internal view returns (address owner, uint256 workerStakeRatio, uint256 schedulerRewardRatio) {
        address registry = HubStorage.layout().workerpoolRegistry;
        bytes4 selector = IWorkerpoolRegistry.ownerAndPolicyOf.selector;
        assembly ("memory-safe") {
            // Three return words, written past the free memory pointer (nothing is allocated).
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), and(workerpool, 0xffffffffffffffffffffffffffffffffffffffff))
            let ok := staticcall(gas(), registry, ptr, 0x24, ptr, 0x60)
            if and(ok, gt(returndatasize(), 0x5f)) {
                owner := and(mload(ptr), 0xffffffffffffffffffffffffffffffffffffffff)
                workerStakeRatio := mload(add(ptr, 0x20))
                schedulerRewardRatio := mload(add(ptr, 0x40))
            }
        }
        // The registry is the hub's own (set by its owner), so its ratios are the bounded ones it stores.
        if (owner == address(0)) {
            revert IOrderManagement.AssetNotRegistered(registry, workerpool);
        }
    }

    /// @dev Owner of `dataset`, or address(0) when it is not registered.
    function datasetOwnerOrZero(address dataset) internal view returns (address) {
        return ownerOrZero(HubStorage.layout().datasetRegistry, dataset);
    }

    /// @dev Owner of `asset` in `registry`: `ownerOf(uint256(uint160(asset)))`, or address(0) when the call
    /// fails (an unregistered token reverts), returns short data or a dirty address. Only the return word is
    /// copied: nothing is allocated.
    function ownerOrZero(address registry, address asset) internal view returns (address owner) {
        bytes4 selector = IERC721.ownerOf.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, and(asset, 0xffffffffffffffffffffffffffffffffffffffff))
            let ok := staticcall(gas(), registry, 0x00, 0x24, 0x00, 0x20)
            let word := mload(0x00)
            if and(and(ok, gt(returndatasize(), 0x1f)), iszero(shr(160, word))) {
                owner := word
            }
        }
    }

    /// @dev Owner of `asset` in `registry`; reverts with AssetNotRegistered when it has none.
    function _ownerIn(address registry, address asset) private view returns (address owner) {
        owner = ownerOrZero(registry, asset);
        if (owner == address(0)) revert IOrderManagement.AssetNotRegistered(registry, asset);
    }
}
