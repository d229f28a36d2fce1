// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Assets} from "../libs/Assets.sol";
import {Deals} from "../libs/Deals.sol";
import {IDeals} from "../../interfaces/hub/IDeals.sol";
import {Categories} from "../libs/Categories.sol";
import {ILegacyAccessors} from "../../interfaces/hub/ILegacyAccessors.sol";
import {IApp} from "../../interfaces/IApp.sol";
import {IDataset} from "../../interfaces/IDataset.sol";
import {IWorkerpool} from "../../interfaces/IWorkerpool.sol";

/// @title Flat-tuple views for legacy clients, and one-call views of assets
/// @notice Each view reads what its modern counterpart reads (escrow account, deal, category, asset getters)
/// and returns it in the reference hub's shape.
contract LegacyAccessorsFacet is ILegacyAccessors, Facet {
    /// @inheritdoc ILegacyAccessors
    function viewAccountABILegacy(address account) external view returns (uint256 balance, uint256 frozen) {
        HubStorage.Account storage stored = HubStorage.layout().accounts[account];
        return (stored.balance, stored.frozen);
    }

    /// @inheritdoc ILegacyAccessors
    function viewDealABILegacy_pt1(
        bytes32 id
    )
        external
        view
        returns (
            address appPointer,
            address appOwner,
            uint256 appPrice,
            address datasetPointer,
            address datasetOwner,
            uint256 datasetPrice,
            address workerpoolPointer,
            address workerpoolOwner,
            uint256 workerpoolPrice
        )
    {
        IDeals.Deal memory deal = Deals.load(id);
        return (
            deal.app.pointer,
            deal.app.owner,
            deal.app.price,
            deal.dataset.pointer,
            deal.dataset.owner,
            deal.dataset.price,
            deal.workerpool.pointer,
            deal.workerpool.owner,
            deal.workerpool.price
        );
    }

    /// @inheritdoc ILegacyAccessors
    function viewDealABILegacy_pt2(
        bytes32 id
    )
        external
        view
        returns (
            uint256 trust,
            bytes32 tag,
            address requester,
            address beneficiary,
            address callback,
            string memory params
        )
    {
        IDeals.Deal memory deal = Deals.load(id);
        return (deal.trust, deal.tag, deal.requester, deal.beneficiary, deal.callback, deal.params);
    }

    /// @inheritdoc ILegacyAccessors
    function viewConfigABILegacy(
        bytes32 id
    )
        external
        view
        returns (
            uint256 category,
            uint256 startTime,
            uint256 botFirst,
            uint256 botSize,
            uint256 workerStake,
            uint256 schedulerRewardRatio
        )
    {
        IDeals.Deal memory deal = Deals.load(id);
        return (
            deal.category,
            deal.startTime,
            deal.botFirst,
            deal.botSize,
            deal.workerStake,
            deal.schedulerRewardRatio
        );
    }

    /// @inheritdoc ILegacyAccessors
    function viewCategoryABILegacy(
        uint256 id
    ) external view returns (string memory name, string memory description, uint256 workClockTimeRef) {
        HubStorage.Category storage category = Categories.existing(id);
        return (category.name, category.description, category.workClockTimeRef);
    }

    /// @inheritdoc ILegacyAccessors
    /// @dev Registered means owned in the hub's current app registry, as matching requires.
    function viewApp(address app) external view returns (AppInfo memory) {
        address owner = _registeredOwner(HubStorage.layout().appRegistry, app, "app");
        IApp asset = IApp(app);
        return
            AppInfo(
                owner,
                asset.m_appName(),
                asset.m_appType(),
                asset.m_appMultiaddr(),
                asset.m_appChecksum(),
                asset.m_appMREnclave()
            );
    }

    /// @inheritdoc ILegacyAccessors
    /// @dev Registered means owned in the hub's current dataset registry, as matching requires.
    function viewDataset(address dataset) external view returns (DatasetInfo memory) {
        address owner = _registeredOwner(HubStorage.layout().datasetRegistry, dataset, "dataset");
        IDataset asset = IDataset(dataset);
        return
            DatasetInfo(owner, asset.m_datasetName(), asset.m_datasetMultiaddr(), asset.m_datasetChecksum());
    }

    /// @inheritdoc ILegacyAccessors
    /// @dev Registered means owned in the hub's current workerpool registry, as matching requires.
    function viewWorkerpool(address workerpool) external view returns (WorkerpoolInfo memory) {
        address owner = _registeredOwner(HubStorage.layout().workerpoolRegistry, workerpool, "workerpool");
        IWorkerpool asset = IWorkerpool(workerpool);
        return
            WorkerpoolInfo(
                owner,
                asset.m_workerpoolDescription(),
                asset.m_workerStakeRatioPolicy(),
                asset.m_schedulerRewardRatioPolicy()
            );
    }

    /// @dev Current owner of `asset` in `registry` (its token's owner, which is what `IAsset.owner()` returns);
    /// reverts with UnknownAsset when the registry has no token for it. Only then are its getters called: an
    /// asset of the registry is a contract of the registry's own implementation.
    function _registeredOwner(
        address registry,
        address asset,
        string memory kind
    ) private view returns (address owner) {
        owner = Assets.ownerOrZero(registry, asset);
        if (owner == address(0)) revert UnknownAsset(kind, asset);
    }
}
