// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IHub} from "../../contracts/interfaces/hub/IHub.sol";
import {IMatching} from "../../contracts/interfaces/hub/IMatching.sol";
import {Orders} from "../../contracts/types/Orders.sol";
import {Ghost} from "./Ghost.sol";
import {VM} from "./utils/Vm.sol";

/// @title Orders signed as clients sign them, and the matches they make
/// @notice Builds the four orders of a deal, signs each with its owner's key (EIP-712, domain "iExecODB" "5.0.0"
/// of the hub), and matches them. The hashes are computed here from the EIP-712 type strings, independently of
/// the hub's own hashing, so that a wrong hash in the hub shows as a refused match.
contract Market {
    bytes32 private constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 private constant APP_TYPEHASH = keccak256(
        "AppOrder(address app,uint256 appprice,uint256 volume,bytes32 tag,address datasetrestrict,"
        "address workerpoolrestrict,address requesterrestrict,bytes32 salt)"
    );
    bytes32 private constant DATASET_TYPEHASH = keccak256(
        "DatasetOrder(address dataset,uint256 datasetprice,uint256 volume,bytes32 tag,address apprestrict,"
        "address workerpoolrestrict,address requesterrestrict,bytes32 salt)"
    );
    bytes32 private constant WORKERPOOL_TYPEHASH = keccak256(
        "WorkerpoolOrder(address workerpool,uint256 workerpoolprice,uint256 volume,bytes32 tag,"
        "uint256 category,uint256 trust,address apprestrict,address datasetrestrict,"
        "address requesterrestrict,bytes32 salt)"
    );
    bytes32 private constant REQUEST_TYPEHASH = keccak256(
        "RequestOrder(address app,uint256 appmaxprice,address dataset,uint256 datasetmaxprice,"
        "address workerpool,uint256 workerpoolmaxprice,address requester,uint256 volume,bytes32 tag,"
        "uint256 category,uint256 trust,address beneficiary,address callback,string params,bytes32 salt)"
    );

    /// @notice What a deal is made of. `sponsor` zero: `matchOrders` (the requester pays); otherwise
    /// `sponsorMatchOrders` sent by the sponsor.
    struct Terms {
        address requester;
        address sponsor;
        address app;
        uint256 appPrice;
        address dataset;
        uint256 datasetPrice;
        address workerpool;
        uint256 workerpoolPrice;
        uint256 volume;
        uint256 category;
        uint256 trust;
        address callback;
        string params;
        bytes32 salt;
    }

    IHub public immutable hub;
    Ghost public immutable ghost;
    uint256 private _nonce;

    constructor(IHub hub_, Ghost ghost_) {
        hub = hub_;
        ghost = ghost_;
    }

    /// @notice Signs and matches the orders of `terms`, sent by `sender`; returns the call's outcome and data.
    /// @param owners Signers of the app, dataset (or zero), workerpool and request orders: their owners, for a
    /// genuine deal.
    function matchDeal(
        Terms calldata terms,
        address[4] calldata owners,
        address sender
    ) external returns (bool ok, bytes memory returned) {
        (
            Orders.AppOrder memory app,
            Orders.DatasetOrder memory dataset,
            Orders.WorkerpoolOrder memory workerpool,
            Orders.RequestOrder memory request
        ) = orders(terms, owners);
        bytes memory call =
            terms.sponsor == address(0)
                ? abi.encodeWithSelector(IMatching.matchOrders.selector, app, dataset, workerpool, request)
                : abi.encodeWithSelector(
                    IMatching.sponsorMatchOrders.selector,
                    app,
                    dataset,
                    workerpool,
                    request
                );
        VM.startPrank(sender);
        // solhint-disable-next-line avoid-low-level-calls
        (ok, returned) = address(hub).call(call);
        VM.stopPrank();
    }

    /// @notice The four orders of `terms`, each signed by its owner (an order whose owner has no key is unsigned).
    function orders(
        Terms calldata terms,
        address[4] calldata owners
    )
        public
        returns (
            Orders.AppOrder memory app,
            Orders.DatasetOrder memory dataset,
            Orders.WorkerpoolOrder memory workerpool,
            Orders.RequestOrder memory request
        )
    {
        bytes32 salt = keccak256(abi.encode(terms.salt, ++_nonce));
        app.app = terms.app;
        app.appprice = terms.appPrice;
        app.volume = terms.volume;
        app.salt = salt;
        app.sign = _sign(owners[0], _appHash(app));
        if (terms.dataset != address(0)) {
            dataset.dataset = terms.dataset;
            dataset.datasetprice = terms.datasetPrice;
            dataset.volume = terms.volume;
            dataset.salt = salt;
            dataset.sign = _sign(owners[1], _datasetHash(dataset));
        }
        workerpool.workerpool = terms.workerpool;
        workerpool.workerpoolprice = terms.workerpoolPrice;
        workerpool.volume = terms.volume;
        workerpool.category = terms.category;
        workerpool.trust = terms.trust;
        workerpool.salt = salt;
        workerpool.sign = _sign(owners[2], _workerpoolHash(workerpool));
        request.app = terms.app;
        request.appmaxprice = terms.appPrice;
        request.dataset = terms.dataset;
        request.datasetmaxprice = terms.datasetPrice;
        request.workerpool = terms.workerpool;
        request.workerpoolmaxprice = terms.workerpoolPrice;
        request.requester = terms.requester;
        request.volume = terms.volume;
        request.category = terms.category;
        request.trust = terms.trust;
        request.beneficiary = terms.requester;
        request.callback = terms.callback;
        request.params = terms.params;
        request.salt = salt;
        request.sign = _sign(owners[3], _requestHash(request));
    }

    /// @notice The scheduler's authorization of `worker` on `taskid` (no enclave): an EIP-191 signature of
    /// keccak256(abi.encodePacked(worker, taskid, address(0))).
    function authorization(
        address scheduler,
        address worker,
        bytes32 taskid
    ) external view returns (bytes memory) {
        bytes32 hash = keccak256(abi.encodePacked(worker, taskid, address(0)));
        return _signDigest(scheduler, keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash)));
    }

    /// @notice The hub's EIP-712 domain separator, computed from the domain's fields.
    function domainSeparator() public view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    DOMAIN_TYPEHASH,
                    keccak256("iExecODB"),
                    keccak256("5.0.0"),
                    block.chainid,
                    address(hub)
                )
            );
    }

    function _sign(address signer, bytes32 structHash) private view returns (bytes memory) {
        return _signDigest(signer, keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash)));
    }

    function _signDigest(address signer, bytes32 digest) private view returns (bytes memory) {
        uint256 key = ghost.keyOf(signer);
        if (key == 0) return "";
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _appHash(Orders.AppOrder memory o) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    APP_TYPEHASH,
                    o.app,
                    o.appprice,
                    o.volume,
                    o.tag,
                    o.datasetrestrict,
                    o.workerpoolrestrict,
                    o.requesterrestrict,
                    o.salt
                )
            );
    }

    function _datasetHash(Orders.DatasetOrder memory o) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    DATASET_TYPEHASH,
                    o.dataset,
                    o.datasetprice,
                    o.volume,
                    o.tag,
                    o.apprestrict,
                    o.workerpoolrestrict,
                    o.requesterrestrict,
                    o.salt
                )
            );
    }

    function _workerpoolHash(Orders.WorkerpoolOrder memory o) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    WORKERPOOL_TYPEHASH,
                    o.workerpool,
                    o.workerpoolprice,
                    o.volume,
                    o.tag,
                    o.category,
                    o.trust,
                    o.apprestrict,
                    o.datasetrestrict,
                    o.requesterrestrict,
                    o.salt
                )
            );
    }

    function _requestHash(Orders.RequestOrder memory o) private pure returns (bytes32) {
        bytes memory head = abi.encode(
            REQUEST_TYPEHASH,
            o.app,
            o.appmaxprice,
            o.dataset,
            o.datasetmaxprice,
            o.workerpool,
            o.workerpoolmaxprice,
            o.requester,
            o.volume
        );
        return
            keccak256(
                bytes.concat(
                    head,
                    abi.encode(
                        o.tag,
                        o.category,
                        o.trust,
                        o.beneficiary,
                        o.callback,
                        keccak256(bytes(o.params)),
                        o.salt
                    )
                )
            );
    }
}
