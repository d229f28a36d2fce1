// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {HubStorage} from "./HubStorage.sol";
import {RouterStorage} from "./RouterStorage.sol";
import {IRouter} from "../interfaces/hub/IRouter.sol";
import {IOwnership} from "../interfaces/hub/IOwnership.sol";
import {IDataInFlight} from "../interfaces/hub/IDataInFlight.sol";
import {CodeData} from "./libs/CodeData.sol";

/// @title The hub's address: a proxy that routes each selector to its facet
/// @notice Every call is one storage read (the route) and one delegatecall: hot paths pay a single
/// hop, and each facet stays well under the EIP-170 code size limit. Upgrades go through
/// `setRoutes` (RouterFacet), owner only.
contract HubProxy {
    /// @param owner_ First owner of the hub.
    /// @param routerFacet Facet implementing `setRoutes` and `facetOf`, routed at once so that the
    /// owner can install every other facet.
    constructor(address owner_, address routerFacet) {
        if (owner_ == address(0)) revert IOwnership.OwnableInvalidOwner(address(0));
        if (routerFacet.code.length == 0) revert IRouter.FacetHasNoCode(routerFacet);
        HubStorage.layout().owner = owner_;
        emit IOwnership.OwnershipTransferred(address(0), owner_);

        bytes4[] memory selectors = new bytes4[](2);
        selectors[0] = IRouter.setRoutes.selector;
        selectors[1] = IRouter.facetOf.selector;
        mapping(bytes4 => address) storage facets = RouterStorage.layout().facets;
        facets[selectors[0]] = routerFacet;
        facets[selectors[1]] = routerFacet;
        emit IRouter.RoutesUpdated(routerFacet, selectors);
    }

    /// @notice Delegates the call to the facet routed for its selector.
    /// @dev Routing is this proxy's job, hence a fallback that does real work. One selector is answered
    /// here: `dataInFlight()`, the transient hand-off a data contract (a deal, a task's results) reads while the
    /// hub creates it (see `CodeData`); answering it without a route lookup saves a cold storage read each time.
    /// The fallback is payable only for the reference's ABI: no facet function is payable (each refuses ether
    /// itself), and `dataInFlight()` refuses it here, so the hub never keeps ether.
    // solhint-disable-next-line no-complex-fallback
    fallback() external payable {
        if (msg.sig == IDataInFlight.dataInFlight.selector) {
            if (msg.value != 0) revert IRouter.EtherNotAccepted();
            CodeData.returnInFlight();
        }
        address facet = RouterStorage.layout().facets[msg.sig];
        if (facet == address(0)) revert IRouter.FunctionNotFound(msg.sig);
        assembly {
            // The call never returns to Solidity code, so memory from 0 can be used freely.
            calldatacopy(0, 0, calldatasize())
            let success := delegatecall(gas(), facet, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(success) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }

    /// @notice The hub holds RLC, never ether.
    receive() external payable {
        revert IRouter.EtherNotAccepted();
    }
}
