"""A vectorised open-addressing hash table over exact 64-bit keys.

pkuseg looks up ~70 feature strings per character in a Python dict.  Here every
feature is an *exact* integer key (no information is hashed away, see
:mod:`pipeline.fastseg.index`), so a lookup can never return a wrong feature: the
hash only chooses where to start probing, and a hit is confirmed by comparing the
stored key itself.  ``np.searchsorted`` over 2.6 M sorted keys costs ~22 random
memory accesses per query; linear probing at a load factor below one half costs
~1.5, and the probe loop runs once for the whole batch of queries.

The table stores row numbers (int32) into a separate key array instead of the keys,
which halves its memory: one probe is one gather from the table and one from the keys.
"""

from __future__ import annotations

import numpy as np

EMPTY_SLOT = -1
_SCALAR_TAIL = 16  # queries still probing when the loop switches to plain Python
# splitmix64 finaliser constants (Steele, Lea & Flood 2014): a full-avalanche 64-bit mix.
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def mix64(keys: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser of a uint64 array (wrapping arithmetic, new array)."""
    x = keys ^ (keys >> _S30)
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def table_capacity(n_keys: int, max_load: float = 0.4) -> int:
    """Smallest power of two keeping the load factor at or below ``max_load``."""
    capacity = 16
    while capacity * max_load < n_keys:
        capacity *= 2
    return capacity


def build_table(hashes: np.ndarray, capacity: int) -> np.ndarray:
    """Place rows ``0..len(hashes)-1`` by linear probing; returns the int32 slot table.

    Rows are placed in vectorised rounds: every unplaced row tries its current slot,
    one row per free slot wins, every other row moves one slot on.  A row only ever
    moves past a slot that is occupied, and nothing is deleted, so a lookup that walks
    from the home slot to the first empty slot meets every row with that home slot.
    """
    if capacity & (capacity - 1) or capacity <= len(hashes):
        raise ValueError(f"capacity {capacity} must be a power of two above {len(hashes)}")
    mask = np.uint64(capacity - 1)
    table = np.full(capacity, EMPTY_SLOT, dtype=np.int32)
    slot = (hashes & mask).astype(np.int64)
    pending = np.arange(len(hashes), dtype=np.int64)
    while pending.size:
        current = slot[pending]
        free = table[current] == EMPTY_SLOT
        candidates, candidate_slots = pending[free], current[free]
        won_slots, first = np.unique(candidate_slots, return_index=True)
        table[won_slots] = candidates[first]
        placed = np.zeros(len(hashes), dtype=bool)
        placed[candidates[first]] = True
        pending = pending[~placed[pending]]
        slot[pending] = (slot[pending] + 1) & (capacity - 1)
    return table


def lookup(
    table: np.ndarray,
    stored: tuple[np.ndarray, ...],
    queries: tuple[np.ndarray, ...],
    hashes: np.ndarray,
) -> np.ndarray:
    """Row of each query key in ``stored`` (one array per key column), or -1.

    ``hashes`` are the queries' hashes (the same function the table was built with).
    """
    capacity = len(table)
    mask = capacity - 1
    result = np.full(len(hashes), EMPTY_SLOT, dtype=np.int32)
    current = (hashes & np.uint64(mask)).astype(np.int64)
    pending = np.arange(len(hashes), dtype=np.int64)
    while pending.size > _SCALAR_TAIL:
        rows = table[current]
        occupied = rows != EMPTY_SLOT
        pending, current, rows = pending[occupied], current[occupied], rows[occupied]
        if not pending.size:
            break
        same = stored[0][rows] == queries[0][pending]
        for column, query in zip(stored[1:], queries[1:], strict=True):
            same &= column[rows] == query[pending]
        result[pending[same]] = rows[same]
        miss = ~same
        pending = pending[miss]
        current = (current[miss] + 1) & mask
    # The last few queries of long probe runs: a loop costs less than more numpy rounds.
    for p, slot in zip(pending.tolist(), current.tolist(), strict=True):
        while True:
            row = int(table[slot])
            if row == EMPTY_SLOT:
                break
            if all(column[row] == query[p] for column, query in zip(stored, queries, strict=True)):
                result[p] = row
                break
            slot = (slot + 1) & mask
    return result
