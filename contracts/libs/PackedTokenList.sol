// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title List of token ids of at most 160 bits, with its length packed in the first slot
/// @notice Slot 0 holds the first id in its low 160 bits and the length in its high 96 bits; slot i > 0 holds
/// the i-th id. A one-element list thus costs a single storage slot, and appending to a longer one rewrites
/// an already non-zero slot (5,000 gas) instead of initialising a separate length slot (22,100 gas).
library PackedTokenList {
    /// @notice Storage of a list.
    struct List {
        mapping(uint256 index => uint256 slot) slots;
    }

    uint256 private constant _ID_MASK = type(uint160).max;
    uint256 private constant _LENGTH_SHIFT = 160;
    uint256 private constant _ONE = 1 << _LENGTH_SHIFT;

    /// @notice Number of ids in the list.
    /// @param list The list.
    /// @return size The length.
    function length(List storage list) internal view returns (uint256 size) {
        return list.slots[0] >> _LENGTH_SHIFT;
    }

    /// @notice Id at `index`; the caller checks `index < length(list)`.
    /// @param list The list.
    /// @param index Position in the list.
    /// @return id The id (zero past the end).
    function at(List storage list, uint256 index) internal view returns (uint256 id) {
        return list.slots[index] & _ID_MASK;
    }

    /// @notice Appends `id`.
    /// @param list The list.
    /// @param id Id to append, below 2^160.
    /// @return index Position of `id` in the list.
    function push(List storage list, uint256 id) internal returns (uint256 index) {
        uint256 head = list.slots[0];
        index = head >> _LENGTH_SHIFT;
        if (index == 0) {
            list.slots[0] = id | _ONE;
        } else {
            list.slots[index] = id;
            list.slots[0] = head + _ONE;
        }
    }

    /// @notice Removes the id at `index` by moving the last id into its place (order is not kept);
    /// the caller checks `index < length(list)`.
    /// @param list The list.
    /// @param index Position of the id to remove.
    /// @return moved Id now at `index`, or zero when the removed id was the last one.
    function removeAt(List storage list, uint256 index) internal returns (uint256 moved) {
        uint256 head = list.slots[0];
        uint256 last = (head >> _LENGTH_SHIFT) - 1;
        uint256 first = head & _ID_MASK;
        if (index != last) {
            // `last` > `index` >= 0, so the last id sits in a plain slot.
            moved = list.slots[last];
            if (index == 0) {
                first = moved;
            } else {
                list.slots[index] = moved;
            }
        }
        if (last == 0) {
            first = 0; // the list becomes empty
        } else {
            delete list.slots[last];
        }
        list.slots[0] = first | (last << _LENGTH_SHIFT);
    }
}
