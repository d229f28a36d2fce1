// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The orders of the PoCo marketplace, as types only
/// @notice Interfaces, facets and the hashing library (`OrderHashing`) import the orders from here, so that a type
/// does not drag an implementation along with it.
/// @dev The structs live in a library named `Orders` so that the hub's ABI keeps calling them
/// `struct Orders.AppOrder` and so on, as it always has. Field order is part of the hub's ABI (function selectors)
/// and must not change. The trailing `sign` of every struct carries the signature and is never hashed.
library Orders {
    struct AppOrder {
        address app;
        uint256 appprice;
        uint256 volume;
        bytes32 tag;
        address datasetrestrict;
        address workerpoolrestrict;
        address requesterrestrict;
        bytes32 salt;
        bytes sign;
    }

    struct DatasetOrder {
        address dataset;
        uint256 datasetprice;
        uint256 volume;
        bytes32 tag;
        address apprestrict;
        address workerpoolrestrict;
        address requesterrestrict;
        bytes32 salt;
        bytes sign;
    }

    struct WorkerpoolOrder {
        address workerpool;
        uint256 workerpoolprice;
        uint256 volume;
        bytes32 tag;
        uint256 category;
        uint256 trust;
        address apprestrict;
        address datasetrestrict;
        address requesterrestrict;
        bytes32 salt;
        bytes sign;
    }

    struct RequestOrder {
        address app;
        uint256 appmaxprice;
        address dataset;
        uint256 datasetmaxprice;
        address workerpool;
        uint256 workerpoolmaxprice;
        address requester;
        uint256 volume;
        bytes32 tag;
        uint256 category;
        uint256 trust;
        address beneficiary;
        address callback;
        string params;
        bytes32 salt;
        bytes sign;
    }

    /// @dev SIGN presigns an order on chain, CLOSE cancels it. Encoded as uint8 in the ABI and as uint256 in
    /// the EIP-712 operation types.
    enum OrderOperationEnum {
        SIGN,
        CLOSE
    }

    struct AppOrderOperation {
        AppOrder order;
        OrderOperationEnum operation;
        bytes sign;
    }

    struct DatasetOrderOperation {
        DatasetOrder order;
        OrderOperationEnum operation;
        bytes sign;
    }

    struct WorkerpoolOrderOperation {
        WorkerpoolOrder order;
        OrderOperationEnum operation;
        bytes sign;
    }

    struct RequestOrderOperation {
        RequestOrder order;
        OrderOperationEnum operation;
        bytes sign;
    }
}

// Calldata layout of the structs above, for the code that reads them in assembly (`OrderHashing`,
// `MatchingFacet`). A calldata struct that holds a dynamic field is ABI-encoded as a head of 32-byte words, one
// per field in declaration order: a static field is its own word, a dynamic field a word holding the offset of
// its tail from the start of the struct. Each constant below is the byte offset of a field's word from the start
// of the head; `..._HASHED_SIZE` is the length of the words EIP-712 hashes (every field but `sign`) and
// `..._HEAD_SIZE` the length of the whole head. Fields that no assembly reads have no constant.

// AppOrder: app, appprice, volume, tag, datasetrestrict, workerpoolrestrict, requesterrestrict, salt | sign.
uint256 constant APP_ORDER_APP = 0x00;
uint256 constant APP_ORDER_TAG = 0x60;
uint256 constant APP_ORDER_DATASETRESTRICT = 0x80;
uint256 constant APP_ORDER_WORKERPOOLRESTRICT = 0xa0;
uint256 constant APP_ORDER_REQUESTERRESTRICT = 0xc0;
uint256 constant APP_ORDER_HASHED_SIZE = 0x100;
uint256 constant APP_ORDER_HEAD_SIZE = 0x120;

// DatasetOrder: dataset, datasetprice, volume, tag, apprestrict, workerpoolrestrict, requesterrestrict, salt | sign.
uint256 constant DATASET_ORDER_DATASET = 0x00;
uint256 constant DATASET_ORDER_TAG = 0x60;
uint256 constant DATASET_ORDER_APPRESTRICT = 0x80;
uint256 constant DATASET_ORDER_WORKERPOOLRESTRICT = 0xa0;
uint256 constant DATASET_ORDER_REQUESTERRESTRICT = 0xc0;
uint256 constant DATASET_ORDER_HASHED_SIZE = 0x100;
uint256 constant DATASET_ORDER_HEAD_SIZE = 0x120;

// WorkerpoolOrder: workerpool, workerpoolprice, volume, tag, category, trust, apprestrict, datasetrestrict,
// requesterrestrict, salt | sign.
uint256 constant WORKERPOOL_ORDER_WORKERPOOL = 0x00;
uint256 constant WORKERPOOL_ORDER_TAG = 0x60;
uint256 constant WORKERPOOL_ORDER_CATEGORY = 0x80;
uint256 constant WORKERPOOL_ORDER_TRUST = 0xa0;
uint256 constant WORKERPOOL_ORDER_APPRESTRICT = 0xc0;
uint256 constant WORKERPOOL_ORDER_DATASETRESTRICT = 0xe0;
uint256 constant WORKERPOOL_ORDER_REQUESTERRESTRICT = 0x100;
uint256 constant WORKERPOOL_ORDER_HASHED_SIZE = 0x140;
uint256 constant WORKERPOOL_ORDER_HEAD_SIZE = 0x160;

// RequestOrder: app, appmaxprice, dataset, datasetmaxprice, workerpool, workerpoolmaxprice, requester, volume, tag,
// category, trust, beneficiary, callback, params (offset of its tail), salt | sign.
uint256 constant REQUEST_ORDER_APP = 0x00;
uint256 constant REQUEST_ORDER_DATASET = 0x40;
uint256 constant REQUEST_ORDER_WORKERPOOL = 0x80;
uint256 constant REQUEST_ORDER_REQUESTER = 0xc0;
uint256 constant REQUEST_ORDER_TAG = 0x100;
uint256 constant REQUEST_ORDER_CATEGORY = 0x120;
uint256 constant REQUEST_ORDER_TRUST = 0x140;
uint256 constant REQUEST_ORDER_BENEFICIARY = 0x160;
uint256 constant REQUEST_ORDER_CALLBACK = 0x180;
uint256 constant REQUEST_ORDER_PARAMS = 0x1a0;
uint256 constant REQUEST_ORDER_HASHED_SIZE = 0x1e0;
uint256 constant REQUEST_ORDER_HEAD_SIZE = 0x200;

// Any ...OrderOperation: order (offset of its tail), operation (uint8 in the ABI) | sign.
uint256 constant OPERATION_ORDER = 0x00;
uint256 constant OPERATION_OPERATION = 0x20;
