// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDeals} from "../../interfaces/hub/IDeals.sol";
import {IMatching} from "../../interfaces/hub/IMatching.sol";
import {CodeData, DataKind} from "./CodeData.sol";

/// @title Deals, written once into contract code and read back with EXTCODECOPY
/// @notice A deal never changes after its match, so it is kept in a data contract (see `CodeData`) whose salt is
/// the deal id: a whole deal reads back with one cold EXTCODECOPY instead of a cold SLOAD per field, and recording
/// it writes no storage at all. Only `MatchingFacet` writes deals, and the deals' address space holds nothing else
/// (`DataKind`), so a deal id with data is a deal that a match made.
/// @dev Code layout (big-endian, packed). The first byte is `CodeData.MARKER` (INVALID), so any call to the data
/// contract reverts.
///
///     offset size field
///       0     1   0xfe (CodeData.MARKER)
///       1     1   flags: which optional fields follow (FLAG_*)
///       2    20   app           22  20  app owner         42   8  app price
///      50    20   workerpool    70  20  workerpool owner  90   8  workerpool price
///      98    20   requester
///     118     8   trust        126   4  category         130   5  start time
///     135     8   botFirst     143   8  botSize
///     151     1   worker stake ratio (percent of the workerpool price)
///     152     1   scheduler reward ratio (percent)
///     153         optional, in this order: dataset (20), dataset owner (20), dataset price (8) if FLAG_DATASET;
///                 beneficiary (20) if FLAG_BENEFICIARY (otherwise the requester); callback (20) if FLAG_CALLBACK
///                 (otherwise 0); sponsor (20) if FLAG_SPONSOR (otherwise the requester); tag (32) if FLAG_TAG
///                 (otherwise 0); then params, up to the end of the code.
///
/// The usual deal (requester = beneficiary = sponsor, no callback, tag 0, no params) is 201 bytes with a dataset.
/// The matching code bounds every value to its width: prices, trust and task indexes to 64 bits (2^64 nRLC is
/// 200 times the RLC supply), ratios to 100 (workerpool policy); the category is below the category count
/// (2^32 categories would take as many owner transactions), and 40-bit timestamps last until the year 36812.
library Deals {
    uint256 internal constant FLAG_DATASET = 1;
    uint256 internal constant FLAG_BENEFICIARY = 2;
    uint256 internal constant FLAG_CALLBACK = 4;
    uint256 internal constant FLAG_SPONSOR = 8;
    uint256 internal constant FLAG_TAG = 16;

    // Byte offsets of the fixed fields in the code (see the layout above; `store` writes them in this order).
    uint256 private constant FLAGS_OFFSET = 1;
    uint256 private constant APP_OFFSET = 2;
    uint256 private constant APP_OWNER_OFFSET = 22;
    uint256 private constant APP_PRICE_OFFSET = 42;
    uint256 private constant WORKERPOOL_OFFSET = 50;
    uint256 private constant WORKERPOOL_OWNER_OFFSET = 70;
    uint256 private constant WORKERPOOL_PRICE_OFFSET = 90;
    uint256 private constant REQUESTER_OFFSET = 98;
    uint256 private constant TRUST_OFFSET = 118;
    uint256 private constant CATEGORY_OFFSET = 126;
    uint256 private constant START_TIME_OFFSET = 130;
    uint256 private constant BOT_FIRST_OFFSET = 135;
    uint256 private constant BOT_SIZE_OFFSET = 143;
    uint256 private constant WORKER_STAKE_RATIO_OFFSET = 151;
    uint256 private constant SCHEDULER_REWARD_RATIO_OFFSET = 152;
    /// @dev Bytes before the optional fields.
    uint256 private constant FIXED_SIZE = 153;

    // Sizes of the optional fields, each present only with its flag. Within the dataset's 48 bytes, the owner
    // is at +20 and the price at +40 (written `constant + offset` in `load`, which compiles to the same code as
    // the literal sums did).
    uint256 private constant DATASET_SIZE = 48;
    uint256 private constant DATASET_OWNER_OFFSET = 20;
    uint256 private constant DATASET_PRICE_OFFSET = 40;
    uint256 private constant ADDRESS_SIZE = 20;
    uint256 private constant TAG_SIZE = 32;

    /// @dev Longest `params` a deal records: with every optional field, the code stays under EIP-170's 24,576 bytes.
    uint256 internal constant MAX_PARAMS_LENGTH = 24_000;

    /// @notice Records `deal` under `dealid`; the caller guarantees that `dealid` is new and that every field
    /// fits its width (see the layout).
    /// @param workerStakeRatio Percent of the workerpool price each worker stakes (`deal.workerStake` is ignored:
    /// it is derived from this ratio, so it needs no bytes of its own).
    function store(bytes32 dealid, IDeals.Deal memory deal, uint256 workerStakeRatio) internal {
        uint256 flags;
        bytes memory optional;
        if (deal.dataset.pointer != address(0)) {
            flags |= FLAG_DATASET;
            optional = abi.encodePacked(deal.dataset.pointer, deal.dataset.owner, uint64(deal.dataset.price));
        }
        if (deal.beneficiary != deal.requester) {
            flags |= FLAG_BENEFICIARY;
            optional = abi.encodePacked(optional, deal.beneficiary);
        }
        if (deal.callback != address(0)) {
            flags |= FLAG_CALLBACK;
            optional = abi.encodePacked(optional, deal.callback);
        }
        if (deal.sponsor != deal.requester) {
            flags |= FLAG_SPONSOR;
            optional = abi.encodePacked(optional, deal.sponsor);
        }
        if (deal.tag != bytes32(0)) {
            flags |= FLAG_TAG;
            optional = abi.encodePacked(optional, deal.tag);
        }
        bytes memory head = abi.encodePacked(
            CodeData.MARKER,
            uint8(flags),
            deal.app.pointer,
            deal.app.owner,
            uint64(deal.app.price),
            deal.workerpool.pointer,
            deal.workerpool.owner,
            uint64(deal.workerpool.price),
            deal.requester
        );
        bytes memory code = abi.encodePacked(
            head,
            uint64(deal.trust),
            uint32(deal.category),
            uint40(deal.startTime),
            uint64(deal.botFirst),
            uint64(deal.botSize),
            uint8(workerStakeRatio),
            uint8(deal.schedulerRewardRatio),
            optional,
            deal.params
        );
        if (!CodeData.write(DataKind.Deal, dealid, code)) revert IMatching.DealNotRecorded(dealid);
    }

    /// @notice Address of the data contract of `dealid`, whether recorded or not.
    /// @param dealid The deal.
    function dataAddress(bytes32 dealid) internal view returns (address) {
        return CodeData.addressOf(DataKind.Deal, dealid);
    }

    /// @notice The deal recorded under `dealid`, or a zero deal when there is none.
    /// @param dealid The deal.
    function load(bytes32 dealid) internal view returns (IDeals.Deal memory deal) {
        bytes memory code = dataAddress(dealid).code;
        if (code.length == 0) return deal;
        uint256 flags = _uint(code, FLAGS_OFFSET, 8);
        deal.app = IDeals.Resource(
            _address(code, APP_OFFSET),
            _address(code, APP_OWNER_OFFSET),
            _uint(code, APP_PRICE_OFFSET, 64)
        );
        deal.workerpool = IDeals.Resource(
            _address(code, WORKERPOOL_OFFSET),
            _address(code, WORKERPOOL_OWNER_OFFSET),
            _uint(code, WORKERPOOL_PRICE_OFFSET, 64)
        );
        deal.requester = _address(code, REQUESTER_OFFSET);
        deal.trust = _uint(code, TRUST_OFFSET, 64);
        deal.category = _uint(code, CATEGORY_OFFSET, 32);
        deal.startTime = _uint(code, START_TIME_OFFSET, 40);
        deal.botFirst = _uint(code, BOT_FIRST_OFFSET, 64);
        deal.botSize = _uint(code, BOT_SIZE_OFFSET, 64);
        deal.workerStake = (deal.workerpool.price * _uint(code, WORKER_STAKE_RATIO_OFFSET, 8)) / 100;
        deal.schedulerRewardRatio = _uint(code, SCHEDULER_REWARD_RATIO_OFFSET, 8);

        uint256 offset = FIXED_SIZE;
        if (flags & FLAG_DATASET != 0) {
            deal.dataset = IDeals.Resource(
                _address(code, offset),
                _address(code, DATASET_OWNER_OFFSET + offset),
                _uint(code, DATASET_PRICE_OFFSET + offset, 64)
            );
            offset += DATASET_SIZE;
        }
        deal.beneficiary = deal.requester;
        if (flags & FLAG_BENEFICIARY != 0) {
            deal.beneficiary = _address(code, offset);
            offset += ADDRESS_SIZE;
        }
        if (flags & FLAG_CALLBACK != 0) {
            deal.callback = _address(code, offset);
            offset += ADDRESS_SIZE;
        }
        deal.sponsor = deal.requester;
        if (flags & FLAG_SPONSOR != 0) {
            deal.sponsor = _address(code, offset);
            offset += ADDRESS_SIZE;
        }
        if (flags & FLAG_TAG != 0) {
            deal.tag = bytes32(_uint(code, offset, 256));
            offset += TAG_SIZE;
        }
        deal.params = string(_slice(code, offset));
    }

    /// @dev The `bits`-wide big-endian unsigned integer at byte `offset` of `code` (bits <= 256).
    function _uint(bytes memory code, uint256 offset, uint256 bits) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := shr(sub(256, bits), mload(add(add(code, 0x20), offset)))
        }
    }

    function _address(bytes memory code, uint256 offset) private pure returns (address) {
        return address(uint160(_uint(code, offset, 160)));
    }

    /// @dev Bytes of `code` from `offset` to its end.
    function _slice(bytes memory code, uint256 offset) private pure returns (bytes memory out) {
        uint256 length = code.length - offset;
        out = new bytes(length);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), add(add(code, 0x20), offset), length)
        }
    }
}
