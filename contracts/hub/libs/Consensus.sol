// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {HubStorage} from "../HubStorage.sol";

/// @title The consensus rule (Sarmenta's credibility-based voting, k = 3)
/// @notice A worker of score s weighs w = max(s / 3, 3) - 1 (2 for a new worker). A group of workers agreeing on a
/// result hash weighs the product of their weights; the total is 1 plus the weight of every group. A hash reaches
/// consensus at trust t when `group * t > total * (t - 1)`: with new workers, trust 1, 3 and 5 need 1, 2 and 3
/// agreeing workers. Its TypeScript model is `src/sdk/core/consensus.ts` (property-tested against this library).
/// @dev Only the groups still in play are stored. When a hash reaches consensus, its group leaves them at once,
/// because the next use of the weights can only follow a reopen, which rejects that group's winners: the group
/// and its weight drop out of the total, and agreeing on that hash again starts from nothing. A trust-1 task
/// reaches consensus with any contribution, so it writes no weights at all.
library Consensus {
    /// @notice The weight of a worker whose score is `score`.
    /// @param score The score.
    function workerWeight(uint256 score) internal pure returns (uint256) {
        return Math.max(score / 3, 3) - 1;
    }

    /// @notice Adds a contribution of `weight` to the group of `resultHash`; returns whether that hash now has the
    /// consensus at `trust` (at least 1).
    /// @param taskid The task.
    /// @param resultHash The result hash contributed.
    /// @param weight The contributor's weight.
    /// @param trust The deal's trust.
    function add(bytes32 taskid, bytes32 resultHash, uint256 weight, uint256 trust) internal returns (bool) {
        if (trust == 1) return true;
        HubStorage.Layout storage $ = HubStorage.layout();
        uint256 group = $.groupWeights[taskid][resultHash];
        uint256 open = $.openWeight[taskid];
        uint256 grown = Math.max(group, 1) * weight;
        uint256 total = 1 + open + (grown - group);
        if (grown * trust > total * (trust - 1)) {
            if (group != 0) {
                delete $.groupWeights[taskid][resultHash];
                $.openWeight[taskid] = open - group;
            }
            return true;
        }
        $.groupWeights[taskid][resultHash] = grown;
        $.openWeight[taskid] = open + (grown - group);
        return false;
    }
}
