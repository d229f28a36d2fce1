// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {HubStorage} from "../HubStorage.sol";
import {Consensus} from "./Consensus.sol";
import {Escrow} from "./Escrow.sol";
import {Signatures} from "./Signatures.sol";
import {Tasks} from "./Tasks.sol";
import {IDeals} from "../../interfaces/hub/IDeals.sol";
import {ITaskTypes} from "../../interfaces/hub/ITaskTypes.sol";
import {IContributions} from "../../interfaces/hub/IContributions.sol";

/// @title Who may contribute, and how a contribution is recorded (shared by `contribute` and
/// `contributeAndFinalize`)
library Contributions {
    /// @notice The commitment a contribution brings.
    struct Commitment {
        bytes32 resultHash;
        bytes32 resultSeal;
        address enclaveChallenge;
    }

    /// @notice Checks that `worker` may contribute `commitment` to task `taskid` of `deal`: the scheduler (or, for
    /// an enclave on a TEE deal, the TEE broker when one is set) signed the authorization, a TEE deal names an
    /// enclave, and the enclave signed the commitment.
    /// @param taskid The task.
    /// @param deal Its deal.
    /// @param worker The contributor.
    /// @param commitment The result hash and seal contributed, and the enclave.
    /// @param enclaveSign The enclave's signature of the commitment (ignored without an enclave).
    /// @param authorizationSign The scheduler's (or TEE broker's) signature of the authorization.
    function checkAuthorized(
        bytes32 taskid,
        IDeals.Deal memory deal,
        address worker,
        Commitment memory commitment,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) internal view {
        address enclave = commitment.enclaveChallenge;
        bool teeDeal = uint256(deal.tag) & 1 != 0;
        if (enclave == address(0) && teeDeal) revert ITaskTypes.EnclaveRequired(taskid);
        address authorizer = deal.workerpool.owner;
        // The broker speaks for TEE deals only: on any other deal the scheduler alone decides who contributes, even
        // an enclave (the reference lets the broker authorize any contribution naming an enclave).
        if (enclave != address(0) && teeDeal) {
            address teeBroker = HubStorage.layout().teeBroker;
            if (teeBroker != address(0)) authorizer = teeBroker;
        }
        bytes32 authorization = MessageHashUtils.toEthSignedMessageHash(
            keccak256(abi.encodePacked(worker, taskid, enclave))
        );
        if (!Signatures.isValid(authorizer, authorization, authorizationSign)) {
            revert ITaskTypes.InvalidAuthorization(taskid, worker, authorizer);
        }
        if (enclave != address(0)) {
            bytes32 sealed_ = MessageHashUtils.toEthSignedMessageHash(
                keccak256(abi.encodePacked(commitment.resultHash, commitment.resultSeal))
            );
            if (!Signatures.isValid(enclave, sealed_, enclaveSign)) {
                revert ITaskTypes.InvalidEnclaveSignature(taskid, enclave);
            }
        }
    }

    /// @notice The consensus weight of `worker` (from its score).
    /// @param worker The worker.
    function weightOf(address worker) internal view returns (uint256) {
        return Consensus.workerWeight(HubStorage.layout().scores[worker]);
    }

    /// @notice Records `worker`'s contribution of `weight` with `status` as the task's last, locks its stake if
    /// `lockStake`, and emits `TaskContribute`.
    /// @param flags `Tasks.FLAG_HASH_IS_CONSENSUS` and `Tasks.FLAG_SEAL_FROM_DIGEST` say what is not stored.
    /// @param lockStake Whether the contribution locks the deal's worker stake: one that awaits a consensus does,
    /// as a guarantee it may lose; one settled in the same call (`contributeAndFinalize`) has nothing to lose.
    function record(
        bytes32 taskid,
        Tasks.State memory state,
        IDeals.Deal memory deal,
        address worker,
        Commitment memory commitment,
        ITaskTypes.ContributionStatus status,
        uint256 weight,
        uint256 flags,
        bool lockStake
    ) internal {
        HubStorage.Contribution storage stored = Tasks.contribution(taskid, worker);
        if (stored.head != 0) revert ITaskTypes.AlreadyContributed(taskid, worker);
        if (state.contributorCount == Tasks.MAX_CONTRIBUTORS) revert ITaskTypes.TooManyContributors(taskid);
        HubStorage.Task storage task = Tasks.task(taskid);

        if (commitment.enclaveChallenge != address(0)) {
            flags |= Tasks.FLAG_ENCLAVE;
            stored.enclaveChallenge = commitment.enclaveChallenge;
        }
        Tasks.saveHead(stored, Tasks.Head(Tasks.lastContributor(task), status, Math.log2(weight), flags));
        if (flags & Tasks.FLAG_HASH_IS_CONSENSUS == 0) stored.resultHash = commitment.resultHash;
        if (flags & Tasks.FLAG_SEAL_FROM_DIGEST == 0) stored.resultSeal = commitment.resultSeal;
        Tasks.setLastContributor(task, worker);
        state.contributorCount += 1;

        if (lockStake) Escrow.lock(worker, deal.workerStake);
        emit IContributions.TaskContribute(taskid, worker, commitment.resultHash);
    }
}
