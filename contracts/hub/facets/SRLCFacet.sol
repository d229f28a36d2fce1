// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Escrow} from "../libs/Escrow.sol";
import {ISRLC} from "../../interfaces/hub/ISRLC.sol";
import {IApprovalReceiver} from "../../interfaces/IApprovalReceiver.sol";

/// @title SRLC: the ERC-20 view of escrow balances
/// @notice `balanceOf` is the free balance; frozen amounts (`frozenOf`) cannot be transferred.
contract SRLCFacet is ISRLC, Facet {
    /// @inheritdoc IERC20Metadata
    function name() external view returns (string memory) {
        return HubStorage.layout().name;
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external view returns (string memory) {
        return HubStorage.layout().symbol;
    }

    /// @inheritdoc IERC20Metadata
    function decimals() external view returns (uint8) {
        return HubStorage.layout().decimals;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return HubStorage.layout().totalSupply;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) external view returns (uint256) {
        return HubStorage.layout().accounts[account].balance;
    }

    /// @inheritdoc ISRLC
    function frozenOf(address account) external view returns (uint256) {
        return HubStorage.layout().accounts[account].frozen;
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) external view returns (uint256) {
        return HubStorage.layout().allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 amount) external returns (bool) {
        Escrow.transfer(msg.sender, to, amount);
        return true;
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 amount) external returns (bool) {
        Escrow.approve(msg.sender, spender, amount);
        return true;
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        Escrow.spendAllowance(from, msg.sender, amount);
        Escrow.transfer(from, to, amount);
        return true;
    }

    /// @inheritdoc ISRLC
    function increaseAllowance(address spender, uint256 addedValue) external returns (bool) {
        Escrow.approve(msg.sender, spender, HubStorage.layout().allowances[msg.sender][spender] + addedValue);
        return true;
    }

    /// @inheritdoc ISRLC
    function decreaseAllowance(address spender, uint256 subtractedValue) external returns (bool) {
        uint256 current = HubStorage.layout().allowances[msg.sender][spender];
        if (current < subtractedValue) revert ERC20FailedDecreaseAllowance(spender, current, subtractedValue);
        unchecked {
            Escrow.approve(msg.sender, spender, current - subtractedValue);
        }
        return true;
    }

    /// @inheritdoc ISRLC
    function approveAndCall(
        address spender,
        uint256 amount,
        bytes calldata extraData
    ) external returns (bool) {
        Escrow.approve(msg.sender, spender, amount);
        IApprovalReceiver(spender).receiveApproval(msg.sender, amount, address(this), extraData);
        return true;
    }
}
