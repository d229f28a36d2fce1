// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Assets} from "../libs/Assets.sol";
import {Domain} from "../libs/Domain.sol";
import {OrderHashing} from "../libs/OrderHashing.sol";
import {Signatures} from "../libs/Signatures.sol";
import {IOrderManagement} from "../../interfaces/hub/IOrderManagement.sol";
import {Orders} from "../../types/Orders.sol";

/// @title Presigning, closing and broadcasting orders
contract OrderManagementFacet is IOrderManagement, Facet {
    /// @inheritdoc IOrderManagement
    function manageAppOrder(Orders.AppOrderOperation calldata operation) external {
        bytes32 separator = Domain.separator();
        bytes32 orderHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(operation.order));
        bytes32 operationHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(operation));
        address owner = Assets.appOwner(operation.order.app);
        if (
            _manage(
                orderHash,
                owner,
                operationHash,
                operation.sign,
                operation.operation,
                operation.order.volume
            )
        ) {
            emit SignedAppOrder(orderHash);
        } else {
            emit ClosedAppOrder(orderHash);
        }
    }

    /// @inheritdoc IOrderManagement
    function manageDatasetOrder(Orders.DatasetOrderOperation calldata operation) external {
        bytes32 separator = Domain.separator();
        bytes32 orderHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(operation.order));
        bytes32 operationHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(operation));
        address owner = Assets.datasetOwner(operation.order.dataset);
        if (
            _manage(
                orderHash,
                owner,
                operationHash,
                operation.sign,
                operation.operation,
                operation.order.volume
            )
        ) {
            emit SignedDatasetOrder(orderHash);
        } else {
            emit ClosedDatasetOrder(orderHash);
        }
    }

    /// @inheritdoc IOrderManagement
    function manageWorkerpoolOrder(Orders.WorkerpoolOrderOperation calldata operation) external {
        bytes32 separator = Domain.separator();
        bytes32 orderHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(operation.order));
        bytes32 operationHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(operation));
        address owner = Assets.workerpoolOwner(operation.order.workerpool);
        if (
            _manage(
                orderHash,
                owner,
                operationHash,
                operation.sign,
                operation.operation,
                operation.order.volume
            )
        ) {
            emit SignedWorkerpoolOrder(orderHash);
        } else {
            emit ClosedWorkerpoolOrder(orderHash);
        }
    }

    /// @inheritdoc IOrderManagement
    function manageRequestOrder(Orders.RequestOrderOperation calldata operation) external {
        bytes32 separator = Domain.separator();
        bytes32 orderHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(operation.order));
        bytes32 operationHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(operation));
        address owner = operation.order.requester;
        if (
            _manage(
                orderHash,
                owner,
                operationHash,
                operation.sign,
                operation.operation,
                operation.order.volume
            )
        ) {
            emit SignedRequestOrder(orderHash);
        } else {
            emit ClosedRequestOrder(orderHash);
        }
    }

    /// @inheritdoc IOrderManagement
    function broadcastAppOrder(Orders.AppOrder calldata order) external {
        emit BroadcastAppOrder(order);
    }

    /// @inheritdoc IOrderManagement
    function broadcastDatasetOrder(Orders.DatasetOrder calldata order) external {
        emit BroadcastDatasetOrder(order);
    }

    /// @inheritdoc IOrderManagement
    function broadcastWorkerpoolOrder(Orders.WorkerpoolOrder calldata order) external {
        emit BroadcastWorkerpoolOrder(order);
    }

    /// @inheritdoc IOrderManagement
    function broadcastRequestOrder(Orders.RequestOrder calldata order) external {
        emit BroadcastRequestOrder(order);
    }

    /// @inheritdoc IOrderManagement
    function viewPresigned(bytes32 orderHash) external view returns (address) {
        return HubStorage.layout().presigned[orderHash];
    }

    /// @inheritdoc IOrderManagement
    function viewConsumed(bytes32 orderHash) external view returns (uint256) {
        return HubStorage.layout().consumed[orderHash];
    }

    /// @dev Authorizes, then applies, an operation on `orderHash`. The owner acts itself, or someone relays
    /// the owner's signature of the operation; a zero owner (a request naming no requester) never passes.
    /// SIGN presigns the order for `owner`; CLOSE consumes its whole `volume`. Returns true for SIGN.
    function _manage(
        bytes32 orderHash,
        address owner,
        bytes32 operationHash,
        bytes calldata sign,
        Orders.OrderOperationEnum operation,
        uint256 volume
    ) private returns (bool signed) {
        if (owner == address(0) || (msg.sender != owner && !Signatures.isValid(owner, operationHash, sign))) {
            revert OperationNotAuthorized(orderHash, owner, msg.sender);
        }
        HubStorage.Layout storage $ = HubStorage.layout();
        if (operation == Orders.OrderOperationEnum.SIGN) {
            $.presigned[orderHash] = owner;
            return true;
        }
        $.consumed[orderHash] = volume;
        return false;
    }
}
