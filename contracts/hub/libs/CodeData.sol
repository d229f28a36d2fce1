// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice What a data contract holds. Each kind is created with its own creation code, so each has its own
/// CREATE2 address space: data written as one kind can never be found at an address computed for another, whatever
/// salt a caller passes. (A task's results once shared the deals' space, and results shaped as a deal could be
/// initialized and settled as one.)
enum DataKind {
    Deal,
    Results
}

/// @title Write-once data kept in contract code, at an address derived from its kind and a salt
/// @notice Data that never changes after it is written (a deal, a task's results) is cheaper in code than in
/// storage: 200 gas a byte against about 690 for fresh slots, and it reads back with one EXTCODECOPY.
/// The hub deploys a data contract with CREATE2 and a constant creation code per kind that calls back the hub's
/// `dataInFlight()` (answered by the proxy itself), which returns the bytes parked in transient storage just
/// before. So the address follows from the kind and the salt alone: no storage slot points to the data.
/// @dev The runtime code is one INVALID byte (0xfe, `MARKER`) followed by the data: any call to a data contract
/// reverts, so none can receive ether, which nobody could take out again.
library CodeData {
    /// @dev Creation code of deals: PUSH4 dataInFlight.selector PUSH0 MSTORE PUSH0 PUSH0 PUSH1 4 PUSH1 28 CALLER
    /// GAS STATICCALL POP RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY RETURNDATASIZE PUSH0 RETURN: returns what the hub
    /// answers to `dataInFlight()` as the runtime code. A failed call would deploy its revert data instead, which
    /// `write` detects by the code size. Unchanged since deals were first kept in code, so they stay where they are.
    bytes internal constant DEAL_INIT_CODE = hex"63_30e00842_5f525f5f6004601c335afa503d5f5f3e3d5ff3";
    /// @dev keccak256(DEAL_INIT_CODE); 0x30e00842 is `IDataInFlight.dataInFlight.selector` (checked by the tests).
    bytes32 internal constant DEAL_INIT_CODE_HASH =
        0xc6af59f715a9cb0af550bb658006bfea83a2fd36bacdd50c3df609290aff0eb6;
    /// @dev Creation code of results: PUSH1 1 (the kind) POP, then the deals' code. The two bytes only change the
    /// code's hash, hence the address space.
    bytes internal constant RESULTS_INIT_CODE =
        hex"6001_50_63_30e00842_5f525f5f6004601c335afa503d5f5f3e3d5ff3";
    /// @dev keccak256(RESULTS_INIT_CODE) (checked by the tests).
    bytes32 internal constant RESULTS_INIT_CODE_HASH =
        0x82499ce1b99a32e41300d5e3d3152f7b7e836f5dbe88eb1b66ab4f88d6631d35;

    /// @dev First byte of every data contract's code, before the data: INVALID.
    uint8 internal constant MARKER = 0xfe;

    /// @dev Largest data a contract can hold: EIP-170's 24,576 bytes of code, less the marker.
    uint256 internal constant MAX_SIZE = 24_575;

    /// @dev Transient slot holding the length of the code in flight; its 32-byte words follow in the next slots.
    /// keccak256(abi.encode(uint256(keccak256("openpoco.transient.dataInFlight")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant IN_FLIGHT_SLOT =
        0x71024540af35e6b53ad5cf840deea7765a486f22c7bf75e2373d444b65d23a00;

    /// @notice Deploys the `kind` data contract of `salt` with runtime code `code`: the data, after the marker byte
    /// that the caller puts first (so that the data is packed once, not copied again); returns false when nothing
    /// was recorded (the salt was used before for that kind, or the code is too large).
    /// @param kind The address space.
    /// @param salt The salt (a deal or task id, or a chunk salt).
    /// @param code The runtime code, marker byte first.
    function write(DataKind kind, bytes32 salt, bytes memory code) internal returns (bool) {
        if (code.length > MAX_SIZE + 1) return false;
        return _deploy(kind, salt, code).code.length == code.length;
    }

    /// @notice Address of the `kind` data contract of `salt`, whether written or not.
    /// @param kind The address space.
    /// @param salt The salt.
    function addressOf(DataKind kind, bytes32 salt) internal view returns (address at) {
        bytes32 codeHash = kind == DataKind.Deal ? DEAL_INIT_CODE_HASH : RESULTS_INIT_CODE_HASH;
        assembly ("memory-safe") {
            // keccak256(0xff ++ this ++ salt ++ codeHash), 85 bytes laid out in free memory (not allocated: only
            // hashed): the 0xff byte at offset 11 of the first word, just before the address.
            let buffer := mload(0x40)
            mstore(buffer, or(shl(160, 0xff), address()))
            mstore(add(buffer, 0x20), salt)
            mstore(add(buffer, 0x40), codeHash)
            at := and(keccak256(add(buffer, 11), 85), 0xffffffffffffffffffffffffffffffffffffffff)
        }
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

    /// @dev Parks `code` in transient storage and deploys the `kind` data contract of `salt`, whose creation code
    /// fetches it back; returns address(0) when CREATE2 fails.
    function _deploy(DataKind kind, bytes32 salt, bytes memory code) private returns (address data) {
        bytes32 slot = IN_FLIGHT_SLOT;
        bytes memory init;
        if (kind == DataKind.Deal) init = DEAL_INIT_CODE;
        else init = RESULTS_INIT_CODE;
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
