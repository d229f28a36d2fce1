// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The hand-off between the hub and a deal's data contract while it is created
/// @notice Plumbing, not for clients: the hub proxy answers this selector itself (see `HubProxy`, `Deals`).
interface IDealInFlight {
    /// @notice During a match, the packed deal whose data contract is being created, as raw bytes (not
    /// ABI-encoded): the data contract's creation code returns them as its runtime code. Empty at any other time.
    function dealInFlight() external view;
}
