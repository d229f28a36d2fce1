// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Orders} from "../../types/Orders.sol";

/// @title Matching orders into deals
/// @notice An app order, an optional dataset order (`dataset == address(0)` for none), a workerpool order
/// and a request order that agree with each other become a deal of `volume` tasks: the sponsor's payment
/// and the scheduler's stake are locked, and each order's consumed volume grows by `volume`.
/// @dev Errors name the failing order or field the way the official SDK names them ("apporder",
/// "requestorder.appmaxprice", ...), so that a revert reads without a lookup table.
interface IMatching {
    /// @notice The request order names no requester.
    error ZeroRequester();
    /// @notice The request order asks for another category than the workerpool order offers.
    error CategoryMismatch(uint256 requestCategory, uint256 workerpoolCategory);
    /// @notice The request order asks for more trust than the workerpool order offers.
    error TrustAboveOffer(uint256 requestTrust, uint256 workerpoolTrust);
    /// @notice The price of `field` is above the request's maximum for it.
    error PriceAboveMax(string field, uint256 price, uint256 maxPrice);
    /// @notice The deal's tag (app | dataset | request tags) asks for bits the workerpool tag does not offer.
    error TagNotOffered(bytes32 dealTag, bytes32 workerpoolTag);
    /// @notice The deal's TEE bit (bit 0) differs from the app's: the dataset or request asks for TEE and the
    /// app does not run in an enclave.
    error TeeBitMismatch(bytes32 dealTag, bytes32 appTag);
    /// @notice The request order's `field` names `expected` but the matched order offers `actual`.
    error AssetMismatch(string field, address expected, address actual);
    /// @notice The restriction `field` (an address or an ERC-734 group) does not admit `account`.
    error RestrictionNotMet(string field, address restriction, address account);
    /// @notice `order`'s signature (or presignature) by `signer`, its owner, is missing or invalid.
    error InvalidOrderSignature(string order, bytes32 orderHash, address signer);
    /// @notice `order` has no volume left (fully consumed or closed).
    error OrderExhausted(string order, bytes32 orderHash);
    /// @notice `field` is `value`, above the largest value a deal can record.
    error ValueOutOfRange(string field, uint256 value, uint256 max);
    /// @notice Writing the deal's data contract failed (the transaction ran short of gas).
    error DealNotRecorded(bytes32 dealid);
    /// @notice The dataset order cannot join the deal (see `assertDatasetDealCompatibility`); the reference's
    /// error, whose reason strings off-chain clients match.
    error IncompatibleDatasetOrder(string reason);

    /// @notice A deal for `workerpool` is ready to be scheduled.
    /// @param workerpool The deal's workerpool.
    /// @param dealid The deal.
    event SchedulerNotice(address indexed workerpool, bytes32 dealid);
    /// @notice Orders were matched into `dealid`, consuming `volume` of each (the dataset hash is 0 without a dataset).
    /// @param dealid The deal.
    /// @param appHash EIP-712 hash of the app order.
    /// @param datasetHash EIP-712 hash of the dataset order, or 0.
    /// @param workerpoolHash EIP-712 hash of the workerpool order.
    /// @param requestHash EIP-712 hash of the request order.
    /// @param volume Number of tasks of the deal.
    event OrdersMatched(
        bytes32 dealid,
        bytes32 appHash,
        bytes32 datasetHash,
        bytes32 workerpoolHash,
        bytes32 requestHash,
        uint256 volume
    );
    /// @notice `sponsor`, not the requester, pays for `dealId`.
    /// @param dealId The deal.
    /// @param sponsor The account whose balance paid for the deal.
    event DealSponsored(bytes32 dealId, address sponsor);

    /// @notice Matches the four orders into a deal paid by the request's requester.
    /// @dev Checks, in order: requester, assets named by the request, category, trust, prices, tags, the ten
    /// restrictions, registration, signatures, volumes, params length and balances; then records the deal,
    /// consumes the orders and locks (app + dataset + workerpool price) x volume from the requester and 30% of
    /// the workerpool price x volume from the workerpool owner. A deal holds at most 2^64 - 1 tasks per request order.
    /// @param appOrder Signed (or presigned) by the app owner.
    /// @param datasetOrder Signed by the dataset owner; ignored entirely when `dataset` is address(0).
    /// @param workerpoolOrder Signed by the workerpool owner (the scheduler).
    /// @param requestOrder Signed by its requester.
    /// @return dealid `keccak256(abi.encodePacked(requestHash, consumedBefore(requestHash)))`.
    function matchOrders(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder
    ) external returns (bytes32 dealid);

    /// @notice Like `matchOrders`, but the caller pays for the deal instead of the requester.
    /// @param appOrder Signed (or presigned) by the app owner.
    /// @param datasetOrder Signed by the dataset owner; ignored entirely when `dataset` is address(0).
    /// @param workerpoolOrder Signed by the workerpool owner (the scheduler).
    /// @param requestOrder Signed by its requester.
    /// @return dealid The new deal's id.
    function sponsorMatchOrders(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder
    ) external returns (bytes32 dealid);

    /// @notice Volume a match of these orders would get now: the smallest remaining volume among them (the
    /// dataset order counts only when it names a dataset). Checks nothing else.
    /// @param appOrder The app order.
    /// @param datasetOrder The dataset order.
    /// @param workerpoolOrder The workerpool order.
    /// @param requestOrder The request order.
    /// @return volume Tasks the deal would hold (0 when any order is exhausted).
    function computeDealVolume(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder
    ) external view returns (uint256 volume);

    /// @notice Reverts with `IncompatibleDatasetOrder(reason)` unless `datasetOrder` is live, validly signed,
    /// and admits the existing dataset-less deal `dealId` (its app, workerpool, requester and tag).
    /// @dev For off-chain clients (the reasons are the reference's strings); matching does its own checks.
    /// @param datasetOrder The dataset order to check.
    /// @param dealId The deal it would join.
    function assertDatasetDealCompatibility(
        Orders.DatasetOrder calldata datasetOrder,
        bytes32 dealId
    ) external view;
}
