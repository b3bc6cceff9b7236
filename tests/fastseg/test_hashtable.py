"""The vectorised open-addressing table: every stored key found, nothing else found."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.fastseg.hashtable import build_table, lookup, mix64, table_capacity


def _table(keys: np.ndarray, capacity: int | None = None):
    return build_table(mix64(keys), capacity or table_capacity(len(keys)))


@pytest.mark.parametrize(
    ("n_keys", "capacity"),
    [(0, 16), (1, 16), (15, 16), (1000, 2048), (5000, 8192), (5000, 1 << 16)],
)
def test_hashtable_finds_every_key_and_rejects_others(n_keys, capacity):
    rng = np.random.default_rng(n_keys)
    keys = np.unique(rng.integers(0, 2**63, size=n_keys, dtype=np.uint64))
    table = _table(keys, capacity)
    assert int((table >= 0).sum()) == len(keys)
    found = lookup(table, (keys,), (keys,), mix64(keys))
    assert np.array_equal(found, np.arange(len(keys)))
    others = np.setdiff1d(rng.integers(0, 2**63, size=2000, dtype=np.uint64), keys)
    assert (lookup(table, (keys,), (others,), mix64(others)) == -1).all()


def test_hashtable_clustered_slots_still_exact():
    # Identical hashes force one long probe run: correctness must not rely on spreading.
    keys = np.arange(50, dtype=np.uint64)
    same = np.full(50, 7, dtype=np.uint64)
    table = build_table(same, 64)
    queries = np.arange(60, dtype=np.uint64)
    found = lookup(table, (keys,), (queries,), np.full(60, 7, dtype=np.uint64))
    assert np.array_equal(found, np.r_[np.arange(50), np.full(10, -1)])


def test_hashtable_two_column_keys():
    hi = np.array([1, 1, 2, 2], dtype=np.uint64)
    lo = np.array([1, 2, 1, 2], dtype=np.uint64)
    hashes = mix64(hi)  # deliberately ignores lo: rows must be told apart by comparison
    table = build_table(hashes, 16)
    q_hi = np.array([2, 1, 3, 2], dtype=np.uint64)
    q_lo = np.array([1, 2, 1, 3], dtype=np.uint64)
    assert lookup(table, (hi, lo), (q_hi, q_lo), mix64(q_hi)).tolist() == [2, 1, -1, -1]


@pytest.mark.parametrize(("n_keys", "capacity"), [(16, 16), (10, 12)])
def test_hashtable_refuses_bad_capacity(n_keys, capacity):
    with pytest.raises(ValueError, match="power of two"):
        build_table(np.zeros(n_keys, dtype=np.uint64), capacity)


@settings(max_examples=50, deadline=None)
@given(st.sets(st.integers(0, 2**64 - 2), max_size=200), st.lists(st.integers(0, 2**64 - 2)))
def test_hashtable_property_membership(stored, queried):
    keys = np.array(sorted(stored), dtype=np.uint64)
    table = _table(keys)
    queries = np.array(queried, dtype=np.uint64)
    rows = lookup(table, (keys,), (queries,), mix64(queries))
    expected = [sorted(stored).index(q) if q in stored else -1 for q in queried]
    assert rows.tolist() == expected
