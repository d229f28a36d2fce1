// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRouter} from "./IRouter.sol";
import {IOwnership} from "./IOwnership.sol";
import {IConfig} from "./IConfig.sol";
import {ICategories} from "./ICategories.sol";
import {IEscrow} from "./IEscrow.sol";
import {ISRLC} from "./ISRLC.sol";
import {ISignatures} from "./ISignatures.sol";
import {IOrderManagement} from "./IOrderManagement.sol";
import {IMatching} from "./IMatching.sol";
import {IDeals} from "./IDeals.sol";
import {ITasks} from "./ITasks.sol";
import {IContributions} from "./IContributions.sol";
import {IFinalize} from "./IFinalize.sol";
import {ITaskViews} from "./ITaskViews.sol";
import {ILegacyAccessors} from "./ILegacyAccessors.sol";

/// @title The PoCo hub, as seen by clients: every facet's functions, events and errors
/// @notice The union of the facets' interfaces, all served at the hub proxy's one address.
/// @dev Clients use this interface at the proxy's address (`ethers.getContractAt("IHub", hub)`).
interface IHub is
    IRouter,
    IOwnership,
    IConfig,
    ICategories,
    IEscrow,
    ISRLC,
    ISignatures,
    IOrderManagement,
    IMatching,
    IDeals,
    ITasks,
    IContributions,
    IFinalize,
    ITaskViews,
    ILegacyAccessors
{}
