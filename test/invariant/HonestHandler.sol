// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IContributions} from "../../contracts/interfaces/hub/IContributions.sol";
import {IEscrow} from "../../contracts/interfaces/hub/IEscrow.sol";
import {IFinalize} from "../../contracts/interfaces/hub/IFinalize.sol";
import {ITasks} from "../../contracts/interfaces/hub/ITasks.sol";
import {IAppRegistry} from "../../contracts/interfaces/IAppRegistry.sol";
import {IDatasetRegistry} from "../../contracts/interfaces/IDatasetRegistry.sol";
import {IWorkerpoolRegistry} from "../../contracts/interfaces/IWorkerpoolRegistry.sol";
import {IHub} from "../../contracts/interfaces/hub/IHub.sol";
import {ITaskTypes} from "../../contracts/interfaces/hub/ITaskTypes.sol";
import {Ghost} from "./Ghost.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {Market} from "./Market.sol";
import {VM} from "./utils/Vm.sol";

/// @title The marketplace used as intended
/// @notice Requesters, sponsors, asset owners, schedulers and workers run deals through their whole life: escrow
/// moves, matches (sponsored or not), task initialization, contributions with the scheduler's authorization,
/// reveals, finalization, one-step trust-1 finalization, reopening, claims, and time passing. Inputs are bounded
/// so that most calls succeed; each success is reported to the ghost with the money it may move.
contract HonestHandler is HandlerBase {
    uint256 private constant RLC = 1e9;

    /// @dev (owner, spender) of the allowances honest accounts gave each other.
    address[2][] private _approvals;

    constructor(
        IHub hub_,
        IERC20 token_,
        Ghost ghost_,
        Market market_,
        address workerpoolRegistry_
    ) HandlerBase(hub_, token_, ghost_, market_, workerpoolRegistry_) {}

    // ================================================================ escrow and SRLC

    /// @notice An actor deposits RLC: for itself, for another actor, or through RLC's approveAndCall.
    function deposit(uint256 who, uint256 amount, uint256 how) external tracked("deposit", false) {
        address actor = ghost.honest(who);
        amount = amount % (1000 * RLC);
        bool ok;
        if (how % 3 == 0) {
            (ok, ) = _call(actor, abi.encodeCall(IEscrow.deposit, (amount)));
        } else if (how % 3 == 1) {
            (ok, ) = _call(actor, abi.encodeCall(IEscrow.depositFor, (amount, ghost.honest(how >> 2))));
        } else {
            VM.startPrank(actor);
            // solhint-disable-next-line avoid-low-level-calls
            (ok, ) = address(token).call(
                abi.encodeWithSignature("approveAndCall(address,uint256,bytes)", address(hub), amount, "")
            );
            VM.stopPrank();
            // approveAndCall left an allowance behind: deposits pull from it next.
            VM.startPrank(actor);
            token.approve(address(hub), type(uint256).max);
            VM.stopPrank();
        }
        if (ok) ghost.count("deposit");
    }

    /// @notice An actor withdraws part of its free SRLC, to itself or to another address.
    function withdraw(uint256 who, uint256 amount, bool elsewhere) external tracked("withdraw", false) {
        address actor = ghost.honest(who);
        uint256 balance = hub.balanceOf(actor);
        if (balance == 0) return;
        amount = amount % (balance + 1);
        ghost.allowLoss(actor, amount);
        bytes memory call =
            elsewhere
                ? abi.encodeCall(IEscrow.withdrawTo, (amount, ghost.honest(who >> 8)))
                : abi.encodeCall(IEscrow.withdraw, (amount));
        (bool ok, ) = _call(actor, call);
        if (ok) ghost.count("withdraw");
    }

    function transfer(uint256 from, uint256 to, uint256 amount) external tracked("transfer", false) {
        address sender = ghost.honest(from);
        amount = amount % (hub.balanceOf(sender) + 1);
        ghost.allowLoss(sender, amount);
        (bool ok, ) = _call(sender, abi.encodeCall(IERC20.transfer, (ghost.account(to), amount)));
        if (ok) ghost.count("transfer");
    }

    /// @notice An actor sets an allowance, possibly for the attacker, possibly infinite.
    function approve(uint256 owner, uint256 spender, uint256 amount) external tracked("approve", false) {
        address holder = ghost.honest(owner);
        address to = spender % 4 == 0 ? _cast.attacker : ghost.honest(spender);
        if (amount % 5 == 0) amount = type(uint256).max;
        else amount = amount % (100 * RLC);
        (bool ok, ) = _call(holder, abi.encodeCall(IERC20.approve, (to, amount)));
        if (ok) {
            ghost.onApprove(holder, to, amount);
            if (to != _cast.attacker) _approvals.push([holder, to]);
            ghost.count("approve");
        }
    }

    /// @notice An honest spender uses an allowance it was given (most often), or one it was not.
    function transferFrom(
        uint256 spender,
        uint256 owner,
        uint256 amount
    ) external tracked("transferFrom", false) {
        address by = ghost.honest(spender);
        address from = ghost.honest(owner);
        if (spender % 4 != 0 && _approvals.length != 0) {
            address[2] memory approval = _approvals[owner % _approvals.length];
            (from, by) = (approval[0], approval[1]);
        }
        amount = amount % (hub.balanceOf(from) + 1);
        ghost.allowSpend(from, by, amount);
        (bool ok, ) = _call(by, abi.encodeCall(IERC20.transferFrom, (from, ghost.honest(amount), amount)));
        if (ok) {
            ghost.onSpend(from, by, amount);
            ghost.count("transferFrom");
        }
    }

    /// @notice RLC sent to the hub by mistake, recovered by the hub's owner (one step, so that the hub's RLC and
    /// the SRLC supply agree again when the invariants run).
    function strayRlcRecovered(uint256 who, uint256 amount) external tracked("strayRlcRecovered", false) {
        address actor = ghost.honest(who);
        amount = amount % (10 * RLC);
        if (token.balanceOf(actor) < amount) return;
        VM.startPrank(actor);
        bool sent = token.transfer(address(hub), amount);
        VM.stopPrank();
        (bool ok, ) = _call(hub.owner(), abi.encodeCall(IEscrow.recover, ()));
        if (sent && ok) ghost.count("strayRlcRecovered");
    }

    /// @notice An owner registers one more app, dataset or workerpool (up to 4 of each kind), which later
    /// matches may use.
    function createAsset(uint256 kind, uint256 ownerSeed) external tracked("createAsset", false) {
        uint256 k = kind % 3;
        address[] storage owners =
            k == 0
                ? _cast.appOwners
                : k == 1
                    ? _cast.datasetOwners
                    : _cast.schedulers;
        address[] storage assets =
            k == 0
                ? _cast.apps
                : k == 1
                    ? _cast.datasets
                    : _cast.workerpools;
        if (assets.length >= 4) return;
        address owner = owners[ownerSeed % owners.length];
        string memory name = string.concat("asset ", VM.toString(assets.length));
        bytes memory call;
        address registry;
        if (k == 0) {
            registry = _cast.appRegistry;
            call = abi.encodeCall(
                IAppRegistry.createApp,
                (owner, name, "DOCKER", bytes(name), bytes32(0), "")
            );
        } else if (k == 1) {
            registry = _cast.datasetRegistry;
            call = abi.encodeCall(IDatasetRegistry.createDataset, (owner, name, bytes(name), bytes32(0)));
        } else {
            registry = workerpoolRegistry;
            call = abi.encodeCall(IWorkerpoolRegistry.createWorkerpool, (owner, name));
        }
        VM.startPrank(owner);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory returned) = registry.call(call);
        VM.stopPrank();
        if (!ok) return;
        owners.push(owner);
        assets.push(abi.decode(returned, (address)));
        ghost.count("createAsset");
    }

    // ================================================================ deals

    function matchOrders(uint256 seed, uint256 prices) external tracked("matchOrders", false) {
        _match(seed, prices, false);
    }

    function sponsorMatchOrders(uint256 seed, uint256 prices) external tracked("sponsorMatchOrders", false) {
        _match(seed, prices, true);
    }

    /// @notice The scheduler initializes a task not initialized yet, of one of the last 8 deals.
    function initialize(uint256 dealSeed, uint256 indexSeed) external tracked("initialize", false) {
        (, uint256 deals, , , , ) = ghost.counts();
        uint256 span = deals < 8 ? deals : 8;
        for (uint256 j = 0; j < span; ++j) {
            bytes32 dealid = ghost.dealIds(deals - 1 - (((dealSeed % span) + j) % span));
            Ghost.Deal memory deal = ghost.deal(dealid);
            for (uint256 k = 0; k < deal.botSize; ++k) {
                uint256 index = deal.botFirst + (((indexSeed % deal.botSize) + k) % deal.botSize);
                bytes32 taskid = keccak256(abi.encodePacked(dealid, index));
                if (ghost.taskState(taskid) != Ghost.TaskState.NONE) continue;
                (bool ok, bytes memory returned) = _call(
                    deal.scheduler,
                    abi.encodeCall(ITasks.initialize, (dealid, index))
                );
                if (ok) {
                    ghost.onInitialize(abi.decode(returned, (bytes32)), dealid);
                    ghost.count("initialize");
                }
                return;
            }
        }
    }

    // ================================================================ consensus

    /// @notice A worker contributes to an active task, with the scheduler's authorization; one in five
    /// contributions is a wrong result.
    function contribute(
        uint256 taskSeed,
        uint256 workerSeed,
        uint256 flavor
    ) external tracked("contribute", false) {
        // Two times in three, a task that already has contributions, so that tasks reach their consensus.
        bytes32 taskid = flavor % 3 != 0 ? _startedTask(taskSeed) : bytes32(0);
        if (taskid == bytes32(0)) taskid = _openTaskIn(taskSeed, ITaskTypes.TaskStatus.ACTIVE);
        if (taskid == bytes32(0)) return;
        Ghost.Deal memory deal = ghost.deal(ghost.taskDeal(taskid));
        address worker = _freeWorker(taskid, workerSeed);
        if (worker == address(0)) return;
        bytes32 digest =
            flavor % 5 == 0 ? keccak256(abi.encodePacked(taskid, "wrong")) : _digest(taskid, deal);
        _fund(worker, deal.workerStake);
        (bool ok, ) = _call(worker, _contributeCall(taskid, digest, deal.scheduler, worker));
        if (ok) {
            ghost.onContribute(taskid, worker, digest);
            ghost.count("contribute");
        }
    }

    function reveal(uint256 taskSeed, uint256 workerSeed) external tracked("reveal", false) {
        bytes32 taskid = _openTaskIn(taskSeed, ITaskTypes.TaskStatus.REVEALING);
        if (taskid == bytes32(0)) return;
        address[] memory workers = ghost.contributors(taskid);
        for (uint256 k = 0; k < workers.length; ++k) {
            address worker = workers[((workerSeed % workers.length) + k) % workers.length];
            if (ghost.proved(taskid, worker)) continue;
            (bool ok, ) = _call(
                worker,
                abi.encodeCall(IContributions.reveal, (taskid, ghost.digestOf(taskid, worker)))
            );
            if (ok) {
                ghost.onReveal(taskid, worker);
                ghost.count("reveal");
                return;
            }
        }
    }

    function finalize(uint256 taskSeed, uint256 resultsSeed) external tracked("finalize", false) {
        bytes32 taskid = _openTaskIn(taskSeed, ITaskTypes.TaskStatus.REVEALING);
        if (taskid == bytes32(0)) return;
        Ghost.Deal memory deal = ghost.deal(ghost.taskDeal(taskid));
        bytes memory callbackData = deal.callback == address(0) ? bytes("") : _callbackData(taskid);
        (bool ok, ) = _call(
            deal.scheduler,
            abi.encodeCall(IFinalize.finalize, (taskid, _results(resultsSeed), callbackData))
        );
        if (ok) {
            ghost.onComplete(taskid);
            ghost.count("finalize");
        }
    }

    /// @notice A worker runs a trust-1 task and finalizes it in one step.
    function contributeAndFinalize(
        uint256 taskSeed,
        uint256 workerSeed,
        uint256 resultsSeed
    ) external tracked("contributeAndFinalize", false) {
        bytes32 taskid = _openTaskIn(taskSeed, ITaskTypes.TaskStatus.ACTIVE);
        if (taskid == bytes32(0) || ghost.contributors(taskid).length != 0) return;
        Ghost.Deal memory deal = ghost.deal(ghost.taskDeal(taskid));
        if (deal.trust != 1) return;
        address worker = _cast.workers[workerSeed % _cast.workers.length];
        bytes32 digest = _digest(taskid, deal);
        bytes memory callbackData = deal.callback == address(0) ? bytes("") : _callbackData(taskid);
        _fund(worker, deal.workerStake);
        (bool ok, ) = _call(
            worker,
            _contributeAndFinalizeCall(
                taskid,
                digest,
                _results(resultsSeed),
                callbackData,
                deal.scheduler,
                worker
            )
        );
        if (ok) {
            ghost.onContribute(taskid, worker, digest);
            ghost.onReveal(taskid, worker);
            ghost.onComplete(taskid);
            ghost.count("contributeAndFinalize");
        }
    }

    /// @notice The scheduler reopens a task whose winners did not reveal in time.
    function reopen(uint256 taskSeed) external tracked("reopen", false) {
        bytes32 taskid = _openTaskIn(taskSeed, ITaskTypes.TaskStatus.REVEALING);
        if (taskid == bytes32(0)) return;
        (bool ok, ) = _call(
            ghost.deal(ghost.taskDeal(taskid)).scheduler,
            abi.encodeCall(IContributions.reopen, (taskid))
        );
        if (ok) ghost.count("reopen");
    }

    /// @notice Anyone claims an expired task: one, as an array, or initialized and claimed in one call.
    function claim(uint256 taskSeed, uint256 how) external tracked("claim", false) {
        address claimer = ghost.honest(how >> 4);
        if (how % 3 == 2) {
            _initializeAndClaim(taskSeed, claimer);
            return;
        }
        bytes32 taskid = _expiredOpenTask(taskSeed);
        if (taskid == bytes32(0)) return;
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = taskid;
        bytes memory call =
            how % 3 == 0 ? abi.encodeCall(ITasks.claim, (taskid)) : abi.encodeCall(ITasks.claimArray, (ids));
        (bool ok, ) = _call(claimer, call);
        if (ok) {
            ghost.onClaim(taskid);
            ghost.count("claim");
        }
    }

    /// @notice Time passes: a minute to two days (the final deadlines of the categories are 50 minutes to
    /// 100 hours after the match).
    function warp(uint256 seed) external tracked("warp", false) {
        uint256[6] memory steps = [uint256(60), 5 minutes, 30 minutes, 2 hours, 10 hours, 2 days];
        VM.warp(block.timestamp + steps[seed % steps.length]);
        ghost.count("warp");
    }

    // ================================================================ internals

    /// @dev Matches a fresh deal between honest actors, funding the payer and the scheduler first.
    function _match(uint256 seed, uint256 prices, bool sponsored) private {
        (Market.Terms memory terms, address[4] memory owners) = _terms(seed, prices, sponsored);
        address payer = sponsored ? terms.sponsor : terms.requester;
        _fund(payer, (terms.appPrice + terms.datasetPrice + terms.workerpoolPrice) * terms.volume);
        _fund(owners[2], ((terms.workerpoolPrice * 30) / 100) * terms.volume);

        (bool ok, bytes memory returned) = market.matchDeal(terms, owners, payer);
        if (!ok) return;
        ghost.onMatch(abi.decode(returned, (bytes32)), _ghostDeal(terms, owners, payer));
        ghost.count(sponsored ? "sponsorMatchOrders" : "matchOrders");
    }

    /// @dev The terms of a deal between honest actors, drawn from the seeds, and the signers of its orders.
    function _terms(
        uint256 seed,
        uint256 prices,
        bool sponsored
    ) private view returns (Market.Terms memory terms, address[4] memory owners) {
        uint256 r = seed;
        terms.requester = _cast.requesters[r % _cast.requesters.length];
        r >>= 8;
        if (sponsored) terms.sponsor = _cast.sponsors[r % _cast.sponsors.length];
        r >>= 8;
        uint256 a = r % _cast.apps.length;
        terms.app = _cast.apps[a];
        r >>= 8;
        uint256 w = r % _cast.workerpools.length;
        terms.workerpool = _cast.workerpools[w];
        r >>= 8;
        bool withDataset = r % 2 == 0;
        r >>= 8;
        terms.volume = 1 + (r % 4);
        r >>= 8;
        terms.category = r % 5;
        r >>= 8;
        uint256[4] memory trusts = [uint256(1), 1, 3, 5];
        terms.trust = trusts[r % 4];
        r >>= 8;
        if (r % 4 == 0) terms.callback = _cast.consumer;
        r >>= 8;
        // solhint-disable-next-line quotes
        if (r % 3 == 0) terms.params = '{"iexec_args":"--fuzz"}';
        terms.salt = keccak256(abi.encode(seed, prices));

        terms.appPrice = (prices % 11) * RLC;
        terms.workerpoolPrice = ((prices >> 8) % 21) * RLC;
        owners = [_cast.appOwners[a], address(0), _cast.schedulers[w], terms.requester];
        if (withDataset) {
            uint256 d = (prices >> 16) % _cast.datasets.length;
            terms.dataset = _cast.datasets[d];
            terms.datasetPrice = ((prices >> 24) % 6) * RLC;
            owners[1] = _cast.datasetOwners[d];
        }
    }

    function _ghostDeal(
        Market.Terms memory terms,
        address[4] memory owners,
        address payer
    ) private view returns (Ghost.Deal memory deal) {
        deal.sponsor = payer;
        deal.scheduler = owners[2];
        deal.callback = terms.callback;
        deal.appPrice = terms.appPrice;
        deal.datasetPrice = terms.datasetPrice;
        deal.workerpoolPrice = terms.workerpoolPrice;
        deal.workerStake = (terms.workerpoolPrice * _workerStakeRatio(terms.workerpool)) / 100;
        deal.botFirst = 0;
        deal.botSize = terms.volume;
        deal.trust = terms.trust;
        deal.timeref = _timeref(terms.category);
        deal.startTime = block.timestamp;
    }

    function _initializeAndClaim(uint256 seed, address claimer) private {
        (, uint256 deals, , , , ) = ghost.counts();
        if (deals == 0) return;
        bytes32 dealid = ghost.dealIds(seed % deals);
        Ghost.Deal memory deal = ghost.deal(dealid);
        if (block.timestamp < deal.startTime + 10 * deal.timeref) return;
        uint256 index = deal.botFirst + ((seed >> 8) % deal.botSize);
        bytes32 taskid = keccak256(abi.encodePacked(dealid, index));
        if (ghost.taskState(taskid) != Ghost.TaskState.NONE) return;
        bytes32[] memory dealids = new bytes32[](1);
        uint256[] memory indexes = new uint256[](1);
        dealids[0] = dealid;
        indexes[0] = index;
        (bool ok, ) = _call(claimer, abi.encodeCall(ITasks.initializeAndClaimArray, (dealids, indexes)));
        if (ok) {
            ghost.onInitialize(taskid, dealid);
            ghost.onClaim(taskid);
            ghost.count("initializeAndClaimArray");
        }
    }

    /// @dev An open task (from a random start) whose status in the hub is `status`, before the deadline of the
    /// next step (contribution deadline when ACTIVE, final deadline when REVEALING), or zero.
    function _openTaskIn(uint256 seed, ITaskTypes.TaskStatus status) private view returns (bytes32) {
        (, , uint256 open, , , ) = ghost.counts();
        for (uint256 k = 0; k < open; ++k) {
            bytes32 taskid = ghost.openTasks(((seed % open) + k) % open);
            ITaskTypes.Task memory task = hub.viewTask(taskid);
            if (task.status != status) continue;
            uint256 deadline =
                status == ITaskTypes.TaskStatus.ACTIVE ? task.contributionDeadline : task.finalDeadline;
            if (block.timestamp < deadline) return taskid;
        }
        return bytes32(0);
    }

    /// @dev An ACTIVE open task that has contributions, before its contribution deadline, or zero.
    function _startedTask(uint256 seed) private view returns (bytes32) {
        (, , uint256 open, , , ) = ghost.counts();
        for (uint256 k = 0; k < open; ++k) {
            bytes32 taskid = ghost.openTasks(((seed % open) + k) % open);
            if (ghost.contributors(taskid).length == 0) continue;
            ITaskTypes.Task memory task = hub.viewTask(taskid);
            if (task.status == ITaskTypes.TaskStatus.ACTIVE && block.timestamp < task.contributionDeadline) {
                return taskid;
            }
        }
        return bytes32(0);
    }

    /// @dev An open task past its final deadline (as the ghost's deal says), or zero.
    function _expiredOpenTask(uint256 seed) private view returns (bytes32) {
        (, , uint256 open, , , ) = ghost.counts();
        for (uint256 k = 0; k < open; ++k) {
            bytes32 taskid = ghost.openTasks(((seed % open) + k) % open);
            Ghost.Deal memory deal = ghost.deal(ghost.taskDeal(taskid));
            if (block.timestamp >= deal.startTime + 10 * deal.timeref) return taskid;
        }
        return bytes32(0);
    }

    /// @dev A worker that has not contributed to the task yet, or zero.
    function _freeWorker(bytes32 taskid, uint256 seed) private view returns (address) {
        address[] memory done = ghost.contributors(taskid);
        for (uint256 k = 0; k < _cast.workers.length; ++k) {
            address worker = _cast.workers[((seed % _cast.workers.length) + k) % _cast.workers.length];
            bool used;
            for (uint256 j = 0; j < done.length; ++j) used = used || done[j] == worker;
            if (!used) return worker;
        }
        return address(0);
    }

    /// @dev The right result of a task: for a deal with a callback, the hash of its callback data.
    function _digest(bytes32 taskid, Ghost.Deal memory deal) private pure returns (bytes32) {
        if (deal.callback != address(0)) return keccak256(_callbackData(taskid));
        return keccak256(abi.encodePacked(taskid, "right"));
    }
}
