// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Work categories: each sets the time reference of a task's deadlines
/// @notice Categories are created by the hub's owner and never change; a deal names one.
interface ICategories {
    /// @notice Category as returned by `viewCategory`.
    struct Category {
        string name;
        string description;
        uint256 workClockTimeRef;
    }

    /// @notice No category `id` exists (`count` categories do).
    error UnknownCategory(uint256 id, uint256 count);
    /// @notice A category needs a work clock time reference between 1 and 2^32 seconds.
    error InvalidWorkClockTimeRef(uint256 workClockTimeRef);

    /// @notice Category `catid` was created.
    /// @param catid Index of the category.
    /// @param name Short name.
    /// @param description Free text (usually JSON).
    /// @param workClockTimeRef Time reference T in seconds of its tasks' deadlines.
    event CreateCategory(uint256 catid, string name, string description, uint256 workClockTimeRef);

    /// @notice Creates a category. Owner only.
    /// @param name Short name (e.g. "XS").
    /// @param description Free text (usually JSON).
    /// @param workClockTimeRef Time reference T in seconds: deadlines are multiples of it.
    /// @return id Index of the new category.
    function createCategory(
        string calldata name,
        string calldata description,
        uint256 workClockTimeRef
    ) external returns (uint256 id);

    /// @notice Category `id`.
    /// @param id Category index.
    /// @return The category (reverts with UnknownCategory if out of range).
    function viewCategory(uint256 id) external view returns (Category memory);

    /// @notice Number of categories.
    /// @return Count.
    function countCategory() external view returns (uint256);
}
