// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC721Enumerable} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Enumerable.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";

/// @title Asset registry (common part of the app, dataset and workerpool registries)
/// @notice An ERC-721 enumerable collection where each token is an asset contract deployed by the registry;
/// the token id is `uint256(uint160(assetAddress))` and the token owner is the asset owner.
interface IRegistry is IERC721Enumerable, IERC721Metadata, IERC721Errors {
    /// @notice The asset at `asset` (same owner and data) was already created by this registry.
    /// @param asset Address of the existing asset.
    error AssetAlreadyRegistered(address asset);

    /// @notice The packed asset data does not fit in a contract (EIP-170 code size limit).
    /// @param dataSize Size of the packed asset data, in bytes.
    /// @param maxDataSize Largest accepted size, in bytes.
    error AssetDataTooLarge(uint256 dataSize, uint256 maxDataSize);

    /// @notice The CREATE2 deployment of the asset failed (typically: not enough gas for the code deposit).
    /// @param asset Address the asset would have had.
    error AssetCreationFailed(address asset);

    /// @notice `initialize` was already called.
    /// @param previous Previous registry set by the first call.
    error RegistryAlreadyInitialized(address previous);

    /// @notice An enumeration index is past the end of the list (same error as OpenZeppelin's
    /// ERC721Enumerable; `owner` is zero for the global list).
    /// @param owner Owner whose list was read, or zero for `tokenByIndex`.
    /// @param index Index that was read.
    error ERC721OutOfBoundsIndex(address owner, uint256 index);

    /// @notice Whether `entry` is an asset of this registry or of the chain of previous registries.
    /// @param entry Address to check.
    /// @return registered True when `entry` was created by this registry or a previous one.
    function isRegistered(address entry) external view returns (bool registered);

    /// @notice Sets the previous registry, consulted by `isRegistered`; owner only, once.
    /// @param previous Previous registry, or zero for none.
    function initialize(address previous) external;

    /// @notice Whether `initialize` was called.
    /// @return done True after `initialize`.
    function initialized() external view returns (bool done);

    /// @notice Previous registry consulted by `isRegistered`.
    /// @return registry Previous registry, or zero for none.
    function previous() external view returns (address registry);

    /// @notice Implementation every asset of this registry delegates to.
    /// @return implementation Address of the asset implementation.
    function master() external view returns (address implementation);

    /// @notice Creation code of an asset without data: the per-asset creation code is this code with the
    /// runtime size (bytes 1-2) increased by the packed asset data, which is appended.
    /// @return code Creation code of an asset with empty data.
    function proxyCode() external view returns (bytes memory code);

    /// @notice Hash of `proxyCode()`.
    /// @return codeHash keccak256 of `proxyCode()`.
    function proxyCodeHash() external view returns (bytes32 codeHash);

    /// @notice Prefix of every token URI.
    /// @return uri The base URI.
    function baseURI() external view returns (string memory uri);

    /// @notice Sets the prefix of every token URI; owner only.
    /// @param uri New base URI.
    function setBaseURI(string calldata uri) external;

    /// @notice Sets the ENS reverse record (primary name) of the registry; owner only.
    /// @param ens ENS registry.
    /// @param name ENS name of the registry.
    function setName(address ens, string calldata name) external;
}
