// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubStorage} from "../hub/HubStorage.sol";
import {RouterStorage} from "../hub/RouterStorage.sol";

/// @dev Makes the compiler report the layout of the hub's namespaced structs (storageLayout output),
/// which the storage layout test compares with the committed snapshot. Never deployed.
contract HubStorageLayoutProbe {
    HubStorage.Layout internal hub;
    RouterStorage.Layout internal router;

    function slots() external pure returns (bytes32 hubSlot, bytes32 routerSlot) {
        return (HubStorage.SLOT, RouterStorage.SLOT);
    }
}
