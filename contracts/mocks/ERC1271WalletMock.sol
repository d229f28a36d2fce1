// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @dev A smart wallet owned by one EOA: a signature is valid when the owner signed the raw hash (65 bytes).
/// OpenZeppelin's ECDSA is used on purpose here: the mock is an independent oracle for the hub's own code.
/// Other modes misbehave in the ways the hub must read as "invalid" without reverting.
contract ERC1271WalletMock is IERC1271 {
    enum Mode {
        Owner, // valid iff the owner signed the hash
        WrongMagic, // answers with a value one off the magic value
        Revert, // reverts with a custom error
        RevertWithMagic, // reverts with exactly the padded magic value as revert data
        ShortReturn, // returns the 4 bytes of the magic value, unpadded
        StrictEncoding // like Owner, and the call data must be exactly the canonical ABI encoding
    }

    error WalletRefused(bytes32 hash);

    address public immutable owner;
    Mode public mode;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Chooses how `isValidSignature` behaves.
    /// @param mode_ New behaviour.
    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /// @notice ERC-1271 check, answering according to `mode`.
    /// @param hash Hash the owner must have signed.
    /// @param signature The owner's 65-byte signature.
    /// @return magicValue The magic value when valid.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        Mode current = mode;
        bytes4 magic = IERC1271.isValidSignature.selector;
        if (current == Mode.WrongMagic) return bytes4(uint32(magic) + 1);
        if (current == Mode.Revert) revert WalletRefused(hash);
        if (current == Mode.RevertWithMagic) {
            assembly ("memory-safe") {
                mstore(0x00, magic)
                revert(0x00, 0x20)
            }
        }
        if (current == Mode.ShortReturn) {
            assembly ("memory-safe") {
                mstore(0x00, magic)
                return(0x00, 0x04)
            }
        }
        if (current == Mode.StrictEncoding) {
            // Solidity's decoder ignores padding bytes and trailing data: compare with a clean encoding.
            bytes memory canonical = abi.encodeCall(IERC1271.isValidSignature, (hash, signature));
            if (keccak256(msg.data) != keccak256(canonical)) return bytes4(0);
        }
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == owner ? magic : bytes4(0);
    }
}
