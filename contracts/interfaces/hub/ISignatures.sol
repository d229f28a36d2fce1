// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Signature checks of the hub, as used for orders
/// @notice An identity approves a hash by presigning it on-chain, by an ERC-1271 signature when the identity
/// is a contract, or by an ECDSA signature (65-byte `r,s,v` with v 27 or 28, or 64-byte EIP-2098) when it is
/// not. These views never revert on bad input: they return false.
interface ISignatures {
    /// @notice Whether `signature` is `identity`'s signature of `hash`: checked with ERC-1271 when `identity`
    /// has code, with ECDSA otherwise (low-s only, the zero address never matches).
    /// @param identity Expected signer.
    /// @param hash Signed hash (for orders, the EIP-712 typed data hash).
    /// @param signature ECDSA signature, or whatever the identity's ERC-1271 wallet expects.
    /// @return valid True when the signature is valid.
    function verifySignature(
        address identity,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool valid);

    /// @notice Whether `identity` presigned `hash` on-chain (never true for address(0)).
    /// @param identity Expected signer.
    /// @param hash Presigned hash.
    /// @return presigned True when `identity` presigned `hash`.
    function verifyPresignature(address identity, bytes32 hash) external view returns (bool presigned);

    /// @notice Whether `identity` presigned `hash`, or else `signature` is its valid signature of it.
    /// @param identity Expected signer.
    /// @param hash Presigned or signed hash.
    /// @param signature Signature, checked only when `hash` is not presigned by `identity` (may be empty then).
    /// @return valid True when presigned or validly signed.
    function verifyPresignatureOrSignature(
        address identity,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool valid);
}
