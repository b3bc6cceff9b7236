"""The array path of the linker (long paragraphs) links exactly as the per-figure path.

:mod:`pipeline.relations.vector` finds candidates and adds pair weights with arrays;
it must give the same relations, confidences included, as ``generate`` + ``PairScorer``
on every paragraph, so both paths are run here on the whole annotated corpus.
"""

from __future__ import annotations

import pytest

from pipeline.relations import vector

from .rel_helpers import EXAMPLE, make_ents
from .test_pair_scorer import _ents, _records


def _both(linker, monkeypatch, text, ents):
    monkeypatch.setattr(vector, "MIN_FIGURES", 10**9)
    per_figure = linker.link(text, ents)
    monkeypatch.setattr(vector, "MIN_FIGURES", 1)
    arrays = linker.link(text, ents)
    return per_figure, arrays


@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_array_path_equals_per_figure_path_on_corpus(linker, monkeypatch, split):
    records = _records(split)
    if not records:
        pytest.skip(f"no {split} records")
    for r in records:
        per_figure, arrays = _both(linker, monkeypatch, r["text"], _ents(r))
        assert arrays == per_figure, r["text"]


def test_array_path_on_a_long_list_of_segments(linker, monkeypatch):
    text = EXAMPLE + "".join(
        f"第{i % 7}分部业务收入{'同比增长' if i % 2 else ''}{i + 1}.5{'%' if i % 2 else '亿元'}，"
        for i in range(120)
    )
    ents = make_ents(text, ("商汤集团",))
    per_figure, arrays = _both(linker, monkeypatch, text, ents)
    assert arrays == per_figure
    assert len(arrays[0]) > 100
