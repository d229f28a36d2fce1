// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Write-once data kept in contract code, at an address derived from a salt
/// @notice Data that never changes after it is written (a deal, a task's results) is cheaper in code than in
/// storage: 200 gas a byte against about 690 for fresh slots, and it reads back with one EXTCODECOPY.
/// The hub deploys a data contract with CREATE2 and a constant creation code (`INIT_CODE`) that calls back the
/// hub's `dataInFlight()` (answered by the proxy itself), which returns the bytes parked in transient storage
/// just before. So the address follows from the salt alone: no storage slot points to the data.
/// @dev The runtime code is one STOP byte followed by the data, so calling a data contract does nothing.
library CodeData {
    /// @dev Creation code of every data contract: PUSH4 dataInFlight.selector PUSH0 MSTORE PUSH0 PUSH0 PUSH1 4
    /// PUSH1 28 CALLER GAS STATICCALL POP RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY RETURNDATASIZE PUSH0 RETURN:
    /// returns what the hub answers to `dataInFlight()` as the runtime code. A failed call would deploy its revert
    /// data instead, which `write` detects by the code size.
    bytes internal constant INIT_CODE = hex"63_30e00842_5f525f5f6004601c335afa503d5f5f3e3d5ff3";
    /// @dev keccak256(INIT_CODE); 0x30e00842 is `IDataInFlight.dataInFlight.selector` (both checked by the tests).
    bytes32 internal constant INIT_CODE_HASH =
        0xc6af59f715a9cb0af550bb658006bfea83a2fd36bacdd50c3df609290aff0eb6;

    /// @dev Largest data a contract can hold: EIP-170's 24,576 bytes of code, less the leading STOP.
    uint256 internal constant MAX_SIZE = 24_575;

    /// @dev Transient slot holding the length of the code in flight; its 32-byte words follow in the next slots.
    /// keccak256(abi.encode(uint256(keccak256("openpoco.transient.dataInFlight")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant IN_FLIGHT_SLOT =
        0x71024540af35e6b53ad5cf840deea7765a486f22c7bf75e2373d444b65d23a00;

    /// @notice Deploys the data contract of `salt` with runtime code `code`: the data, after one zero byte (STOP)
    /// that the caller puts first (so that the data is packed once, not copied again); returns false when nothing
    /// was recorded (the salt was used before, or the code is too large).
    function write(bytes32 salt, bytes memory code) internal returns (bool) {
        if (code.length > MAX_SIZE + 1) return false;
        return _deploy(salt, code).code.length == code.length;
    }

    /// @notice The data recorded under `salt`, empty when there is none.
    function read(bytes32 salt) internal view returns (bytes memory data) {
        address at = addressOf(salt);
        uint256 size = at.code.length;
        if (size == 0) return data;
        data = new bytes(size - 1);
        assembly ("memory-safe") {
            extcodecopy(at, add(data, 0x20), 1, sub(size, 1))
        }
    }

    /// @notice Address of the data contract of `salt`, whether written or not.
    function addressOf(bytes32 salt) internal view returns (address) {
        return
            address(
                uint160(
                    uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, INIT_CODE_HASH)))
                )
            );
    }

    /// @notice Ends the current call, returning the code in flight as raw bytes (nothing outside `write`).
    /// @dev For the hub proxy's `dataInFlight()`: the caller's memory is never used again, so the bytes are
    /// copied from memory offset 0.
    function returnInFlight() internal view {
        bytes32 slot = IN_FLIGHT_SLOT;
        assembly {
            let length := tload(slot)
            let words := shr(5, add(length, 0x1f))
            for {
                let i := 0
            } lt(i, words) {
                i := add(i, 1)
            } {
                mstore(shl(5, i), tload(add(slot, add(i, 1))))
            }
            return(0, length)
        }
    }

    /// @dev Parks `code` in transient storage and deploys the data contract of `salt`, whose creation code
    /// fetches it back; returns address(0) when CREATE2 fails.
    function _deploy(bytes32 salt, bytes memory code) private returns (address data) {
        bytes32 slot = IN_FLIGHT_SLOT;
        bytes memory init = INIT_CODE;
        assembly ("memory-safe") {
            let length := mload(code)
            tstore(slot, length)
            let words := shr(5, add(length, 0x1f))
            for {
                let i := 0
            } lt(i, words) {
                i := add(i, 1)
            } {
                tstore(add(slot, add(i, 1)), mload(add(code, shl(5, add(i, 1)))))
            }
            data := create2(0, add(init, 0x20), mload(init), salt)
            tstore(slot, 0)
        }
    }
}
