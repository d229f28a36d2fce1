// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {Signatures} from "../libs/Signatures.sol";
import {ISignatures} from "../../interfaces/hub/ISignatures.sol";

/// @title Signature checks of the hub, for clients that want to check an order before matching it
/// @dev The same library code runs inside `matchOrders`, so these views answer exactly as matching would.
contract SignatureFacet is ISignatures, Facet {
    /// @inheritdoc ISignatures
    function verifySignature(
        address identity,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool) {
        return Signatures.isValid(identity, hash, signature);
    }

    /// @inheritdoc ISignatures
    function verifyPresignature(address identity, bytes32 hash) external view returns (bool) {
        return Signatures.isPresigned(identity, hash);
    }

    /// @inheritdoc ISignatures
    function verifyPresignatureOrSignature(
        address identity,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool) {
        return Signatures.isPresignedOrValid(identity, hash, signature);
    }
}
