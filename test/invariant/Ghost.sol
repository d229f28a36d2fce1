// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IHub} from "../../contracts/interfaces/hub/IHub.sol";
import {IEscrow} from "../../contracts/interfaces/hub/IEscrow.sol";
import {ITaskTypes} from "../../contracts/interfaces/hub/ITaskTypes.sol";
import {VM} from "./utils/Vm.sol";

/// @title What the hub should hold, kept apart from the hub
/// @notice The handlers report here every hub call that succeeded and the money it may move by the protocol's
/// rules; the invariants compare the hub with this model. Nothing here reads the hub's deals or its layout: the
/// model is made of what the handlers asked for (the orders they signed, the tasks they ran).
/// - Frozen SRLC: a match locks the task price of each task from the sponsor and the scheduler's stake (30% of
///   the workerpool price) from the workerpool owner; a contribution locks the worker stake; a completed task
///   releases all of them (paying the sponsor's price, seizing the stakes of the workers who did not prove) and
///   pays a cut of the kitty; a claimed task releases them too, except the scheduler's stake, which goes to the
///   kitty.
/// - Losses: each handler call starts with `begin` and ends with `end`, which reads every known account once,
///   checks that none lost more than the rules of that call allow it to lose, and checks invariants 1, 2 and 4
///   (the first violation of each is kept, with the call that made it, for the invariant functions to report).
// solhint-disable-next-line max-states-count
contract Ghost {
    /// @notice Address of the kitty: address(uint160(uint256(keccak256("openpoco.kitty")))).
    address public constant KITTY = address(uint160(uint256(keccak256("openpoco.kitty"))));
    uint256 private constant KITTY_RATIO = 10;
    uint256 private constant KITTY_MIN = 1e9;
    uint256 private constant SCHEDULER_STAKE_RATIO = 30;

    /// @notice A deal as its orders made it: what the model needs of it.
    struct Deal {
        address sponsor;
        address scheduler;
        address callback;
        uint256 appPrice;
        uint256 datasetPrice;
        uint256 workerpoolPrice;
        uint256 workerStake;
        uint256 botFirst;
        uint256 botSize;
        uint256 trust;
        uint256 timeref;
        uint256 startTime;
    }

    /// @dev `Deal` in 5 slots (Forge copies the whole state on each call: the smaller, the faster the campaign).
    struct StoredDeal {
        address sponsor;
        uint64 price;
        address scheduler;
        uint64 workerpoolPrice;
        address callback;
        uint64 workerStake;
        uint64 botFirst;
        uint64 botSize;
        uint64 trust;
        uint64 timeref;
        uint64 startTime;
    }

    enum TaskState {
        NONE,
        OPEN,
        COMPLETED,
        FAILED
    }

    struct Task {
        bytes32 dealid;
        TaskState state;
        address[] contributors;
    }

    IHub public immutable hub;
    IERC20 public immutable token;
    address private immutable _deployer;

    mapping(address handler => bool) public isHandler;

    // ---------------------------------------------------------------- accounts
    address[] public accounts;
    mapping(address account => bool) public isAccount;
    mapping(address account => string) public labelOf;
    mapping(address account => uint256) public keyOf;
    address[] private _honest;
    address public attacker;
    /// @notice The attacker's deal callback: its money is the attacker's.
    address public attackerContract;

    // ---------------------------------------------------------------- model
    mapping(address account => uint256) public expectedFrozen;
    mapping(address owner => mapping(address spender => uint256)) public allowanceOf;
    mapping(bytes32 dealid => StoredDeal) private _deals;
    bytes32[] public dealIds;
    mapping(bytes32 taskid => Task) private _tasks;
    mapping(bytes32 taskid => mapping(address worker => bool)) public proved;
    mapping(bytes32 taskid => mapping(address worker => bytes32)) public digestOf;
    /// @notice Tasks of matched deals that are initialized and not settled.
    bytes32[] public openTasks;
    mapping(bytes32 taskid => uint256) private _openIndex;
    /// @notice Every task a handler initialized, of any deal id (forged ones too): invariant 4 checks them all.
    bytes32[] public seenTasks;
    mapping(bytes32 taskid => bool) public isSeen;
    /// @notice Tasks that ended COMPLETED, of any deal id.
    bytes32[] public finalizedTasks;
    /// @notice Contracts the hub created (deals, results...), seen in the calls' state diffs (ether campaign).
    address[] public dataContracts;
    mapping(address data => bool) public isDataContract;

    // ---------------------------------------------------------------- the current call
    string private _action;
    bool private _attackerMayLose;
    mapping(address account => uint256) private _allowedLoss;
    address[] private _allowedAccounts;
    /// @dev Balance + frozen of each account at the end of the last call.
    uint256[] private _snapshot;
    /// @dev Tasks to check for invariant 4 at the end of the call.
    bytes32[] private _touched;
    /// @notice Handler calls so far.
    uint256 public calls;

    // ---------------------------------------------------------------- what broke first (empty: nothing)
    string public solvencyViolation;
    string public frozenViolation;
    string public lossViolation;
    string public completedViolation;

    // ---------------------------------------------------------------- counters, for the report
    mapping(string action => uint256) public successes;

    error NotAHandler(address caller);

    constructor(IHub hub_, IERC20 token_) {
        hub = hub_;
        token = token_;
        _deployer = msg.sender;
    }

    modifier onlyHandler() {
        if (!isHandler[msg.sender] && msg.sender != _deployer) revert NotAHandler(msg.sender);
        _;
    }

    // ================================================================ set-up

    function addHandler(address handler) external onlyHandler {
        isHandler[handler] = true;
    }

    /// @notice Adds an account whose SRLC the invariants follow; `key` is its private key (0 for a contract).
    function addAccount(address who, string calldata label, uint256 key, bool isHonest) external onlyHandler {
        if (isAccount[who]) return;
        isAccount[who] = true;
        accounts.push(who);
        labelOf[who] = label;
        keyOf[who] = key;
        if (isHonest) _honest.push(who);
        VM.label(who, label);
    }

    function setAttacker(address who, address itsContract) external onlyHandler {
        attacker = who;
        attackerContract = itsContract;
    }

    // ================================================================ what the handlers report

    function count(string calldata action) external onlyHandler {
        successes[action] += 1;
    }

    function onMatch(bytes32 dealid, Deal calldata matched) external onlyHandler {
        dealIds.push(dealid);
        _deals[dealid] = StoredDeal(
            matched.sponsor,
            uint64(matched.appPrice + matched.datasetPrice + matched.workerpoolPrice),
            matched.scheduler,
            uint64(matched.workerpoolPrice),
            matched.callback,
            uint64(matched.workerStake),
            uint64(matched.botFirst),
            uint64(matched.botSize),
            uint64(matched.trust),
            uint64(matched.timeref),
            uint64(matched.startTime)
        );
        expectedFrozen[matched.sponsor] += _deals[dealid].price * matched.botSize;
        expectedFrozen[matched.scheduler] += _schedulerStake(_deals[dealid]) * matched.botSize;
    }

    /// @notice A successful initialize of `dealid`'s task `taskid`, whatever the deal id.
    function onInitialize(bytes32 taskid, bytes32 dealid) external onlyHandler {
        if (!isSeen[taskid]) {
            isSeen[taskid] = true;
            seenTasks.push(taskid);
        }
        if (!isDeal(dealid) || _tasks[taskid].state != TaskState.NONE) return;
        _tasks[taskid].dealid = dealid;
        _tasks[taskid].state = TaskState.OPEN;
        _openIndex[taskid] = openTasks.length;
        openTasks.push(taskid);
    }

    function onContribute(bytes32 taskid, address worker, bytes32 digest) external onlyHandler {
        Task storage task = _tasks[taskid];
        if (task.state != TaskState.OPEN) return;
        task.contributors.push(worker);
        digestOf[taskid][worker] = digest;
        expectedFrozen[worker] += _deals[task.dealid].workerStake;
    }

    function onReveal(bytes32 taskid, address worker) external onlyHandler {
        proved[taskid][worker] = true;
    }

    /// @notice A task finalized: the sponsor pays, the workers that did not prove lose their stake, the
    /// scheduler gets its stake back and a cut of the kitty.
    function onComplete(bytes32 taskid) external onlyHandler {
        finalizedTasks.push(taskid);
        _touched.push(taskid);
        Task storage task = _tasks[taskid];
        if (task.state != TaskState.OPEN) return;
        StoredDeal storage d = _deals[task.dealid];
        _close(taskid, TaskState.COMPLETED);
        uint256 price = d.price;
        _release(d.sponsor, price);
        _allow(d.sponsor, price);
        _release(d.scheduler, _schedulerStake(d));
        for (uint256 i = 0; i < task.contributors.length; ++i) {
            address worker = task.contributors[i];
            _release(worker, d.workerStake);
            if (!proved[taskid][worker]) _allow(worker, d.workerStake);
        }
        uint256 kitty = expectedFrozen[KITTY];
        if (kitty != 0) {
            uint256 cut = (kitty * KITTY_RATIO) / 100;
            if (cut < KITTY_MIN) cut = KITTY_MIN;
            if (cut > kitty) cut = kitty;
            _release(KITTY, cut);
            _allow(KITTY, cut);
        }
    }

    /// @notice A task claimed after its final deadline: everyone is refunded, but the scheduler's stake goes to the
    /// kitty.
    function onClaim(bytes32 taskid) external onlyHandler {
        _touched.push(taskid);
        Task storage task = _tasks[taskid];
        if (task.state != TaskState.OPEN) return;
        StoredDeal storage d = _deals[task.dealid];
        _close(taskid, TaskState.FAILED);
        for (uint256 i = 0; i < task.contributors.length; ++i) _release(task.contributors[i], d.workerStake);
        _release(d.sponsor, d.price);
        uint256 stake = _schedulerStake(d);
        _release(d.scheduler, stake);
        _allow(d.scheduler, stake);
        expectedFrozen[KITTY] += stake;
    }

    /// @notice `who` spends its own free SRLC (withdraw, transfer): it may lose `amount`.
    function allowLoss(address who, uint256 amount) external onlyHandler {
        _allow(who, amount);
    }

    /// @notice Invariant 4 looks at `taskid` at the end of this call (a task the attacker aimed at).
    function touch(bytes32 taskid) external onlyHandler {
        _touched.push(taskid);
    }

    function onApprove(address owner, address spender, uint256 amount) external onlyHandler {
        allowanceOf[owner][spender] = amount;
    }

    /// @notice `spender` may take from `owner` what `owner` approved, no more.
    function allowSpend(address owner, address spender, uint256 amount) external onlyHandler {
        uint256 allowed = allowanceOf[owner][spender];
        _allow(owner, amount < allowed ? amount : allowed);
    }

    function onSpend(address owner, address spender, uint256 amount) external onlyHandler {
        uint256 allowed = allowanceOf[owner][spender];
        if (allowed != type(uint256).max)
            allowanceOf[owner][spender] = allowed > amount ? allowed - amount : 0;
    }

    function addDataContract(address data) external onlyHandler {
        if (isDataContract[data]) return;
        isDataContract[data] = true;
        dataContracts.push(data);
    }

    // ================================================================ the checks after each call

    /// @notice Starts a handler call. `attackerMayLose`: the attacker (and its callback contract) may spend its own
    /// money as it likes during the call (only the others' losses matter).
    function begin(string calldata action, bool attackerMayLose) external onlyHandler {
        _action = action;
        _attackerMayLose = attackerMayLose;
        calls += 1;
    }

    /// @notice Ends a handler call (and the set-up): reads every account once and checks invariants 1 to 4,
    /// keeping the first violation of each with the call that made it.
    function end() external onlyHandler {
        uint256 sum;
        for (uint256 i = 0; i < accounts.length; ++i) {
            address who = accounts[i];
            IEscrow.Account memory stored = hub.viewAccount(who);
            uint256 total = stored.stake + stored.locked;
            sum += total;
            if (stored.locked != expectedFrozen[who]) _frozenMismatch(who, stored.locked);
            if (i == _snapshot.length) _snapshot.push(total);
            uint256 before = _snapshot[i];
            _snapshot[i] = total;
            bool attackers = who == attacker || who == attackerContract;
            if (total < before && !(attackers && _attackerMayLose)) _checkLoss(who, before, total);
        }
        for (uint256 i = 0; i < _allowedAccounts.length; ++i) delete _allowedLoss[_allowedAccounts[i]];
        delete _allowedAccounts;
        _checkSolvency(sum);
        for (uint256 i = 0; i < _touched.length; ++i) {
            if (bytes(completedViolation).length != 0) break;
            completedViolation = checkCompleted(_touched[i]);
        }
        delete _touched;
    }

    /// @notice Invariant 4 for every task ever initialized (the handlers check the tasks each call touched).
    function checkCompletedTasks() external view returns (string memory problem) {
        for (uint256 i = 0; i < seenTasks.length; ++i) {
            problem = checkCompleted(seenTasks[i]);
            if (bytes(problem).length != 0) return problem;
        }
    }

    /// @notice Invariant 4 for one task: COMPLETED only in a deal that a match made.
    function checkCompleted(bytes32 taskid) public view returns (string memory) {
        ITaskTypes.Task memory task = hub.viewTask(taskid);
        if (task.status != ITaskTypes.TaskStatus.COMPLETED || isDeal(task.dealid)) return "";
        return
            string.concat(
                "task ",
                VM.toString(taskid),
                " is COMPLETED in deal ",
                VM.toString(task.dealid),
                ", which no match made (seen after ",
                _action,
                ")"
            );
    }

    /// @notice Invariants 1 to 4 as the ghost found them at the end of the calls (one call for the invariant).
    function ledgerReport() external view returns (string memory) {
        return
            string.concat(
                _named("1 (escrow solvency)", solvencyViolation),
                _named("3 (no loss without consent)", lossViolation),
                _named("4 (completed tasks belong to matched deals)", completedViolation),
                _named("2 (frozen = locks)", frozenViolation)
            );
    }

    /// @notice Invariant 5: no ether in the hub nor in the contracts it created.
    function checkNoEther() external view returns (string memory) {
        if (address(hub).balance != 0) {
            return string.concat("the hub holds ", VM.toString(address(hub).balance), " wei");
        }
        for (uint256 i = 0; i < dataContracts.length; ++i) {
            address data = dataContracts[i];
            if (data.balance != 0) {
                return
                    string.concat(
                        "data contract ",
                        VM.toString(data),
                        " holds ",
                        VM.toString(data.balance),
                        " wei"
                    );
            }
        }
        return "";
    }

    // ================================================================ views for the handlers

    /// @notice Whether a match made `dealid`.
    function isDeal(bytes32 dealid) public view returns (bool) {
        return _deals[dealid].sponsor != address(0);
    }

    function deal(bytes32 dealid) external view returns (Deal memory d) {
        StoredDeal storage stored = _deals[dealid];
        d.sponsor = stored.sponsor;
        d.scheduler = stored.scheduler;
        d.callback = stored.callback;
        d.appPrice = stored.price;
        d.workerpoolPrice = stored.workerpoolPrice;
        d.workerStake = stored.workerStake;
        d.botFirst = stored.botFirst;
        d.botSize = stored.botSize;
        d.trust = stored.trust;
        d.timeref = stored.timeref;
        d.startTime = stored.startTime;
    }

    function taskDeal(bytes32 taskid) external view returns (bytes32) {
        return _tasks[taskid].dealid;
    }

    function taskState(bytes32 taskid) external view returns (TaskState) {
        return _tasks[taskid].state;
    }

    function contributors(bytes32 taskid) external view returns (address[] memory) {
        return _tasks[taskid].contributors;
    }

    function counts()
        external
        view
        returns (
            uint256 accounts_,
            uint256 deals,
            uint256 open,
            uint256 seen,
            uint256 finalized,
            uint256 data
        )
    {
        return (
            accounts.length,
            dealIds.length,
            openTasks.length,
            seenTasks.length,
            finalizedTasks.length,
            dataContracts.length
        );
    }

    function honest(uint256 seed) external view returns (address) {
        return _honest[seed % _honest.length];
    }

    function honestCount() external view returns (uint256) {
        return _honest.length;
    }

    function account(uint256 seed) external view returns (address) {
        return accounts[seed % accounts.length];
    }

    // ================================================================ internals

    function _close(bytes32 taskid, TaskState state) private {
        _tasks[taskid].state = state;
        uint256 index = _openIndex[taskid];
        bytes32 last = openTasks[openTasks.length - 1];
        openTasks[index] = last;
        _openIndex[last] = index;
        openTasks.pop();
        delete _openIndex[taskid];
    }

    function _named(string memory invariant, string memory problem) private pure returns (string memory) {
        if (bytes(problem).length == 0) return "";
        return string.concat("[invariant ", invariant, "] ", problem, ". ");
    }

    function _allow(address who, uint256 amount) private {
        if (amount == 0) return;
        if (_allowedLoss[who] == 0) _allowedAccounts.push(who);
        _allowedLoss[who] += amount;
    }

    /// @dev The model releases `amount` of `who`'s locks; more than it holds means the model and the hub parted
    /// earlier: kept as a violation rather than a revert (which would undo the call and hide what the hub did).
    function _release(address who, uint256 amount) private {
        uint256 locked = expectedFrozen[who];
        if (locked >= amount) {
            expectedFrozen[who] = locked - amount;
            return;
        }
        expectedFrozen[who] = 0;
        if (bytes(frozenViolation).length == 0) {
            frozenViolation = string.concat(
                "the rules release ",
                VM.toString(amount),
                " of ",
                labelOf[who],
                "'s locks, which hold ",
                VM.toString(locked),
                ", in ",
                _action
            );
        }
    }

    function _frozenMismatch(address who, uint256 frozen) private {
        if (bytes(frozenViolation).length != 0) return;
        frozenViolation = string.concat(
            labelOf[who],
            " has ",
            VM.toString(frozen),
            " nRLC frozen where its deals and tasks locked ",
            VM.toString(expectedFrozen[who]),
            ", after ",
            _action
        );
    }

    function _checkLoss(address who, uint256 before, uint256 total) private {
        uint256 allowed = _allowedLoss[who];
        if (before - total <= allowed || bytes(lossViolation).length != 0) return;
        lossViolation = string.concat(
            labelOf[who],
            " lost ",
            VM.toString(before - total),
            " nRLC (balance + frozen from ",
            VM.toString(before),
            " to ",
            VM.toString(total),
            ") in ",
            _action,
            ", where the rules allow ",
            VM.toString(allowed)
        );
    }

    /// @dev Invariant 1: the hub's RLC, the SRLC supply and the SRLC of the known accounts are one amount.
    function _checkSolvency(uint256 sum) private {
        if (bytes(solvencyViolation).length != 0) return;
        uint256 held = token.balanceOf(address(hub));
        uint256 supply = hub.totalSupply();
        if (held != supply) {
            solvencyViolation = string.concat(
                "the hub holds ",
                VM.toString(held),
                " nRLC for an SRLC supply of ",
                VM.toString(supply),
                ", after ",
                _action
            );
        } else if (sum != supply) {
            solvencyViolation = string.concat(
                "the SRLC supply is ",
                VM.toString(supply),
                " but the known accounts hold ",
                VM.toString(sum),
                ", after ",
                _action
            );
        }
    }

    function _schedulerStake(StoredDeal storage deal_) private view returns (uint256) {
        return (uint256(deal_.workerpoolPrice) * SCHEDULER_STAKE_RATIO) / 100;
    }
}
