// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Builder of "clones with data in code"
/// @notice A data clone is a minimal proxy delegating every call to an implementation, whose runtime code is
/// followed by immutable data that the implementation reads back with `extcodecopy(address(), ...)`.
/// Data in code costs 200 gas per byte once, against 20,000 gas per storage word.
///
/// Creation code (10 bytes), then the runtime code it returns:
///
///     offset  bytes          opcode           stack after (top first)
///     0x00    61 SSSS        PUSH2 size       size                    size = runtime size (proxy + data)
///     0x03    80             DUP1             size size
///     0x04    60 0a          PUSH1 0x0a       10 size size            the runtime starts at byte 10
///     0x06    5f             PUSH0            0 10 size size
///     0x07    39             CODECOPY         size                    memory[0:size] = code[10:10+size]
///     0x08    5f             PUSH0            0 size
///     0x09    f3             RETURN                                   deploy memory[0:size]
///
/// Runtime code (45 bytes of proxy, then the data, never executed since the proxy always halts before):
///
///     0x00    36             CALLDATASIZE     cds
///     0x01    5f 5f          PUSH0 PUSH0      0 0 cds
///     0x03    37             CALLDATACOPY                             memory[0:cds] = calldata
///     0x04    5f 5f          PUSH0 PUSH0      0 0                     return area: offset 0, size 0
///     0x06    36 5f          CALLDATASIZE PUSH0   0 cds 0 0           arguments: offset 0, size cds
///     0x08    73 <20 bytes>  PUSH20 impl      impl 0 cds 0 0
///     0x1d    5a             GAS              gas impl 0 cds 0 0
///     0x1e    f4             DELEGATECALL     success
///     0x1f    3d 5f 5f       RETURNDATASIZE PUSH0 PUSH0   0 0 rds success
///     0x22    3e             RETURNDATACOPY   success                 memory[0:rds] = returndata
///     0x23    60 29          PUSH1 0x29       0x29 success
///     0x25    57             JUMPI                                    jump to 0x29 on success
///     0x26    3d 5f fd       RETURNDATASIZE PUSH0 REVERT              revert(0, rds)
///     0x29    5b             JUMPDEST
///     0x2a    3d 5f f3       RETURNDATASIZE PUSH0 RETURN              return(0, rds)
///     0x2d    <data>
///
/// PUSH0 requires the Shanghai hardfork or later.
library DataClone {
    /// @notice Size of the creation code placed before the runtime code.
    uint256 internal constant CREATION_PREFIX_SIZE = 10;

    /// @notice Size of the proxy part of the runtime code; the data starts at this code offset.
    uint256 internal constant RUNTIME_PREFIX_SIZE = 45;

    /// @notice Largest data size: the runtime code must fit in the EIP-170 limit of 24,576 bytes.
    uint256 internal constant MAX_DATA_SIZE = 24_576 - RUNTIME_PREFIX_SIZE;

    /// @dev Creation code and runtime bytes 0x00-0x08 (19 bytes), with the runtime size left at zero.
    uint256 private constant _HEAD = 0x61000080600a5f395ff3365f5f375f5f365f73;

    /// @dev Runtime bytes 0x1d-0x2c (16 bytes), after the implementation address.
    uint256 private constant _TAIL = 0x5af43d5f5f3e6029573d5ffd5b3d5ff3;

    /// @notice Creation code of a data clone.
    /// @dev `data.length` must not exceed `MAX_DATA_SIZE` (the runtime size is encoded on 2 bytes); callers check it.
    /// @param implementation Contract the clone delegates to.
    /// @param data Data appended to the runtime code.
    /// @return code The creation code: 10 + 45 + `data.length` bytes.
    function creationCode(
        address implementation,
        bytes memory data
    ) internal pure returns (bytes memory code) {
        uint256 runtimeSize = RUNTIME_PREFIX_SIZE + data.length;
        uint256 codeSize = CREATION_PREFIX_SIZE + runtimeSize;
        assembly ("memory-safe") {
            code := mload(0x40)
            let start := add(code, 0x20)
            // The data goes right after the 55-byte prefix.
            mcopy(add(start, 55), add(data, 0x20), mload(data))
            // Each mstore writes 32 bytes ending where its piece ends; the leading zeros it writes are
            // overwritten by the next (leftward) piece, so the pieces are written right to left.
            mstore(add(start, 23), _TAIL) // bytes 39..54
            mstore(add(start, 7), and(implementation, 0xffffffffffffffffffffffffffffffffffffffff)) // bytes 19..38
            mstore(sub(start, 13), or(_HEAD, shl(128, runtimeSize))) // bytes 0..18, runtime size at bytes 1..2
            mstore(code, codeSize) // restores the length word, partly overwritten by the head
            mstore(0x40, add(start, and(add(codeSize, 31), not(31))))
        }
    }

    /// @notice Deploys `code` with CREATE2.
    /// @param code Creation code.
    /// @param salt CREATE2 salt.
    /// @return instance Address of the new contract, zero when the deployment failed.
    function deploy(bytes memory code, bytes32 salt) internal returns (address instance) {
        assembly ("memory-safe") {
            instance := create2(0, add(code, 0x20), mload(code), salt)
        }
    }

    /// @notice CREATE2 address of a contract deployed by `deployer`.
    /// @param deployer Contract running CREATE2.
    /// @param salt CREATE2 salt.
    /// @param codeHash keccak256 of the creation code.
    /// @return instance The address.
    function predict(
        address deployer,
        bytes32 salt,
        bytes32 codeHash
    ) internal pure returns (address instance) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), deployer, salt, codeHash)))));
    }

    /// @notice Reads 32 bytes of the data of the running clone (call this from its implementation).
    /// @param offset Offset in the data.
    /// @return word The 32 bytes at `offset` (zero-padded past the end of the code).
    function readBytes32(uint256 offset) internal view returns (bytes32 word) {
        assembly ("memory-safe") {
            // Under DELEGATECALL, `address()` is the clone while CODECOPY would read the implementation.
            extcodecopy(address(), 0, add(offset, RUNTIME_PREFIX_SIZE), 32)
            word := mload(0)
        }
    }

    /// @notice Reads a field of the running clone's data, where fields are stored one after the other as a
    /// 2-byte big-endian length followed by the bytes.
    /// @param offset Offset in the data of the first field.
    /// @param index Position of the field to read (0 for the one at `offset`).
    /// @return field The bytes of the field.
    function readField(uint256 offset, uint256 index) internal view returns (bytes memory field) {
        assembly ("memory-safe") {
            let pointer := add(offset, RUNTIME_PREFIX_SIZE)
            // Skip the fields before `index`: each is its 2-byte length plus that many bytes.
            for {
                let i := 0
            } lt(i, index) {
                i := add(i, 1)
            } {
                extcodecopy(address(), 0, pointer, 2)
                pointer := add(pointer, add(2, shr(240, mload(0))))
            }
            extcodecopy(address(), 0, pointer, 2)
            let size := shr(240, mload(0))
            field := mload(0x40)
            mstore(field, size)
            extcodecopy(address(), add(field, 0x20), add(pointer, 2), size)
            mstore(0x40, add(add(field, 0x20), and(add(size, 31), not(31))))
        }
    }
}
