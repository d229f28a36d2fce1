// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubStorage} from "../HubStorage.sol";
import {DOMAIN_TYPEHASH, DOMAIN_NAME, DOMAIN_VERSION} from "./Constants.sol";

/// @title EIP-712 domain of the hub's orders
/// @dev The separator is cached in storage with the chain id it was computed for; on another chain
/// id (a fork) it is recomputed on the fly, so signatures made for the old chain never verify.
library Domain {
    bytes32 private constant NAME_HASH = keccak256(bytes(DOMAIN_NAME));
    bytes32 private constant VERSION_HASH = keccak256(bytes(DOMAIN_VERSION));

    /// @dev Separator for the current chain id.
    function separator() internal view returns (bytes32) {
        HubStorage.Layout storage $ = HubStorage.layout();
        if ($.domainChainId == block.chainid) return $.domainSeparator;
        return compute();
    }

    /// @dev Recomputes and caches the separator; returns it.
    function refresh() internal returns (bytes32 value) {
        value = compute();
        HubStorage.Layout storage $ = HubStorage.layout();
        $.domainSeparator = value;
        $.domainChainId = block.chainid;
    }

    function compute() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }
}
