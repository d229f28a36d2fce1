// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {HubStorage} from "../HubStorage.sol";
import {IERC734} from "../../interfaces/IERC734.sol";
import {GROUPMEMBER_PURPOSE} from "./Constants.sol";

/// @title Signature and group membership checks of orders
/// @notice An identity approves a 32-byte hash in one of three ways:
/// 1. presigned: `presigned[hash] == identity` in the hub storage (set on-chain by the identity);
/// 2. ERC-1271: the identity has code and its `isValidSignature(hash, signature)` returns the magic value;
/// 3. ECDSA: the identity has no code and `signature` recovers to it (65-byte `r,s,v` or 64-byte EIP-2098).
/// @dev Nothing here reverts: a malformed signature or a failing contract only means "invalid", so that the
/// caller decides how to fail. Hand-written rather than OpenZeppelin's `SignatureChecker` because it runs up
/// to four times per `matchOrders`: calldata is parsed in place, and return data is never copied to memory.
library Signatures {
    /// @dev Value an ERC-1271 wallet returns for a valid signature (`isValidSignature.selector`).
    bytes4 internal constant ERC1271_MAGIC_VALUE = IERC1271.isValidSignature.selector;

    /// @dev Gas forwarded to a restriction's `keyHasPurpose`: plenty for a storage-backed identity
    /// (even behind a proxy), while a restriction that loops forever costs the matcher at most this much.
    uint256 internal constant GROUP_CHECK_GAS = 100_000;

    /// @dev secp256k1 order divided by 2: a larger `s` is the malleated twin of a valid signature.
    uint256 private constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @dev Mask that clears the top bit of an EIP-2098 `vs` word, leaving `s`.
    uint256 private constant S_MASK = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;

    /// @notice Whether `signer` presigned `hash` on-chain.
    /// @dev address(0) never presigns: an unset entry reads as address(0), so it would otherwise
    /// "presign" every hash for a zero identity.
    /// @param signer The identity (never matches when address(0)).
    /// @param hash The hash, an order's EIP-712 hash.
    function isPresigned(address signer, bytes32 hash) internal view returns (bool) {
        return signer != address(0) && HubStorage.layout().presigned[hash] == signer;
    }

    /// @notice Whether `signature` is `signer`'s signature of `hash`: ECDSA, else ERC-1271 when `signer` has code.
    /// @dev The reference checks ERC-1271 alone for an identity with code and ECDSA otherwise. Trying ECDSA first
    /// accepts the same signatures (nobody holds a key for a contract's address) and spares an EOA the cold
    /// code-size read; only an EIP-7702 account (code and a key) differs: its own key is accepted, as
    /// OpenZeppelin's `SignatureChecker` does.
    /// @param signer The identity.
    /// @param hash The signed hash.
    /// @param signature ECDSA (65 or 64 bytes) or ERC-1271 signature.
    function isValid(address signer, bytes32 hash, bytes calldata signature) internal view returns (bool) {
        if (signer == address(0)) return false;
        if (recover(hash, signature) == signer) return true;
        return signer.code.length != 0 && _isValidERC1271(signer, hash, signature);
    }

    /// @notice Whether `signer` presigned `hash`, or `signature` is its valid signature of it (see `isValid`).
    /// @dev The reference checks the presign first; checking ECDSA first accepts the same orders and spares the
    /// usual case (an EOA's EIP-712 signature) a cold presigned slot. A presigned order may come with an empty
    /// signature, which recovers nothing.
    /// @param signer The identity.
    /// @param hash The hash.
    /// @param signature A signature of it, or empty for a presigned hash.
    function isPresignedOrValid(
        address signer,
        bytes32 hash,
        bytes calldata signature
    ) internal view returns (bool) {
        if (signer == address(0)) return false;
        if (recover(hash, signature) == signer) return true;
        if (HubStorage.layout().presigned[hash] == signer) return true;
        return signer.code.length != 0 && _isValidERC1271(signer, hash, signature);
    }

    /// @notice The address that signed `hash` with the ECDSA `signature`, or address(0) when invalid.
    /// @dev Accepts 65 bytes `r ‖ s ‖ v` with v ∈ {27, 28} (what ethers and the iExec SDK produce) and
    /// 64 bytes `r ‖ vs` (EIP-2098, v = 27 + top bit of vs). v = 0/1 is not normalized: no supported
    /// client produces it, and a second encoding of one signature would only add surface. Other lengths
    /// are invalid.
    /// @param hash The signed hash.
    /// @param signature The ECDSA signature.
    function recover(bytes32 hash, bytes calldata signature) internal pure returns (address) {
        bytes32 r;
        uint256 s;
        uint256 v;
        if (signature.length == 65) {
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                s := calldataload(add(signature.offset, 0x20))
                v := byte(0, calldataload(add(signature.offset, 0x40)))
            }
        } else if (signature.length == 64) {
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                let vs := calldataload(add(signature.offset, 0x20))
                s := and(vs, S_MASK)
                v := add(27, shr(255, vs))
            }
        } else {
            return address(0);
        }
        // Only low-s signatures: otherwise (r, n - s, v ^ 1) would be a second valid signature of the
        // same hash. The precompile itself rejects r or s of 0 or >= n and any v other than 27 or 28,
        // returning nothing, which `ecrecover` reads as address(0).
        if (s > HALF_ORDER) return address(0);
        return ecrecover(hash, uint8(v), r, bytes32(s));
    }

    /// @notice Whether the ERC-734 identity `restriction` gives `account` the group member purpose (4).
    /// @dev For a restriction that is neither address(0) nor `account` (the caller handles those). A call
    /// that fails, runs out of its bounded gas, returns less than one word or anything but `true` means
    /// "not a member"; an address without code returns nothing, so it is never a group.
    /// @param restriction The ERC-734 identity named by an order's restriction.
    /// @param account The account it must admit.
    function isGroupMember(address restriction, address account) internal view returns (bool member) {
        bytes4 selector = IERC734.keyHasPurpose.selector;
        uint256 gasLimit = GROUP_CHECK_GAS;
        uint256 purpose = GROUPMEMBER_PURPOSE;
        assembly ("memory-safe") {
            // Encoded in unallocated memory, which nothing else uses before the call returns.
            let ptr := mload(0x40)
            mstore(ptr, selector)
            // The key of an account is its address, left-padded to 32 bytes.
            mstore(add(ptr, 0x04), and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(ptr, 0x24), purpose)
            // Only the first word of the return data is copied: a huge answer costs nothing.
            let success := staticcall(gasLimit, restriction, ptr, 0x44, 0x00, 0x20)
            member := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1)))
        }
    }

    /// @dev Calls `signer.isValidSignature(hash, signature)` with a staticcall, so that the wallet cannot
    /// change any state (in the hub or elsewhere) while the hub is mid-way through a match. A revert,
    /// short return data or any word other than the padded magic value means invalid; revert data is
    /// written to the same buffer, hence the success flag is checked too.
    function _isValidERC1271(
        address signer,
        bytes32 hash,
        bytes calldata signature
    ) private view returns (bool valid) {
        bytes4 magic = ERC1271_MAGIC_VALUE;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let length := signature.length
            mstore(ptr, magic)
            mstore(add(ptr, 0x04), hash)
            mstore(add(ptr, 0x24), 0x40)
            // Zero the last word before copying, so the bytes are right-padded as ABI encoding requires
            // (for an empty signature this writes the length word, set just below).
            let padded := and(add(length, 0x1f), not(0x1f))
            mstore(add(ptr, add(0x44, padded)), 0)
            mstore(add(ptr, 0x44), length)
            calldatacopy(add(ptr, 0x64), signature.offset, length)
            let success := staticcall(gas(), signer, ptr, add(0x64, padded), 0x00, 0x20)
            valid := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), magic)))
        }
    }
}
