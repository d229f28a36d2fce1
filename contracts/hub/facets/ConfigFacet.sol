// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Domain} from "../libs/Domain.sol";
import {IConfig} from "../../interfaces/hub/IConfig.sol";
import "../libs/Constants.sol" as C;

/// @title Configuration of the hub
/// @dev The RLC token is fixed per deployment and kept as an immutable of the facets that use it,
/// which spares a storage read on every deposit and withdrawal.
contract ConfigFacet is IConfig, Facet {
    address private immutable TOKEN;

    constructor(address token_) {
        TOKEN = token_;
    }

    /// @inheritdoc IConfig
    function configure(
        address token_,
        string calldata name_,
        string calldata symbol_,
        uint8 decimals_,
        address appRegistry_,
        address datasetRegistry_,
        address workerpoolRegistry_,
        address legacyHub_
    ) external onlyOwner {
        HubStorage.Layout storage $ = HubStorage.layout();
        if ($.configured) revert AlreadyConfigured();
        if (token_ != TOKEN) revert TokenMismatch(TOKEN, token_);
        if (legacyHub_ != address(0)) revert UnsupportedLegacyHub(legacyHub_);
        $.configured = true;
        $.name = name_;
        $.symbol = symbol_;
        $.decimals = decimals_;
        $.callbackGas = C.DEFAULT_CALLBACK_GAS;
        _setRegistries(appRegistry_, datasetRegistry_, workerpoolRegistry_);
        emit Configured(token_, appRegistry_, datasetRegistry_, workerpoolRegistry_);
    }

    /// @inheritdoc IConfig
    function changeRegistries(
        address appRegistry_,
        address datasetRegistry_,
        address workerpoolRegistry_
    ) external onlyOwner {
        _setRegistries(appRegistry_, datasetRegistry_, workerpoolRegistry_);
        emit RegistriesChanged(appRegistry_, datasetRegistry_, workerpoolRegistry_);
    }

    /// @inheritdoc IConfig
    function setTeeBroker(address teeBroker_) external onlyOwner {
        HubStorage.Layout storage $ = HubStorage.layout();
        emit TeeBrokerChanged($.teeBroker, teeBroker_);
        $.teeBroker = teeBroker_;
    }

    /// @inheritdoc IConfig
    function setCallbackGas(uint256 gas) external onlyOwner {
        if (gas == 0 || gas > C.MAX_CALLBACK_GAS) revert CallbackGasOutOfRange(gas, C.MAX_CALLBACK_GAS);
        HubStorage.Layout storage $ = HubStorage.layout();
        emit CallbackGasChanged($.callbackGas, gas);
        $.callbackGas = gas;
    }

    /// @inheritdoc IConfig
    /// @dev The separator is computed on each use, so there is nothing to refresh: this only reports
    /// the current value, for clients of the reference ABI that call it after a fork.
    function updateDomainSeparator() external {
        emit DomainSeparatorUpdated(Domain.separator(), block.chainid);
    }

    /// @inheritdoc IConfig
    function domain() external view returns (EIP712Domain memory) {
        return EIP712Domain(C.DOMAIN_NAME, C.DOMAIN_VERSION, block.chainid, address(this));
    }

    /// @inheritdoc IConfig
    function eip712domain_separator() external view returns (bytes32) {
        return Domain.separator();
    }

    /// @inheritdoc IConfig
    function token() external view returns (address) {
        return TOKEN;
    }

    /// @inheritdoc IConfig
    function appregistry() external view returns (address) {
        return HubStorage.layout().appRegistry;
    }

    /// @inheritdoc IConfig
    function datasetregistry() external view returns (address) {
        return HubStorage.layout().datasetRegistry;
    }

    /// @inheritdoc IConfig
    function workerpoolregistry() external view returns (address) {
        return HubStorage.layout().workerpoolRegistry;
    }

    /// @inheritdoc IConfig
    function teebroker() external view returns (address) {
        return HubStorage.layout().teeBroker;
    }

    /// @inheritdoc IConfig
    function callbackgas() external view returns (uint256) {
        return HubStorage.layout().callbackGas;
    }

    /// @inheritdoc IConfig
    function contribution_deadline_ratio() external pure returns (uint256) {
        return C.CONTRIBUTION_DEADLINE_RATIO;
    }

    /// @inheritdoc IConfig
    function reveal_deadline_ratio() external pure returns (uint256) {
        return C.REVEAL_DEADLINE_RATIO;
    }

    /// @inheritdoc IConfig
    function final_deadline_ratio() external pure returns (uint256) {
        return C.FINAL_DEADLINE_RATIO;
    }

    /// @inheritdoc IConfig
    function workerpool_stake_ratio() external pure returns (uint256) {
        return C.WORKERPOOL_STAKE_RATIO;
    }

    /// @inheritdoc IConfig
    function kitty_ratio() external pure returns (uint256) {
        return C.KITTY_RATIO;
    }

    /// @inheritdoc IConfig
    function kitty_min() external pure returns (uint256) {
        return C.KITTY_MIN;
    }

    /// @inheritdoc IConfig
    function kitty_address() external pure returns (address) {
        return C.KITTY_ADDRESS;
    }

    /// @inheritdoc IConfig
    function groupmember_purpose() external pure returns (uint256) {
        return C.GROUPMEMBER_PURPOSE;
    }

    function _setRegistries(address app, address dataset, address workerpool) private {
        _checkRegistry(app);
        _checkRegistry(dataset);
        _checkRegistry(workerpool);
        HubStorage.Layout storage $ = HubStorage.layout();
        $.appRegistry = app;
        $.datasetRegistry = dataset;
        $.workerpoolRegistry = workerpool;
    }

    function _checkRegistry(address registry) private view {
        if (registry.code.length == 0) revert InvalidRegistry(registry);
    }
}
