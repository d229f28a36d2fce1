// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Categories} from "../libs/Categories.sol";
import {MAX_WORK_CLOCK_TIME_REF} from "../libs/Constants.sol";
import {ICategories} from "../../interfaces/hub/ICategories.sol";

/// @title Work categories
contract CategoryFacet is ICategories, Facet {
    /// @inheritdoc ICategories
    function createCategory(
        string calldata name,
        string calldata description,
        uint256 workClockTimeRef
    ) external onlyOwner returns (uint256 id) {
        // A zero time reference would put every deadline at the deal's start: no task could run. A huge one
        // would put them beyond what a task records, so its tasks could never be initialized nor claimed.
        if (workClockTimeRef == 0 || workClockTimeRef > MAX_WORK_CLOCK_TIME_REF) {
            revert InvalidWorkClockTimeRef(workClockTimeRef);
        }
        HubStorage.Layout storage $ = HubStorage.layout();
        HubStorage.Category[] storage categories = $.categories;
        id = categories.length;
        $.categoryCount = uint96(id + 1);
        HubStorage.Category storage category = categories.push();
        category.workClockTimeRef = workClockTimeRef;
        category.name = name;
        category.description = description;
        emit CreateCategory(id, name, description, workClockTimeRef);
    }

    /// @inheritdoc ICategories
    function viewCategory(uint256 id) external view returns (Category memory) {
        HubStorage.Category storage category = Categories.existing(id);
        return Category(category.name, category.description, category.workClockTimeRef);
    }

    /// @inheritdoc ICategories
    function countCategory() external view returns (uint256) {
        return HubStorage.layout().categories.length;
    }
}
