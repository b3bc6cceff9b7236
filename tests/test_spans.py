"""Placing character-offset candidates on pkuseg tokens (pipeline/spans.py)."""

from __future__ import annotations

import itertools

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extensions import ensure_extensions
from pipeline.spans import EntityCandidate, place_entities, resolve_overlaps, split_at_boundaries


@pytest.fixture()
def blank():
    ensure_extensions()
    return spacy.blank("en")  # whitespace tokens: lets us build tokens that cross boundaries


def make(blank, words):
    from spacy.tokens import Doc

    return Doc(blank.vocab, words=words, spaces=[False] * len(words))


def test_spans_split_at_boundaries_cuts_inside_tokens(blank):
    doc = make(blank, ["收入37.7亿", "元", "，增长10.8%"])
    split_at_boundaries(doc, [2, 11, 0, 99])
    assert [t.text for t in doc] == ["收入", "37.7亿", "元", "，增长", "10.8%"]
    assert doc.text == "收入37.7亿元，增长10.8%"


def test_spans_place_entities_sets_extensions_and_keeps_offsets(blank):
    doc = make(blank, ["收入37.7亿", "元"])
    cand = EntityCandidate(2, 8, "MONEY", "rule:money.test", value={"amount": 1}, confidence=0.9)
    (span,) = place_entities(doc, [cand])
    assert (span.start_char, span.end_char, span.text) == (2, 8, "37.7亿元")
    assert span._.value == {"amount": 1}
    assert span._.source == "rule:money.test"
    assert span._.confidence == 0.9
    assert [e.text for e in doc.ents] == ["37.7亿元"]


def test_spans_existing_entities_win_unless_overwrite(blank):
    doc = make(blank, ["示例集团", "收入"])
    place_entities(doc, [EntityCandidate(0, 4, "ORG", "rule:a")])
    assert place_entities(doc, [EntityCandidate(2, 6, "ORG", "rule:b")]) == []
    assert [(e.text, e._.source) for e in doc.ents] == [("示例集团", "rule:a")]
    place_entities(doc, [EntityCandidate(0, 2, "ORG", "rule:c")], overwrite=True)
    assert [(e.text, e._.source) for e in doc.ents] == [("示例", "rule:c")]


def test_spans_resolve_overlaps_prefers_priority_then_length():
    cands = [
        EntityCandidate(0, 4, "ORG", "short"),
        EntityCandidate(0, 6, "ORG", "long"),
        EntityCandidate(5, 8, "MONEY", "priority", priority=5),
        EntityCandidate(9, 9, "DATE", "empty"),
    ]
    assert [c.source for c in resolve_overlaps(cands)] == ["short", "priority"]


def test_spans_keep_existing_entities_across_retokenisation(blank):
    doc = make(blank, ["2024年", "示例集团收入37.7亿元"])
    place_entities(doc, [EntityCandidate(0, 5, "DATE", "rule:d")])
    place_entities(doc, [EntityCandidate(11, 17, "MONEY", "rule:m")])
    assert [(e.text, e.label_) for e in doc.ents] == [("2024年", "DATE"), ("37.7亿元", "MONEY")]
    assert doc.ents[0]._.source == "rule:d"


def _brute_force(cands):
    ranked = sorted(
        cands, key=lambda c: (-c.priority, -(c.end - c.start), c.start, c.label, c.source)
    )
    kept, occupied = [], []
    for c in ranked:
        if c.end <= c.start or any(c.start < e and s < c.end for s, e in occupied):
            continue
        kept.append(c)
        occupied.append((c.start, c.end))
    return sorted(kept, key=lambda c: c.start)


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 9), st.integers(0, 2)), max_size=25))
def test_spans_resolve_overlaps_matches_brute_force(triples):
    cands = [
        EntityCandidate(start, start + length, "X", f"r{i}", priority=prio)
        for i, (start, length, prio) in enumerate(triples)
    ]
    kept = resolve_overlaps(cands)
    assert [c.source for c in kept] == [c.source for c in _brute_force(cands)]
    assert all(a.end <= b.start for a, b in itertools.pairwise(kept))
