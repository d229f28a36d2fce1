// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Hub configuration: token, registries, EIP-712 domain, TEE broker, callback gas, constants
/// @notice Set once at deployment (`configure`), then changed only by the owner where a setter exists.
interface IConfig {
    /// @notice EIP-712 domain of orders (name `iExecODB`, version `5.0.0`).
    struct EIP712Domain {
        string name;
        string version;
        uint256 chainId;
        address verifyingContract;
    }

    /// @notice `configure` was already called.
    error AlreadyConfigured();
    /// @notice The hub's facets were built for `expected`, not for `given`.
    error TokenMismatch(address expected, address given);
    /// @notice A registry address is address(0) or not a contract.
    error InvalidRegistry(address registry);
    /// @notice Migrating scores from a v3 hub is not supported: pass address(0).
    error UnsupportedLegacyHub(address legacyHub);
    /// @notice `gas` is outside 1..`max`.
    error CallbackGasOutOfRange(uint256 gas, uint256 max);
    /// @notice A facet was called directly instead of through the hub proxy.
    error DirectCallNotAllowed();

    /// @notice The hub was set up (`configure`).
    /// @param token The RLC token.
    /// @param appRegistry The app registry.
    /// @param datasetRegistry The dataset registry.
    /// @param workerpoolRegistry The workerpool registry.
    event Configured(address token, address appRegistry, address datasetRegistry, address workerpoolRegistry);
    /// @notice The owner replaced the registries.
    /// @param appRegistry The new app registry.
    /// @param datasetRegistry The new dataset registry.
    /// @param workerpoolRegistry The new workerpool registry.
    event RegistriesChanged(address appRegistry, address datasetRegistry, address workerpoolRegistry);
    /// @notice The owner changed the TEE broker.
    /// @param previousTeeBroker The former broker (address(0): none).
    /// @param newTeeBroker The new broker (address(0): none).
    event TeeBrokerChanged(address previousTeeBroker, address newTeeBroker);
    /// @notice The owner changed the gas given to deal callbacks.
    /// @param previousGas The former callback gas.
    /// @param newGas The new callback gas.
    event CallbackGasChanged(uint256 previousGas, uint256 newGas);
    /// @notice The EIP-712 domain separator of orders was computed for the current chain.
    /// @param separator The new separator.
    /// @param chainId The chain id it was computed for.
    event DomainSeparatorUpdated(bytes32 separator, uint256 chainId);

    /// @notice One-time set-up after deployment. Owner only.
    /// @param token RLC token (must be the one the facets were deployed with).
    /// @param name Name of the SRLC escrow token.
    /// @param symbol Symbol of the SRLC escrow token.
    /// @param decimals Decimals of the SRLC escrow token (those of RLC: 9).
    /// @param appRegistry App registry.
    /// @param datasetRegistry Dataset registry.
    /// @param workerpoolRegistry Workerpool registry.
    /// @param legacyHub Must be address(0) (v3 score import is not supported).
    function configure(
        address token,
        string calldata name,
        string calldata symbol,
        uint8 decimals,
        address appRegistry,
        address datasetRegistry,
        address workerpoolRegistry,
        address legacyHub
    ) external;

    /// @notice Points the hub at new registries (migration). Owner only.
    /// @param appRegistry App registry.
    /// @param datasetRegistry Dataset registry.
    /// @param workerpoolRegistry Workerpool registry.
    function changeRegistries(
        address appRegistry,
        address datasetRegistry,
        address workerpoolRegistry
    ) external;

    /// @notice Sets the TEE broker whose signature authorizes enclave contributions (without a broker, the
    /// scheduler authorizes them, as it does the others). Owner only.
    /// @param teeBroker New broker (address(0) unsets it).
    function setTeeBroker(address teeBroker) external;

    /// @notice Sets the gas forwarded to deal callbacks on finalize. Owner only.
    /// @param gas New gas amount, 1..5,000,000.
    function setCallbackGas(uint256 gas) external;

    /// @notice Reports the EIP-712 domain separator for the current chain id (always current: it is
    /// computed on each use). Kept for clients of the reference ABI. Anyone.
    function updateDomainSeparator() external;

    /// @notice The EIP-712 domain that orders are signed for.
    /// @return The domain (name, version, current chain id, hub address).
    function domain() external view returns (EIP712Domain memory);

    /// @notice The EIP-712 domain separator for the current chain id.
    /// @return The separator.
    function eip712domain_separator() external view returns (bytes32);

    /// @notice RLC token escrowed by the hub.
    /// @return Token address.
    function token() external view returns (address);

    /// @notice App registry.
    /// @return Registry address.
    function appregistry() external view returns (address);

    /// @notice Dataset registry.
    /// @return Registry address.
    function datasetregistry() external view returns (address);

    /// @notice Workerpool registry.
    /// @return Registry address.
    function workerpoolregistry() external view returns (address);

    /// @notice TEE broker.
    /// @return Broker address.
    function teebroker() external view returns (address);

    /// @notice Gas forwarded to deal callbacks.
    /// @return Gas amount.
    function callbackgas() external view returns (uint256);

    /// @notice Contribution deadline, in work clock time references from the deal start (7).
    /// @return Ratio.
    function contribution_deadline_ratio() external pure returns (uint256);

    /// @notice Reveal window, in work clock time references from consensus (2).
    /// @return Ratio.
    function reveal_deadline_ratio() external pure returns (uint256);

    /// @notice Final deadline, in work clock time references from the deal start (10).
    /// @return Ratio.
    function final_deadline_ratio() external pure returns (uint256);

    /// @notice Scheduler stake per task, as a percentage of the workerpool price (30).
    /// @return Ratio.
    function workerpool_stake_ratio() external pure returns (uint256);

    /// @notice Percentage of the kitty paid to a scheduler per finalized task (10).
    /// @return Ratio.
    function kitty_ratio() external pure returns (uint256);

    /// @notice Minimum kitty payout per finalized task, in nRLC (1 RLC).
    /// @return Amount.
    function kitty_min() external pure returns (uint256);

    /// @notice Escrow account holding seized scheduler stakes.
    /// @return Kitty address.
    function kitty_address() external pure returns (address);

    /// @notice ERC-734 key purpose of restriction group members (4).
    /// @return Purpose.
    function groupmember_purpose() external pure returns (uint256);
}
