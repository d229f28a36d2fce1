// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ERC-734 key holder, the part the hub uses
/// @notice An order's restriction may name an ERC-734 identity contract instead of a single address: the
/// restriction then admits every account whose key holds the group member purpose (4) in that identity.
interface IERC734 {
    /// @notice Whether `key` holds `purpose` in this identity.
    /// @param key The key, for an account its address left-padded to 32 bytes: `bytes32(uint256(uint160(a)))`.
    /// @param purpose Key purpose (1 management, 2 action, 3 claim signer, 4 encryption / group member).
    /// @return exists True when the key holds the purpose.
    function keyHasPurpose(bytes32 key, uint256 purpose) external view returns (bool exists);
}
