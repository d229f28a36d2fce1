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

    /// @notice A app order was presigned on chain: it is valid without a signature from now on.
    /// @param appHash EIP-712 hash of the order.
    event SignedAppOrder(bytes32 appHash);
    /// @notice A dataset order was presigned on chain: it is valid without a signature from now on.
    /// @param datasetHash EIP-712 hash of the order.
    event SignedDatasetOrder(bytes32 datasetHash);
    /// @notice A workerpool order was presigned on chain: it is valid without a signature from now on.
    /// @param workerpoolHash EIP-712 hash of the order.
    event SignedWorkerpoolOrder(bytes32 workerpoolHash);
    /// @notice A request order was presigned on chain: it is valid without a signature from now on.
    /// @param requestHash EIP-712 hash of the order.
    event SignedRequestOrder(bytes32 requestHash);
    /// @notice A app order was closed: its whole volume is consumed, so no deal can use it any more.
    /// @param appHash EIP-712 hash of the order.
    event ClosedAppOrder(bytes32 appHash);
    /// @notice A dataset order was closed: its whole volume is consumed, so no deal can use it any more.
    /// @param datasetHash EIP-712 hash of the order.
    event ClosedDatasetOrder(bytes32 datasetHash);
    /// @notice A workerpool order was closed: its whole volume is consumed, so no deal can use it any more.
    /// @param workerpoolHash EIP-712 hash of the order.
    event ClosedWorkerpoolOrder(bytes32 workerpoolHash);
    /// @notice A request order was closed: its whole volume is consumed, so no deal can use it any more.
    /// @param requestHash EIP-712 hash of the order.
    event ClosedRequestOrder(bytes32 requestHash);
    /// @notice A app order was published for off-chain order books (nothing is recorded on chain).
    /// @param apporder The order, with its signature.
    event BroadcastAppOrder(Orders.AppOrder apporder);
    /// @notice A dataset order was published for off-chain order books (nothing is recorded on chain).
    /// @param datasetorder The order, with its signature.
    event BroadcastDatasetOrder(Orders.DatasetOrder datasetorder);
    /// @notice A workerpool order was published for off-chain order books (nothing is recorded on chain).
    /// @param workerpoolorder The order, with its signature.
    event BroadcastWorkerpoolOrder(Orders.WorkerpoolOrder workerpoolorder);
    /// @notice A request order was published for off-chain order books (nothing is recorded on chain).
    /// @param requestorder The order, with its signature.
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
