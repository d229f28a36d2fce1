// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Facet} from "./Facet.sol";
import {HubStorage} from "../HubStorage.sol";
import {Assets} from "../libs/Assets.sol";
import {Deals} from "../libs/Deals.sol";
import {Domain} from "../libs/Domain.sol";
import {Escrow} from "../libs/Escrow.sol";
import {Settlement} from "../libs/Settlement.sol";
import {OrderHashing} from "../libs/OrderHashing.sol";
import {Signatures} from "../libs/Signatures.sol";
import {ICategories} from "../../interfaces/hub/ICategories.sol";
import {IDeals} from "../../interfaces/hub/IDeals.sol";
import {IMatching} from "../../interfaces/hub/IMatching.sol";
import {Orders} from "../../types/Orders.sol";
import {
    APP_ORDER_APP,
    APP_ORDER_TAG,
    APP_ORDER_DATASETRESTRICT,
    APP_ORDER_WORKERPOOLRESTRICT,
    APP_ORDER_REQUESTERRESTRICT,
    DATASET_ORDER_DATASET,
    DATASET_ORDER_TAG,
    DATASET_ORDER_APPRESTRICT,
    DATASET_ORDER_WORKERPOOLRESTRICT,
    DATASET_ORDER_REQUESTERRESTRICT,
    WORKERPOOL_ORDER_WORKERPOOL,
    WORKERPOOL_ORDER_TAG,
    WORKERPOOL_ORDER_CATEGORY,
    WORKERPOOL_ORDER_TRUST,
    WORKERPOOL_ORDER_APPRESTRICT,
    WORKERPOOL_ORDER_DATASETRESTRICT,
    WORKERPOOL_ORDER_REQUESTERRESTRICT,
    REQUEST_ORDER_APP,
    REQUEST_ORDER_DATASET,
    REQUEST_ORDER_WORKERPOOL,
    REQUEST_ORDER_REQUESTER,
    REQUEST_ORDER_TAG,
    REQUEST_ORDER_CATEGORY,
    REQUEST_ORDER_TRUST
} from "../../types/Orders.sol";

/// @title Matching orders into deals
/// @dev The checks run cheapest first: field comparisons, then restrictions (an ERC-734 call only when a
/// restriction names a third party), then hashing, registry lookups and signatures, then storage.
contract MatchingFacet is IMatching, Facet {
    /// @dev Bound of the 64-bit deal fields (see `Deals`): prices, trust, and botFirst + botSize.
    uint256 private constant MAX_UINT64 = type(uint64).max;
    bytes32 private constant TEE_BIT = bytes32(uint256(1));

    /// @dev The ten restriction fields, in the order they are checked.
    enum Field {
        RequestWorkerpool,
        AppDatasetRestrict,
        AppWorkerpoolRestrict,
        AppRequesterRestrict,
        DatasetAppRestrict,
        DatasetWorkerpoolRestrict,
        DatasetRequesterRestrict,
        WorkerpoolAppRestrict,
        WorkerpoolDatasetRestrict,
        WorkerpoolRequesterRestrict
    }

    /// @dev What the checks derive and the recording needs, kept in memory to spare the stack.
    struct Match {
        bool hasDataset;
        bytes32 tag;
        bytes32 appHash;
        bytes32 datasetHash;
        bytes32 workerpoolHash;
        bytes32 requestHash;
        address appOwner;
        address datasetOwner;
        address workerpoolOwner;
        uint256 workerStakeRatio;
        uint256 schedulerRewardRatio;
        uint256 botFirst;
        uint256 volume;
    }

    /// @inheritdoc IMatching
    function matchOrders(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder
    ) external returns (bytes32) {
        return _match(appOrder, datasetOrder, workerpoolOrder, requestOrder, requestOrder.requester);
    }

    /// @inheritdoc IMatching
    function sponsorMatchOrders(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder
    ) external returns (bytes32 dealid) {
        dealid = _match(appOrder, datasetOrder, workerpoolOrder, requestOrder, msg.sender);
        emit DealSponsored(dealid, msg.sender);
    }

    /// @inheritdoc IMatching
    function computeDealVolume(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder
    ) external view returns (uint256 volume) {
        bytes32 separator = Domain.separator();
        volume = _available(
            OrderHashing.toTypedDataHash(separator, OrderHashing.hash(appOrder)),
            appOrder.volume
        );
        if (datasetOrder.dataset != address(0)) {
            bytes32 datasetHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(datasetOrder));
            volume = Math.min(volume, _available(datasetHash, datasetOrder.volume));
        }
        bytes32 workerpoolHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(workerpoolOrder));
        volume = Math.min(volume, _available(workerpoolHash, workerpoolOrder.volume));
        bytes32 requestHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(requestOrder));
        (uint256 requestLeft, ) = _requestAvailable(requestHash, requestOrder.volume);
        volume = Math.min(volume, requestLeft);
    }

    /// @inheritdoc IMatching
    function assertDatasetDealCompatibility(
        Orders.DatasetOrder calldata datasetOrder,
        bytes32 dealId
    ) external view {
        bytes32 orderHash = OrderHashing.toTypedDataHash(Domain.separator(), OrderHashing.hash(datasetOrder));
        if (_available(orderHash, datasetOrder.volume) == 0) {
            revert IncompatibleDatasetOrder("Dataset order is revoked or fully consumed");
        }
        address owner = Assets.datasetOwnerOrZero(datasetOrder.dataset);
        if (owner == address(0)) revert IncompatibleDatasetOrder("Dataset not registered");
        if (!Signatures.isPresignedOrValid(owner, orderHash, datasetOrder.sign)) {
            revert IncompatibleDatasetOrder("Invalid dataset order signature");
        }
        IDeals.Deal memory deal = Deals.load(dealId);
        if (deal.requester == address(0)) revert IncompatibleDatasetOrder("Deal not found");
        if (deal.dataset.pointer != address(0)) revert IncompatibleDatasetOrder("Deal already has a dataset");
        if (!_admits(datasetOrder.apprestrict, deal.app.pointer)) {
            revert IncompatibleDatasetOrder("App restriction not satisfied");
        }
        if (!_admits(datasetOrder.workerpoolrestrict, deal.workerpool.pointer)) {
            revert IncompatibleDatasetOrder("Workerpool restriction not satisfied");
        }
        if (!_admits(datasetOrder.requesterrestrict, deal.requester)) {
            revert IncompatibleDatasetOrder("Requester restriction not satisfied");
        }
        if (deal.tag & datasetOrder.tag != datasetOrder.tag) {
            revert IncompatibleDatasetOrder("Tag compatibility not satisfied");
        }
    }

    /// @dev Checks the four orders, records the deal, consumes the orders and locks the funds.
    function _match(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder,
        address sponsor
    ) private returns (bytes32 dealid) {
        Match memory m;
        m.hasDataset = datasetOrder.dataset != address(0);
        m.tag = _checkTerms(appOrder, datasetOrder, workerpoolOrder, requestOrder, m.hasDataset);
        _checkRestrictions(appOrder, datasetOrder, workerpoolOrder, requestOrder, m.hasDataset);
        _authenticate(appOrder, datasetOrder, workerpoolOrder, requestOrder, m);
        _computeVolume(appOrder.volume, datasetOrder.volume, workerpoolOrder.volume, requestOrder.volume, m);
        if (bytes(requestOrder.params).length > Deals.MAX_PARAMS_LENGTH) {
            revert ValueOutOfRange(
                "requestorder.params",
                bytes(requestOrder.params).length,
                Deals.MAX_PARAMS_LENGTH
            );
        }
        uint256 workerpoolPrice = workerpoolOrder.workerpoolprice;
        uint256 price = Math.saturatingAdd(appOrder.appprice, workerpoolPrice);
        if (m.hasDataset) price = Math.saturatingAdd(price, datasetOrder.datasetprice);
        Escrow.lock(sponsor, Math.saturatingMul(price, m.volume));
        Escrow.lock(m.workerpoolOwner, Settlement.schedulerStake(workerpoolPrice) * m.volume);

        dealid = keccak256(abi.encodePacked(m.requestHash, m.botFirst));
        _record(dealid, appOrder, datasetOrder, workerpoolOrder, requestOrder, m, sponsor);
        _consume(m);
        emit SchedulerNotice(workerpoolOrder.workerpool, dealid);
        emit OrdersMatched(dealid, m.appHash, m.datasetHash, m.workerpoolHash, m.requestHash, m.volume);
    }

    /// @dev Requester, assets, category, trust, prices and tags; returns the deal's tag. Fields are read
    /// straight from the orders' calldata heads (see `_word`): member access on calldata structs costs a few
    /// hundred gas per field, and this runs on every match.
    function _checkTerms(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder,
        bool hasDataset
    ) private view returns (bytes32 tag) {
        (uint256 app, uint256 dataset, uint256 workerpool, uint256 request) = _heads(
            appOrder,
            datasetOrder,
            workerpoolOrder,
            requestOrder
        );
        if (_address(request, REQUEST_ORDER_REQUESTER) == address(0)) revert ZeroRequester();
        if (_address(request, REQUEST_ORDER_APP) != _address(app, APP_ORDER_APP)) {
            revert AssetMismatch(
                "requestorder.app",
                _address(request, REQUEST_ORDER_APP),
                _address(app, APP_ORDER_APP)
            );
        }
        if (_address(request, REQUEST_ORDER_DATASET) != _address(dataset, DATASET_ORDER_DATASET)) {
            revert AssetMismatch(
                "requestorder.dataset",
                _address(request, REQUEST_ORDER_DATASET),
                _address(dataset, DATASET_ORDER_DATASET)
            );
        }
        uint256 category = _word(request, REQUEST_ORDER_CATEGORY);
        if (category != _word(workerpool, WORKERPOOL_ORDER_CATEGORY)) {
            revert CategoryMismatch(category, _word(workerpool, WORKERPOOL_ORDER_CATEGORY));
        }
        uint256 categories = HubStorage.layout().categoryCount;
        if (category >= categories) revert ICategories.UnknownCategory(category, categories);
        uint256 trust = _word(request, REQUEST_ORDER_TRUST);
        if (trust > _word(workerpool, WORKERPOOL_ORDER_TRUST))
            revert TrustAboveOffer(trust, _word(workerpool, WORKERPOOL_ORDER_TRUST));
        if (trust > MAX_UINT64) revert ValueOutOfRange("requestorder.trust", trust, MAX_UINT64);

        _checkPrices(appOrder, datasetOrder, workerpoolOrder, requestOrder, hasDataset);

        uint256 combined = _word(app, APP_ORDER_TAG) | _word(request, REQUEST_ORDER_TAG);
        if (hasDataset) combined |= _word(dataset, DATASET_ORDER_TAG);
        tag = bytes32(combined);
        bytes32 offered = bytes32(_word(workerpool, WORKERPOOL_ORDER_TAG));
        if (tag & ~offered != 0) revert TagNotOffered(tag, offered);
        bytes32 appTag = bytes32(_word(app, APP_ORDER_TAG));
        if ((tag ^ appTag) & TEE_BIT != 0) revert TeeBitMismatch(tag, appTag);
    }

    /// @dev Each offered price within the request's maximum, and within the deal's 64-bit price fields.
    function _checkPrices(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder,
        bool hasDataset
    ) private pure {
        if (appOrder.appprice > requestOrder.appmaxprice) {
            revert PriceAboveMax("apporder.appprice", appOrder.appprice, requestOrder.appmaxprice);
        }
        if (hasDataset && datasetOrder.datasetprice > requestOrder.datasetmaxprice) {
            revert PriceAboveMax(
                "datasetorder.datasetprice",
                datasetOrder.datasetprice,
                requestOrder.datasetmaxprice
            );
        }
        if (workerpoolOrder.workerpoolprice > requestOrder.workerpoolmaxprice) {
            revert PriceAboveMax(
                "workerpoolorder.workerpoolprice",
                workerpoolOrder.workerpoolprice,
                requestOrder.workerpoolmaxprice
            );
        }
        // Lockable prices fit 64 bits anyway with RLC (its supply is below 2^57 nRLC); the deal stores 64.
        if (appOrder.appprice > MAX_UINT64) {
            revert ValueOutOfRange("apporder.appprice", appOrder.appprice, MAX_UINT64);
        }
        if (hasDataset && datasetOrder.datasetprice > MAX_UINT64) {
            revert ValueOutOfRange("datasetorder.datasetprice", datasetOrder.datasetprice, MAX_UINT64);
        }
        if (workerpoolOrder.workerpoolprice > MAX_UINT64) {
            revert ValueOutOfRange(
                "workerpoolorder.workerpoolprice",
                workerpoolOrder.workerpoolprice,
                MAX_UINT64
            );
        }
    }

    /// @dev The request's workerpool and the nine restrictions of the other orders (the dataset order's only
    /// when there is a dataset).
    // Ten checks, a line or five each once the offsets are named: too long for solhint, clearer in one piece.
    // solhint-disable-next-line function-max-lines
    function _checkRestrictions(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder,
        bool hasDataset
    ) private view {
        (uint256 a, uint256 d, uint256 w, uint256 r) = _heads(
            appOrder,
            datasetOrder,
            workerpoolOrder,
            requestOrder
        );
        // Most orders restrict nothing: one pass over the ten words settles that case.
        uint256 restrictions =
            _word(r, REQUEST_ORDER_WORKERPOOL) |
                _word(a, APP_ORDER_DATASETRESTRICT) |
                _word(a, APP_ORDER_WORKERPOOLRESTRICT) |
                _word(a, APP_ORDER_REQUESTERRESTRICT) |
                _word(w, WORKERPOOL_ORDER_APPRESTRICT) |
                _word(w, WORKERPOOL_ORDER_DATASETRESTRICT) |
                _word(w, WORKERPOOL_ORDER_REQUESTERRESTRICT);
        if (hasDataset) {
            restrictions |=
                _word(d, DATASET_ORDER_APPRESTRICT) |
                _word(d, DATASET_ORDER_WORKERPOOLRESTRICT) |
                _word(d, DATASET_ORDER_REQUESTERRESTRICT);
        }
        if (restrictions == 0) return;
        address app = _address(a, APP_ORDER_APP);
        address dataset = _address(d, DATASET_ORDER_DATASET);
        address workerpool = _address(w, WORKERPOOL_ORDER_WORKERPOOL);
        address requester = _address(r, REQUEST_ORDER_REQUESTER);
        _require(_address(r, REQUEST_ORDER_WORKERPOOL), workerpool, Field.RequestWorkerpool);
        _require(_address(a, APP_ORDER_DATASETRESTRICT), dataset, Field.AppDatasetRestrict);
        _require(_address(a, APP_ORDER_WORKERPOOLRESTRICT), workerpool, Field.AppWorkerpoolRestrict);
        _require(_address(a, APP_ORDER_REQUESTERRESTRICT), requester, Field.AppRequesterRestrict);
        if (hasDataset) {
            _require(_address(d, DATASET_ORDER_APPRESTRICT), app, Field.DatasetAppRestrict);
            _require(
                _address(d, DATASET_ORDER_WORKERPOOLRESTRICT),
                workerpool,
                Field.DatasetWorkerpoolRestrict
            );
            _require(_address(d, DATASET_ORDER_REQUESTERRESTRICT), requester, Field.DatasetRequesterRestrict);
        }
        _require(_address(w, WORKERPOOL_ORDER_APPRESTRICT), app, Field.WorkerpoolAppRestrict);
        _require(_address(w, WORKERPOOL_ORDER_DATASETRESTRICT), dataset, Field.WorkerpoolDatasetRestrict);
        _require(
            _address(w, WORKERPOOL_ORDER_REQUESTERRESTRICT),
            requester,
            Field.WorkerpoolRequesterRestrict
        );
    }

    /// @dev Hashes the orders, reads the asset owners from the registries (which proves registration) and
    /// checks each order's signature by its owner.
    function _authenticate(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder,
        Match memory m
    ) private view {
        bytes32 separator = Domain.separator();
        m.appHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(appOrder));
        m.workerpoolHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(workerpoolOrder));
        m.requestHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(requestOrder));
        m.appOwner = Assets.appOwner(appOrder.app);
        if (m.hasDataset) {
            m.datasetHash = OrderHashing.toTypedDataHash(separator, OrderHashing.hash(datasetOrder));
            m.datasetOwner = Assets.datasetOwner(datasetOrder.dataset);
        }
        (m.workerpoolOwner, m.workerStakeRatio, m.schedulerRewardRatio) = Assets.workerpoolOwnerAndPolicy(
            workerpoolOrder.workerpool
        );

        if (!Signatures.isPresignedOrValid(m.appOwner, m.appHash, appOrder.sign)) {
            revert InvalidOrderSignature("apporder", m.appHash, m.appOwner);
        }
        if (
            m.hasDataset && !Signatures.isPresignedOrValid(m.datasetOwner, m.datasetHash, datasetOrder.sign)
        ) {
            revert InvalidOrderSignature("datasetorder", m.datasetHash, m.datasetOwner);
        }
        if (!Signatures.isPresignedOrValid(m.workerpoolOwner, m.workerpoolHash, workerpoolOrder.sign)) {
            revert InvalidOrderSignature("workerpoolorder", m.workerpoolHash, m.workerpoolOwner);
        }
        address requester = requestOrder.requester;
        if (!Signatures.isPresignedOrValid(requester, m.requestHash, requestOrder.sign)) {
            revert InvalidOrderSignature("requestorder", m.requestHash, requester);
        }
    }

    /// @dev Sets the deal's volume (the smallest volume left) and first task index; reverts naming the first
    /// exhausted order.
    function _computeVolume(
        uint256 appVolume,
        uint256 datasetVolume,
        uint256 workerpoolVolume,
        uint256 requestVolume,
        Match memory m
    ) private view {
        uint256 volume = _available(m.appHash, appVolume);
        if (volume == 0) revert OrderExhausted("apporder", m.appHash);
        if (m.hasDataset) {
            uint256 datasetLeft = _available(m.datasetHash, datasetVolume);
            if (datasetLeft == 0) revert OrderExhausted("datasetorder", m.datasetHash);
            volume = Math.min(volume, datasetLeft);
        }
        uint256 workerpoolLeft = _available(m.workerpoolHash, workerpoolVolume);
        if (workerpoolLeft == 0) revert OrderExhausted("workerpoolorder", m.workerpoolHash);
        (uint256 requestLeft, uint256 botFirst) = _requestAvailable(m.requestHash, requestVolume);
        if (requestLeft == 0) revert OrderExhausted("requestorder", m.requestHash);
        m.volume = Math.min(Math.min(volume, workerpoolLeft), requestLeft);
        m.botFirst = botFirst;
    }

    /// @dev Writes the deal's data contract.
    function _record(
        bytes32 dealid,
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder,
        Match memory m,
        address sponsor
    ) private {
        IDeals.Deal memory deal;
        deal.app = IDeals.Resource(appOrder.app, m.appOwner, appOrder.appprice);
        if (m.hasDataset) {
            deal.dataset = IDeals.Resource(datasetOrder.dataset, m.datasetOwner, datasetOrder.datasetprice);
        }
        deal.workerpool = IDeals.Resource(
            workerpoolOrder.workerpool,
            m.workerpoolOwner,
            workerpoolOrder.workerpoolprice
        );
        deal.trust = Math.max(requestOrder.trust, 1);
        deal.category = requestOrder.category;
        deal.tag = m.tag;
        deal.requester = requestOrder.requester;
        deal.beneficiary = requestOrder.beneficiary;
        deal.callback = requestOrder.callback;
        deal.params = requestOrder.params;
        deal.startTime = block.timestamp;
        deal.botFirst = m.botFirst;
        deal.botSize = m.volume;
        deal.schedulerRewardRatio = m.schedulerRewardRatio;
        deal.sponsor = sponsor;
        Deals.store(dealid, deal, m.workerStakeRatio);
    }

    /// @dev Adds the deal's volume to each order's consumed volume.
    function _consume(Match memory m) private {
        mapping(bytes32 => uint256) storage consumed = HubStorage.layout().consumed;
        uint256 volume = m.volume;
        consumed[m.appHash] += volume;
        if (m.hasDataset) consumed[m.datasetHash] += volume;
        consumed[m.workerpoolHash] += volume;
        consumed[m.requestHash] = m.botFirst + volume;
    }

    /// @dev Volume left in the order `orderHash` of `volume` (0 once closed or fully consumed).
    function _available(bytes32 orderHash, uint256 volume) private view returns (uint256) {
        return Math.saturatingSub(volume, HubStorage.layout().consumed[orderHash]);
    }

    /// @dev Volume left in a request order, also bounded so that the deal's task indexes fit 64 bits, and the
    /// volume it consumed so far (the next deal's first task index).
    function _requestAvailable(
        bytes32 orderHash,
        uint256 volume
    ) private view returns (uint256 left, uint256 consumed) {
        consumed = HubStorage.layout().consumed[orderHash];
        left = Math.min(Math.saturatingSub(volume, consumed), Math.saturatingSub(MAX_UINT64, consumed));
    }

    /// @dev Calldata offsets of the four orders' heads.
    function _heads(
        Orders.AppOrder calldata appOrder,
        Orders.DatasetOrder calldata datasetOrder,
        Orders.WorkerpoolOrder calldata workerpoolOrder,
        Orders.RequestOrder calldata requestOrder
    ) private pure returns (uint256 app, uint256 dataset, uint256 workerpool, uint256 request) {
        assembly ("memory-safe") {
            app := appOrder
            dataset := datasetOrder
            workerpool := workerpoolOrder
            request := requestOrder
        }
    }

    /// @dev The word at byte `offset` (one of the `..._ORDER_...` offsets of `types/Orders.sol`) of the order head
    /// at calldata offset `head` (the ABI decoder placed every head inside the calldata; a dirty address word is
    /// cleaned here and rejected later by `OrderHashing.hash`).
    function _word(uint256 head, uint256 offset) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := calldataload(add(head, offset))
        }
    }

    /// @dev `_word` as an address (its upper 96 bits dropped).
    function _address(uint256 head, uint256 offset) private pure returns (address) {
        return address(uint160(_word(head, offset)));
    }

    /// @dev Reverts with RestrictionNotMet unless `restriction` admits `account`. The field is an enum, named
    /// only on failure, so that the success path allocates no strings.
    function _require(address restriction, address account, Field field) private view {
        if (!_admits(restriction, account)) revert RestrictionNotMet(_nameOf(field), restriction, account);
    }

    function _nameOf(Field field) private pure returns (string memory) {
        if (field == Field.RequestWorkerpool) return "requestorder.workerpool";
        if (field == Field.AppDatasetRestrict) return "apporder.datasetrestrict";
        if (field == Field.AppWorkerpoolRestrict) return "apporder.workerpoolrestrict";
        if (field == Field.AppRequesterRestrict) return "apporder.requesterrestrict";
        if (field == Field.DatasetAppRestrict) return "datasetorder.apprestrict";
        if (field == Field.DatasetWorkerpoolRestrict) return "datasetorder.workerpoolrestrict";
        if (field == Field.DatasetRequesterRestrict) return "datasetorder.requesterrestrict";
        if (field == Field.WorkerpoolAppRestrict) return "workerpoolorder.apprestrict";
        if (field == Field.WorkerpoolDatasetRestrict) return "workerpoolorder.datasetrestrict";
        return "workerpoolorder.requesterrestrict";
    }

    /// @dev A restriction admits everyone when unset, else the account it names, else the members of the
    /// ERC-734 group it names.
    function _admits(address restriction, address account) private view returns (bool) {
        return
            restriction == address(0) ||
            restriction == account ||
            Signatures.isGroupMember(restriction, account);
    }
}
