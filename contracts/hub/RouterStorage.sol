// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Namespaced storage of the hub's selector routing table (ERC-7201)
/// @dev Kept apart from `HubStorage` because the proxy itself reads it on every call.
library RouterStorage {
    /// @custom:storage-location erc7201:openpoco.storage.Router
    struct Layout {
        mapping(bytes4 selector => address facet) facets;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("openpoco.storage.Router")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant SLOT = 0xffa46c9cc4380e34dfd580e23b46baddcafdfabd9d969db5edaf5b19b0288300;

    function layout() internal pure returns (Layout storage $) {
        assembly {
            $.slot := SLOT
        }
    }
}
