// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {Deals} from "../libs/Deals.sol";
import {IDeals} from "../../interfaces/hub/IDeals.sol";

/// @title Read access to deals
contract DealFacet is IDeals, Facet {
    /// @inheritdoc IDeals
    function viewDeal(bytes32 id) external view returns (Deal memory) {
        return Deals.load(id);
    }
}
