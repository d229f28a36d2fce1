// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

/// @title SRLC: the hub's escrow balances seen as an ERC-20
/// @notice Free balances move like any ERC-20; frozen (locked) amounts do not.
interface ISRLC is IERC20Metadata, IERC20Errors {
    /// @notice `spender`'s allowance is `currentAllowance`, less than `requestedDecrease`.
    error ERC20FailedDecreaseAllowance(address spender, uint256 currentAllowance, uint256 requestedDecrease);

    /// @notice Amount of `account` locked in deals and tasks.
    /// @param account Account.
    /// @return Frozen amount in nRLC.
    function frozenOf(address account) external view returns (uint256);

    /// @notice Raises `spender`'s allowance by `addedValue`.
    /// @param spender Spender.
    /// @param addedValue Increase in nRLC.
    /// @return success Always true.
    function increaseAllowance(address spender, uint256 addedValue) external returns (bool);

    /// @notice Lowers `spender`'s allowance by `subtractedValue` (reverts below zero).
    /// @param spender Spender.
    /// @param subtractedValue Decrease in nRLC.
    /// @return success Always true.
    function decreaseAllowance(address spender, uint256 subtractedValue) external returns (bool);

    /// @notice Approves `spender` and calls its `receiveApproval(caller, amount, hub, extraData)`.
    /// @param spender Contract implementing IApprovalReceiver.
    /// @param amount Allowance in nRLC.
    /// @param extraData Payload forwarded to the spender.
    /// @return success Always true.
    function approveAndCall(
        address spender,
        uint256 amount,
        bytes calldata extraData
    ) external returns (bool);
}
