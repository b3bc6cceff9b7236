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
    _class_rules,
    char_classes,
    feature_indices,
    feature_indices_many,
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


# Batched features (component.pipe) must equal per-text features bit for bit.
_BATCH_TEXTS = [
    "星河科技今天发布财报",
    "",
    "A",
    "（Ｈ股）寧波銀行與星海集团签约，收入100亿元",
    "北辰证券\x00的收入增长",
    "收入同比增长了 12%。东岳控股宣布回购",
]


def _char_tokens(text: str) -> list[tuple[int, int, str]]:
    """Two-character tokens (with a space token) to exercise the token templates."""
    spans = [(i, min(i + 2, len(text)), text[i : i + 2]) for i in range(0, len(text), 2)]
    return [*spans, (len(text), len(text), "")]


@pytest.mark.parametrize("use_tokens", [False, True])
@pytest.mark.parametrize("bits", [12, 20])
def test_features_batched_indices_equal_single(use_tokens, bits):
    marks = DictionaryMarks(["科技", "集团", "银行", "控股"], ["星海集团", "宁波银行"])
    config = FeatureConfig(bits=bits, use_tokens=use_tokens)
    norm = Normaliser(TRAD)
    match = Normaliser(TRAD, collapse_digits=False)
    spans = [_char_tokens(t) for t in _BATCH_TEXTS]
    many, offsets = feature_indices_many(
        [norm(t) for t in _BATCH_TEXTS], marks, config, spans, [match(t) for t in _BATCH_TEXTS]
    )
    assert offsets == [0, *np.cumsum([len(t) for t in _BATCH_TEXTS]).tolist()]
    for text, sp, lo, hi in zip(_BATCH_TEXTS, spans, offsets[:-1], offsets[1:], strict=True):
        one = feature_indices(norm(text), marks, config, sp, match_form=match(text))
        if text:
            np.testing.assert_array_equal(many[lo:hi], one)
        else:
            assert hi == lo


@pytest.mark.parametrize("lo,hi", [(0, 0x10000), (0x10000, 0x110001)])
def test_features_char_class_table_matches_rules(lo, hi):
    codes = np.arange(lo, hi, dtype=np.int64)
    np.testing.assert_array_equal(char_classes(codes), _class_rules(codes))
