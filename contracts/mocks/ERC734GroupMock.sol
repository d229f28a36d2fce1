// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC734} from "../interfaces/IERC734.sol";

/// @dev A minimal ERC-734 identity used as an order restriction: its owner gives keys purposes, and the
/// other modes misbehave in the ways the hub must read as "not a member".
contract ERC734GroupMock is IERC734 {
    enum Mode {
        Normal, // answers from the stored purposes
        Revert, // reverts
        BurnGas, // loops until it runs out of gas
        ReturnNothing, // returns empty data
        ReturnDirty // returns the word 2, which is not an ABI-encoded bool
    }

    error NotOwner(address caller);
    error GroupBroken();

    /// @notice `key` was given (`granted`) or lost the purpose `purpose`.
    /// @param key The key (an address, left-padded, for the hub's group checks).
    /// @param purpose The purpose.
    /// @param granted True when given, false when removed.
    event KeyPurposeSet(bytes32 indexed key, uint256 indexed purpose, bool granted);

    address public immutable owner;
    Mode public mode;
    mapping(bytes32 key => mapping(uint256 purpose => bool)) private _granted;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor() {
        owner = msg.sender;
    }

    /// @notice Gives `key` the purpose `purpose`. Owner only.
    /// @param key Key, for an account `bytes32(uint256(uint160(account)))`.
    /// @param purpose Purpose granted.
    function addKey(bytes32 key, uint256 purpose) external onlyOwner {
        _granted[key][purpose] = true;
        emit KeyPurposeSet(key, purpose, true);
    }

    /// @notice Takes the purpose `purpose` away from `key`. Owner only.
    /// @param key Key.
    /// @param purpose Purpose removed.
    function removeKey(bytes32 key, uint256 purpose) external onlyOwner {
        delete _granted[key][purpose];
        emit KeyPurposeSet(key, purpose, false);
    }

    /// @notice Chooses how `keyHasPurpose` behaves. Owner only.
    /// @param mode_ New behaviour.
    function setMode(Mode mode_) external onlyOwner {
        mode = mode_;
    }

    /// @inheritdoc IERC734
    function keyHasPurpose(bytes32 key, uint256 purpose) external view returns (bool) {
        Mode current = mode;
        if (current == Mode.Revert) revert GroupBroken();
        if (current == Mode.BurnGas) {
            assembly ("memory-safe") {
                for {} 1 {} {}
            }
        }
        if (current == Mode.ReturnNothing) {
            assembly ("memory-safe") {
                return(0x00, 0x00)
            }
        }
        if (current == Mode.ReturnDirty) {
            assembly ("memory-safe") {
                mstore(0x00, 2)
                return(0x00, 0x20)
            }
        }
        return _granted[key][purpose];
    }
}
