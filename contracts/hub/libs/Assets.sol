// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {HubStorage} from "../HubStorage.sol";
import {IOrderManagement} from "../../interfaces/hub/IOrderManagement.sol";

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

    /// @dev Owner of `asset` in `registry`; reverts with AssetNotRegistered when it has none.
    function _ownerIn(address registry, address asset) private view returns (address owner) {
        (bool ok, bytes memory data) = registry.staticcall(
            abi.encodeCall(IERC721.ownerOf, (uint256(uint160(asset))))
        );
        if (ok && data.length == 32) owner = abi.decode(data, (address));
        if (owner == address(0)) revert IOrderManagement.AssetNotRegistered(registry, asset);
    }
}
