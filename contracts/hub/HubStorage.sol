// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Namespaced storage of the hub (ERC-7201)
/// @notice Every facet of the hub reads and writes its state through `HubStorage.layout()`.
/// @dev Upgrades may only add members without moving existing ones (append, or fill a slot's spare bytes):
/// the storage layout check (`npm run storage-layout`) compares the compiled layout with the committed snapshot.
library HubStorage {
    /// @dev One slot per account: balance and frozen amount move together on lock/unlock, so packing
    /// them makes each escrow movement a single SSTORE. 128 bits hold far more than any RLC supply.
    struct Account {
        uint128 balance;
        uint128 frozen;
    }

    struct Category {
        uint256 workClockTimeRef;
        string name;
        string description;
    }

    /// @dev A task, in four slots (the packing of `state` and `contributors` is `Tasks`'): initialize writes the
    /// first two, the first contribution the last two.
    struct Task {
        bytes32 dealid;
        /// @dev status, index, deadlines and counters.
        uint256 state;
        /// @dev The last contributor (the head of a list linked through each contribution) and the results time.
        uint256 contributors;
        /// @dev The consensus hash; once a winner revealed, the revealed digest instead (the hash follows from it).
        bytes32 consensus;
    }

    /// @dev A worker's contribution to a task. `head` packs the previous contributor, the status, the weight and
    /// flags (see `Tasks`); the enclave challenge is written only when there is one.
    struct Contribution {
        uint256 head;
        bytes32 resultHash;
        bytes32 resultSeal;
        address enclaveChallenge;
    }

    /// @custom:storage-location erc7201:openpoco.storage.Hub
    struct Layout {
        // ---- ownership and configuration ----
        address owner;
        bool configured;
        uint8 decimals;
        address appRegistry;
        /// @dev `categories.length`, kept in the spare bytes of the app registry's slot (nothing moves: the next
        /// member starts a new slot either way), because matching reads both: one cold read instead of two.
        /// Written only by `CategoryFacet.createCategory`, with the array.
        uint96 categoryCount;
        address datasetRegistry;
        address workerpoolRegistry;
        address teeBroker;
        uint256 callbackGas;
        string name;
        string symbol;
        // ---- escrow (the SRLC ledger) ----
        uint256 totalSupply;
        mapping(address account => Account) accounts;
        mapping(address owner => mapping(address spender => uint256)) allowances;
        // ---- categories ----
        Category[] categories;
        // ---- orders ----
        mapping(bytes32 orderHash => address signer) presigned;
        mapping(bytes32 orderHash => uint256 volume) consumed;
        // Deals live in contract code, not here (see `Deals`).
        // ---- tasks and consensus ----
        mapping(bytes32 taskid => Task) tasks;
        mapping(bytes32 taskid => mapping(address worker => Contribution)) contributions;
        /// @dev Weight of each result hash's group among a task's contributions still in play (see `Consensus`).
        mapping(bytes32 taskid => mapping(bytes32 resultHash => uint256 weight)) groupWeights;
        /// @dev Sum of a task's `groupWeights` (the consensus total is 1 plus this).
        mapping(bytes32 taskid => uint256 weight) openWeight;
        mapping(address worker => uint256 score) scores;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("openpoco.storage.Hub")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant SLOT = 0xf666f2755b059dcfeb7336a763a121966dee9d19fba5a184b79ad36386c35500;

    function layout() internal pure returns (Layout storage $) {
        assembly {
            $.slot := SLOT
        }
    }
}
