// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IENSReverseRegistrar} from "../interfaces/IENSReverseRegistrar.sol";

/// @title ENS reverse registrar mock: records the name set by each caller
contract ENSReverseRegistrarMock is IENSReverseRegistrar {
    /// @notice `account` set its reverse name to `name`.
    /// @param account The caller of `setName`.
    /// @param name The name.
    event NameChanged(address indexed account, string name);

    /// @notice Reverse name set by each account.
    mapping(address account => string name) public names;

    /// @inheritdoc IENSReverseRegistrar
    function setName(string calldata name) external returns (bytes32) {
        names[msg.sender] = name;
        emit NameChanged(msg.sender, name);
        return keccak256(abi.encodePacked(msg.sender));
    }
}
