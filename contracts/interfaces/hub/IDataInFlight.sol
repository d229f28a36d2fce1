// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The hand-off between the hub and a data contract while it is created
/// @notice Plumbing, not for clients: the hub proxy answers this selector itself (see `HubProxy`, `CodeData`).
interface IDataInFlight {
    /// @notice While the hub records a deal or a task's results, the bytes whose data contract is being created,
    /// raw (not ABI-encoded): the data contract's creation code returns them as its runtime code. Empty at any
    /// other time.
    function dataInFlight() external view;
}
