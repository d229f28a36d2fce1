// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Orders} from "../types/Orders.sol";
import {OrderHashing} from "../hub/libs/OrderHashing.sol";

/// @dev Test-only: exposes the `OrderHashing` hashes, their gas, and plain `abi.encode` versions of the order
/// hashes that serve both as a second oracle and as the gas baseline the assembly is measured against.
contract OrdersHarness {
    /// @notice The EIP-712 type strings and typehashes of the library, orders first, then operations.
    /// @return typeStrings app, dataset, workerpool, request, then the four operation types.
    /// @return typehashes The matching `..._TYPEHASH` constants.
    function types() external pure returns (string[8] memory typeStrings, bytes32[8] memory typehashes) {
        typeStrings = [
            OrderHashing.APP_ORDER_TYPE,
            OrderHashing.DATASET_ORDER_TYPE,
            OrderHashing.WORKERPOOL_ORDER_TYPE,
            OrderHashing.REQUEST_ORDER_TYPE,
            OrderHashing.APP_ORDER_OPERATION_TYPE,
            OrderHashing.DATASET_ORDER_OPERATION_TYPE,
            OrderHashing.WORKERPOOL_ORDER_OPERATION_TYPE,
            OrderHashing.REQUEST_ORDER_OPERATION_TYPE
        ];
        typehashes = [
            OrderHashing.APP_ORDER_TYPEHASH,
            OrderHashing.DATASET_ORDER_TYPEHASH,
            OrderHashing.WORKERPOOL_ORDER_TYPEHASH,
            OrderHashing.REQUEST_ORDER_TYPEHASH,
            OrderHashing.APP_ORDER_OPERATION_TYPEHASH,
            OrderHashing.DATASET_ORDER_OPERATION_TYPEHASH,
            OrderHashing.WORKERPOOL_ORDER_OPERATION_TYPEHASH,
            OrderHashing.REQUEST_ORDER_OPERATION_TYPEHASH
        ];
    }

    /// @notice `OrderHashing.toTypedDataHash`.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param structHash The struct hash.
    /// @return digest The EIP-712 digest.
    function toTypedDataHash(
        bytes32 domainSeparator,
        bytes32 structHash
    ) external pure returns (bytes32 digest) {
        return OrderHashing.toTypedDataHash(domainSeparator, structHash);
    }

    // ---------------------------------------------------------------- struct hashes

    /// @notice `OrderHashing.hash` of an app order.
    /// @param order The order.
    /// @return The struct hash.
    function hashAppOrder(Orders.AppOrder calldata order) external pure returns (bytes32) {
        return OrderHashing.hash(order);
    }

    /// @notice `OrderHashing.hash` of a dataset order.
    /// @param order The order.
    /// @return The struct hash.
    function hashDatasetOrder(Orders.DatasetOrder calldata order) external pure returns (bytes32) {
        return OrderHashing.hash(order);
    }

    /// @notice `OrderHashing.hash` of a workerpool order.
    /// @param order The order.
    /// @return The struct hash.
    function hashWorkerpoolOrder(Orders.WorkerpoolOrder calldata order) external pure returns (bytes32) {
        return OrderHashing.hash(order);
    }

    /// @notice `OrderHashing.hash` of a request order.
    /// @param order The order.
    /// @return The struct hash.
    function hashRequestOrder(Orders.RequestOrder calldata order) external pure returns (bytes32) {
        return OrderHashing.hash(order);
    }

    /// @notice `OrderHashing.hash` of an app order operation.
    /// @param operation The operation.
    /// @return The struct hash.
    function hashAppOrderOperation(
        Orders.AppOrderOperation calldata operation
    ) external pure returns (bytes32) {
        return OrderHashing.hash(operation);
    }

    /// @notice `OrderHashing.hash` of a dataset order operation.
    /// @param operation The operation.
    /// @return The struct hash.
    function hashDatasetOrderOperation(
        Orders.DatasetOrderOperation calldata operation
    ) external pure returns (bytes32) {
        return OrderHashing.hash(operation);
    }

    /// @notice `OrderHashing.hash` of a workerpool order operation.
    /// @param operation The operation.
    /// @return The struct hash.
    function hashWorkerpoolOrderOperation(
        Orders.WorkerpoolOrderOperation calldata operation
    ) external pure returns (bytes32) {
        return OrderHashing.hash(operation);
    }

    /// @notice `OrderHashing.hash` of a request order operation.
    /// @param operation The operation.
    /// @return The struct hash.
    function hashRequestOrderOperation(
        Orders.RequestOrderOperation calldata operation
    ) external pure returns (bytes32) {
        return OrderHashing.hash(operation);
    }

    // ---------------------------------------------------------------- typed-data hashes

    /// @notice EIP-712 digest of an app order.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param order The order.
    /// @return The digest.
    function typedHashAppOrder(
        bytes32 domainSeparator,
        Orders.AppOrder calldata order
    ) external pure returns (bytes32) {
        return OrderHashing.toTypedDataHash(domainSeparator, OrderHashing.hash(order));
    }

    /// @notice EIP-712 digest of a dataset order.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param order The order.
    /// @return The digest.
    function typedHashDatasetOrder(
        bytes32 domainSeparator,
        Orders.DatasetOrder calldata order
    ) external pure returns (bytes32) {
        return OrderHashing.toTypedDataHash(domainSeparator, OrderHashing.hash(order));
    }

    /// @notice EIP-712 digest of a workerpool order.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param order The order.
    /// @return The digest.
    function typedHashWorkerpoolOrder(
        bytes32 domainSeparator,
        Orders.WorkerpoolOrder calldata order
    ) external pure returns (bytes32) {
        return OrderHashing.toTypedDataHash(domainSeparator, OrderHashing.hash(order));
    }

    /// @notice EIP-712 digest of a request order.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param order The order.
    /// @return The digest.
    function typedHashRequestOrder(
        bytes32 domainSeparator,
        Orders.RequestOrder calldata order
    ) external pure returns (bytes32) {
        return OrderHashing.toTypedDataHash(domainSeparator, OrderHashing.hash(order));
    }

    /// @notice EIP-712 digest of an app order operation.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param operation The operation.
    /// @return The digest.
    function typedHashAppOrderOperation(
        bytes32 domainSeparator,
        Orders.AppOrderOperation calldata operation
    ) external pure returns (bytes32) {
        return OrderHashing.toTypedDataHash(domainSeparator, OrderHashing.hash(operation));
    }

    /// @notice EIP-712 digest of a dataset order operation.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param operation The operation.
    /// @return The digest.
    function typedHashDatasetOrderOperation(
        bytes32 domainSeparator,
        Orders.DatasetOrderOperation calldata operation
    ) external pure returns (bytes32) {
        return OrderHashing.toTypedDataHash(domainSeparator, OrderHashing.hash(operation));
    }

    /// @notice EIP-712 digest of a workerpool order operation.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param operation The operation.
    /// @return The digest.
    function typedHashWorkerpoolOrderOperation(
        bytes32 domainSeparator,
        Orders.WorkerpoolOrderOperation calldata operation
    ) external pure returns (bytes32) {
        return OrderHashing.toTypedDataHash(domainSeparator, OrderHashing.hash(operation));
    }

    /// @notice EIP-712 digest of a request order operation.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param operation The operation.
    /// @return The digest.
    function typedHashRequestOrderOperation(
        bytes32 domainSeparator,
        Orders.RequestOrderOperation calldata operation
    ) external pure returns (bytes32) {
        return OrderHashing.toTypedDataHash(domainSeparator, OrderHashing.hash(operation));
    }

    // ---------------------------------------------------------------- gas of the library functions

    /// @notice Gas of `OrderHashing.hash` on an app order, measured around the internal call.
    /// @param order The order.
    /// @return structHash The struct hash, returned so the optimizer keeps the computation.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function gasAppOrder(
        Orders.AppOrder calldata order
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = OrderHashing.hash(order);
        gasUsed -= gasleft();
    }

    /// @notice Gas of `OrderHashing.hash` on a dataset order.
    /// @param order The order.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function gasDatasetOrder(
        Orders.DatasetOrder calldata order
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = OrderHashing.hash(order);
        gasUsed -= gasleft();
    }

    /// @notice Gas of `OrderHashing.hash` on a workerpool order.
    /// @param order The order.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function gasWorkerpoolOrder(
        Orders.WorkerpoolOrder calldata order
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = OrderHashing.hash(order);
        gasUsed -= gasleft();
    }

    /// @notice Gas of `OrderHashing.hash` on a request order.
    /// @param order The order.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function gasRequestOrder(
        Orders.RequestOrder calldata order
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = OrderHashing.hash(order);
        gasUsed -= gasleft();
    }

    /// @notice Gas of `OrderHashing.hash` on an app order operation.
    /// @param operation The operation.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function gasAppOrderOperation(
        Orders.AppOrderOperation calldata operation
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = OrderHashing.hash(operation);
        gasUsed -= gasleft();
    }

    /// @notice Gas of `OrderHashing.hash` on a dataset order operation.
    /// @param operation The operation.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function gasDatasetOrderOperation(
        Orders.DatasetOrderOperation calldata operation
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = OrderHashing.hash(operation);
        gasUsed -= gasleft();
    }

    /// @notice Gas of `OrderHashing.hash` on a workerpool order operation.
    /// @param operation The operation.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function gasWorkerpoolOrderOperation(
        Orders.WorkerpoolOrderOperation calldata operation
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = OrderHashing.hash(operation);
        gasUsed -= gasleft();
    }

    /// @notice Gas of `OrderHashing.hash` on a request order operation.
    /// @param operation The operation.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function gasRequestOrderOperation(
        Orders.RequestOrderOperation calldata operation
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = OrderHashing.hash(operation);
        gasUsed -= gasleft();
    }

    /// @notice Gas of `OrderHashing.toTypedDataHash`.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param structHash The struct hash.
    /// @return digest The digest.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function gasToTypedDataHash(
        bytes32 domainSeparator,
        bytes32 structHash
    ) external view returns (bytes32 digest, uint256 gasUsed) {
        gasUsed = gasleft();
        digest = OrderHashing.toTypedDataHash(domainSeparator, structHash);
        gasUsed -= gasleft();
    }

    // ---------------------------------------------------------------- plain abi.encode baseline

    /// @notice App order struct hash computed with `abi.encode`, and its gas.
    /// @param order The order.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function plainAppOrder(
        Orders.AppOrder calldata order
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = keccak256(
            abi.encode(
                OrderHashing.APP_ORDER_TYPEHASH,
                order.app,
                order.appprice,
                order.volume,
                order.tag,
                order.datasetrestrict,
                order.workerpoolrestrict,
                order.requesterrestrict,
                order.salt
            )
        );
        gasUsed -= gasleft();
    }

    /// @notice Dataset order struct hash computed with `abi.encode`, and its gas.
    /// @param order The order.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function plainDatasetOrder(
        Orders.DatasetOrder calldata order
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = keccak256(
            abi.encode(
                OrderHashing.DATASET_ORDER_TYPEHASH,
                order.dataset,
                order.datasetprice,
                order.volume,
                order.tag,
                order.apprestrict,
                order.workerpoolrestrict,
                order.requesterrestrict,
                order.salt
            )
        );
        gasUsed -= gasleft();
    }

    /// @notice Workerpool order struct hash computed with `abi.encode`, and its gas.
    /// @param order The order.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function plainWorkerpoolOrder(
        Orders.WorkerpoolOrder calldata order
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        structHash = keccak256(
            abi.encode(
                OrderHashing.WORKERPOOL_ORDER_TYPEHASH,
                order.workerpool,
                order.workerpoolprice,
                order.volume,
                order.tag,
                order.category,
                order.trust,
                order.apprestrict,
                order.datasetrestrict,
                order.requesterrestrict,
                order.salt
            )
        );
        gasUsed -= gasleft();
    }

    /// @notice Request order struct hash computed with `abi.encode`, and its gas.
    /// @dev Encoded in two halves: sixteen values in one `abi.encode` do not fit the stack without via-IR.
    /// @param order The order.
    /// @return structHash The struct hash.
    /// @return gasUsed Gas spent between the two `gasleft()` reads.
    function plainRequestOrder(
        Orders.RequestOrder calldata order
    ) external view returns (bytes32 structHash, uint256 gasUsed) {
        gasUsed = gasleft();
        bytes memory head = abi.encode(
            OrderHashing.REQUEST_ORDER_TYPEHASH,
            order.app,
            order.appmaxprice,
            order.dataset,
            order.datasetmaxprice,
            order.workerpool,
            order.workerpoolmaxprice,
            order.requester
        );
        bytes memory tail = abi.encode(
            order.volume,
            order.tag,
            order.category,
            order.trust,
            order.beneficiary,
            order.callback,
            keccak256(bytes(order.params)),
            order.salt
        );
        structHash = keccak256(bytes.concat(head, tail));
        gasUsed -= gasleft();
    }
}
