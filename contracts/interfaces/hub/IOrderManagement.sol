// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Orders} from "../../types/Orders.sol";

/// @title Order management: presigning and closing orders on chain, and broadcasting them
/// @notice An order is valid when its owner signed it (EIP-712) or presigned it here. Closing an
/// order marks its whole volume consumed, which cancels it for good.
interface IOrderManagement {
    /// @notice `asset` is not registered in `registry`.
    error AssetNotRegistered(address registry, address asset);
    /// @notice `sender` is neither `owner` nor carrying `owner`'s signature of the operation on `orderHash`.
    error OperationNotAuthorized(bytes32 orderHash, address owner, address sender);

    event SignedAppOrder(bytes32 appHash);
    event SignedDatasetOrder(bytes32 datasetHash);
    event SignedWorkerpoolOrder(bytes32 workerpoolHash);
    event SignedRequestOrder(bytes32 requestHash);
    event ClosedAppOrder(bytes32 appHash);
    event ClosedDatasetOrder(bytes32 datasetHash);
    event ClosedWorkerpoolOrder(bytes32 workerpoolHash);
    event ClosedRequestOrder(bytes32 requestHash);
    event BroadcastAppOrder(Orders.AppOrder apporder);
    event BroadcastDatasetOrder(Orders.DatasetOrder datasetorder);
    event BroadcastWorkerpoolOrder(Orders.WorkerpoolOrder workerpoolorder);
    event BroadcastRequestOrder(Orders.RequestOrder requestorder);

    /// @notice Presigns (SIGN) or closes (CLOSE) an app order. By the app owner, or by anyone with
    /// the owner's EIP-712 signature of the operation.
    /// @param operation The order, the operation, and the owner's signature of both (or empty).
    function manageAppOrder(Orders.AppOrderOperation calldata operation) external;

    /// @notice Presigns or closes a dataset order (dataset owner, or with its signature).
    /// @param operation The order, the operation, and the owner's signature of both (or empty).
    function manageDatasetOrder(Orders.DatasetOrderOperation calldata operation) external;

    /// @notice Presigns or closes a workerpool order (workerpool owner, or with its signature).
    /// @param operation The order, the operation, and the owner's signature of both (or empty).
    function manageWorkerpoolOrder(Orders.WorkerpoolOrderOperation calldata operation) external;

    /// @notice Presigns or closes a request order (its requester, or with the requester's signature).
    /// @param operation The order, the operation, and the requester's signature of both (or empty).
    function manageRequestOrder(Orders.RequestOrderOperation calldata operation) external;

    /// @notice Publishes an app order in an event, for off-chain order books.
    /// @param order The order (with its signature).
    function broadcastAppOrder(Orders.AppOrder calldata order) external;

    /// @notice Publishes a dataset order in an event.
    /// @param order The order (with its signature).
    function broadcastDatasetOrder(Orders.DatasetOrder calldata order) external;

    /// @notice Publishes a workerpool order in an event.
    /// @param order The order (with its signature).
    function broadcastWorkerpoolOrder(Orders.WorkerpoolOrder calldata order) external;

    /// @notice Publishes a request order in an event.
    /// @param order The order (with its signature).
    function broadcastRequestOrder(Orders.RequestOrder calldata order) external;

    /// @notice Who presigned the order of typed-data hash `orderHash` (address(0): nobody).
    /// @param orderHash EIP-712 hash of the order.
    /// @return signer The presigner.
    function viewPresigned(bytes32 orderHash) external view returns (address signer);

    /// @notice Volume of the order `orderHash` already consumed by deals (its whole volume once closed).
    /// @param orderHash EIP-712 hash of the order.
    /// @return volume Consumed volume.
    function viewConsumed(bytes32 orderHash) external view returns (uint256 volume);
}
