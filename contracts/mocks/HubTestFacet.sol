// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubStorage} from "../hub/HubStorage.sol";

/// @dev A facet routed into the hub by tests only, to read state that no real facet exposes.
contract HubTestFacet {
    function testTotalSupply() external view returns (uint256) {
        return HubStorage.layout().totalSupply;
    }
}
