// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IENS} from "../interfaces/IENS.sol";

/// @title ENS registry mock: node owners set freely
contract ENSMock is IENS {
    mapping(bytes32 node => address nodeOwner) private _owners;

    /// @notice Sets the owner of `node`.
    /// @param node Namehash of the node.
    /// @param nodeOwner New owner.
    function setOwner(bytes32 node, address nodeOwner) external {
        _owners[node] = nodeOwner;
    }

    /// @inheritdoc IENS
    function owner(bytes32 node) external view returns (address) {
        return _owners[node];
    }
}
