// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {DOMAIN_TYPEHASH, DOMAIN_NAME, DOMAIN_VERSION} from "./Constants.sol";

/// @title EIP-712 domain of the hub's orders
/// @dev Computed on every use rather than cached: hashing five words costs a few hundred gas, less
/// than the cold storage reads a cache would need, and the separator follows a chain id change (a
/// fork) by construction, so signatures made for the other chain never verify.
library Domain {
    bytes32 private constant NAME_HASH = keccak256(bytes(DOMAIN_NAME));
    bytes32 private constant VERSION_HASH = keccak256(bytes(DOMAIN_VERSION));

    /// @dev Separator for the current chain id and this hub (the proxy, under delegatecall).
    function separator() internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }
}
