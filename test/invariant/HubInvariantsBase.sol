// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IAppRegistry} from "../../contracts/interfaces/IAppRegistry.sol";
import {IDatasetRegistry} from "../../contracts/interfaces/IDatasetRegistry.sol";
import {IWorkerpoolRegistry} from "../../contracts/interfaces/IWorkerpoolRegistry.sol";
import {IHub} from "../../contracts/interfaces/hub/IHub.sol";
import {AttackerHandler} from "./AttackerHandler.sol";
import {Ghost} from "./Ghost.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {HonestHandler} from "./HonestHandler.sol";
import {HostileCallback} from "./HostileCallback.sol";
import {HubDeployment} from "./utils/HubDeployment.sol";
import {VM} from "./utils/Vm.sol";

/// @title The campaigns' common ground: the system, the actors, the handlers and what Forge may call
/// @notice The real system (RLC, registries, every facet behind the proxy, categories) used by honest actors and
/// attacked by one account (see the handlers). The invariants, after every call:
/// 1. the hub's RLC = the SRLC supply = the balances and frozen balances of all known accounts (the kitty's too);
/// 2. each account's frozen SRLC is what its deals and tasks locked, by the ghost's accounting;
/// 3. nobody's balance + frozen went down in that call except by its own withdraw or transfer, an allowance it
///    gave, the price of a task of a deal it matched or sponsored, or a stake it locked itself;
/// 4. a COMPLETED task belongs to a deal that a match made;
/// 5. no ether sits in the hub or in a contract it created.
/// 1 to 4 are one campaign (HubLedgerInvariantsTest), 5 another (HubEtherInvariantsTest): Forge runs each
/// invariant function as a campaign of its own, in parallel, and an ether finding must not hide a ledger one.
abstract contract HubInvariantsBase is HubDeployment {
    /// @notice Forge's `targetSelectors` entry.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    error InvariantBroken(string what);

    uint256 private constant RLC = 1e9;

    System internal _system;
    Ghost internal _ghost;
    HonestHandler internal _honest;
    AttackerHandler internal _attacker;

    function setUp() external {
        _system = _deploySystem();
        IHub hub = _system.hub;
        IERC20 token = IERC20(_system.token);
        _ghost = Ghost(_create("Ghost", abi.encode(hub, token)));
        address market = _create("Market", abi.encode(hub, _ghost));
        bytes memory handlerArgs = abi.encode(hub, token, _ghost, market, _system.workerpoolRegistry);
        _honest = HonestHandler(_create("HonestHandler", handlerArgs));
        _attacker = AttackerHandler(_create("AttackerHandler", handlerArgs));
        _ghost.addHandler(address(_honest));
        _ghost.addHandler(address(_attacker));

        HandlerBase.Cast memory cast = _cast();
        HostileCallback hostile = HostileCallback(_create("HostileCallback", abi.encode(hub)));
        _ghost.setAttacker(cast.attacker, address(hostile));
        _ghost.addAccount(_ghost.KITTY(), "kitty", 0, false);
        _ghost.addAccount(address(this), "hubOwner", 0, false);
        _ghost.addAccount(cast.consumer, "consumer", 0, false);
        _ghost.addAccount(address(hostile), "hostileCallback", 0, false);
        _honest.setCast(cast);
        _attacker.setCast(cast);
        _attacker.setTools(hostile, _routedSelectors());
        if (_harvest()) {
            _honest.setHarvest();
            _attacker.setHarvest();
        }
        _ghost.begin("setUp", false);
        _ghost.end();
    }

    /// @dev Whether the handlers look for the contracts the hub creates (see `HandlerBase.setHarvest`).
    function _harvest() internal pure virtual returns (bool) {
        return false;
    }

    /// @notice What the campaign did, in the log (`forge test -vv`): a suite whose honest flows never succeed
    /// proves nothing.
    function afterInvariant() external view {
        _log("handler calls", _ghost.calls());
        (
            uint256 accounts,
            uint256 deals,
            uint256 open,
            uint256 seen,
            uint256 finalized,
            uint256 data
        ) = _ghost.counts();
        (uint256 plants, uint256 foreign) = _attacker.counts();
        _log("accounts", accounts);
        _log("deals matched", deals);
        _log("tasks open", open);
        _log("tasks initialized", seen);
        _log("tasks completed", finalized);
        _log("data contracts", data);
        _log("forged deals planted", plants);
        _log("tasks initialized on forged ids", foreign);
        string[17] memory actions = [
            "matchOrders",
            "sponsorMatchOrders",
            "initialize",
            "contribute",
            "reveal",
            "finalize",
            "contributeAndFinalize",
            "reopen",
            "claim",
            "initializeAndClaimArray",
            "deposit",
            "withdraw",
            "transferFrom",
            "attacker.plantForgedDeal",
            "attacker.hugeData",
            "attacker.hostileCallback",
            "attacker.sendEther"
        ];
        for (uint256 i = 0; i < actions.length; ++i) _log(actions[i], _ghost.successes(actions[i]));
    }

    // ================================================================ what Forge fuzzes

    function targetContracts() external view virtual returns (address[] memory targets) {
        targets = new address[](2);
        targets[0] = address(_honest);
        targets[1] = address(_attacker);
    }

    /// @notice The handlers' functions, each repeated by its weight (Forge draws from this list): the task
    /// pipeline and the forged-id route come up more often than escrow chores.
    function targetSelectors() external view virtual returns (FuzzSelector[] memory targets) {
        targets = new FuzzSelector[](2);
        bytes4[] memory honest = new bytes4[](37);
        uint256 n;
        n = _add(honest, n, HonestHandler.matchOrders.selector, 3);
        n = _add(honest, n, HonestHandler.sponsorMatchOrders.selector, 2);
        n = _add(honest, n, HonestHandler.initialize.selector, 4);
        n = _add(honest, n, HonestHandler.contribute.selector, 6);
        n = _add(honest, n, HonestHandler.reveal.selector, 4);
        n = _add(honest, n, HonestHandler.finalize.selector, 3);
        n = _add(honest, n, HonestHandler.contributeAndFinalize.selector, 3);
        n = _add(honest, n, HonestHandler.reopen.selector, 1);
        n = _add(honest, n, HonestHandler.claim.selector, 2);
        n = _add(honest, n, HonestHandler.warp.selector, 2);
        n = _add(honest, n, HonestHandler.deposit.selector, 1);
        n = _add(honest, n, HonestHandler.withdraw.selector, 1);
        n = _add(honest, n, HonestHandler.transfer.selector, 1);
        n = _add(honest, n, HonestHandler.approve.selector, 1);
        n = _add(honest, n, HonestHandler.transferFrom.selector, 1);
        n = _add(honest, n, HonestHandler.strayRlcRecovered.selector, 1);
        n = _add(honest, n, HonestHandler.createAsset.selector, 1);
        targets[0] = FuzzSelector(address(_honest), honest);

        bytes4[] memory attacker = new bytes4[](23);
        n = 0;
        n = _add(attacker, n, AttackerHandler.plantForgedDeal.selector, 3);
        n = _add(attacker, n, AttackerHandler.initialize.selector, 3);
        n = _add(attacker, n, AttackerHandler.contributeAndFinalize.selector, 3);
        n = _add(attacker, n, AttackerHandler.contribute.selector, 1);
        n = _add(attacker, n, AttackerHandler.revealAndFinalize.selector, 1);
        n = _add(attacker, n, AttackerHandler.reopen.selector, 1);
        n = _add(attacker, n, AttackerHandler.claim.selector, 1);
        n = _add(attacker, n, AttackerHandler.transferFrom.selector, 1);
        n = _add(attacker, n, AttackerHandler.matchOrders.selector, 1);
        n = _add(attacker, n, AttackerHandler.callAnything.selector, 3);
        n = _add(attacker, n, AttackerHandler.sendEther.selector, 2);
        n = _add(attacker, n, AttackerHandler.hugeData.selector, 1);
        n = _add(attacker, n, AttackerHandler.hostileCallback.selector, 1);
        n = _add(attacker, n, AttackerHandler.moveOwnMoney.selector, 1);
        targets[1] = FuzzSelector(address(_attacker), attacker);
    }

    function _add(
        bytes4[] memory list,
        uint256 at,
        bytes4 selector,
        uint256 weight
    ) private pure returns (uint256) {
        for (uint256 i = 0; i < weight; ++i) list[at + i] = selector;
        return at + weight;
    }

    // ================================================================ set-up of the actors

    /// @dev Creates the actors (keys from their names), gives each RLC and an SRLC deposit, and their assets.
    function _cast() private returns (HandlerBase.Cast memory cast) {
        cast.requesters = _actors("requester", 2);
        cast.sponsors = _actors("sponsor", 1);
        cast.appOwners = _actors("appOwner", 2);
        cast.datasetOwners = _actors("datasetOwner", 1);
        cast.schedulers = _actors("scheduler", 2);
        cast.workers = _actors("worker", 3);
        cast.attacker = _actor("attacker", false);

        IAppRegistry apps = IAppRegistry(_system.appRegistry);
        IDatasetRegistry datasets = IDatasetRegistry(_system.datasetRegistry);
        IWorkerpoolRegistry workerpools = IWorkerpoolRegistry(_system.workerpoolRegistry);
        cast.apps = new address[](cast.appOwners.length);
        for (uint256 i = 0; i < cast.apps.length; ++i) {
            cast.apps[i] = apps.createApp(
                cast.appOwners[i],
                "app",
                "DOCKER",
                "docker.io/app:1",
                bytes32(i),
                ""
            );
        }
        cast.datasets = new address[](cast.datasetOwners.length);
        for (uint256 i = 0; i < cast.datasets.length; ++i) {
            cast.datasets[i] = datasets.createDataset(
                cast.datasetOwners[i],
                "dataset",
                "ipfs://data",
                bytes32(i)
            );
        }
        cast.workerpools = new address[](cast.schedulers.length);
        for (uint256 i = 0; i < cast.workerpools.length; ++i) {
            cast.workerpools[i] = workerpools.createWorkerpool(cast.schedulers[i], "pool");
        }
        cast.attackerApp = apps.createApp(
            cast.attacker,
            "mine",
            "DOCKER",
            "docker.io/mine:1",
            bytes32(0),
            ""
        );
        cast.attackerWorkerpool = workerpools.createWorkerpool(cast.attacker, "my pool");
        cast.consumer = _create("ResultConsumerMock", "");
        cast.appRegistry = address(apps);
        cast.datasetRegistry = address(datasets);
    }

    function _actors(string memory role, uint256 n) private returns (address[] memory list) {
        list = new address[](n);
        for (uint256 i = 0; i < n; ++i) list[i] = _actor(string.concat(role, VM.toString(i)), true);
    }

    /// @dev An externally owned account named `name`, with 1M RLC approved to the hub and 10k of it deposited.
    function _actor(string memory name, bool honest) private returns (address account) {
        uint256 key = uint256(keccak256(abi.encodePacked("openpoco.invariant.", name)));
        account = VM.addr(key);
        _ghost.addAccount(account, name, key, honest);
        IERC20 token = IERC20(_system.token);
        if (!token.transfer(account, 1_000_000 * RLC)) revert InvariantBroken("RLC transfer");
        VM.startPrank(account);
        token.approve(address(_system.hub), type(uint256).max);
        _system.hub.deposit(10_000 * RLC);
        VM.stopPrank();
    }

    // ================================================================ reporting

    function _named(string memory invariant, string memory problem) internal pure returns (string memory) {
        if (bytes(problem).length == 0) return "";
        return string.concat("[invariant ", invariant, "] ", problem, ". ");
    }

    /// @dev console.log(string, uint256), answered by Forge at the console address.
    function _log(string memory what, uint256 value) private view {
        address console = 0x000000000000000000636F6e736F6c652e6c6f67;
        bytes memory payload = abi.encodeWithSignature("log(string,uint256)", what, value);
        assembly ("memory-safe") {
            pop(staticcall(gas(), console, add(payload, 0x20), mload(payload), 0, 0))
        }
    }
}
