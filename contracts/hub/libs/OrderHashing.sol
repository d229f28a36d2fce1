// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Orders} from "../../types/Orders.sol";
// The offsets are used in assembly only, where solhint does not see them.
// solhint-disable no-unused-import
import {
    APP_ORDER_APP,
    APP_ORDER_DATASETRESTRICT,
    APP_ORDER_WORKERPOOLRESTRICT,
    APP_ORDER_REQUESTERRESTRICT,
    APP_ORDER_HASHED_SIZE,
    APP_ORDER_HEAD_SIZE,
    DATASET_ORDER_DATASET,
    DATASET_ORDER_APPRESTRICT,
    DATASET_ORDER_WORKERPOOLRESTRICT,
    DATASET_ORDER_REQUESTERRESTRICT,
    DATASET_ORDER_HASHED_SIZE,
    DATASET_ORDER_HEAD_SIZE,
    WORKERPOOL_ORDER_WORKERPOOL,
    WORKERPOOL_ORDER_APPRESTRICT,
    WORKERPOOL_ORDER_DATASETRESTRICT,
    WORKERPOOL_ORDER_REQUESTERRESTRICT,
    WORKERPOOL_ORDER_HASHED_SIZE,
    WORKERPOOL_ORDER_HEAD_SIZE,
    REQUEST_ORDER_APP,
    REQUEST_ORDER_DATASET,
    REQUEST_ORDER_WORKERPOOL,
    REQUEST_ORDER_REQUESTER,
    REQUEST_ORDER_BENEFICIARY,
    REQUEST_ORDER_CALLBACK,
    REQUEST_ORDER_PARAMS,
    REQUEST_ORDER_HASHED_SIZE,
    REQUEST_ORDER_HEAD_SIZE,
    OPERATION_ORDER,
    OPERATION_OPERATION
} from "../../types/Orders.sol";
// solhint-enable no-unused-import

/// @title EIP-712 hashes of the orders of the PoCo marketplace
/// @dev The orders are declared in `types/Orders.sol`, with the calldata offsets of their fields used here.
///
/// Hashing works directly on calldata. A calldata struct that holds a dynamic field is ABI-encoded as a head
/// of 32-byte words, one per field in declaration order; a static field is its own word, a dynamic field a
/// word holding the offset of its tail from the start of the struct. EIP-712 `encodeData` is the same list
/// of words with every dynamic field replaced by the keccak256 of its content and `sign` dropped. So each
/// struct hash copies the head words it needs in one `calldatacopy` right after the typehash, swaps in the
/// hash of the only hashed dynamic field (`params`, request orders only) and hashes the buffer once. The
/// buffer is built past the free memory pointer, which is left untouched, so no memory is allocated.
///
/// An operation's head is three words: the offset of its order from the start of the operation, the
/// operation (uint8 in the ABI, uint256 in EIP-712) and the offset of its `sign`.
///
/// Offsets are read in assembly rather than through the compiler's member access (which costs about 120 gas
/// each), so they get the compiler's checks here: a tail must lie inside the calldata. An address word with
/// any of its upper 96 bits set, and an operation other than 0 or 1, revert with empty data too, as the ABI
/// decoder does when such a field is read: a dirty word must never give the same signed order a second
/// hash, hence a second `consumed` counter.
library OrderHashing {
    // Typehashes are written out: solc leaves keccak256 of inputs this long to run time (measured: about
    // 160 gas per hash). Each sits beside its type string; test/orders/hashing.test.ts checks the pair and the string
    // against ethers' EIP-712 encodeType.

    string internal constant APP_ORDER_TYPE =
        "AppOrder(address app,uint256 appprice,uint256 volume,bytes32 tag,address datasetrestrict,"
        "address workerpoolrestrict,address requesterrestrict,bytes32 salt)";
    /// @dev keccak256(bytes(APP_ORDER_TYPE))
    bytes32 internal constant APP_ORDER_TYPEHASH =
        0x60815a0eeec47dddf1615fe53b31d016c31444e01b9d796db365443a6445d008;

    string internal constant DATASET_ORDER_TYPE =
        "DatasetOrder(address dataset,uint256 datasetprice,uint256 volume,bytes32 tag,address apprestrict,"
        "address workerpoolrestrict,address requesterrestrict,bytes32 salt)";
    /// @dev keccak256(bytes(DATASET_ORDER_TYPE))
    bytes32 internal constant DATASET_ORDER_TYPEHASH =
        0x6cfc932a5a3d22c4359295b9f433edff52b60703fa47690a04a83e40933dd47c;

    string internal constant WORKERPOOL_ORDER_TYPE =
        "WorkerpoolOrder(address workerpool,uint256 workerpoolprice,uint256 volume,bytes32 tag,uint256 category,"
        "uint256 trust,address apprestrict,address datasetrestrict,address requesterrestrict,bytes32 salt)";
    /// @dev keccak256(bytes(WORKERPOOL_ORDER_TYPE))
    bytes32 internal constant WORKERPOOL_ORDER_TYPEHASH =
        0xaa3429fb281b34691803133d3d978a75bb77c617ed6bc9aa162b9b30920022bb;

    string internal constant REQUEST_ORDER_TYPE =
        "RequestOrder(address app,uint256 appmaxprice,address dataset,uint256 datasetmaxprice,"
        "address workerpool,uint256 workerpoolmaxprice,address requester,uint256 volume,bytes32 tag,"
        "uint256 category,uint256 trust,address beneficiary,address callback,string params,bytes32 salt)";
    /// @dev keccak256(bytes(REQUEST_ORDER_TYPE))
    bytes32 internal constant REQUEST_ORDER_TYPEHASH =
        0xf24e853034a3a450aba845a82914fbb564ad85accca6cf62be112a154520fae0;

    // EIP-712 encodeType: the primary type, then every referenced type (here the single order type).
    string internal constant APP_ORDER_OPERATION_TYPE =
        "AppOrderOperation(AppOrder order,uint256 operation)"
        "AppOrder(address app,uint256 appprice,uint256 volume,bytes32 tag,address datasetrestrict,"
        "address workerpoolrestrict,address requesterrestrict,bytes32 salt)";
    /// @dev keccak256(bytes(APP_ORDER_OPERATION_TYPE))
    bytes32 internal constant APP_ORDER_OPERATION_TYPEHASH =
        0x0638bb0702457e2b4b01be8a202579b8bf97e587fb4f2cc4d4aad01f21a06ee0;

    string internal constant DATASET_ORDER_OPERATION_TYPE =
        "DatasetOrderOperation(DatasetOrder order,uint256 operation)"
        "DatasetOrder(address dataset,uint256 datasetprice,uint256 volume,bytes32 tag,address apprestrict,"
        "address workerpoolrestrict,address requesterrestrict,bytes32 salt)";
    /// @dev keccak256(bytes(DATASET_ORDER_OPERATION_TYPE))
    bytes32 internal constant DATASET_ORDER_OPERATION_TYPEHASH =
        0x075eb6f7578ff4292c241bd2484cd5c1d5e6ecc2ddd3317e1d8176b5a45865ec;

    string internal constant WORKERPOOL_ORDER_OPERATION_TYPE =
        "WorkerpoolOrderOperation(WorkerpoolOrder order,uint256 operation)"
        "WorkerpoolOrder(address workerpool,uint256 workerpoolprice,uint256 volume,bytes32 tag,uint256 category,"
        "uint256 trust,address apprestrict,address datasetrestrict,address requesterrestrict,bytes32 salt)";
    /// @dev keccak256(bytes(WORKERPOOL_ORDER_OPERATION_TYPE))
    bytes32 internal constant WORKERPOOL_ORDER_OPERATION_TYPEHASH =
        0x322d980b7d7a6a1f7c39ff0c5445da6ae1d8e0393ff0dd468c8be3e2c8644388;

    string internal constant REQUEST_ORDER_OPERATION_TYPE =
        "RequestOrderOperation(RequestOrder order,uint256 operation)"
        "RequestOrder(address app,uint256 appmaxprice,address dataset,uint256 datasetmaxprice,"
        "address workerpool,uint256 workerpoolmaxprice,address requester,uint256 volume,bytes32 tag,"
        "uint256 category,uint256 trust,address beneficiary,address callback,string params,bytes32 salt)";
    /// @dev keccak256(bytes(REQUEST_ORDER_OPERATION_TYPE))
    bytes32 internal constant REQUEST_ORDER_OPERATION_TYPEHASH =
        0x0ded7b52c2d77595a40d242eca751df172b18e686326dbbed3f4748828af77c7;

    /// @notice EIP-712 struct hash of an app order.
    /// @dev Head words 0-7 (app .. salt) are all static and hashed as is; word 8 (`sign` offset) is dropped.
    /// Address words: 0 app, 4 datasetrestrict, 5 workerpoolrestrict, 6 requesterrestrict.
    /// @param order The order, signature ignored.
    /// @return structHash keccak256(APP_ORDER_TYPEHASH ‖ words 0-7).
    function hash(Orders.AppOrder calldata order) internal pure returns (bytes32 structHash) {
        bytes32 typehash = APP_ORDER_TYPEHASH;
        assembly ("memory-safe") {
            let high := or(
                calldataload(add(order, APP_ORDER_APP)),
                calldataload(add(order, APP_ORDER_DATASETRESTRICT))
            )
            high := or(
                high,
                or(
                    calldataload(add(order, APP_ORDER_WORKERPOOLRESTRICT)),
                    calldataload(add(order, APP_ORDER_REQUESTERRESTRICT))
                )
            )
            if shr(160, high) {
                revert(0, 0)
            }
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), order, APP_ORDER_HASHED_SIZE)
            structHash := keccak256(ptr, add(0x20, APP_ORDER_HASHED_SIZE))
        }
    }

    /// @notice EIP-712 struct hash of a dataset order.
    /// @dev Same layout as an app order: words 0-7 hashed as is, word 8 (`sign` offset) dropped.
    /// Address words: 0 dataset, 4 apprestrict, 5 workerpoolrestrict, 6 requesterrestrict.
    /// @param order The order, signature ignored.
    /// @return structHash keccak256(DATASET_ORDER_TYPEHASH ‖ words 0-7).
    function hash(Orders.DatasetOrder calldata order) internal pure returns (bytes32 structHash) {
        bytes32 typehash = DATASET_ORDER_TYPEHASH;
        assembly ("memory-safe") {
            let high := or(
                calldataload(add(order, DATASET_ORDER_DATASET)),
                calldataload(add(order, DATASET_ORDER_APPRESTRICT))
            )
            high := or(
                high,
                or(
                    calldataload(add(order, DATASET_ORDER_WORKERPOOLRESTRICT)),
                    calldataload(add(order, DATASET_ORDER_REQUESTERRESTRICT))
                )
            )
            if shr(160, high) {
                revert(0, 0)
            }
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), order, DATASET_ORDER_HASHED_SIZE)
            structHash := keccak256(ptr, add(0x20, DATASET_ORDER_HASHED_SIZE))
        }
    }

    /// @notice EIP-712 struct hash of a workerpool order.
    /// @dev Words 0-9 (workerpool .. salt) are all static and hashed as is; word 10 (`sign` offset) is dropped.
    /// Address words: 0 workerpool, 6 apprestrict, 7 datasetrestrict, 8 requesterrestrict.
    /// @param order The order, signature ignored.
    /// @return structHash keccak256(WORKERPOOL_ORDER_TYPEHASH ‖ words 0-9).
    function hash(Orders.WorkerpoolOrder calldata order) internal pure returns (bytes32 structHash) {
        bytes32 typehash = WORKERPOOL_ORDER_TYPEHASH;
        assembly ("memory-safe") {
            let high := or(
                calldataload(add(order, WORKERPOOL_ORDER_WORKERPOOL)),
                calldataload(add(order, WORKERPOOL_ORDER_APPRESTRICT))
            )
            high := or(
                high,
                or(
                    calldataload(add(order, WORKERPOOL_ORDER_DATASETRESTRICT)),
                    calldataload(add(order, WORKERPOOL_ORDER_REQUESTERRESTRICT))
                )
            )
            if shr(160, high) {
                revert(0, 0)
            }
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), order, WORKERPOOL_ORDER_HASHED_SIZE)
            structHash := keccak256(ptr, add(0x20, WORKERPOOL_ORDER_HASHED_SIZE))
        }
    }

    /// @notice EIP-712 struct hash of a request order.
    /// @dev Words 0-12 (app .. callback) are static, word 13 is the `params` offset, word 14 the salt and
    /// word 15 (`sign` offset) is dropped. Words 0-14 are copied, then word 13 is overwritten with
    /// keccak256(params). `params` is first hashed in the same buffer, which it may outgrow.
    /// Address words: 0 app, 2 dataset, 4 workerpool, 6 requester, 11 beneficiary, 12 callback.
    /// @param order The order, signature ignored.
    /// @return structHash keccak256(REQUEST_ORDER_TYPEHASH ‖ words 0-12 ‖ keccak256(params) ‖ salt).
    function hash(Orders.RequestOrder calldata order) internal pure returns (bytes32 structHash) {
        bytes32 typehash = REQUEST_ORDER_TYPEHASH;
        assembly ("memory-safe") {
            let high := or(
                calldataload(add(order, REQUEST_ORDER_APP)),
                calldataload(add(order, REQUEST_ORDER_DATASET))
            )
            high := or(
                high,
                or(
                    calldataload(add(order, REQUEST_ORDER_WORKERPOOL)),
                    calldataload(add(order, REQUEST_ORDER_REQUESTER))
                )
            )
            high := or(
                high,
                or(
                    calldataload(add(order, REQUEST_ORDER_BENEFICIARY)),
                    calldataload(add(order, REQUEST_ORDER_CALLBACK))
                )
            )
            // Word 13 is the offset of `params` (length word, then bytes) from the start of the order. Both
            // it and the length are bounded, as the compiler would, so that the sums below cannot overflow.
            let paramsRel := calldataload(add(order, REQUEST_ORDER_PARAMS))
            let paramsAt := add(add(order, paramsRel), 0x20)
            let paramsLength := calldataload(sub(paramsAt, 0x20))
            if or(
                or(shr(160, high), gt(add(paramsAt, paramsLength), calldatasize())),
                or(gt(paramsRel, 0xffffffffffffffff), gt(paramsLength, 0xffffffffffffffff))
            ) {
                revert(0, 0)
            }
            let ptr := mload(0x40)
            calldatacopy(ptr, paramsAt, paramsLength)
            let paramsHash := keccak256(ptr, paramsLength)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), order, REQUEST_ORDER_HASHED_SIZE)
            mstore(add(ptr, add(0x20, REQUEST_ORDER_PARAMS)), paramsHash)
            structHash := keccak256(ptr, add(0x20, REQUEST_ORDER_HASHED_SIZE))
        }
    }

    /// @notice EIP-712 struct hash of an app order operation.
    /// @param operation The operation; its `sign` and the order's are ignored.
    /// @return structHash keccak256(APP_ORDER_OPERATION_TYPEHASH ‖ hash(order) ‖ operation).
    function hash(Orders.AppOrderOperation calldata operation) internal pure returns (bytes32 structHash) {
        uint256 operationAt;
        assembly ("memory-safe") {
            operationAt := operation
        }
        (uint256 orderAt, uint256 op) = _splitOperation(operationAt, APP_ORDER_HEAD_SIZE);
        Orders.AppOrder calldata order;
        assembly ("memory-safe") {
            order := orderAt
        }
        return _hashOperation(APP_ORDER_OPERATION_TYPEHASH, hash(order), op);
    }

    /// @notice EIP-712 struct hash of a dataset order operation.
    /// @param operation The operation; its `sign` and the order's are ignored.
    /// @return structHash keccak256(DATASET_ORDER_OPERATION_TYPEHASH ‖ hash(order) ‖ operation).
    function hash(
        Orders.DatasetOrderOperation calldata operation
    ) internal pure returns (bytes32 structHash) {
        uint256 operationAt;
        assembly ("memory-safe") {
            operationAt := operation
        }
        (uint256 orderAt, uint256 op) = _splitOperation(operationAt, DATASET_ORDER_HEAD_SIZE);
        Orders.DatasetOrder calldata order;
        assembly ("memory-safe") {
            order := orderAt
        }
        return _hashOperation(DATASET_ORDER_OPERATION_TYPEHASH, hash(order), op);
    }

    /// @notice EIP-712 struct hash of a workerpool order operation.
    /// @param operation The operation; its `sign` and the order's are ignored.
    /// @return structHash keccak256(WORKERPOOL_ORDER_OPERATION_TYPEHASH ‖ hash(order) ‖ operation).
    function hash(
        Orders.WorkerpoolOrderOperation calldata operation
    ) internal pure returns (bytes32 structHash) {
        uint256 operationAt;
        assembly ("memory-safe") {
            operationAt := operation
        }
        (uint256 orderAt, uint256 op) = _splitOperation(operationAt, WORKERPOOL_ORDER_HEAD_SIZE);
        Orders.WorkerpoolOrder calldata order;
        assembly ("memory-safe") {
            order := orderAt
        }
        return _hashOperation(WORKERPOOL_ORDER_OPERATION_TYPEHASH, hash(order), op);
    }

    /// @notice EIP-712 struct hash of a request order operation.
    /// @param operation The operation; its `sign` and the order's are ignored.
    /// @return structHash keccak256(REQUEST_ORDER_OPERATION_TYPEHASH ‖ hash(order) ‖ operation).
    function hash(
        Orders.RequestOrderOperation calldata operation
    ) internal pure returns (bytes32 structHash) {
        uint256 operationAt;
        assembly ("memory-safe") {
            operationAt := operation
        }
        (uint256 orderAt, uint256 op) = _splitOperation(operationAt, REQUEST_ORDER_HEAD_SIZE);
        Orders.RequestOrder calldata order;
        assembly ("memory-safe") {
            order := orderAt
        }
        return _hashOperation(REQUEST_ORDER_OPERATION_TYPEHASH, hash(order), op);
    }

    /// @dev Reads an operation's head (order offset, operation, `sign` offset) at calldata offset
    /// `operation`. Reverts when the order's static head (`orderHeadSize` bytes) would lie outside the
    /// calldata or the operation is neither SIGN nor CLOSE, as the ABI decoder would.
    function _splitOperation(
        uint256 operation,
        uint256 orderHeadSize
    ) private pure returns (uint256 orderAt, uint256 op) {
        assembly ("memory-safe") {
            let orderRel := calldataload(add(operation, OPERATION_ORDER))
            orderAt := add(operation, orderRel)
            op := calldataload(add(operation, OPERATION_OPERATION))
            if or(
                or(gt(orderRel, 0xffffffffffffffff), gt(add(orderAt, orderHeadSize), calldatasize())),
                gt(op, 1)
            ) {
                revert(0, 0)
            }
        }
    }

    /// @notice EIP-712 digest of a struct hash: keccak256("\x19\x01" ‖ domainSeparator ‖ structHash).
    /// @param domainSeparator The hub's EIP-712 domain separator.
    /// @param structHash One of the struct hashes above.
    /// @return digest The hash that gets signed, and the order's identifier on chain.
    function toTypedDataHash(
        bytes32 domainSeparator,
        bytes32 structHash
    ) internal pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            // Each store overwrites only the zero padding the previous one left after its first bytes.
            let ptr := mload(0x40)
            mstore(ptr, shl(240, 0x1901))
            mstore(add(ptr, 0x02), domainSeparator)
            mstore(add(ptr, 0x22), structHash)
            digest := keccak256(ptr, 0x42)
        }
    }

    /// @dev keccak256(typehash ‖ orderHash ‖ operation).
    function _hashOperation(
        bytes32 typehash,
        bytes32 orderHash,
        uint256 operation
    ) private pure returns (bytes32 structHash) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            mstore(add(ptr, 0x20), orderHash)
            mstore(add(ptr, 0x40), operation)
            structHash := keccak256(ptr, 0x60)
        }
    }
}
