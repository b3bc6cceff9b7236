from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures.textnorm import compress, normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("４５億", "45亿"),
        ("１，２３４", "1,234"),
        ("$20，300美圆", "$20，300美圆"),
        ("１２．５％", "12.5%"),
        ("兩個百分點", "两个百分点"),
    ],
)
def test_textnorm_normalise_table(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,137 亿元", "1,137亿元"),
        ("6 368万元", "6368万元"),
        ("US$1.2 billion", "US$1.2 billion"),
        ("2024 5", "2024 5"),
        ("人民币  50元", "人民币50元"),
        ("CPI 2%", "CPI 2%"),
        ("YoY +42%", "YoY +42%"),
        ("QoQ -3.5%", "QoQ -3.5%"),
        ("增长 +5%", "增长+5%"),
    ],
)
def test_textnorm_compress_table(text: str, expected: str) -> None:
    assert compress(text).text == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab12 　\t元亿，,%"), max_size=30))
def test_textnorm_offsets_map_back(text: str) -> None:
    norm = normalise(text)
    assert len(norm) == len(text)
    comp = compress(norm)
    for i, ch in enumerate(comp.text):
        j = comp.to_original(i)
        assert norm[j] == ch
        assert comp.to_original(i + 1, end=True) == j + 1
