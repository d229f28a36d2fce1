// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Deals: what `matchOrders` records, as the reference hub returns it
/// @notice A deal is immutable once matched; its tasks (indexes botFirst .. botFirst + botSize - 1) are
/// run and settled one by one.
interface IDeals {
    /// @notice One priced resource of a deal: the asset, its owner when the deal was made, its price per task.
    struct Resource {
        address pointer;
        address owner;
        uint256 price;
    }

    /// @notice A deal, with the field order and types of the reference `IexecLibCore_v5.Deal`.
    struct Deal {
        Resource app;
        Resource dataset;
        Resource workerpool;
        uint256 trust;
        uint256 category;
        bytes32 tag;
        address requester;
        address beneficiary;
        address callback;
        string params;
        uint256 startTime;
        uint256 botFirst;
        uint256 botSize;
        uint256 workerStake;
        uint256 schedulerRewardRatio;
        address sponsor;
    }

    /// @notice The deal `id`; every field is zero for an unknown id (clients test `app.pointer`).
    /// @param id Deal id, `keccak256(abi.encodePacked(requestHash, botFirst))`.
    /// @return deal The recorded deal.
    function viewDeal(bytes32 id) external view returns (Deal memory deal);
}
