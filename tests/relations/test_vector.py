"""The array path of the linker (long paragraphs) links exactly as the per-figure path.

:mod:`pipeline.relations.vector` finds candidates and adds pair weights with arrays;
it must give the same relations, confidences included, as ``generate`` + ``PairScorer``
on every paragraph, so both paths are run here on the whole annotated corpus.
"""

from __future__ import annotations

import random
from bisect import bisect_left

import numpy as np
import pytest

from pipeline.relations import vector
from pipeline.relations.candidates import CandidateConfig, generate
from pipeline.relations.document import DocView, Ent, Subject
from pipeline.relations.pair_scorer import PairScorer

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


def _before_by_generate(view: DocView, config: CandidateConfig) -> list[list[tuple[int, int]]]:
    """Per figure: (subject index, distance) of generate's candidates before it."""
    index = {id(s): n for n, s in enumerate(view.subjects)}
    return [
        [
            (index[id(c.subject)], c.distance)
            for c in generate(view, fig, None, config)
            if not c.after and not c.fallback
        ]
        for fig in view.figures
    ]


def _before_by_arrays(
    view: DocView, config: CandidateConfig, scorer: PairScorer
) -> list[list[tuple[int, int]]]:
    table = vector._ScoreTables(view, scorer, None)
    distinct = len(table.ident) == len(view.subjects)
    idx, _, dist = vector._before(
        config,
        np.asarray(view._figure_starts, np.int64),
        np.asarray(view._subject_starts, np.int64),
        table.ends,
        table.key,
        distinct,
    )
    return [
        [(i, d) for i, d in zip(row_idx, row_dist, strict=True) if i >= 0]
        for row_idx, row_dist in zip(idx.tolist(), dist.tolist(), strict=True)
    ]


@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_before_candidates_equal_generate_on_corpus(linker, split):
    records = _records(split)
    if not records:
        pytest.skip(f"no {split} records")
    scorer = PairScorer(linker.model.weights)
    for r in records:
        view, *_ = linker.prepare(r["text"], _ents(r))
        if view.subjects:
            want = _before_by_generate(view, linker.config)
            assert _before_by_arrays(view, linker.config, scorer) == want, r["text"]


@pytest.mark.parametrize("seed", range(20))
def test_before_candidates_equal_generate_with_repeats_and_overlaps(linker, seed):
    # random subjects: repeated keys (the repeat test of _before), subjects overlapping
    # a figure (its sorting fallback), far gaps (the scan stops), narrow bounds
    rng = random.Random(seed)
    text = "x" * 600
    figures = sorted(rng.sample(range(5, 590), 25))
    ents = [Ent(f, f + 3, "MONEY", "xxx") for f in figures]
    view = DocView(text, text, ents)
    subjects = []
    for _ in range(rng.randrange(10, 120)):
        start = rng.randrange(0, 595)
        end = start + rng.randrange(1, 8 if seed % 2 else 3)
        key = f"k{rng.randrange(6 if seed % 3 else 60)}"
        stype = rng.choice(("ORG", "SEGMENT"))
        subjects.append(Subject(start, end, stype, key, key, start, end, key, None))
    view.subjects = subjects
    view.index_subjects()
    scorer = PairScorer(linker.model.weights)
    for config in (CandidateConfig(), CandidateConfig(max_before=2, max_distance=40)):
        want = _before_by_generate(view, config)
        assert _before_by_arrays(view, config, scorer) == want


@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_outside_clause_of_the_best_candidates_on_corpus(linker, split):
    # Bests.outside_clause is the linker's clause test (_decide) on each best candidate
    records = _records(split)
    if not records:
        pytest.skip(f"no {split} records")
    model = linker.model
    scorer = linker._pair_scorer(model)
    n = 0
    for r in records:
        view, main, main_key, facts = linker.prepare(r["text"], _ents(r))
        bests = linker._vector_bests(view, facts, main, main_key, model, scorer)
        if bests is None:
            continue
        breaks = view.clause_breaks
        for i, fig in enumerate(view.figures):
            if not bests.found[i]:
                continue
            best = bests.candidate(i)
            want = (
                best.fallback
                or best.after
                or bisect_left(breaks, fig.start) != bisect_left(breaks, best.subject.end)
            )
            assert bests.outside_clause[i] == want, (r["text"], fig)
            n += 1
    assert n > 100
