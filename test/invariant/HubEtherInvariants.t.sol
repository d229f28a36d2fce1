// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubInvariantsBase} from "./HubInvariantsBase.sol";

/// @title Invariant 5: no ether in the hub nor in the contracts it created
/// @notice The handlers find the contracts the hub creates (which makes each call twice as slow) and
/// the attacker sends them ether.
contract HubEtherInvariantsTest is HubInvariantsBase {
    function _harvest() internal pure override returns (bool) {
        return true;
    }

    /// @notice Invariant 5, after every call.
    function invariant_noEther() external view {
        string memory problem = _named("5 (no ether)", _ghost.checkNoEther());
        if (bytes(problem).length != 0) revert InvariantBroken(problem);
    }
}
