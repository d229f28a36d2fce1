// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IApprovalReceiver} from "../IApprovalReceiver.sol";

/// @title RLC escrow: deposits and withdrawals between RLC and the hub's SRLC balances
/// @notice 1 SRLC = 1 RLC held by the hub; the hub's RLC balance always equals the SRLC supply
/// (plus, until `recover`, RLC sent to the hub by plain transfer).
interface IEscrow is IApprovalReceiver {
    /// @notice Escrow account as returned by `viewAccount`.
    struct Account {
        uint256 stake;
        uint256 locked;
    }

    /// @notice `amounts` and `targets` of depositForArray differ in length.
    error ArrayLengthMismatch(uint256 amounts, uint256 targets);
    /// @notice receiveApproval was called by (or for) `token`, which is not the hub's RLC.
    error UnexpectedToken(address token);
    /// @notice receiveApproval got a payload it does not understand: only empty data (deposit) and a
    /// `matchOrders` call (deposit, then match) are supported.
    error UnsupportedApprovalData(bytes4 selector);
    /// @notice receiveApproval carried a match whose request order belongs to `requester`, not to `sender`,
    /// the account that approved and deposited.
    error ApprovalNotFromRequester(address sender, address requester);

    /// @notice `amount` of `owner`'s balance was locked (moved to its frozen balance) for a deal.
    /// @param owner The account.
    /// @param amount Amount in nRLC.
    event Lock(address owner, uint256 amount);
    /// @notice `amount` of `owner`'s frozen balance was released to its balance (a stake or payment returned).
    /// @param owner The account.
    /// @param amount Amount in nRLC.
    event Unlock(address owner, uint256 amount);
    /// @notice `amount` of `owner`'s frozen balance was taken for task `ref` (a payment made or a stake lost); the
    /// same transaction hands it on with `Reward` (or to the kitty).
    /// @param owner The account.
    /// @param amount Amount in nRLC.
    /// @param ref The task.
    event Seize(address owner, uint256 amount, bytes32 ref);
    /// @notice `owner`'s balance was credited `amount` for task `ref`, out of what was seized.
    /// @param owner The account.
    /// @param amount Amount in nRLC.
    /// @param ref The task.
    event Reward(address owner, uint256 amount, bytes32 ref);

    /// @notice Pulls `amount` RLC from the caller (approved beforehand) and credits the caller.
    /// @param amount Amount in nRLC.
    /// @return success Always true (failures revert).
    function deposit(uint256 amount) external returns (bool);

    /// @notice Pulls `amount` RLC from the caller and credits `target`.
    /// @param amount Amount in nRLC.
    /// @param target Account credited, not address(0).
    /// @return success Always true.
    function depositFor(uint256 amount, address target) external returns (bool);

    /// @notice Pulls the sum of `amounts` from the caller in one transfer and credits each target.
    /// @param amounts Amounts in nRLC.
    /// @param targets Accounts credited, same length as `amounts`.
    /// @return success Always true.
    function depositForArray(uint256[] calldata amounts, address[] calldata targets) external returns (bool);

    /// @notice Debits the caller and sends `amount` RLC back to it.
    /// @param amount Amount in nRLC, at most the caller's free balance.
    /// @return success Always true.
    function withdraw(uint256 amount) external returns (bool);

    /// @notice Debits the caller and sends `amount` RLC to `target`.
    /// @param amount Amount in nRLC, at most the caller's free balance.
    /// @param target Recipient of the RLC, not address(0).
    /// @return success Always true.
    function withdrawTo(uint256 amount, address target) external returns (bool);

    /// @notice Credits the owner with RLC sent to the hub outside `deposit` (which no balance backs).
    /// Owner only.
    /// @return amount Amount recovered, in nRLC.
    function recover() external returns (uint256 amount);

    /// @notice Free and locked balance of `account`.
    /// @param account Account.
    /// @return Account (stake = free balance, locked = frozen balance).
    function viewAccount(address account) external view returns (Account memory);
}
