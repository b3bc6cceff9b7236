"""Shared character features: equal-length normalisation, tags <-> spans, hashing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.orgs.features import (
    DictionaryMarks,
    FeatureConfig,
    Normaliser,
    feature_indices,
    spans_to_tags,
    tags_to_spans,
)

TRAD = {"銀": "银", "團": "团", "湯": "汤"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("商湯集團", "商汤集团"),
        ("ＮＶＩＤＩＡ２０２４", "nvidia0000"),
        ("寧波銀行", "寧波银行"),
        ("A股 100%", "a股 000%"),
    ],
)
def test_features_normaliser_keeps_length(text, expected):
    norm = Normaliser(TRAD)(text)
    assert norm == expected
    assert len(norm) == len(text)


@given(st.text(max_size=60))
def test_features_normaliser_never_changes_length(text):
    assert len(Normaliser(TRAD)(text)) == len(text)
    assert len(Normaliser(TRAD, collapse_digits=False)(text)) == len(text)


@pytest.mark.parametrize(
    "n,spans",
    [(6, [(0, 4)]), (8, [(0, 1), (2, 5), (6, 8)]), (3, []), (5, [(0, 5)])],
)
def test_features_tags_spans_round_trip(n, spans):
    assert tags_to_spans(spans_to_tags(n, spans)) == spans


@pytest.mark.parametrize("text", ["宁波银行发布公告", "", "A"])
def test_features_indices_are_deterministic_and_bounded(text):
    marks = DictionaryMarks(["银行"], ["宁波银行"])
    config = FeatureConfig(bits=14, use_tokens=True)
    tokens = [(0, 2, "宁波"), (2, 4, "银行")] if text.startswith("宁波") else []
    a = feature_indices(text, marks, config, tokens)
    b = feature_indices(text, marks, config, tokens)
    assert np.array_equal(a, b)
    assert a.shape[0] == len(text)
    if len(text):
        assert a.min() >= 0 and a.max() < (1 << 14)


@pytest.mark.parametrize("text,suffix_end", [("宁波银行", 3), ("星河集团公司", 5)])
def test_features_dictionary_marks_find_suffixes(text, suffix_end):
    suf_end, _, _ = DictionaryMarks(["银行", "集团", "公司", "集团公司"], []).mark(text)
    assert suf_end[suffix_end] > 0
