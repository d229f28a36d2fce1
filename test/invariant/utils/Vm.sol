// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The few Forge cheatcodes this suite uses
/// @dev Declared here rather than taken from a library: Forge dispatches cheatcodes by selector, so an interface
/// naming the functions with their argument types is all it needs.
interface IVm {
    function warp(uint256 timestamp) external;

    function startPrank(address sender) external;

    function stopPrank() external;

    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    function addr(uint256 privateKey) external pure returns (address);

    function deal(address account, uint256 newBalance) external;

    function label(address account, string calldata name) external;

    function getCode(string calldata artifact) external view returns (bytes memory);

    function projectRoot() external view returns (string memory);

    function readFile(string calldata path) external view returns (string memory);

    function parseJsonKeys(string calldata json, string calldata key) external pure returns (string[] memory);

    function startStateDiffRecording() external;

    function toString(uint256 value) external pure returns (string memory);

    function toString(address value) external pure returns (string memory);

    function toString(bytes32 value) external pure returns (string memory);
}

/// @dev Where Forge answers cheatcodes: address(uint160(uint256(keccak256("hevm cheat code")))).
IVm constant VM = IVm(address(uint160(uint256(keccak256("hevm cheat code")))));
