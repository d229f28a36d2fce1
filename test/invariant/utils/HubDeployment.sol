// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IHub} from "../../../contracts/interfaces/hub/IHub.sol";
import {VM} from "./Vm.sol";

/// @title The real system, deployed as deploy/00_token.ts to deploy/03_categories.ts do
/// @notice RLC, the three registries, the facets and the hub proxy routing every selector of every facet (from
/// the facets' artifacts, like `routingTable` in scripts/lib/hub-facets.ts), configured, with the five categories.
/// Contracts are created from their artifacts (`getCode`), so that the test contracts carry none of their code.
abstract contract HubDeployment {
    /// @notice What the deployment made.
    struct System {
        IHub hub;
        address token;
        address appRegistry;
        address datasetRegistry;
        address workerpoolRegistry;
    }

    error DeploymentFailed(string artifact);
    error SelectorClaimedTwice(bytes4 selector, string facet);

    /// @dev The facets of scripts/lib/hub-facets.ts (HUB_FACETS), in its order; scripts/invariant.sh checks that
    /// both lists name the same facets. `true` when the constructor takes the RLC token.
    function _facets() internal pure returns (string[] memory names, bool[] memory takesToken) {
        names = new string[](14);
        takesToken = new bool[](14);
        names[0] = "OwnershipFacet";
        names[1] = "ConfigFacet";
        takesToken[1] = true;
        names[2] = "CategoryFacet";
        names[3] = "EscrowFacet";
        takesToken[3] = true;
        names[4] = "SRLCFacet";
        names[5] = "SignatureFacet";
        names[6] = "OrderManagementFacet";
        names[7] = "MatchingFacet";
        names[8] = "DealFacet";
        names[9] = "TaskFacet";
        names[10] = "ContributionFacet";
        names[11] = "FinalizeFacet";
        names[12] = "TaskViewFacet";
        names[13] = "LegacyAccessorsFacet";
    }

    /// @notice Deploys and configures the system, owned (token supply, registries, hub) by this contract.
    function _deploySystem() internal returns (System memory s) {
        address self = address(this);
        s.token = _create("RLC", abi.encode(self));
        s.appRegistry = _create("AppRegistry", abi.encode(self));
        s.datasetRegistry = _create("DatasetRegistry", abi.encode(self));
        s.workerpoolRegistry = _create("WorkerpoolRegistry", abi.encode(self));

        address router = _create("RouterFacet", "");
        s.hub = IHub(_create("HubProxy", abi.encode(self, router)));
        (string[] memory names, bool[] memory takesToken) = _facets();
        for (uint256 i = 0; i < names.length; ++i) {
            address facet = _create(names[i], takesToken[i] ? abi.encode(s.token) : bytes(""));
            bytes4[] memory selectors = _selectorsOf(names[i]);
            for (uint256 j = 0; j < selectors.length; ++j) {
                if (s.hub.facetOf(selectors[j]) != address(0)) {
                    revert SelectorClaimedTwice(selectors[j], names[i]);
                }
            }
            s.hub.setRoutes(selectors, facet);
        }
        s.hub.configure(
            s.token,
            "Staked RLC",
            "SRLC",
            9,
            s.appRegistry,
            s.datasetRegistry,
            s.workerpoolRegistry,
            address(0)
        );
        // The descriptions of deploy/03_categories.ts, JSON (single quotes spare the escapes).
        // solhint-disable quotes
        s.hub.createCategory("XS", '{"name":"XS","ref":"5 minutes"}', 300);
        s.hub.createCategory("S", '{"name":"S","ref":"20 minutes"}', 1200);
        s.hub.createCategory("M", '{"name":"M","ref":"1 hour"}', 3600);
        s.hub.createCategory("L", '{"name":"L","ref":"3 hours"}', 10800);
        s.hub.createCategory("XL", '{"name":"XL","ref":"10 hours"}', 36000);
        // solhint-enable quotes
    }

    /// @notice Every selector of the routing table, the router's own included (what the proxy answers).
    function _routedSelectors() internal view returns (bytes4[] memory all) {
        (string[] memory names, ) = _facets();
        bytes4[][] memory lists = new bytes4[][](names.length + 1);
        uint256 total;
        for (uint256 i = 0; i < names.length; ++i) {
            lists[i] = _selectorsOf(names[i]);
            total += lists[i].length;
        }
        lists[names.length] = _selectorsOf("RouterFacet");
        total += lists[names.length].length;
        all = new bytes4[](total);
        uint256 k;
        for (uint256 i = 0; i < lists.length; ++i) {
            for (uint256 j = 0; j < lists[i].length; ++j) all[k++] = lists[i][j];
        }
    }

    /// @notice Creates `name` (artifact `<name>.sol:<name>`) with the ABI-encoded constructor arguments `args`.
    function _create(string memory name, bytes memory args) internal returns (address created) {
        bytes memory code = bytes.concat(VM.getCode(string.concat(name, ".sol:", name)), args);
        assembly ("memory-safe") {
            created := create(0, add(code, 0x20), mload(code))
        }
        if (created == address(0)) revert DeploymentFailed(name);
        VM.label(created, name);
    }

    /// @notice The function selectors of the contract `name`, from the `methodIdentifiers` of its Forge artifact.
    function _selectorsOf(string memory name) internal view returns (bytes4[] memory selectors) {
        string memory json = VM.readFile(
            string.concat(VM.projectRoot(), "/forge-out/", name, ".sol/", name, ".json")
        );
        string[] memory signatures = VM.parseJsonKeys(json, ".methodIdentifiers");
        selectors = new bytes4[](signatures.length);
        for (uint256 i = 0; i < signatures.length; ++i) {
            selectors[i] = bytes4(keccak256(bytes(signatures[i])));
        }
    }
}
