// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {HubStorage} from "../HubStorage.sol";
import {IEscrow} from "../../interfaces/hub/IEscrow.sol";

/// @title The hub's ledger: the only code that writes SRLC balances and the SRLC supply
/// @dev Every movement emits the ERC-20 `Transfer` event of the SRLC view, so indexers can follow
/// balances from events alone; a lock moves SRLC from an account's balance to its frozen balance and emits
/// `Lock` (the SRLC supply and `Transfer` are unaffected: the SRLC stays the account's), an unlock moves it back
/// (`Unlock`). Settling a task seizes frozen SRLC (`Seize`) and hands the same amount on in the same transaction,
/// as rewards (`Reward`) or to the kitty: the supply stays the sum of all balances and frozen balances.
library Escrow {
    /// @dev Credits `to` with `amount` newly escrowed RLC.
    function mint(address to, uint256 amount) internal {
        if (to == address(0)) revert IERC20Errors.ERC20InvalidReceiver(address(0));
        HubStorage.Layout storage $ = HubStorage.layout();
        $.totalSupply += amount;
        HubStorage.Account storage account = $.accounts[to];
        account.balance = SafeCast.toUint128(account.balance + amount);
        emit IERC20.Transfer(address(0), to, amount);
    }

    /// @dev Debits `from` by `amount` free SRLC about to leave the escrow as RLC.
    function burn(address from, uint256 amount) internal {
        HubStorage.Layout storage $ = HubStorage.layout();
        HubStorage.Account storage account = $.accounts[from];
        uint256 balance = account.balance;
        if (balance < amount) revert IERC20Errors.ERC20InsufficientBalance(from, balance, amount);
        unchecked {
            // balance >= amount, and the supply is the sum of all balances.
            account.balance = uint128(balance - amount);
            $.totalSupply -= amount;
        }
        emit IERC20.Transfer(from, address(0), amount);
    }

    /// @dev Moves `amount` free SRLC from `from` to `to`.
    function transfer(address from, address to, uint256 amount) internal {
        if (from == address(0)) revert IERC20Errors.ERC20InvalidSender(address(0));
        if (to == address(0)) revert IERC20Errors.ERC20InvalidReceiver(address(0));
        HubStorage.Layout storage $ = HubStorage.layout();
        HubStorage.Account storage source = $.accounts[from];
        uint256 balance = source.balance;
        if (balance < amount) revert IERC20Errors.ERC20InsufficientBalance(from, balance, amount);
        unchecked {
            source.balance = uint128(balance - amount);
        }
        HubStorage.Account storage target = $.accounts[to];
        // Cannot overflow: the sum of all balances is the supply, itself bounded by the RLC supply.
        target.balance = SafeCast.toUint128(target.balance + amount);
        emit IERC20.Transfer(from, to, amount);
    }

    /// @dev Sets `spender`'s allowance over `owner`'s SRLC.
    function approve(address owner, address spender, uint256 amount) internal {
        if (owner == address(0)) revert IERC20Errors.ERC20InvalidApprover(address(0));
        if (spender == address(0)) revert IERC20Errors.ERC20InvalidSpender(address(0));
        HubStorage.layout().allowances[owner][spender] = amount;
        emit IERC20.Approval(owner, spender, amount);
    }

    /// @dev Consumes `amount` of `spender`'s allowance over `owner`'s SRLC (an infinite allowance stays).
    function spendAllowance(address owner, address spender, uint256 amount) internal {
        mapping(address => uint256) storage allowances = HubStorage.layout().allowances[owner];
        uint256 current = allowances[spender];
        if (current == type(uint256).max) return;
        if (current < amount) revert IERC20Errors.ERC20InsufficientAllowance(spender, current, amount);
        unchecked {
            allowances[spender] = current - amount;
        }
    }

    /// @dev Moves `amount` of `account`'s free SRLC to its frozen balance (a deal's payment or stake).
    function lock(address account, uint256 amount) internal {
        HubStorage.Account storage stored = HubStorage.layout().accounts[account];
        uint256 balance = stored.balance;
        if (balance < amount) revert IERC20Errors.ERC20InsufficientBalance(account, balance, amount);
        unchecked {
            // balance >= amount, and balance + frozen <= supply < 2^128: neither field can wrap.
            stored.balance = uint128(balance - amount);
            stored.frozen += uint128(amount);
        }
        emit IEscrow.Lock(account, amount);
    }

    /// @dev Moves `amount` of `account`'s frozen SRLC back to its balance.
    function unlock(address account, uint256 amount) internal {
        HubStorage.Account storage stored = HubStorage.layout().accounts[account];
        stored.frozen -= SafeCast.toUint128(amount);
        stored.balance += uint128(amount);
        emit IEscrow.Unlock(account, amount);
    }

    /// @dev Takes `amount` of `account`'s frozen SRLC for task `ref`; the caller hands it on before returning.
    function seize(address account, uint256 amount, bytes32 ref) internal {
        HubStorage.layout().accounts[account].frozen -= SafeCast.toUint128(amount);
        emit IEscrow.Seize(account, amount, ref);
    }

    /// @dev Credits `account` with `amount` of seized SRLC for task `ref`.
    function reward(address account, uint256 amount, bytes32 ref) internal {
        HubStorage.layout().accounts[account].balance += SafeCast.toUint128(amount);
        emit IEscrow.Reward(account, amount, ref);
    }

    /// @dev `unlock(account, unlocked)` then `reward(account, rewarded, ref)` with one storage write: a worker's
    /// stake and pay, or a scheduler's stake and reward.
    function unlockAndReward(address account, uint256 unlocked, uint256 rewarded, bytes32 ref) internal {
        HubStorage.Account storage stored = HubStorage.layout().accounts[account];
        stored.frozen -= SafeCast.toUint128(unlocked);
        stored.balance += SafeCast.toUint128(unlocked + rewarded);
        emit IEscrow.Unlock(account, unlocked);
        emit IEscrow.Reward(account, rewarded, ref);
    }

    /// @dev `reward(account, amount, ref)` then `lock(account, amount)` with one storage write: seized SRLC that
    /// goes straight to a frozen balance (the kitty's).
    function rewardLocked(address account, uint256 amount, bytes32 ref) internal {
        HubStorage.layout().accounts[account].frozen += SafeCast.toUint128(amount);
        emit IEscrow.Reward(account, amount, ref);
        emit IEscrow.Lock(account, amount);
    }
}
