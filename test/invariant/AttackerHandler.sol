// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IContributions} from "../../contracts/interfaces/hub/IContributions.sol";
import {IEscrow} from "../../contracts/interfaces/hub/IEscrow.sol";
import {IFinalize} from "../../contracts/interfaces/hub/IFinalize.sol";
import {IMatching} from "../../contracts/interfaces/hub/IMatching.sol";
import {ITasks} from "../../contracts/interfaces/hub/ITasks.sol";
import {IHub} from "../../contracts/interfaces/hub/IHub.sol";
import {Ghost} from "./Ghost.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {HostileCallback} from "./HostileCallback.sol";
import {Market} from "./Market.sol";
import {VM} from "./utils/Vm.sol";

/// @title One account against everyone else's SRLC
/// @notice The attacker is an ordinary user (its own app, workerpool and zero-price deals, which it runs to the
/// end) that also calls every hub function with forged arguments: ids of other kinds of data contract (a
/// finalized task's results, task ids, hashes of task ids with small numbers), results shaped as a deal naming
/// a victim, tens of KiB of results, a deal callback that reenters the hub or burns its gas, other accounts'
/// allowances, and ether. Its choices lean toward the ids that matter rather than random ones.
/// Every call runs with `attackerMayLose`: the attacker may spend its own money as it likes, nobody else may
/// lose anything through it beyond what the rules allow (a claim of an expired task, an allowance given).
contract AttackerHandler is HandlerBase {
    /// @notice Results written to look like a deal, and whom that deal names.
    struct Plant {
        bytes32 salt;
        bytes32 taskid;
        address victim;
        uint256 amount;
    }

    uint256 private constant RLC = 1e9;
    /// @dev Category of the forged deals: XL (10 hours), so that their tasks stay open for 70 hours.
    uint256 private constant FORGED_CATEGORY = 4;

    /// @notice Every plant, in order.
    Plant[] public plants;
    /// @notice Tasks the attacker initialized on ids that no match made.
    bytes32[] public foreignTasks;
    mapping(bytes32 taskid => bytes32) private _digests;
    HostileCallback public hostile;
    /// @dev The hub's routed selectors that `callAnything` may pick (the rest have their own handlers).
    bytes4[] private _generic;

    constructor(
        IHub hub_,
        IERC20 token_,
        Ghost ghost_,
        Market market_,
        address workerpoolRegistry_
    ) HandlerBase(hub_, token_, ghost_, market_, workerpoolRegistry_) {}

    function setTools(HostileCallback hostile_, bytes4[] calldata routed) external {
        if (address(hostile) != address(0)) return;
        hostile = hostile_;
        // Functions with a handler of their own, and those that only move the caller's money to an address of
        // its choice (`moveOwnMoney` picks known accounts: with any address, the SRLC would leave the known
        // accounts of invariant 1 by the attacker's will).
        bytes4[16] memory dedicated = [
            IMatching.matchOrders.selector,
            IMatching.sponsorMatchOrders.selector,
            ITasks.initialize.selector,
            ITasks.initializeArray.selector,
            ITasks.initializeAndClaimArray.selector,
            ITasks.claim.selector,
            ITasks.claimArray.selector,
            IContributions.contribute.selector,
            IContributions.reveal.selector,
            IContributions.reopen.selector,
            IFinalize.finalize.selector,
            IFinalize.contributeAndFinalize.selector,
            IERC20.transferFrom.selector,
            IERC20.transfer.selector,
            IEscrow.depositFor.selector,
            IEscrow.depositForArray.selector
        ];
        for (uint256 i = 0; i < routed.length; ++i) {
            bool skip;
            for (uint256 j = 0; j < dedicated.length; ++j) skip = skip || routed[i] == dedicated[j];
            if (!skip) _generic.push(routed[i]);
        }
    }

    // ================================================================ the forged deal

    /// @notice Runs one of the attacker's own zero-price trust-1 tasks to the end with results (or callback data)
    /// laid out so that the data contract holding them reads, with the current code, as a deal: the victim (the
    /// honest account with the most frozen SRLC, or the kitty) as requester and sponsor, the attacker as app owner
    /// and scheduler, an app price of the victim's frozen SRLC (all of it, half, or 1 nRLC). Nothing is taken
    /// yet: `initialize` and `contributeAndFinalize` on the results' id would do it.
    function plantForgedDeal(
        uint256 victimSeed,
        uint256 shape,
        uint256 share
    ) external tracked("attacker.plantForgedDeal", true) {
        (address victim, uint256 frozen) = _victim(victimSeed);
        // Nobody to rob yet: a later plant will find someone.
        if (frozen == 0) return;
        uint256 amount =
            share % 3 == 0
                ? frozen
                : share % 3 == 1
                    ? frozen / 2
                    : 1;
        if (amount == 0) amount = 1;
        bytes32 taskid = _ownTask(FORGED_CATEGORY, address(0));
        if (taskid == bytes32(0)) return;

        bytes memory results;
        bytes memory callbackData;
        if (shape % 3 == 0) {
            // Raw results: stored as they are, after a 10-byte header (STOP, flags 0, time, length).
            results = _forgedDeal(victim, amount, false);
        } else if (shape % 3 == 1) {
            // No results, the deal in the callback data: it starts at the same offset.
            callbackData = _forgedDeal(victim, amount, false);
        } else {
            // ABI-encoded results are stored as their content with flags 1, which reads as "has a dataset".
            results = abi.encode(_forgedDeal(victim, amount, true));
        }
        bytes32 digest =
            callbackData.length != 0
                ? keccak256(callbackData)
                : keccak256(abi.encodePacked(taskid, "forged"));
        if (_finalizeOwn(taskid, digest, results, callbackData)) {
            // Every salt the results were or could be kept under: the former one, the task id itself, a second
            // chunk's. Whichever of them a deal lookup would reach is tried as a deal id.
            plants.push(Plant(keccak256(abi.encodePacked(taskid, "results")), taskid, victim, amount));
            plants.push(Plant(taskid, taskid, victim, amount));
            plants.push(Plant(keccak256(abi.encodePacked(taskid, uint32(1))), taskid, victim, amount));
            ghost.count("attacker.plantForgedDeal");
        }
    }

    /// @notice Initializes a task of a chosen id: most often a plant's results id, else the results id of any
    /// finalized task, a task id, a task id hashed with a small number, a deal id, a data contract's address, or
    /// noise. One call, an array, or initialized and claimed at once.
    function initialize(
        uint256 idSeed,
        uint256 indexSeed,
        uint256 how
    ) external tracked("attacker.initialize", true) {
        bytes32 id = _interestingId(idSeed);
        uint256 index = indexSeed % 4 == 3 ? (indexSeed >> 2) % 4 : 0;
        bytes32[] memory ids = new bytes32[](1);
        uint256[] memory indexes = new uint256[](1);
        ids[0] = id;
        indexes[0] = index;
        bytes memory call;
        if (how % 4 < 2) call = abi.encodeCall(ITasks.initialize, (id, index));
        else if (how % 4 == 2) call = abi.encodeCall(ITasks.initializeArray, (ids, indexes));
        else call = abi.encodeCall(ITasks.initializeAndClaimArray, (ids, indexes));
        (bool ok, ) = _call(_cast.attacker, call);
        if (!ok) return;
        bytes32 taskid = keccak256(abi.encodePacked(id, index));
        ghost.touch(taskid);
        ghost.onInitialize(taskid, id);
        if (!ghost.isDeal(id)) foreignTasks.push(taskid);
        if (how % 4 == 3) ghost.onClaim(taskid);
        ghost.count("attacker.initialize");
    }

    /// @notice Contributes and finalizes a task in one step as its "scheduler" and worker: most often the last
    /// task initialized on a forged id. Results are small, a forged deal again, or tens of KiB.
    function contributeAndFinalize(
        uint256 taskSeed,
        uint256 dataSeed
    ) external tracked("attacker.contributeAndFinalize", true) {
        bytes32 taskid = _target(taskSeed);
        if (taskid == bytes32(0)) return;
        ghost.touch(taskid);
        bytes memory results;
        uint256 kind = dataSeed % 4;
        if (kind == 0) results = _results(dataSeed >> 2);
        else if (kind == 1) results = _forgedDeal(_cast.attacker, 1, false);
        else if (kind == 2) results = new bytes(8192 * (1 + ((dataSeed >> 2) % 5)));
        bytes memory callbackData = (dataSeed >> 8) % 3 == 0 ? abi.encode(taskid, dataSeed) : bytes("");
        bytes32 digest = callbackData.length != 0 ? keccak256(callbackData) : keccak256(abi.encode(dataSeed));
        (bool ok, ) = _call(
            _cast.attacker,
            _contributeAndFinalizeCall(taskid, digest, results, callbackData, _cast.attacker, _cast.attacker)
        );
        if (!ok) return;
        ghost.onContribute(taskid, _cast.attacker, digest);
        ghost.onReveal(taskid, _cast.attacker);
        ghost.onComplete(taskid);
        ghost.count("attacker.contributeAndFinalize");
    }

    /// @notice The slow route on a chosen task: contribute as its worker, authorized by itself as scheduler.
    function contribute(uint256 taskSeed, uint256 digestSeed) external tracked("attacker.contribute", true) {
        bytes32 taskid = _target(taskSeed);
        if (taskid == bytes32(0)) return;
        ghost.touch(taskid);
        bytes32 digest = keccak256(abi.encode(digestSeed));
        address attacker = _cast.attacker;
        (bool ok, ) = _call(attacker, _contributeCall(taskid, digest, attacker, attacker));
        if (!ok) return;
        _digests[taskid] = digest;
        ghost.onContribute(taskid, attacker, digest);
        ghost.count("attacker.contribute");
    }

    /// @notice The slow route, next steps: reveal what `contribute` committed, then finalize.
    function revealAndFinalize(
        uint256 taskSeed,
        uint256 resultsSeed
    ) external tracked("attacker.revealAndFinalize", true) {
        bytes32 taskid = _target(taskSeed);
        if (taskid == bytes32(0)) return;
        ghost.touch(taskid);
        (bool revealed, ) = _call(
            _cast.attacker,
            abi.encodeCall(IContributions.reveal, (taskid, _digests[taskid]))
        );
        if (revealed) ghost.onReveal(taskid, _cast.attacker);
        (bool ok, ) = _call(
            _cast.attacker,
            abi.encodeCall(IFinalize.finalize, (taskid, _results(resultsSeed), bytes("")))
        );
        if (!ok) return;
        ghost.onComplete(taskid);
        ghost.count("attacker.finalize");
    }

    function reopen(uint256 taskSeed) external tracked("attacker.reopen", true) {
        bytes32 taskid = _target(taskSeed);
        ghost.touch(taskid);
        (bool ok, ) = _call(_cast.attacker, abi.encodeCall(IContributions.reopen, (taskid)));
        if (ok) ghost.count("attacker.reopen");
    }

    /// @notice Claims a chosen task (forged or real; a real one only past its final deadline, as anyone may).
    function claim(uint256 taskSeed, bool asArray) external tracked("attacker.claim", true) {
        bytes32 taskid = taskSeed % 5 == 4 ? _interestingId(taskSeed >> 3) : _target(taskSeed);
        ghost.touch(taskid);
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = taskid;
        bytes memory call =
            asArray ? abi.encodeCall(ITasks.claimArray, (ids)) : abi.encodeCall(ITasks.claim, (taskid));
        (bool ok, ) = _call(_cast.attacker, call);
        if (!ok) return;
        ghost.onClaim(taskid);
        ghost.count("attacker.claim");
    }

    // ================================================================ other people's money, directly

    /// @notice Spends another account's SRLC: only what it approved may move.
    function transferFrom(
        uint256 victimSeed,
        uint256 amount
    ) external tracked("attacker.transferFrom", true) {
        address victim = ghost.honest(victimSeed);
        amount = amount % (hub.balanceOf(victim) + 1);
        ghost.allowSpend(victim, _cast.attacker, amount);
        (bool ok, ) = _call(
            _cast.attacker,
            abi.encodeCall(IERC20.transferFrom, (victim, _cast.attacker, amount))
        );
        if (!ok) return;
        ghost.onSpend(victim, _cast.attacker, amount);
        ghost.count("attacker.transferFrom");
    }

    /// @notice Matches orders naming a victim as requester, the request signed by the attacker (matchOrders) or
    /// sponsored by the attacker with the victim's name on it.
    function matchOrders(
        uint256 victimSeed,
        uint256 price,
        bool sponsored
    ) external tracked("attacker.matchOrders", true) {
        (address victim, ) = _victim(victimSeed);
        Market.Terms memory terms = _ownTerms(victimSeed % 5, address(0));
        terms.requester = victim;
        terms.appPrice = price % (hub.balanceOf(victim) + 1);
        if (sponsored) terms.sponsor = _cast.attacker;
        address attacker = _cast.attacker;
        (bool ok, ) = market.matchDeal(terms, [attacker, address(0), attacker, attacker], attacker);
        if (ok) ghost.count("attacker.matchOrders");
    }

    /// @notice Moves the attacker's own money to known accounts: SRLC transfers, deposits for others (one, or an
    /// array whose lengths may disagree), withdrawals to another address.
    function moveOwnMoney(
        uint256 how,
        uint256 targetSeed,
        uint256 amount
    ) external tracked("attacker.moveOwnMoney", true) {
        address attacker = _cast.attacker;
        address target = ghost.account(targetSeed);
        amount = amount % (hub.balanceOf(attacker) + 2);
        bytes memory call;
        uint256 kind = how % 4;
        if (kind == 0) call = abi.encodeCall(IERC20.transfer, (target, amount));
        else if (kind == 1) call = abi.encodeCall(IEscrow.depositFor, (amount, target));
        else if (kind == 2) call = abi.encodeCall(IEscrow.withdrawTo, (amount, target));
        else {
            uint256[] memory amounts = new uint256[](1 + ((how >> 2) % 2));
            address[] memory targets = new address[](1 + ((how >> 3) % 2));
            for (uint256 i = 0; i < amounts.length; ++i) amounts[i] = amount;
            for (uint256 i = 0; i < targets.length; ++i)
                targets[i] = ghost.account(targetSeed >> (8 * (i + 1)));
            call = abi.encodeCall(IEscrow.depositForArray, (amounts, targets));
        }
        (bool ok, ) = _call(attacker, call);
        if (ok) ghost.count("attacker.moveOwnMoney");
    }

    // ================================================================ every function, ether, data, callbacks

    /// @notice Any routed hub function (besides those with a handler above), with arguments drawn from the
    /// meaningful values: known accounts, forged ids, small numbers, ABI offsets, amounts, and noise that cannot
    /// pass for an address.
    function callAnything(
        uint256 selectorSeed,
        uint256 argsSeed,
        uint256 words
    ) external tracked("attacker.callAnything", true) {
        if (_generic.length == 0) return;
        bytes memory data = abi.encodePacked(
            _generic[selectorSeed % _generic.length],
            _words(argsSeed, words % 9)
        );
        (bool ok, ) = _call(_cast.attacker, data);
        if (ok) ghost.count("attacker.callAnything");
    }

    /// @notice Sends ether to the hub (with `dataInFlight()`, another routed selector, a made-up one, or no data)
    /// or to a contract the hub created.
    function sendEther(
        uint256 targetSeed,
        uint256 selectorSeed,
        uint256 amount
    ) external tracked("attacker.sendEther", true) {
        amount = 1 + (amount % 1 ether);
        (, , , , , uint256 data) = ghost.counts();
        address target = address(hub);
        bytes memory payload;
        uint256 kind = selectorSeed % 5;
        if (kind == 0 || kind == 1) payload = abi.encodeWithSelector(bytes4(0x30e00842));
        else if (kind == 2 && _generic.length != 0) {
            payload = abi.encodePacked(
                _generic[(selectorSeed >> 3) % _generic.length],
                _words(selectorSeed, 3)
            );
        } else if (kind == 3) payload = abi.encodePacked(bytes4(uint32(selectorSeed >> 3)));
        if (targetSeed % 3 == 0 && data != 0) {
            target = ghost.dataContracts((targetSeed >> 2) % data);
            if (kind == 0 || kind == 1) payload = "";
        }
        VM.deal(_cast.attacker, amount);
        VM.startPrank(_cast.attacker);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = target.call{value: amount}(payload);
        VM.stopPrank();
        if (ok) ghost.count("attacker.sendEther");
    }

    /// @notice Finalizes one of its own tasks with 8 to 48 KiB of results, of callback data, or of both.
    function hugeData(uint256 sizeSeed, uint256 where) external tracked("attacker.hugeData", true) {
        bytes32 taskid = _ownTask(sizeSeed % 5, address(0));
        if (taskid == bytes32(0)) return;
        uint256 size = 8192 * (1 + ((sizeSeed >> 4) % 6));
        bytes memory blob = new bytes(size);
        bytes32 word = keccak256(abi.encode(sizeSeed));
        for (uint256 i = 0; i < size; i += 32) {
            assembly ("memory-safe") {
                mstore(add(add(blob, 0x20), i), xor(word, i))
            }
        }
        bytes memory results = where % 3 != 1 ? blob : bytes("");
        bytes memory callbackData = where % 3 != 0 ? blob : bytes("");
        bytes32 digest = callbackData.length != 0 ? keccak256(callbackData) : keccak256(abi.encode(sizeSeed));
        if (_finalizeOwn(taskid, digest, results, callbackData)) ghost.count("attacker.hugeData");
    }

    /// @notice Runs one of its own tasks with a callback that, when the hub calls it, burns its gas, reverts,
    /// returns a huge answer, or calls the hub back: finalize and claim the same task, contributeAndFinalize the
    /// last forged task (authorized for the callback as worker), initialize the last plant, withdraw, transfer.
    function hostileCallback(
        uint256 modeSeed,
        uint256 dataSeed
    ) external tracked("attacker.hostileCallback", true) {
        bytes32 taskid = _ownTask(FORGED_CATEGORY, address(hostile));
        if (taskid == bytes32(0)) return;
        bytes memory callbackData = abi.encode(taskid, dataSeed);
        bytes32 digest = keccak256(callbackData);
        bytes[] memory calls = new bytes[](6);
        calls[0] = abi.encodeCall(IFinalize.finalize, (taskid, "", callbackData));
        calls[1] = abi.encodeCall(ITasks.claim, (taskid));
        bytes32 forged = foreignTasks.length != 0 ? foreignTasks[foreignTasks.length - 1] : bytes32(0);
        ghost.touch(forged);
        calls[2] = abi.encodeCall(
            IFinalize.contributeAndFinalize,
            (
                forged,
                digest,
                "",
                "",
                address(0),
                "",
                market.authorization(_cast.attacker, address(hostile), forged)
            )
        );
        calls[3] = abi.encodeCall(
            ITasks.initialize,
            (plants.length != 0 ? plants[plants.length - 1].salt : digest, 0)
        );
        calls[4] = abi.encodeCall(IEscrow.withdraw, (1));
        calls[5] = abi.encodeCall(IERC20.transfer, (_cast.attacker, 1));
        hostile.arm(HostileCallback.Mode(modeSeed % 4), calls);
        if (_finalizeOwn(taskid, digest, "", callbackData)) ghost.count("attacker.hostileCallback");
    }

    // ================================================================ internals

    /// @dev Matches, then initializes, a zero-price trust-1 deal of the attacker's own; returns its task.
    function _ownTask(uint256 category, address callback) private returns (bytes32 taskid) {
        Market.Terms memory terms = _ownTerms(category, callback);
        address attacker = _cast.attacker;
        (bool ok, bytes memory returned) = market.matchDeal(
            terms,
            [attacker, address(0), attacker, attacker],
            attacker
        );
        if (!ok) return bytes32(0);
        bytes32 dealid = abi.decode(returned, (bytes32));
        Ghost.Deal memory deal;
        deal.sponsor = attacker;
        deal.scheduler = attacker;
        deal.callback = callback;
        deal.botSize = 1;
        deal.trust = 1;
        deal.timeref = _timeref(category);
        deal.startTime = block.timestamp;
        ghost.onMatch(dealid, deal);
        (ok, returned) = _call(attacker, abi.encodeCall(ITasks.initialize, (dealid, 0)));
        if (!ok) return bytes32(0);
        taskid = abi.decode(returned, (bytes32));
        ghost.onInitialize(taskid, dealid);
    }

    function _ownTerms(uint256 category, address callback) private view returns (Market.Terms memory terms) {
        terms.requester = _cast.attacker;
        terms.app = _cast.attackerApp;
        terms.workerpool = _cast.attackerWorkerpool;
        terms.volume = 1;
        terms.category = category;
        terms.trust = 1;
        terms.callback = callback;
        terms.salt = keccak256(abi.encode(block.timestamp, plants.length, foreignTasks.length));
    }

    /// @dev contributeAndFinalize of one of the attacker's own tasks, reported to the ghost when it succeeds.
    function _finalizeOwn(
        bytes32 taskid,
        bytes32 digest,
        bytes memory results,
        bytes memory callbackData
    ) private returns (bool ok) {
        address attacker = _cast.attacker;
        (ok, ) = _call(
            attacker,
            _contributeAndFinalizeCall(taskid, digest, results, callbackData, attacker, attacker)
        );
        if (!ok) return false;
        ghost.onContribute(taskid, attacker, digest);
        ghost.onReveal(taskid, attacker);
        ghost.onComplete(taskid);
    }

    /// @dev Bytes that, behind the 10-byte header of a results data contract, read as a packed deal (layout at
    /// the top of contracts/hub/libs/Deals.sol): the header's time and length and 11 bytes of padding make the
    /// app address; then app owner, app price, workerpool, workerpool owner, workerpool price, requester, trust,
    /// category, start time, first task index, task count, the two ratios; with `withDataset` (flags 1, as ABI
    /// string results get), a dataset, its owner and price follow.
    function _forgedDeal(
        address victim,
        uint256 amount,
        bool withDataset
    ) private view returns (bytes memory deal) {
        address attacker = _cast.attacker;
        deal = abi.encodePacked(
            bytes11(0),
            attacker,
            uint64(amount),
            _cast.attackerWorkerpool,
            attacker,
            uint64(0),
            victim,
            uint64(1),
            uint32(FORGED_CATEGORY),
            uint40(block.timestamp),
            uint64(0),
            uint64(1),
            uint8(0),
            uint8(0)
        );
        if (withDataset) deal = abi.encodePacked(deal, _cast.attackerApp, attacker, uint64(0));
    }

    /// @dev The account with the most frozen SRLC among the honest ones (or, one time in four, the kitty when it
    /// holds something), and its frozen amount.
    function _victim(uint256 seed) private view returns (address victim, uint256 frozen) {
        address kitty = ghost.KITTY();
        if (seed % 4 == 0 && hub.frozenOf(kitty) != 0) return (kitty, hub.frozenOf(kitty));
        uint256 count_ = ghost.honestCount();
        victim = ghost.honest(seed);
        frozen = hub.frozenOf(victim);
        for (uint256 i = 0; i < count_; ++i) {
            address candidate = ghost.honest(i);
            uint256 amount = hub.frozenOf(candidate);
            if (amount > frozen) (victim, frozen) = (candidate, amount);
        }
    }

    /// @dev A task to act on: most often the last one initialized on a forged id, else any forged one, a task of
    /// a matched deal, or any task seen.
    function _target(uint256 seed) private view returns (bytes32) {
        uint256 kind = seed % 8;
        uint256 rest = seed >> 3;
        uint256 foreign = foreignTasks.length;
        if (kind < 5 && foreign != 0) return foreignTasks[_recent(rest, foreign, 4)];
        if (kind == 5) {
            bytes32 open = _openTask(rest);
            if (open != bytes32(0)) return open;
        }
        (, , , uint256 seen, , ) = ghost.counts();
        if (seen != 0) return ghost.seenTasks(rest % seen);
        return bytes32(0);
    }

    /// @dev An id to pass where a deal id or a task id goes.
    function _interestingId(uint256 seed) private view returns (bytes32) {
        uint256 kind = seed % 16;
        uint256 rest = seed >> 4;
        (, uint256 deals, , uint256 seen, uint256 finalized, uint256 data) = ghost.counts();
        if (kind < 8 && plants.length != 0) return plants[_recent(rest, plants.length, 4)].salt;
        if (kind < 10 && finalized != 0) {
            return keccak256(abi.encodePacked(ghost.finalizedTasks(rest % finalized), "results"));
        }
        if (kind == 10 && seen != 0) return ghost.seenTasks(rest % seen);
        if (kind == 11 && seen != 0) {
            return keccak256(abi.encodePacked(ghost.seenTasks(rest % seen), uint256((rest >> 8) % 4)));
        }
        if (kind == 12 && deals != 0) return ghost.dealIds(rest % deals);
        if (kind == 13 && data != 0) return bytes32(uint256(uint160(ghost.dataContracts(rest % data))));
        return keccak256(abi.encode("noise", seed));
    }

    /// @dev `count_` ABI words drawn from the meaningful values.
    function _words(uint256 seed, uint256 count_) private view returns (bytes memory out) {
        for (uint256 i = 0; i < count_; ++i) {
            uint256 s = uint256(keccak256(abi.encode(seed, i)));
            uint256 kind = s % 8;
            s >>= 3;
            bytes32 word;
            if (kind == 0) word = bytes32(uint256(uint160(ghost.account(s))));
            else if (kind == 1) word = _interestingId(s);
            else if (kind == 2) word = bytes32(s % 4);
            else if (kind == 3) word = bytes32(0x20 * (1 + (s % 8)));
            else if (kind == 4) word = bytes32(hub.frozenOf(ghost.honest(s)));
            else if (kind == 5) word = bytes32(type(uint256).max);
            else if (kind == 6)
                word = bytes32(s % (1000 * RLC));
                // Noise with its top bit set: never an address, so no SRLC can reach an unknown account.
            else word = bytes32(s | (1 << 255));
            out = abi.encodePacked(out, word);
        }
    }

    function counts() external view returns (uint256 plants_, uint256 foreign) {
        return (plants.length, foreignTasks.length);
    }
}
