// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Selector routing of the hub proxy
/// @notice The hub is one proxy that delegates each function selector to the facet registered for
/// it: every call costs exactly one delegatecall hop, and upgrades replace facets selector by selector.
interface IRouter {
    /// @notice No facet is registered for `selector`.
    error FunctionNotFound(bytes4 selector);
    /// @notice `facet` is not a contract, so routing to it would silently do nothing.
    error FacetHasNoCode(address facet);
    /// @notice The hub holds RLC only; plain ether transfers are refused.
    error EtherNotAccepted();

    /// @notice `selectors` now route to `facet` (address(0): removed).
    /// @param facet The facet, or address(0) when the selectors were removed.
    /// @param selectors The function selectors concerned.
    event RoutesUpdated(address indexed facet, bytes4[] selectors);

    /// @notice Routes `selectors` to `facet`, or removes them when `facet` is address(0). Owner only.
    /// @param selectors Function selectors to (re)route.
    /// @param facet Contract holding the implementation, or address(0) to remove the selectors.
    function setRoutes(bytes4[] calldata selectors, address facet) external;

    /// @notice The facet that implements `selector`, or address(0).
    /// @param selector Function selector.
    /// @return facet Implementation address.
    function facetOf(bytes4 selector) external view returns (address facet);
}
