// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubStorage} from "../hub/HubStorage.sol";

/// @dev A facet routed into the hub by tests only: pokes state that no real facet can reach, to test
/// what the hub does when, for instance, the chain id changes under a cached domain separator.
contract HubTestFacet {
    function testSetDomainCache(bytes32 separator, uint256 chainId) external {
        HubStorage.Layout storage $ = HubStorage.layout();
        $.domainSeparator = separator;
        $.domainChainId = chainId;
    }

    function testTotalSupply() external view returns (uint256) {
        return HubStorage.layout().totalSupply;
    }
}
