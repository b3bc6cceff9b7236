"""Equal-length normalisation (offsets must never shift)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.relations import textnorm
from pipeline.relations.textnorm import TranslationTable, make_table, normalize


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


@given(st.text(max_size=200))
def test_textnorm_table_equals_plain_dict(text):
    # The self-filling table translates exactly like a plain dict of the same pairs.
    table = make_table({"萬": "万"})
    plain = {k: v for k, v in table.items() if k != v}
    assert normalize(text, table) == text.translate(plain)


@pytest.mark.parametrize("cap", [4])
def test_textnorm_table_stops_remembering_at_cap(monkeypatch, cap):
    monkeypatch.setattr(textnorm, "_MAX_CACHED", cap)
    table = TranslationTable({ord("A"): ord("a")})
    assert "ABCDEFG".translate(table) == "aBCDEFG"
    assert len(table) == cap


@pytest.mark.parametrize(
    "pairs",
    [{}, {"萬": "万"}, {"𠀋": "万"}],  # the last maps a character past the BMP
)
def test_textnorm_sequence_translates_like_the_table(pairs):
    # normalize translates with a list per table; it must equal the table itself,
    # past the BMP too (there the table is used as it is) and on a lone surrogate.
    table = make_table(pairs)
    for text in ("營業收入萬１０％𠀋😀ＡＢ，", "營業收入萬１０％ＡＢ，\ud800"):
        assert normalize(text, table) == text.translate(dict(table))
        assert normalize(text, dict(table)) == text.translate(dict(table))
