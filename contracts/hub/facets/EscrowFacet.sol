// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {RouterStorage} from "../RouterStorage.sol";
import {Escrow} from "../libs/Escrow.sol";
import {IEscrow} from "../../interfaces/hub/IEscrow.sol";
import {IMatching} from "../../interfaces/hub/IMatching.sol";
import {IApprovalReceiver} from "../../interfaces/IApprovalReceiver.sol";

/// @title RLC escrow: deposits, withdrawals and recovery of stray RLC
contract EscrowFacet is IEscrow, Facet {
    using SafeERC20 for IERC20;

    IERC20 private immutable TOKEN;

    constructor(address token_) {
        TOKEN = IERC20(token_);
    }

    /// @inheritdoc IEscrow
    function deposit(uint256 amount) external onlyDelegated returns (bool) {
        TOKEN.safeTransferFrom(msg.sender, address(this), amount);
        Escrow.mint(msg.sender, amount);
        return true;
    }

    /// @inheritdoc IEscrow
    function depositFor(uint256 amount, address target) external onlyDelegated returns (bool) {
        if (target == address(0)) revert IERC20Errors.ERC20InvalidReceiver(address(0));
        TOKEN.safeTransferFrom(msg.sender, address(this), amount);
        Escrow.mint(target, amount);
        return true;
    }

    /// @inheritdoc IEscrow
    function depositForArray(
        uint256[] calldata amounts,
        address[] calldata targets
    ) external onlyDelegated returns (bool) {
        if (amounts.length != targets.length) revert ArrayLengthMismatch(amounts.length, targets.length);
        uint256 total = 0;
        for (uint256 i = 0; i < amounts.length; ++i) {
            Escrow.mint(targets[i], amounts[i]);
            total += amounts[i];
        }
        // One transfer for the whole batch; a failure reverts the credits above with it.
        TOKEN.safeTransferFrom(msg.sender, address(this), total);
        return true;
    }

    /// @inheritdoc IEscrow
    function withdraw(uint256 amount) external returns (bool) {
        Escrow.burn(msg.sender, amount);
        TOKEN.safeTransfer(msg.sender, amount);
        return true;
    }

    /// @inheritdoc IEscrow
    function withdrawTo(uint256 amount, address target) external returns (bool) {
        if (target == address(0)) revert IERC20Errors.ERC20InvalidReceiver(address(0));
        Escrow.burn(msg.sender, amount);
        TOKEN.safeTransfer(target, amount);
        return true;
    }

    /// @inheritdoc IEscrow
    function recover() external onlyOwner returns (uint256 amount) {
        amount = TOKEN.balanceOf(address(this)) - HubStorage.layout().totalSupply;
        Escrow.mint(msg.sender, amount);
    }

    /// @inheritdoc IApprovalReceiver
    /// @dev `RLC.approveAndCall(hub, amount, data)` deposits `amount` in one transaction instead of two. With
    /// `data` the complete calldata of a `matchOrders` call whose request order is `sender`'s, the deposit is
    /// followed by that match, run by the matching facet's code; a failing match reverts the deposit with it.
    function receiveApproval(
        address sender,
        uint256 amount,
        address token_,
        bytes calldata extraData
    ) external onlyDelegated returns (bool) {
        if (msg.sender != address(TOKEN)) revert UnexpectedToken(msg.sender);
        if (token_ != address(TOKEN)) revert UnexpectedToken(token_);
        if (extraData.length != 0) {
            bytes4 selector = bytes4(extraData);
            if (selector != IMatching.matchOrders.selector) revert UnsupportedApprovalData(selector);
            address requester = _requesterOf(extraData);
            if (requester != sender) revert ApprovalNotFromRequester(sender, requester);
        }
        TOKEN.safeTransferFrom(sender, address(this), amount);
        Escrow.mint(sender, amount);
        if (extraData.length != 0) _delegateToFacet(extraData);
        return true;
    }

    /// @inheritdoc IEscrow
    function viewAccount(address account) external view returns (Account memory) {
        HubStorage.Account storage stored = HubStorage.layout().accounts[account];
        return Account(stored.balance, stored.frozen);
    }

    /// @dev The requester of the request order (4th argument) in `matchOrders` calldata. The slices revert
    /// on offsets pointing outside the data, and the ABI decoder on a dirty address word.
    function _requesterOf(bytes calldata matchCall) private pure returns (address) {
        bytes calldata args = matchCall[4:];
        uint256 requestOffset = abi.decode(args[0x60:0x80], (uint256));
        // Malformed calldata: an offset past the end would overflow the slice bounds below.
        if (requestOffset >= args.length) revert UnsupportedApprovalData(bytes4(matchCall));
        // Word 6 of the request order is `requester`.
        uint256 at = requestOffset + 0xc0;
        return abi.decode(args[at:at + 0x20], (address));
    }

    /// @dev Runs `data` with the code of the facet its selector routes to, in this hub's context (the
    /// caller stays the token, which the matching code never looks at), and bubbles up a revert.
    function _delegateToFacet(bytes calldata data) private {
        address facet = RouterStorage.layout().facets[bytes4(data)];
        // solhint-disable-next-line avoid-low-level-calls
        (bool success, bytes memory returned) = facet.delegatecall(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
    }
}
