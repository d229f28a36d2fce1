// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CodeData} from "./CodeData.sol";
import {ITaskTypes} from "../../interfaces/hub/ITaskTypes.sol";

/// @title A finalized task's results and callback data, kept in contract code
/// @notice Written once at finalize, so stored like deals (see `CodeData`): 200 gas a byte instead of a fresh slot
/// per 32 bytes (about 690 a byte). A task with neither results nor callback data writes nothing.
/// @dev Data: results length (4 bytes), results, callback data (up to the end).
library Results {
    /// @dev Salt of a task's results: distinct from every deal id (a deal's salt is its id, a hash of 64 bytes).
    function _salt(bytes32 taskid) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(taskid, "results"));
    }

    /// @notice Records the results and callback data of `taskid`, once.
    function store(bytes32 taskid, bytes calldata results, bytes calldata resultsCallback) internal {
        uint256 size = results.length + resultsCallback.length;
        if (size == 0) return;
        if (size + 4 > CodeData.MAX_SIZE)
            revert ITaskTypes.ResultsTooLarge(taskid, size, CodeData.MAX_SIZE - 4);
        bytes memory data = abi.encodePacked(uint32(results.length), results, resultsCallback);
        // Cannot fail: a task is finalized once, and the size is checked.
        assert(CodeData.write(_salt(taskid), data));
    }

    /// @notice The results and callback data of `taskid` (both empty when there are none).
    function load(bytes32 taskid) internal view returns (bytes memory results, bytes memory resultsCallback) {
        bytes memory data = CodeData.read(_salt(taskid));
        if (data.length == 0) return (results, resultsCallback);
        uint256 resultsLength;
        assembly ("memory-safe") {
            resultsLength := shr(224, mload(add(data, 0x20)))
        }
        results = _slice(data, 4, resultsLength);
        resultsCallback = _slice(data, 4 + resultsLength, data.length - 4 - resultsLength);
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
