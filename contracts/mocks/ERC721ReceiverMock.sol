// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @title ERC-721 receiver mock with a configurable answer
contract ERC721ReceiverMock is IERC721Receiver {
    /// @notice How `onERC721Received` answers.
    enum Behaviour {
        Accept,
        WrongValue,
        RevertWithError,
        RevertEmpty
    }

    /// @notice A token was accepted.
    /// @param operator Caller of the safe transfer.
    /// @param from Previous owner.
    /// @param tokenId The token.
    /// @param data Data passed to the safe transfer.
    event Received(address operator, address from, uint256 tokenId, bytes data);

    /// @notice Rejection used by `Behaviour.RevertWithError`.
    /// @param tokenId The rejected token.
    error ERC721ReceiverMockRejected(uint256 tokenId);

    Behaviour private immutable _BEHAVIOUR;

    /// @param behaviour How to answer.
    constructor(Behaviour behaviour) {
        _BEHAVIOUR = behaviour;
    }

    /// @inheritdoc IERC721Receiver
    function onERC721Received(
        address operator,
        address from,
        uint256 tokenId,
        bytes calldata data
    ) external returns (bytes4) {
        if (_BEHAVIOUR == Behaviour.WrongValue) return 0xdeadbeef;
        if (_BEHAVIOUR == Behaviour.RevertWithError) revert ERC721ReceiverMockRejected(tokenId);
        if (_BEHAVIOUR == Behaviour.RevertEmpty) {
            assembly ("memory-safe") {
                revert(0, 0)
            }
        }
        emit Received(operator, from, tokenId, data);
        return IERC721Receiver.onERC721Received.selector;
    }
}
