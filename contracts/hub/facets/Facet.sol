// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubStorage} from "../HubStorage.sol";
import {IOwnership} from "../../interfaces/hub/IOwnership.sol";
import {IConfig} from "../../interfaces/hub/IConfig.sol";

/// @title Common base of the hub's facets
/// @dev Facets run only through the proxy's delegatecall: called directly, a facet would keep
/// funds and state at its own address, where nobody could reach them.
abstract contract Facet {
    address private immutable _SELF = address(this);

    modifier onlyOwner() {
        _checkOwner();
        _;
    }

    modifier onlyDelegated() {
        _checkDelegated();
        _;
    }

    function _checkOwner() internal view {
        if (msg.sender != HubStorage.layout().owner) revert IOwnership.OwnableUnauthorizedAccount(msg.sender);
    }

    function _checkDelegated() internal view {
        if (address(this) == _SELF) revert IConfig.DirectCallNotAllowed();
    }
}
