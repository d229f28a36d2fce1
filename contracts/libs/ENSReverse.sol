// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IENS} from "../interfaces/IENS.sol";
import {IENSReverseRegistrar} from "../interfaces/IENSReverseRegistrar.sol";

/// @title ENS reverse record helper
library ENSReverse {
    /// @notice namehash("addr.reverse"), the node owned by the reverse registrar.
    bytes32 internal constant ADDR_REVERSE_NODE =
        0x91d1777781884d03a6757a803996e38de2a42967fb37eeaca72729271025a9e2;

    /// @notice Sets the reverse record of the calling contract to `name`.
    /// @param ens ENS registry.
    /// @param name ENS name.
    function setName(address ens, string calldata name) internal {
        IENSReverseRegistrar(IENS(ens).owner(ADDR_REVERSE_NODE)).setName(name);
    }
}
