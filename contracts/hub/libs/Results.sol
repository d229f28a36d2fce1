// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CodeData, DataKind} from "./CodeData.sol";
import {ITaskTypes} from "../../interfaces/hub/ITaskTypes.sol";

/// @title A finalized task's results, callback data and results time, kept in contract code
/// @notice Written once at finalize, so stored like deals (see `CodeData`, in the results' own address space): 200
/// gas a byte instead of a fresh slot per 32 bytes (about 690 a byte). Results are usually `abi.encode` of a string
/// (a JSON location): those are kept as the string's bytes alone and encoded again when read, byte for byte, which
/// saves the 64-byte head and the padding (about 15k gas for the usual 160 bytes). A task with neither results nor
/// callback data writes no data contract; its results time is kept in task storage instead
/// (`Tasks.setResultsTimestamp`).
/// @dev Data: flags (1 byte), results time (5), results length as stored (4), results, callback data (to the end).
/// Data longer than one contract holds is cut into chunks of `CodeData.MAX_SIZE` bytes: chunk 0 under the task id,
/// chunk i under `keccak256(abi.encodePacked(taskid, uint32(i)))`. Every chunk but the last is full, so a reader
/// stops at the first chunk that is not: no length is stored. Any size a block's gas allows is kept, so whatever
/// reached consensus can be finalized (64 KiB of results and 64 KiB of callback data are tested).
library Results {
    /// @dev Flag: the results are the canonical ABI encoding of one `bytes`/`string`, stored as its content.
    uint256 private constant FLAG_ABI_STRING = 1;
    uint256 private constant HEAD_SIZE = 10;
    /// @dev The head read as one 80-bit number: the first word shifted right by 256 - 8 * HEAD_SIZE bits. In it,
    /// from bit 0: results length as stored (32), results time (40), flags (8).
    uint256 private constant HEAD_SHIFT = 176;
    uint256 private constant HEAD_TIMESTAMP_OFFSET = 32;
    uint256 private constant HEAD_FLAGS_OFFSET = 72;
    /// @dev Code size of a full chunk: the marker and `CodeData.MAX_SIZE` bytes of data.
    uint256 private constant FULL_CHUNK = CodeData.MAX_SIZE + 1;

    /// @notice Records the results and callback data of `taskid` with the current time, once; returns false (and
    /// records nothing) when both are empty.
    /// @param taskid The task.
    /// @param results The results, as given to `finalize`.
    /// @param resultsCallback The callback data.
    function store(
        bytes32 taskid,
        bytes calldata results,
        bytes calldata resultsCallback
    ) internal returns (bool) {
        if (results.length + resultsCallback.length == 0) return false;
        (bool isAbiString, bytes calldata kept) = _compact(results);
        bytes memory code = abi.encodePacked(
            CodeData.MARKER,
            uint8(isAbiString ? FLAG_ABI_STRING : 0),
            uint40(block.timestamp),
            uint32(kept.length),
            kept,
            resultsCallback
        );
        _writeChunks(taskid, code);
        return true;
    }

    /// @notice The results, callback data and results time of `taskid` (all empty when nothing was recorded).
    /// @param taskid The task.
    function load(
        bytes32 taskid
    )
        internal
        view
        returns (bool found, bytes memory results, bytes memory resultsCallback, uint256 timestamp)
    {
        bytes memory data = _readChunks(taskid);
        if (data.length == 0) return (false, results, resultsCallback, 0);
        uint256 head;
        assembly ("memory-safe") {
            head := shr(HEAD_SHIFT, mload(add(data, 0x20)))
        }
        uint256 flags = head >> HEAD_FLAGS_OFFSET;
        timestamp = uint40(head >> HEAD_TIMESTAMP_OFFSET);
        uint256 keptLength = uint32(head);
        results = _slice(data, HEAD_SIZE, keptLength);
        if (flags & FLAG_ABI_STRING != 0) results = abi.encode(results);
        resultsCallback = _slice(data, HEAD_SIZE + keptLength, data.length - HEAD_SIZE - keptLength);
        return (true, results, resultsCallback, timestamp);
    }

    /// @dev Salt of chunk `index` of a task's results. A 36-byte preimage: no task or deal id (hashes of 64 bytes)
    /// can be one.
    function _chunkSalt(bytes32 taskid, uint256 index) private pure returns (bytes32) {
        return index == 0 ? taskid : keccak256(abi.encodePacked(taskid, uint32(index)));
    }

    /// @dev Writes `code` (the marker, then the data) as chunks. Chunk i's data starts at byte 1 + i * MAX_SIZE of
    /// `code`; its marker goes in the byte just before, and its length in the word before that: both overwrite the
    /// end of chunk i - 1, already written. So no chunk is copied, and `code` is unusable afterwards.
    function _writeChunks(bytes32 taskid, bytes memory code) private {
        uint256 dataLength = code.length - 1;
        uint256 maxSize = CodeData.MAX_SIZE;
        for (uint256 start; start < dataLength; start += maxSize) {
            bytes memory chunk = code;
            if (start != 0) {
                uint256 size = dataLength - start < maxSize ? dataLength - start : maxSize;
                assembly ("memory-safe") {
                    chunk := add(code, start)
                    mstore8(add(chunk, 0x20), 0xfe) // CodeData.MARKER
                    mstore(chunk, add(size, 1))
                }
            } else if (dataLength > maxSize) {
                assembly ("memory-safe") {
                    mstore(chunk, add(maxSize, 1))
                }
            }
            // A task is finalized once and each chunk fits a contract: only a lack of gas can make this fail.
            uint256 index = start / maxSize;
            if (!CodeData.write(DataKind.Results, _chunkSalt(taskid, index), chunk)) {
                revert ITaskTypes.ResultsNotRecorded(taskid, index);
            }
        }
    }

    /// @dev The data of a task's chunks, joined (empty when there is none).
    function _readChunks(bytes32 taskid) private view returns (bytes memory data) {
        address first = CodeData.addressOf(DataKind.Results, taskid);
        uint256 size = first.code.length;
        if (size == 0) return data;
        if (size < FULL_CHUNK) return _copy(first, size);
        // Several chunks: find them all, then copy each into place.
        uint256 count = 1;
        uint256 total = size - 1;
        while (size == FULL_CHUNK) {
            size = CodeData.addressOf(DataKind.Results, _chunkSalt(taskid, count)).code.length;
            if (size == 0) break;
            total += size - 1;
            ++count;
        }
        data = new bytes(total);
        for (uint256 i; i < count; ++i) {
            address at = CodeData.addressOf(DataKind.Results, _chunkSalt(taskid, i));
            uint256 chunkSize = at.code.length - 1;
            uint256 offset = i * CodeData.MAX_SIZE;
            assembly ("memory-safe") {
                extcodecopy(at, add(add(data, 0x20), offset), 1, chunkSize)
            }
        }
    }

    /// @dev The data of the single data contract `at` of code size `size`.
    function _copy(address at, uint256 size) private view returns (bytes memory data) {
        data = new bytes(size - 1);
        assembly ("memory-safe") {
            extcodecopy(at, add(data, 0x20), 1, sub(size, 1))
        }
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
