// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubStorage} from "../hub/HubStorage.sol";
import {Signatures} from "../hub/libs/Signatures.sol";

/// @dev Exposes the `Signatures` library for tests. `presigned` lives in the namespaced hub storage, which
/// works here as well; routed into a hub, `setPresigned` writes the hub's own mapping.
contract SignaturesHarness {
    function setPresigned(bytes32 hash, address signer) external {
        HubStorage.layout().presigned[hash] = signer;
    }

    function isPresigned(address signer, bytes32 hash) external view returns (bool) {
        return Signatures.isPresigned(signer, hash);
    }

    function isValid(address signer, bytes32 hash, bytes calldata signature) external view returns (bool) {
        return Signatures.isValid(signer, hash, signature);
    }

    /// @dev `isValid` with `first`, then with `second` in the same call, whose result is returned: the second
    /// check runs over memory the first one left dirty.
    function isValidAfter(
        address signer,
        bytes32 hash,
        bytes calldata first,
        bytes calldata second
    ) external view returns (bool) {
        Signatures.isValid(signer, hash, first);
        return Signatures.isValid(signer, hash, second);
    }

    function isPresignedOrValid(
        address signer,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool) {
        return Signatures.isPresignedOrValid(signer, hash, signature);
    }

    function recover(bytes32 hash, bytes calldata signature) external pure returns (address) {
        return Signatures.recover(hash, signature);
    }

    function isGroupMember(address restriction, address account) external view returns (bool) {
        return Signatures.isGroupMember(restriction, account);
    }

    function groupCheckGas() external pure returns (uint256) {
        return Signatures.GROUP_CHECK_GAS;
    }

    /// @dev Gas of `isValid` alone (no call or calldata overhead), cold accounts included.
    function gasOfIsValid(
        address signer,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool valid, uint256 gasUsed) {
        uint256 start = gasleft();
        valid = Signatures.isValid(signer, hash, signature);
        gasUsed = start - gasleft();
    }

    /// @dev Gas of `isPresignedOrValid` alone, for a hash that is not presigned (cold storage read included).
    function gasOfIsPresignedOrValid(
        address signer,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool valid, uint256 gasUsed) {
        uint256 start = gasleft();
        valid = Signatures.isPresignedOrValid(signer, hash, signature);
        gasUsed = start - gasleft();
    }

    /// @dev Gas of `isGroupMember` alone.
    function gasOfIsGroupMember(
        address restriction,
        address account
    ) external view returns (bool member, uint256 gasUsed) {
        uint256 start = gasleft();
        member = Signatures.isGroupMember(restriction, account);
        gasUsed = start - gasleft();
    }
}
