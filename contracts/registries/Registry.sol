// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Enumerable} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Enumerable.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {DataClone} from "../libs/DataClone.sol";
import {ENSReverse} from "../libs/ENSReverse.sol";
import {PackedTokenList} from "../libs/PackedTokenList.sol";

/// @title Asset registry base
/// @notice Lean ERC-721 enumerable whose tokens are the assets it deploys as data clones of its `master`.
/// Tokens are never burned. Storage per token: one slot (owner and index in the owner's list), one slot in the
/// owner's list and one in the global list, whose lengths are packed in their first slots (`PackedTokenList`).
abstract contract Registry is IRegistry, Ownable {
    using PackedTokenList for PackedTokenList.List;

    uint256 private constant _OWNER_MASK = type(uint160).max;
    uint256 private constant _EXTRA_SHIFT = 160;
    uint256 private constant _EXTRA_MASK = 0xffff;
    uint256 private constant _INDEX_SHIFT = 176;
    /// @dev The owner and extra bits of a token word.
    uint256 private constant _OWNER_AND_EXTRA_MASK = (1 << _INDEX_SHIFT) - 1;

    address private immutable _MASTER;

    /// @dev Owner (low 160 bits), 16 extra bits a registry may use for per-asset settings that must be read
    /// together with the owner (see `_extraOf`), and the index in the owner's list (high 80 bits); zero for no
    /// token.
    mapping(uint256 tokenId => uint256 ownerAndIndex) private _tokens;
    mapping(address owner => PackedTokenList.List) private _ownedTokens;
    PackedTokenList.List private _allTokens;
    mapping(uint256 tokenId => address approved) private _tokenApprovals;
    mapping(address owner => mapping(address operator => bool approved)) private _operatorApprovals;
    address private _previous;
    bool private _initialized;
    string private _baseTokenURI;

    /// @param initialOwner Owner of the registry (admin functions).
    /// @param master_ Asset implementation, deployed by the concrete registry.
    constructor(address initialOwner, address master_) Ownable(initialOwner) {
        _MASTER = master_;
    }

    // ------------------------------------------------------------------ registry

    /// @inheritdoc IRegistry
    function initialize(address previous_) external onlyOwner {
        if (_initialized) revert RegistryAlreadyInitialized(_previous);
        _initialized = true;
        _previous = previous_;
    }

    /// @inheritdoc IRegistry
    function setBaseURI(string calldata uri) external onlyOwner {
        _baseTokenURI = uri;
    }

    /// @inheritdoc IRegistry
    function setName(address ens, string calldata name_) external onlyOwner {
        ENSReverse.setName(ens, name_);
    }

    /// @inheritdoc IRegistry
    function isRegistered(address entry) external view returns (bool) {
        if (_tokens[uint160(entry)] != 0) return true;
        address previous_ = _previous;
        return previous_ != address(0) && IRegistry(previous_).isRegistered(entry);
    }

    /// @inheritdoc IRegistry
    function initialized() external view returns (bool) {
        return _initialized;
    }

    /// @inheritdoc IRegistry
    function previous() external view returns (address) {
        return _previous;
    }

    /// @inheritdoc IRegistry
    function master() external view returns (address) {
        return _MASTER;
    }

    /// @inheritdoc IRegistry
    function proxyCode() public view returns (bytes memory) {
        return DataClone.creationCode(_MASTER, "");
    }

    /// @inheritdoc IRegistry
    function proxyCodeHash() external view returns (bytes32) {
        return keccak256(proxyCode());
    }

    /// @inheritdoc IRegistry
    function baseURI() external view returns (string memory) {
        return _baseTokenURI;
    }

    /// @inheritdoc IERC721Metadata
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId);
        return string.concat(_baseTokenURI, Strings.toHexString(address(uint160(tokenId))));
    }

    // ------------------------------------------------------------------ ERC-721

    /// @inheritdoc IERC721
    function approve(address to, uint256 tokenId) external {
        address tokenOwner = ownerOf(tokenId);
        if (msg.sender != tokenOwner && !_operatorApprovals[tokenOwner][msg.sender]) {
            revert ERC721InvalidApprover(msg.sender);
        }
        _tokenApprovals[tokenId] = to;
        emit Approval(tokenOwner, to, tokenId);
    }

    /// @inheritdoc IERC721
    function setApprovalForAll(address operator, bool approved) external {
        if (operator == address(0)) revert ERC721InvalidOperator(operator);
        _operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    /// @inheritdoc IERC721
    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    /// @inheritdoc IERC721
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        transferFrom(from, to, tokenId);
        ERC721Utils.checkOnERC721Received(msg.sender, from, to, tokenId, data);
    }

    /// @inheritdoc IERC721
    function transferFrom(address from, address to, uint256 tokenId) public {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        uint256 info = _tokens[tokenId];
        address tokenOwner = address(uint160(info));
        if (tokenOwner == address(0)) revert ERC721NonexistentToken(tokenId);
        address approved = _tokenApprovals[tokenId];
        if (
            msg.sender != tokenOwner && approved != msg.sender && !_operatorApprovals[tokenOwner][msg.sender]
        ) {
            revert ERC721InsufficientApproval(msg.sender, tokenId);
        }
        if (tokenOwner != from) revert ERC721IncorrectOwner(from, tokenId, tokenOwner);
        if (approved != address(0)) delete _tokenApprovals[tokenId];

        uint256 index = info >> _INDEX_SHIFT;
        uint256 moved = _ownedTokens[from].removeAt(index);
        if (moved != 0) _tokens[moved] = (_tokens[moved] & _OWNER_AND_EXTRA_MASK) | (index << _INDEX_SHIFT);
        uint256 extra = info & (_EXTRA_MASK << _EXTRA_SHIFT);
        _tokens[tokenId] = uint160(to) | extra | (_ownedTokens[to].push(tokenId) << _INDEX_SHIFT);
        emit Transfer(from, to, tokenId);
    }

    /// @inheritdoc IERC721
    function balanceOf(address tokenOwner) public view returns (uint256) {
        if (tokenOwner == address(0)) revert ERC721InvalidOwner(address(0));
        return _ownedTokens[tokenOwner].length();
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) public view returns (address) {
        address tokenOwner = address(uint160(_tokens[tokenId] & _OWNER_MASK));
        if (tokenOwner == address(0)) revert ERC721NonexistentToken(tokenId);
        return tokenOwner;
    }

    /// @inheritdoc IERC721
    function getApproved(uint256 tokenId) external view returns (address) {
        ownerOf(tokenId);
        return _tokenApprovals[tokenId];
    }

    /// @inheritdoc IERC721
    function isApprovedForAll(address tokenOwner, address operator) external view returns (bool) {
        return _operatorApprovals[tokenOwner][operator];
    }

    /// @inheritdoc IERC721Enumerable
    function totalSupply() external view returns (uint256) {
        return _allTokens.length();
    }

    /// @inheritdoc IERC721Enumerable
    function tokenByIndex(uint256 index) external view returns (uint256) {
        if (index >= _allTokens.length()) revert ERC721OutOfBoundsIndex(address(0), index);
        return _allTokens.at(index);
    }

    /// @inheritdoc IERC721Enumerable
    function tokenOfOwnerByIndex(address tokenOwner, uint256 index) external view returns (uint256) {
        if (index >= balanceOf(tokenOwner)) revert ERC721OutOfBoundsIndex(tokenOwner, index);
        return _ownedTokens[tokenOwner].at(index);
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IERC721).interfaceId ||
            interfaceId == type(IERC721Metadata).interfaceId ||
            interfaceId == type(IERC721Enumerable).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------ asset creation

    /// @dev Deploys the asset holding `data` for `assetOwner` and mints its token.
    function _createAsset(address assetOwner, bytes memory data) internal returns (address asset) {
        if (assetOwner == address(0)) revert ERC721InvalidReceiver(address(0));
        bytes memory code;
        bytes32 salt;
        (code, salt, asset) = _assetCode(assetOwner, data);
        uint256 tokenId = uint160(asset);
        // Only this registry deploys at its CREATE2 addresses, so an existing token means existing code,
        // and this check avoids a CREATE2 collision, which would burn all the gas it was given.
        if (_tokens[tokenId] != 0) revert AssetAlreadyRegistered(asset);
        if (DataClone.deploy(code, salt) == address(0)) revert AssetCreationFailed(asset);
        _tokens[tokenId] = uint160(assetOwner) | (_ownedTokens[assetOwner].push(tokenId) << _INDEX_SHIFT);
        _allTokens.push(tokenId);
        emit Transfer(address(0), assetOwner, tokenId);
    }

    /// @dev Owner and extra bits of the token of `asset`: (address(0), 0) when it is not registered.
    function _ownerAndExtraOf(address asset) internal view returns (address assetOwner, uint256 extra) {
        uint256 info = _tokens[uint160(asset)];
        return (address(uint160(info)), (info >> _EXTRA_SHIFT) & _EXTRA_MASK);
    }

    /// @dev Sets the extra bits of the token of the registered `asset` (`extra` < 2^16).
    function _setExtra(address asset, uint256 extra) internal {
        uint256 tokenId = uint160(asset);
        uint256 info = _tokens[tokenId];
        _tokens[tokenId] = (info & ~(_EXTRA_MASK << _EXTRA_SHIFT)) | (extra << _EXTRA_SHIFT);
    }

    /// @dev Address of the asset holding `data` for `assetOwner`, deployed or not.
    function _predictAsset(address assetOwner, bytes memory data) internal view returns (address asset) {
        (, , asset) = _assetCode(assetOwner, data);
    }

    /// @dev Creation code, CREATE2 salt and address of an asset. The owner is in the salt so that two owners
    /// may create assets with the same data.
    function _assetCode(
        address assetOwner,
        bytes memory data
    ) private view returns (bytes memory code, bytes32 salt, address asset) {
        if (data.length > DataClone.MAX_DATA_SIZE)
            revert AssetDataTooLarge(data.length, DataClone.MAX_DATA_SIZE);
        code = DataClone.creationCode(_MASTER, data);
        salt = keccak256(abi.encodePacked(data, assetOwner));
        asset = DataClone.predict(address(this), salt, keccak256(code));
    }
}
