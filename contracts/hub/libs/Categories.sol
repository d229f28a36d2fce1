// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubStorage} from "../HubStorage.sol";
import {ICategories} from "../../interfaces/hub/ICategories.sol";

/// @title Read access to the hub's categories
library Categories {
    /// @notice Category `id`, which must exist.
    /// @param id The category.
    function existing(uint256 id) internal view returns (HubStorage.Category storage) {
        HubStorage.Category[] storage categories = HubStorage.layout().categories;
        if (id >= categories.length) revert ICategories.UnknownCategory(id, categories.length);
        return categories[id];
    }

    /// @notice The time reference of category `id`, known to exist (a deal's category: the match checked it).
    /// @dev Read without the array's length (a cold slot saved): element `id` starts at keccak256(slot) + 3 * id.
    /// @param id The category, known to exist.
    function timeRefOfKnown(uint256 id) internal view returns (uint256 timeref) {
        HubStorage.Category[] storage categories = HubStorage.layout().categories;
        assembly ("memory-safe") {
            mstore(0x00, categories.slot)
            timeref := sload(add(keccak256(0x00, 0x20), mul(id, 3)))
        }
    }
}
