// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HubInvariantsBase} from "./HubInvariantsBase.sol";

/// @title Invariants 1 to 4: the escrow's ledger
contract HubLedgerInvariantsTest is HubInvariantsBase {
    /// @notice Invariants 1 to 4, after every call: the ghost checked them at the end of the call (reading each
    /// account once) and kept the first violation of each; the hub's RLC against the SRLC supply is read again
    /// here, and every 64 calls invariant 4 looks at every task ever initialized, not only those the call touched.
    function invariant_ledger() external view {
        string memory problems = _ghost.ledgerReport();
        uint256 held = IERC20(_system.token).balanceOf(address(_system.hub));
        if (held != _system.hub.totalSupply()) {
            problems = string.concat(
                problems,
                _named("1 (escrow solvency)", "the hub's RLC is not the SRLC supply")
            );
        }
        if (_ghost.calls() % 64 == 0 && bytes(_ghost.completedViolation()).length == 0) {
            problems = string.concat(
                problems,
                _named("4 (completed tasks belong to matched deals)", _ghost.checkCompletedTasks())
            );
        }
        if (bytes(problems).length != 0) revert InvariantBroken(problems);
    }
}
