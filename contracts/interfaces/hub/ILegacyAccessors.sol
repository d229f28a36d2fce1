// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Flat-tuple views kept for legacy clients, and one-call views of assets
/// @notice The reference hub keeps these for its Java middleware and older SDKs; they return what
/// `viewDeal`, `viewAccount`, `viewCategory` and the asset getters return, in the reference's tuple shapes.
interface ILegacyAccessors {
    /// @notice An app as registered: its owner and getters.
    struct AppInfo {
        address owner;
        string m_appName;
        string m_appType;
        bytes m_appMultiaddr;
        bytes32 m_appChecksum;
        bytes m_appMREnclave;
    }

    /// @notice A dataset as registered: its owner and getters.
    struct DatasetInfo {
        address owner;
        string m_datasetName;
        bytes m_datasetMultiaddr;
        bytes32 m_datasetChecksum;
    }

    /// @notice A workerpool as registered: its owner, description and policy.
    struct WorkerpoolInfo {
        address owner;
        string m_workerpoolDescription;
        uint256 m_workerStakeRatioPolicy;
        uint256 m_schedulerRewardRatioPolicy;
    }

    /// @notice `asset` is not registered in the hub's `kind` registry ("app", "dataset" or "workerpool").
    error UnknownAsset(string kind, address asset);

    /// @notice `account`'s balance and frozen balance.
    function viewAccountABILegacy(address account) external view returns (uint256 balance, uint256 frozen);

    /// @notice The deal's app, dataset and workerpool: (pointer, owner, price) each.
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
        );

    /// @notice The deal's trust, tag, requester, beneficiary, callback and params.
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
        );

    /// @notice The deal's category, start time, first task index, task count, worker stake and scheduler
    /// reward ratio.
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
        );

    /// @notice The category's name, description and work clock time reference.
    function viewCategoryABILegacy(
        uint256 id
    ) external view returns (string memory name, string memory description, uint256 workClockTimeRef);

    /// @notice The registered app `app` (reverts for an address the app registry does not know).
    function viewApp(address app) external view returns (AppInfo memory);

    /// @notice The registered dataset `dataset` (reverts for an address the dataset registry does not know).
    function viewDataset(address dataset) external view returns (DatasetInfo memory);

    /// @notice The registered workerpool `workerpool` (reverts for an address the workerpool registry does not
    /// know).
    function viewWorkerpool(address workerpool) external view returns (WorkerpoolInfo memory);
}
