// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IOracleConsumer} from "../interfaces/IOracleConsumer.sol";
import {IFinalize} from "../interfaces/hub/IFinalize.sol";
import {ITasks} from "../interfaces/hub/ITasks.sol";

/// @dev A deal callback for tests, whose behaviour on `receiveResult` is set by `setMode`: record the call,
/// revert, burn all its gas, try to reenter the hub (then record), or return as much data as its gas pays for.
/// What it records fits in three fresh storage slots (the callback data only by its hash, the full data is in
/// the event), so that recording, even after the reentry attempts, fits the hub's default 100k callback gas.
contract ResultConsumerMock is IOracleConsumer {
    enum Mode {
        RECORD,
        REVERT,
        BURN,
        REENTER,
        RETURN_BOMB
    }

    /// @notice Emitted by every recorded call, with the callback data in full.
    /// @param taskid The task the hub called back for.
    /// @param callbackData The callback data received.
    /// @param sender The caller (the hub).
    /// @param gasAtEntry The gas left when the call entered.
    event ResultReceived(bytes32 indexed taskid, bytes callbackData, address sender, uint256 gasAtEntry);
    /// @notice Emitted in REENTER mode with the outcome and the return (or revert) data of each attempt.
    /// @param finalizeSucceeded Whether the reentrant `finalize` succeeded.
    /// @param finalizeReturn Its return or revert data.
    /// @param claimSucceeded Whether the reentrant `claim` succeeded.
    /// @param claimReturn Its return or revert data.
    event Reentered(bool finalizeSucceeded, bytes finalizeReturn, bool claimSucceeded, bytes claimReturn);

    /// @notice Raised by `receiveResult` in REVERT mode.
    error ResultRefused(bytes32 taskid);

    /// @dev Left out of the memory expansion paid for in RETURN_BOMB mode: enough to compute it and return.
    uint256 private constant BOMB_GAS_MARGIN = 2_000;

    // The first six variables share one slot.
    Mode public mode;
    /// @notice Caller of the last recorded call.
    address public lastSender;
    /// @notice Number of recorded calls.
    uint32 public calls;
    /// @notice `gasleft()` at the entry of `receiveResult`, in the last recorded call.
    uint40 public gasAtEntry;
    /// @notice Whether the last REENTER call's `finalize` and `claim` of the same task failed.
    bool public finalizeReentryFailed;
    bool public claimReentryFailed;
    /// @notice Task id of the last recorded call.
    bytes32 public lastTaskid;
    /// @notice keccak256 of the callback data of the last recorded call.
    bytes32 public lastDataHash;

    /// @notice Sets what `receiveResult` does.
    /// @param newMode The new behaviour.
    function setMode(Mode newMode) external {
        mode = newMode;
    }

    /// @notice Called by the hub when a task of a deal naming this contract is finalized; acts per `mode`.
    /// @param id The task id.
    /// @param callbackData The task's callback data.
    function receiveResult(bytes32 id, bytes calldata callbackData) external {
        uint256 gasAtStart = gasleft();
        Mode current = mode;
        if (current == Mode.REVERT) revert ResultRefused(id);
        if (current == Mode.BURN) _burn();
        if (current == Mode.RETURN_BOMB) _returnBomb();
        if (current == Mode.REENTER) _reenter(id, callbackData);
        _record(id, callbackData, gasAtStart);
    }

    function _record(bytes32 id, bytes calldata callbackData, uint256 gasAtStart) private {
        lastSender = msg.sender;
        calls += 1;
        gasAtEntry = uint40(gasAtStart);
        lastTaskid = id;
        lastDataHash = keccak256(callbackData);
        emit ResultReceived(id, callbackData, msg.sender, gasAtStart);
    }

    /// @dev Calls the hub (the caller) back: `finalize` then `claim` of the same task. Neither may succeed: the
    /// task is settled, and this contract is not the scheduler.
    function _reenter(bytes32 id, bytes calldata callbackData) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool finalized, bytes memory finalizeReturn) = msg.sender.call(
            abi.encodeCall(IFinalize.finalize, (id, "", callbackData))
        );
        // solhint-disable-next-line avoid-low-level-calls
        (bool claimed, bytes memory claimReturn) = msg.sender.call(abi.encodeCall(ITasks.claim, (id)));
        finalizeReentryFailed = !finalized;
        claimReentryFailed = !claimed;
        emit Reentered(finalized, finalizeReturn, claimed, claimReturn);
    }

    /// @dev Loops until the gas runs out.
    function _burn() private pure {
        uint256 spins;
        while (true) {
            spins += 1;
        }
    }

    /// @dev Returns (without data of any meaning) the largest return data its gas can pay for. Returning n words
    /// costs their memory expansion, 3 n + n²/512 gas: with 100k gas about 6,100 words (195 kB). A caller that
    /// copied that data would pay the same again, on its own gas; the hub must not copy it.
    function _returnBomb() private view {
        uint256 gas = gasleft();
        uint256 budget = gas > BOMB_GAS_MARGIN ? gas - BOMB_GAS_MARGIN : 0;
        // The largest n with n² + 1536 n <= 512 budget.
        uint256 words = Math.sqrt(512 * budget + 768 * 768) - 768;
        assembly {
            return(0, mul(words, 32))
        }
    }
}
