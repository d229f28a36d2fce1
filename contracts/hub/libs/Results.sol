// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CodeData} from "./CodeData.sol";
import {ITaskTypes} from "../../interfaces/hub/ITaskTypes.sol";

/// @title A finalized task's results, callback data and results time, kept in contract code
/// @notice Written once at finalize, so stored like deals (see `CodeData`): 200 gas a byte instead of a fresh slot
/// per 32 bytes (about 690 a byte). Results are usually `abi.encode` of a string (a JSON location): those are kept
/// as the string's bytes alone and encoded again when read, byte for byte, which saves the 64-byte head and the
/// padding (about 15k gas for the usual 160 bytes). A task with neither results nor callback data writes no data
/// contract; its results time is kept in task storage instead (`Tasks.setResultsTimestamp`).
/// @dev Data: flags (1 byte), results time (5), results length as stored (4), results, callback data (to the end).
library Results {
    /// @dev Flag: the results are the canonical ABI encoding of one `bytes`/`string`, stored as its content.
    uint256 private constant FLAG_ABI_STRING = 1;
    uint256 private constant HEAD_SIZE = 10;

    /// @dev Salt of a task's results: distinct from every deal id (a deal's salt is its id, a hash of 64 bytes).
    function _salt(bytes32 taskid) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(taskid, "results"));
    }

    /// @notice Records the results and callback data of `taskid` with the current time, once; returns false (and
    /// records nothing) when both are empty.
    function store(
        bytes32 taskid,
        bytes calldata results,
        bytes calldata resultsCallback
    ) internal returns (bool) {
        if (results.length + resultsCallback.length == 0) return false;
        (bool isAbiString, bytes calldata kept) = _compact(results);
        uint256 size = HEAD_SIZE + kept.length + resultsCallback.length;
        if (size > CodeData.MAX_SIZE) revert ITaskTypes.ResultsTooLarge(taskid, size, CodeData.MAX_SIZE);
        bytes memory code = abi.encodePacked(
            uint8(0), // STOP
            uint8(isAbiString ? FLAG_ABI_STRING : 0),
            uint40(block.timestamp),
            uint32(kept.length),
            kept,
            resultsCallback
        );
        // Cannot fail: a task is finalized once, and the size is checked.
        assert(CodeData.write(_salt(taskid), code));
        return true;
    }

    /// @notice The results, callback data and results time of `taskid` (all empty when nothing was recorded).
    function load(
        bytes32 taskid
    )
        internal
        view
        returns (bool found, bytes memory results, bytes memory resultsCallback, uint256 timestamp)
    {
        bytes memory data = CodeData.read(_salt(taskid));
        if (data.length == 0) return (false, results, resultsCallback, 0);
        uint256 head;
        assembly ("memory-safe") {
            head := shr(176, mload(add(data, 0x20)))
        }
        uint256 flags = head >> 72;
        timestamp = uint40(head >> 32);
        uint256 keptLength = uint32(head);
        results = _slice(data, HEAD_SIZE, keptLength);
        if (flags & FLAG_ABI_STRING != 0) results = abi.encode(results);
        resultsCallback = _slice(data, HEAD_SIZE + keptLength, data.length - HEAD_SIZE - keptLength);
        return (true, results, resultsCallback, timestamp);
    }

    /// @dev When `results` is exactly `abi.encode(bytes(content))` (offset 32, length, content, zero padding to a
    /// word), returns true and the content; otherwise false and `results` unchanged.
    function _compact(bytes calldata results) private pure returns (bool, bytes calldata) {
        if (results.length < 64 || uint256(bytes32(results[0:32])) != 32) return (false, results);
        uint256 length = uint256(bytes32(results[32:64]));
        if (length > results.length || results.length != 64 + ((length + 31) / 32) * 32)
            return (false, results);
        uint256 padding = results.length - 64 - length;
        // The padding (under a word) must be zeros: the low bytes of the last word.
        if (
            padding != 0 && uint256(bytes32(results[results.length - 32:])) & ((1 << (8 * padding)) - 1) != 0
        ) {
            return (false, results);
        }
        return (true, results[64:64 + length]);
    }

    function _slice(
        bytes memory data,
        uint256 offset,
        uint256 length
    ) private pure returns (bytes memory out) {
        out = new bytes(length);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), add(add(data, 0x20), offset), length)
        }
    }
}
