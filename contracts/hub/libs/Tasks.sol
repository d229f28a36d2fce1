// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubStorage} from "../HubStorage.sol";
import {ITaskTypes} from "../../interfaces/hub/ITaskTypes.sol";
import {CONTRIBUTION_DEADLINE_RATIO, FINAL_DEADLINE_RATIO} from "./Constants.sol";

/// @title Task and contribution storage: the packing of `HubStorage.Task` and `HubStorage.Contribution`
/// @notice A task's scalar fields share one slot (`state`), read and written whole through `State`, so that each
/// step of a task pays one cold read and one write for all of them. Contributors form a list: the task keeps the
/// last one, each contribution the one before it, so a contribution adds no storage slot of its own to the list.
/// @dev `state` (from bit 0): status 8, index 64, contribution deadline 40, final deadline 40, reveal deadline 40,
/// reveal count 16, winner count 16, contributor count 16. `contributors`: last contributor 160, results
/// timestamp 40. A contribution's `head`: previous contributor 160, status 8, weight 8, flags 8.
/// Deadlines are timestamps (40 bits last until the year 36812); indexes are below 2^64 (the matching bounds
/// them); counts are bounded by `MAX_CONTRIBUTORS`.
library Tasks {
    /// @dev Most contributions one task takes. Settling a task walks its contributors, so an unbounded list would let
    /// a scheduler (authorizing Sybils) make `finalize`, `claim` and `reopen` cost more than a block holds, freezing
    /// the requester's payment for ever. With 256, the worst case of each stays under 10M gas (measured by
    /// `test/tasks/limits.test.ts` and `npm run bench:worst`), while a consensus at the highest trust (2^64 - 1) needs
    /// 64 agreeing new workers alone, or 129 beside 127 disagreeing ones (fewer with higher scores).
    uint256 internal constant MAX_CONTRIBUTORS = 256;

    /// @dev Contribution flag: the result hash is not stored, it is the task's consensus hash (the contribution that
    /// brought the consensus, whose hash the task keeps anyway). A reopen writes it before the task forgets it.
    uint256 internal constant FLAG_HASH_IS_CONSENSUS = 1;
    /// @dev Contribution flag: the seal is not stored, it follows from the task's digest (a contribution made by
    /// `contributeAndFinalize`, which computes it itself).
    uint256 internal constant FLAG_SEAL_FROM_DIGEST = 2;
    /// @dev Contribution flag: an enclave challenge is stored.
    uint256 internal constant FLAG_ENCLAVE = 4;

    // Bit offsets of the packed fields, from bit 0 (see the layout above). Each field's width is given by the
    // cast that reads it (uint8, uint40 ...), and the next field starts where it ends.

    // `state`: status (8, at bit 0), idx (64), contribution deadline (40), final deadline (40), reveal deadline
    // (40), reveal count (16), winner count (16), contributor count (16); bits 240-255 are unused.
    uint256 private constant STATE_IDX_OFFSET = 8;
    uint256 private constant STATE_CONTRIBUTION_DEADLINE_OFFSET = 72;
    uint256 private constant STATE_FINAL_DEADLINE_OFFSET = 112;
    uint256 private constant STATE_REVEAL_DEADLINE_OFFSET = 152;
    uint256 private constant STATE_REVEAL_COUNT_OFFSET = 192;
    uint256 private constant STATE_WINNER_COUNT_OFFSET = 208;
    uint256 private constant STATE_CONTRIBUTOR_COUNT_OFFSET = 224;
    // `contributors`: last contributor (160, at bit 0), results timestamp (40).
    uint256 private constant CONTRIBUTORS_RESULTS_TIMESTAMP_OFFSET = 160;
    // A contribution's `head`: previous contributor (160, at bit 0), status (8), weight (8), flags (8).
    uint256 private constant HEAD_STATUS_OFFSET = 160;
    uint256 private constant HEAD_WEIGHT_OFFSET = 168;
    uint256 private constant HEAD_FLAGS_OFFSET = 176;

    /// @notice The scalar fields of a task, unpacked.
    struct State {
        ITaskTypes.TaskStatus status;
        uint256 idx;
        uint256 contributionDeadline;
        uint256 finalDeadline;
        uint256 revealDeadline;
        uint256 revealCount;
        uint256 winnerCount;
        uint256 contributorCount;
    }

    /// @notice The packed head of a contribution, unpacked.
    struct Head {
        address prev;
        ITaskTypes.ContributionStatus status;
        uint256 weight;
        uint256 flags;
    }

    function task(bytes32 taskid) internal view returns (HubStorage.Task storage) {
        return HubStorage.layout().tasks[taskid];
    }

    function contribution(
        bytes32 taskid,
        address worker
    ) internal view returns (HubStorage.Contribution storage) {
        return HubStorage.layout().contributions[taskid][worker];
    }

    function loadState(HubStorage.Task storage stored) internal view returns (State memory s) {
        uint256 word = stored.state;
        s.status = ITaskTypes.TaskStatus(uint8(word));
        s.idx = uint64(word >> STATE_IDX_OFFSET);
        s.contributionDeadline = uint40(word >> STATE_CONTRIBUTION_DEADLINE_OFFSET);
        s.finalDeadline = uint40(word >> STATE_FINAL_DEADLINE_OFFSET);
        s.revealDeadline = uint40(word >> STATE_REVEAL_DEADLINE_OFFSET);
        s.revealCount = uint16(word >> STATE_REVEAL_COUNT_OFFSET);
        s.winnerCount = uint16(word >> STATE_WINNER_COUNT_OFFSET);
        s.contributorCount = uint16(word >> STATE_CONTRIBUTOR_COUNT_OFFSET);
    }

    /// @dev Every field must fit its width (callers bound them; see the layout).
    function saveState(HubStorage.Task storage stored, State memory s) internal {
        stored.state =
            uint256(s.status) |
            (s.idx << STATE_IDX_OFFSET) |
            (s.contributionDeadline << STATE_CONTRIBUTION_DEADLINE_OFFSET) |
            (s.finalDeadline << STATE_FINAL_DEADLINE_OFFSET) |
            (s.revealDeadline << STATE_REVEAL_DEADLINE_OFFSET) |
            (s.revealCount << STATE_REVEAL_COUNT_OFFSET) |
            (s.winnerCount << STATE_WINNER_COUNT_OFFSET) |
            (s.contributorCount << STATE_CONTRIBUTOR_COUNT_OFFSET);
    }

    /// @notice The category time reference the task's deadlines were set with: they lie 7 and 10 of it after the
    /// deal's start, so 3 of it apart.
    /// @param s The task's state.
    function timeref(State memory s) internal pure returns (uint256) {
        return
            (s.finalDeadline - s.contributionDeadline) / (FINAL_DEADLINE_RATIO - CONTRIBUTION_DEADLINE_RATIO);
    }

    function lastContributor(HubStorage.Task storage stored) internal view returns (address) {
        return address(uint160(stored.contributors));
    }

    function resultsTimestamp(HubStorage.Task storage stored) internal view returns (uint256) {
        return uint40(stored.contributors >> CONTRIBUTORS_RESULTS_TIMESTAMP_OFFSET);
    }

    /// @dev Records `worker` as the task's last contributor, keeping the results timestamp.
    function setLastContributor(HubStorage.Task storage stored, address worker) internal {
        stored.contributors = (stored.contributors & ~uint256(type(uint160).max)) | uint160(worker);
    }

    /// @dev Records the results timestamp, keeping the last contributor (for a task finalized without results or
    /// callback data: otherwise `Results` keeps the time with them).
    function setResultsTimestamp(HubStorage.Task storage stored, uint256 timestamp) internal {
        stored.contributors =
            uint160(stored.contributors) | (timestamp << CONTRIBUTORS_RESULTS_TIMESTAMP_OFFSET);
    }

    function loadHead(HubStorage.Contribution storage stored) internal view returns (Head memory h) {
        uint256 word = stored.head;
        h.prev = address(uint160(word));
        h.status = ITaskTypes.ContributionStatus(uint8(word >> HEAD_STATUS_OFFSET));
        h.weight = uint8(word >> HEAD_WEIGHT_OFFSET);
        h.flags = uint8(word >> HEAD_FLAGS_OFFSET);
    }

    function saveHead(HubStorage.Contribution storage stored, Head memory h) internal {
        stored.head =
            uint160(h.prev) |
            (uint256(h.status) << HEAD_STATUS_OFFSET) |
            (h.weight << HEAD_WEIGHT_OFFSET) |
            (h.flags << HEAD_FLAGS_OFFSET);
    }

    /// @dev Sets only the status of a contribution's head.
    function setStatus(
        HubStorage.Contribution storage stored,
        ITaskTypes.ContributionStatus status
    ) internal {
        stored.head =
            (stored.head & ~(uint256(0xff) << HEAD_STATUS_OFFSET)) | (uint256(status) << HEAD_STATUS_OFFSET);
    }

    /// @notice The task's contributors, first to last.
    /// @param taskid The task.
    function contributors(bytes32 taskid) internal view returns (address[] memory list) {
        HubStorage.Task storage stored = task(taskid);
        list = new address[](loadState(stored).contributorCount);
        address worker = lastContributor(stored);
        mapping(address => HubStorage.Contribution) storage all = HubStorage.layout().contributions[taskid];
        for (uint256 i = list.length; i > 0; --i) {
            list[i - 1] = worker;
            worker = address(uint160(all[worker].head));
        }
    }

    /// @notice The task's consensus hash (zero without consensus): the task holds it until a winner reveals, then
    /// the digest, whose result hash it is.
    /// @param taskid The task.
    /// @param stored The task's storage.
    /// @param s Its state, as loaded.
    function consensusHash(
        bytes32 taskid,
        HubStorage.Task storage stored,
        State memory s
    ) internal view returns (bytes32) {
        return s.revealCount == 0 ? stored.consensus : resultHash(taskid, stored.consensus);
    }

    /// @notice The result hash a contribution committed to, given the task's consensus hash.
    /// @param stored The contribution's storage.
    /// @param head Its head, as loaded.
    /// @param consensus The task's consensus hash.
    function committedHash(
        HubStorage.Contribution storage stored,
        Head memory head,
        bytes32 consensus
    ) internal view returns (bytes32) {
        return head.flags & FLAG_HASH_IS_CONSENSUS != 0 ? consensus : stored.resultHash;
    }

    /// @notice `keccak256(abi.encodePacked(taskid, resultDigest))`, a worker's commitment to a result.
    /// @param taskid The task.
    /// @param resultDigest The result digest.
    function resultHash(bytes32 taskid, bytes32 resultDigest) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            mstore(0x00, taskid)
            mstore(0x20, resultDigest)
            hash := keccak256(0x00, 0x40)
        }
    }

    /// @notice `keccak256(abi.encodePacked(worker, taskid, resultDigest))`, binding a result to its worker.
    /// @param worker The worker.
    /// @param taskid The task.
    /// @param resultDigest The result digest.
    function resultSeal(
        address worker,
        bytes32 taskid,
        bytes32 resultDigest
    ) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(worker, taskid, resultDigest));
    }
}
