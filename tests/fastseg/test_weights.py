"""Streaming pkuseg's weights.npz into the scorer's layout: same numbers, checked format."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.fastseg.weights import load_weights


def _write(path, w, sizes=(5, 3)):
    np.savez(path, sizes=np.array(sizes), w=w)
    return path


def test_weights_equal_np_load_with_zero_row(toy_model_dir):
    node, edge = load_weights(toy_model_dir / "weights.npz")
    with np.load(toy_model_dir / "weights.npz") as npz:
        w = npz["w"]
    n_feature = node.shape[0] - 1
    assert np.array_equal(node[:-1].ravel(), w[: n_feature * 5])
    assert not node[-1].any()
    assert np.array_equal(edge, w[n_feature * 5 :])


@pytest.mark.parametrize(
    ("w", "message"),
    [
        (np.zeros(5 * 8, dtype=np.float32), "unexpected"),
        (np.zeros(5 * 7), "unexpected"),
        (np.zeros((8, 5)), "unexpected"),
    ],
)
def test_weights_refuse_other_layouts(tmp_path, w, message):
    with pytest.raises(ValueError, match=message):
        load_weights(_write(tmp_path / "weights.npz", w))


def test_weights_refuse_object_arrays(tmp_path):
    path = tmp_path / "weights.npz"
    np.savez(path, sizes=np.array([5, 3]), w=np.array([object()] * 40, dtype=object))
    with pytest.raises(ValueError):
        load_weights(path)
