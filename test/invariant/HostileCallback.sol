// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title A deal callback in the attacker's hands
/// @notice On `receiveResult` it burns all its gas, reverts, returns a huge answer, or calls the hub back with
/// the calls the attacker armed it with (each may fail; their outcome is kept for the record).
contract HostileCallback {
    enum Mode {
        REENTER,
        BURN,
        REVERT,
        RETURN_BOMB
    }

    address public immutable hub;
    Mode public mode;
    bytes[] private _calls;
    uint256 public reentriesSucceeded;

    error Refused();

    constructor(address hub_) {
        hub = hub_;
    }

    /// @notice Sets what the next `receiveResult` does.
    function arm(Mode mode_, bytes[] calldata calls) external {
        mode = mode_;
        delete _calls;
        for (uint256 i = 0; i < calls.length; ++i) _calls.push(calls[i]);
    }

    function receiveResult(bytes32, bytes calldata) external {
        Mode current = mode;
        if (current == Mode.BURN) {
            uint256 spins;
            while (true) spins += 1;
        }
        if (current == Mode.REVERT) revert Refused();
        if (current == Mode.RETURN_BOMB) {
            assembly {
                return(0, 0x10000)
            }
        }
        for (uint256 i = 0; i < _calls.length; ++i) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, ) = hub.call(_calls[i]);
            if (ok) reentriesSucceeded += 1;
        }
    }
}
