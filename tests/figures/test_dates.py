from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures.dates import DateContext, fiscal_label_of, fiscal_span, resolve_date
from pipeline.figures.lexicon import FiscalRule
from pipeline.figures.money import FigureValueError

PUB = date(2025, 3, 26)


@pytest.mark.parametrize(
    ("groups", "start", "end", "granularity"),
    [
        ({"y": "2024"}, "2024-01-01", "2024-12-31", "year"),
        ({"y": "2025", "q": "四"}, "2025-10-01", "2025-12-31", "quarter"),
        ({"y": "2024", "q3": "3"}, "2024-07-01", "2024-09-30", "quarter"),
        ({"y": "2024", "h": "上"}, "2024-01-01", "2024-06-30", "half"),
        ({"y": "2024", "m": "2", "d": "29"}, "2024-02-29", "2024-02-29", "day"),
        ({"y": "二〇二四", "m": "三", "d": "五"}, "2024-03-05", "2024-03-05", "day"),
        ({"y": "2024", "ypart": "底"}, "2024-12-31", "2024-12-31", "day"),
        ({"m": "12", "d": "31"}, "2024-12-31", "2024-12-31", "day"),
        ({"m": "3", "d": "26"}, "2025-03-26", "2025-03-26", "day"),
        ({"m": "12"}, "2024-12-01", "2024-12-31", "month"),
        ({"rel": "今年", "m": "4", "d": "10"}, "2025-04-10", "2025-04-10", "day"),
        ({"rel": "去年"}, "2024-01-01", "2024-12-31", "year"),
        ({"relp": "年初至今"}, "2025-01-01", "2025-03-26", "day"),
        ({"relp": "上一季度"}, "2024-10-01", "2024-12-31", "quarter"),
        ({"relp": "上个月"}, "2025-02-01", "2025-02-28", "month"),
        ({"d": "26"}, "2025-03-26", "2025-03-26", "day"),
        ({"d": "28"}, "2025-02-28", "2025-02-28", "day"),
        ({"frel": "本财年", "nm": "6"}, "2025-01-01", "2025-06-30", "month"),
        ({"rel": "今年", "nq": "三"}, "2025-01-01", "2025-09-30", "quarter"),
        ({"y": "2024", "m": "1", "m2": "9"}, "2024-01-01", "2024-09-30", "month"),
        ({"y": "2024", "m": "12", "part": "初"}, "2024-12-01", "2024-12-10", "ten_days"),
        ({"y": "2024", "h": "H1"}, "2024-01-01", "2024-06-30", "half"),
        ({"y": "2025", "h": "H2"}, "2025-07-01", "2025-12-31", "half"),
        ({"rel": "今年", "nm": "十"}, "2025-01-01", "2025-10-31", "month"),
        (
            {"y": "2024", "y2": "25", "fyw": "财年", "q": "三"},
            "2024-10-01",
            "2024-12-31",
            "quarter",
        ),
        ({"yy": "08"}, "2008-01-01", "2008-12-31", "year"),
        ({"yy": "零九"}, "2009-01-01", "2009-12-31", "year"),
        ({"era": "康熙", "eray": "三", "eram": "五月"}, "1664-05-01", "1664-05-31", "month"),
        ({"era": "雍正", "eray": "十六"}, "1738-01-01", "1738-12-31", "year"),
        ({"wd": "三"}, "2025-03-26", "2025-03-26", "day"),
        ({"wd": "一"}, "2025-03-24", "2025-03-24", "day"),
        # 截至…止年度 / 止六个月: the months that end on the day (Hong Kong results).
        ({"y": "2024", "m": "12", "d": "31", "plen": "年度"}, "2024-01-01", "2024-12-31", "year"),
        ({"y": "2024", "m": "6", "d": "30", "plen": "六个月"}, "2024-01-01", "2024-06-30", "half"),
        (
            {"y": "2025", "m": "3", "d": "31", "plen": "财政年度"},
            "2024-04-01",
            "2025-03-31",
            "year",
        ),
        (
            {"y": "2024", "m": "9", "d": "30", "plen": "3个月"},
            "2024-07-01",
            "2024-09-30",
            "quarter",
        ),
        ({"y": "2024", "m": "9", "d": "15", "plen": "九个月"}, "2023-12-16", "2024-09-15", "month"),
        ({"y": "2024", "m": "9", "d": "30", "plen": "季度"}, "2024-07-01", "2024-09-30", "quarter"),
        ({"y": "2024", "m": "6", "d": "30", "plen": "半年度"}, "2024-01-01", "2024-06-30", "half"),
    ],
)
def test_dates_resolve_table(groups: dict, start: str, end: str, granularity: str) -> None:
    value = resolve_date(groups, DateContext(pub=PUB))
    assert (value["start"], value["end"], value["granularity"]) == (start, end, granularity)


@pytest.mark.parametrize(
    "groups",
    [
        {"y": "2024", "m": "2", "d": "30"},
        {"y": "2023", "m": "2", "d": "29"},
        {"m": "13"},
        {"y": "2024", "q": "5"},
        {"y": "2024", "m": "6", "d": "30", "plen": "30个月"},
    ],
)
def test_dates_impossible_dates_raise_with_reason(groups: dict) -> None:
    with pytest.raises(FigureValueError) as info:
        resolve_date(groups, DateContext(pub=PUB))
    assert info.value.args[0]


@pytest.mark.parametrize(
    ("groups", "ctx"),
    [
        ({"rel": "去年"}, DateContext()),
        ({"m": "12", "d": "31"}, DateContext()),
        ({"rel": "同年", "m": "12"}, DateContext(pub=PUB)),
        ({"relp": "去年同期"}, DateContext(pub=PUB)),
    ],
)
def test_dates_unresolved_have_reason(groups: dict, ctx: DateContext) -> None:
    value = resolve_date(groups, ctx)
    assert value["start"] is None and value["end"] is None and value["unresolved"]


@pytest.mark.parametrize(
    ("label", "rule", "start", "end"),
    [
        (2024, FiscalRule(1, "end"), date(2024, 1, 1), date(2024, 12, 31)),
        (2025, FiscalRule(4, "end"), date(2024, 4, 1), date(2025, 3, 31)),
        (2025, FiscalRule(7, "start"), date(2025, 7, 1), date(2026, 6, 30)),
    ],
)
def test_dates_fiscal_span_table(label: int, rule: FiscalRule, start: date, end: date) -> None:
    assert fiscal_span(label, rule) == (start, end)
    assert fiscal_label_of(start, rule) == label


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            k: st.text(alphabet="0123456789一二三四五六七八九十上下半今去同年", max_size=5)
            for k in ("y", "m", "d", "q", "h", "nq", "nm")
        },
    ),
    st.one_of(st.none(), st.dates()),
)
def test_dates_never_crash(groups: dict, pub: date | None) -> None:
    try:
        value = resolve_date(groups, DateContext(pub=pub))
    except FigureValueError:
        return
    if value["start"] is not None:
        assert value["start"] <= value["end"]
