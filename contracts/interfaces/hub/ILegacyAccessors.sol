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
    /// @param account The account.
    /// @return balance Free balance, in nRLC.
    /// @return frozen Frozen (locked) balance, in nRLC.
    function viewAccountABILegacy(address account) external view returns (uint256 balance, uint256 frozen);

    /// @notice The deal's app, dataset and workerpool: (pointer, owner, price) each.
    /// @param id The deal.
    /// @return appPointer The app.
    /// @return appOwner The app's owner at the match.
    /// @return appPrice The app price per task.
    /// @return datasetPointer The dataset, or address(0).
    /// @return datasetOwner The dataset's owner at the match, or address(0).
    /// @return datasetPrice The dataset price per task, or 0.
    /// @return workerpoolPointer The workerpool.
    /// @return workerpoolOwner The workerpool's owner at the match (the scheduler).
    /// @return workerpoolPrice The workerpool price per task.
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
    /// @param id The deal.
    /// @return trust The trust asked for (at least 1).
    /// @return tag The tag (required features).
    /// @return requester The requester.
    /// @return beneficiary Who the results are for.
    /// @return callback The contract called with each task's callback data, or address(0).
    /// @return params The request's parameters.
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
    /// @param id The deal.
    /// @return category The category.
    /// @return startTime When the deal was matched.
    /// @return botFirst Index of its first task.
    /// @return botSize Number of its tasks.
    /// @return workerStake Each worker's stake per contribution, in nRLC.
    /// @return schedulerRewardRatio Percent of the workers' pool the scheduler keeps.
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
    /// @param id The category.
    /// @return name Short name.
    /// @return description Free text.
    /// @return workClockTimeRef Time reference T in seconds.
    function viewCategoryABILegacy(
        uint256 id
    ) external view returns (string memory name, string memory description, uint256 workClockTimeRef);

    /// @notice The registered app `app` (reverts for an address the app registry does not know).
    /// @param app The app.
    /// @return Its owner and getters.
    function viewApp(address app) external view returns (AppInfo memory);

    /// @notice The registered dataset `dataset` (reverts for an address the dataset registry does not know).
    /// @param dataset The dataset.
    /// @return Its owner and getters.
    function viewDataset(address dataset) external view returns (DatasetInfo memory);

    /// @notice The registered workerpool `workerpool` (reverts for an address the workerpool registry does not
    /// know).
    /// @param workerpool The workerpool.
    /// @return Its owner, description and policy.
    function viewWorkerpool(address workerpool) external view returns (WorkerpoolInfo memory);
}
