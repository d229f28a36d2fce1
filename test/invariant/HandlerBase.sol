// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IEscrow} from "../../contracts/interfaces/hub/IEscrow.sol";
import {IContributions} from "../../contracts/interfaces/hub/IContributions.sol";
import {IFinalize} from "../../contracts/interfaces/hub/IFinalize.sol";
import {IHub} from "../../contracts/interfaces/hub/IHub.sol";
import {ITaskTypes} from "../../contracts/interfaces/hub/ITaskTypes.sol";
import {IWorkerpoolRegistry} from "../../contracts/interfaces/IWorkerpoolRegistry.sol";
import {Ghost} from "./Ghost.sol";
import {Market} from "./Market.sol";
import {VM} from "./utils/Vm.sol";

/// @title What the handlers share: the system, the actors, and the plumbing of a hub call
abstract contract HandlerBase {
    /// @notice The actors and their assets: `apps[i]` belongs to `appOwners[i]`, and so on (an owner may appear
    /// more than once once `HonestHandler.createAsset` ran).
    struct Cast {
        address[] requesters;
        address[] sponsors;
        address[] appOwners;
        address[] datasetOwners;
        address[] schedulers;
        address[] workers;
        address[] apps;
        address[] datasets;
        address[] workerpools;
        address attacker;
        address attackerApp;
        address attackerWorkerpool;
        address consumer;
        address appRegistry;
        address datasetRegistry;
    }

    /// @dev AccountAccessKind.Create in Forge's state diffs.
    uint256 private constant ACCESS_CREATE = 4;

    IHub public immutable hub;
    IERC20 public immutable token;
    Ghost public immutable ghost;
    Market public immutable market;
    address public immutable workerpoolRegistry;

    Cast internal _cast;
    /// @notice Whether each call records the contracts the hub creates (the ether campaign only, see `setHarvest`).
    bool public harvest;

    constructor(IHub hub_, IERC20 token_, Ghost ghost_, Market market_, address workerpoolRegistry_) {
        hub = hub_;
        token = token_;
        ghost = ghost_;
        market = market_;
        workerpoolRegistry = workerpoolRegistry_;
    }

    /// @notice Runs the handler's body between `Ghost.begin` and `Ghost.end` (the loss check of invariant 3),
    /// recording the contracts the hub creates when `harvest` is on.
    modifier tracked(string memory action, bool attackerMayLose) {
        if (harvest) VM.startStateDiffRecording();
        ghost.begin(action, attackerMayLose);
        _;
        ghost.end();
        if (harvest) _registerCreations();
    }

    /// @notice Makes every call look for the contracts the hub creates (deals, results, in whatever layout) and
    /// report them to the ghost, for invariant 5 and the attacker's ether. Forge's state diffs are the way to see
    /// creations, but its `stopAndReturnStateDiff` leaves the recording on: every call restarts it (dropping
    /// what the invariant check recorded) and drains it. That doubles the cost of a call, hence one campaign only.
    function setHarvest() external {
        harvest = true;
    }

    function setCast(Cast calldata cast_) external {
        if (_cast.attacker != address(0)) return;
        _cast = cast_;
    }

    // ---------------------------------------------------------------- hub calls

    /// @dev Sends `data` to the hub as `sender`; a revert is an outcome, not a failure of the handler.
    function _call(address sender, bytes memory data) internal returns (bool ok, bytes memory returned) {
        VM.startPrank(sender);
        // solhint-disable-next-line avoid-low-level-calls
        (ok, returned) = address(hub).call(data);
        VM.stopPrank();
    }

    /// @dev Gives `account` at least `amount` free SRLC, depositing from its RLC.
    function _fund(address account, uint256 amount) internal {
        uint256 balance = hub.balanceOf(account);
        if (balance >= amount) return;
        uint256 missing = amount - balance;
        if (token.balanceOf(account) < missing) return;
        _call(account, abi.encodeCall(IEscrow.deposit, (missing)));
    }

    /// @dev `contribute` calldata: `worker` commits to `digest` on `taskid` without an enclave, authorized by
    /// `scheduler`.
    function _contributeCall(
        bytes32 taskid,
        bytes32 digest,
        address scheduler,
        address worker
    ) internal view returns (bytes memory) {
        return
            abi.encodeCall(
                IContributions.contribute,
                (
                    taskid,
                    keccak256(abi.encodePacked(taskid, digest)),
                    keccak256(abi.encodePacked(worker, taskid, digest)),
                    address(0),
                    "",
                    market.authorization(scheduler, worker, taskid)
                )
            );
    }

    /// @dev Calldata of `contributeAndFinalize` by `worker`, authorized by `scheduler`, without enclave.
    function _contributeAndFinalizeCall(
        bytes32 taskid,
        bytes32 digest,
        bytes memory results,
        bytes memory callbackData,
        address scheduler,
        address worker
    ) internal view returns (bytes memory) {
        bytes memory authorization = market.authorization(scheduler, worker, taskid);
        return
            abi.encodeCall(
                IFinalize.contributeAndFinalize,
                (taskid, digest, results, callbackData, address(0), "", authorization)
            );
    }

    /// @dev Drains Forge's state diff (raw ABI, `AccountAccess[]`) and keeps the accounts the hub created that have
    /// code. Each access starts with chainInfo (2 words), kind, account, accessor.
    function _registerCreations() private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory diff) = address(VM).call(abi.encodeWithSignature("stopAndReturnStateDiff()"));
        if (!ok) return;
        uint256 length;
        assembly ("memory-safe") {
            length := mload(add(diff, 0x40))
        }
        for (uint256 i = 0; i < length; ++i) {
            uint256 kind;
            address created;
            address creator;
            assembly ("memory-safe") {
                let items := add(diff, 0x60)
                let access := add(items, mload(add(items, shl(5, i))))
                kind := mload(add(access, 0x40))
                created := mload(add(access, 0x60))
                creator := mload(add(access, 0x80))
            }
            if (kind == ACCESS_CREATE && creator == address(hub) && created.code.length != 0) {
                ghost.addDataContract(created);
            }
        }
    }

    // ---------------------------------------------------------------- reading

    function _status(bytes32 taskid) internal view returns (ITaskTypes.TaskStatus) {
        return hub.viewTask(taskid).status;
    }

    function _workerStakeRatio(address workerpool) internal view returns (uint256 ratio) {
        (, ratio, ) = IWorkerpoolRegistry(workerpoolRegistry).ownerAndPolicyOf(workerpool);
    }

    function _timeref(uint256 category) internal pure returns (uint256) {
        if (category == 0) return 300;
        if (category == 1) return 1200;
        if (category == 2) return 3600;
        if (category == 3) return 10800;
        return 36000;
    }

    /// @dev One of the last `window` elements of a list of `length`, most often the last.
    function _recent(uint256 seed, uint256 length, uint256 window) internal pure returns (uint256) {
        if (seed % 2 == 0) return length - 1;
        uint256 span = length < window ? length : window;
        return length - 1 - ((seed >> 1) % span);
    }

    /// @dev A task of a matched deal that is initialized and not settled, or zero when there is none.
    function _openTask(uint256 seed) internal view returns (bytes32) {
        (, , uint256 open, , , ) = ghost.counts();
        if (open == 0) return bytes32(0);
        return ghost.openTasks(seed % open);
    }

    /// @dev The results a worker would give: a JSON location (ABI-encoded string, the usual), raw bytes, or none.
    function _results(uint256 seed) internal pure returns (bytes memory) {
        uint256 kind = seed % 3;
        if (kind == 0) return abi.encode(string.concat("ipfs://results/", VM.toString(seed >> 2)));
        if (kind == 1) return abi.encodePacked("raw:", keccak256(abi.encode(seed)));
        return "";
    }

    /// @dev The callback data of a task whose deal has a callback; its hash is then the result digest.
    function _callbackData(bytes32 taskid) internal pure returns (bytes memory) {
        return abi.encode(taskid, "oracle value");
    }
}
