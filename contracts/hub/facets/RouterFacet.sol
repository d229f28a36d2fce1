// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {RouterStorage} from "../RouterStorage.sol";
import {IRouter} from "../../interfaces/hub/IRouter.sol";

/// @title Upgrades of the hub: which facet implements which selector
contract RouterFacet is IRouter, Facet {
    /// @inheritdoc IRouter
    function setRoutes(bytes4[] calldata selectors, address facet) external onlyOwner {
        if (facet != address(0) && facet.code.length == 0) revert FacetHasNoCode(facet);
        mapping(bytes4 => address) storage facets = RouterStorage.layout().facets;
        for (uint256 i = 0; i < selectors.length; ++i) {
            facets[selectors[i]] = facet;
        }
        emit RoutesUpdated(facet, selectors);
    }

    /// @inheritdoc IRouter
    function facetOf(bytes4 selector) external view returns (address) {
        return RouterStorage.layout().facets[selector];
    }
}
