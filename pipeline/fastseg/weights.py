"""pkuseg's ``weights.npz`` read straight into the layout the scorer needs.

The scorer wants the node weights as an ``(n_feature + 1, n_tag)`` array whose last row
is zeros (the row of "feature not found").  ``np.load`` would first materialise the
whole 106 MB vector and a copy would double the process's *peak* memory (what a worker's
RSS figure reports), so the ``w.npy`` member is streamed into the final array instead.
Only float64 little-endian data is accepted; no pickle is ever involved.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

_CHUNK = 1 << 22


def _read_header(handle) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(handle)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(handle)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(handle)
    raise ValueError(f"unsupported .npy format version {version}")


def _read_exact(handle, out: memoryview) -> None:
    filled = 0
    while filled < len(out):
        got = handle.readinto(out[filled : filled + _CHUNK])
        if not got:
            raise ValueError("pkuseg weights file is truncated")
        filled += got


def load_weights(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(node weights with a zero row appended, edge weights ``(n_tag * n_tag,)``)."""
    with np.load(path, allow_pickle=False) as npz:
        n_tag, n_feature = (int(v) for v in npz["sizes"][:2])
    with zipfile.ZipFile(path) as archive, archive.open("w.npy") as handle:
        shape, fortran, dtype = _read_header(handle)
        if dtype != np.dtype("<f8") or shape != (n_tag * (n_feature + n_tag),) or fortran:
            raise ValueError(f"unexpected pkuseg weights {dtype} {shape}")
        node = np.zeros((n_feature + 1, n_tag), dtype=np.float64)
        _read_exact(handle, memoryview(node.reshape(-1)[: n_feature * n_tag]).cast("B"))
        edge = np.empty(n_tag * n_tag, dtype=np.float64)
        _read_exact(handle, memoryview(edge).cast("B"))
    return node, edge
