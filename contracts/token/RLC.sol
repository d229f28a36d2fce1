// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IApprovalReceiver} from "../interfaces/IApprovalReceiver.sol";

/// @title RLC test token
/// @notice ERC-20 with 9 decimals and `approveAndCall`, standing in for the RLC token on local and
/// test chains. The whole supply is minted to the deployer, who funds the other accounts.
contract RLC is ERC20 {
    /// @notice 87 million RLC, in nRLC (9 decimals), like the real token.
    uint256 public constant INITIAL_SUPPLY = 87_000_000 * 1e9;

    constructor(address holder) ERC20("iExec RLC (OpenPoCo test token)", "RLC") {
        _mint(holder, INITIAL_SUPPLY);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 9;
    }

    /// @notice Approves `spender` for `amount` and notifies it in the same transaction, so that a
    /// deposit (or a deposit and a deal) costs one transaction instead of two.
    /// @param spender Contract implementing `receiveApproval`; it may pull up to `amount`.
    /// @param amount Allowance granted, in nRLC.
    /// @param extraData Opaque payload forwarded to the spender.
    /// @return success Always true; a failure of the spender reverts the whole call.
    function approveAndCall(
        address spender,
        uint256 amount,
        bytes calldata extraData
    ) external returns (bool) {
        _approve(msg.sender, spender, amount);
        IApprovalReceiver(spender).receiveApproval(msg.sender, amount, address(this), extraData);
        return true;
    }
}
