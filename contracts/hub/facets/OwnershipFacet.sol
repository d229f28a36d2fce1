// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {IOwnership} from "../../interfaces/hub/IOwnership.sol";

/// @title Ownership of the hub
contract OwnershipFacet is IOwnership, Facet {
    /// @inheritdoc IOwnership
    function owner() external view returns (address) {
        return HubStorage.layout().owner;
    }

    /// @inheritdoc IOwnership
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert OwnableInvalidOwner(address(0));
        _setOwner(newOwner);
    }

    /// @inheritdoc IOwnership
    function renounceOwnership() external onlyOwner {
        _setOwner(address(0));
    }

    function _setOwner(address newOwner) private {
        HubStorage.Layout storage $ = HubStorage.layout();
        emit OwnershipTransferred($.owner, newOwner);
        $.owner = newOwner;
    }
}
