"""Chunking the item stream."""

from __future__ import annotations

import pytest

from pipeline.batch.chunks import make_chunks
from pipeline.io.records import InputItem


def _items(lengths: list[int]) -> list[InputItem]:
    return [InputItem("s", n, str(n), text="字" * length) for n, length in enumerate(lengths)]


@pytest.mark.parametrize(
    ("lengths", "max_docs", "max_chars", "sizes"),
    [
        ([1] * 10, 4, 100, [4, 4, 2]),
        ([60, 60, 60], 10, 100, [1, 1, 1]),
        ([500, 1, 1], 10, 100, [1, 2]),
        ([], 4, 100, []),
    ],
)
def test_chunks_close_on_docs_or_chars(
    lengths: list[int], max_docs: int, max_chars: int, sizes: list[int]
) -> None:
    chunks = list(make_chunks(_items(lengths), max_docs=max_docs, max_chars=max_chars))
    assert [len(c.items) for c in chunks] == sizes
    assert [c.seq for c in chunks] == list(range(len(sizes)))


@pytest.mark.parametrize("bad_position", [0, 2])
def test_chunks_only_good_items_are_tasks(bad_position: int) -> None:
    items = _items([1, 1, 1])
    items[bad_position].error = "bad"
    (chunk,) = make_chunks(items)
    assert len(chunk.tasks) == 2 and all(t[0] != str(bad_position) for t in chunk.tasks)
