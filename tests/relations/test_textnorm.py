"""Equal-length normalisation (offsets must never shift)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.relations.textnorm import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("營業收入按年增長１０％", "营业收入按年增长10%"),
        ("股東應佔溢利", "股东应占溢利"),
        ("「手機×AIoT」分部", "“手机×aiot”分部"),
        ("收入，同比", "收入,同比"),
        ("經調整ＥＢＩＴＤＡ", "经调整ebitda"),
    ],
)
def test_textnorm_maps_characters(text, expected):
    assert normalize(text) == expected


@given(st.text(max_size=200))
def test_textnorm_keeps_length(text):
    assert len(normalize(text)) == len(text)
