from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures.money import FigureValueError
from pipeline.figures.percent import percent_value


@pytest.mark.parametrize(
    ("groups", "unit", "expected"),
    [
        ({"num": "10.8", "u": "%"}, "percent", {"value": 10.8, "unit": "percent"}),
        ({"num": "-1.64", "u": "%"}, "percent", {"value": -1.64, "unit": "percent"}),
        (
            {"sign": "负", "base": "百分之", "num": "五"},
            "percent",
            {"value": -5, "unit": "percent"},
        ),
        ({"base": "百分之", "num": "十二点五"}, "percent", {"value": 12.5, "unit": "percent"}),
        ({"base": "千分之", "num": "五"}, "percent", {"value": 5, "unit": "per_mille"}),
        ({"base": "万分之", "num": "三"}, "percent", {"value": 0.03, "unit": "percent"}),
        ({"num": "5", "u": "‰"}, "percent", {"value": 5, "unit": "per_mille"}),
        ({"num": "2"}, "percentage_point", {"value": 2, "unit": "percentage_point"}),
        ({"num": "4.8"}, "percentage_point", {"value": 4.8, "unit": "percentage_point"}),
        ({"num": "15"}, "basis_point", {"value": 0.15, "unit": "percentage_point"}),
        ({"num": "-10"}, "basis_point", {"value": -0.1, "unit": "percentage_point"}),
        ({"num": "二十"}, "basis_point", {"value": 0.2, "unit": "percentage_point"}),
        (
            {"num": "9", "num2": "11", "u": "%"},
            "percent",
            {"value": 9, "unit": "percent", "low": 9, "high": 11},
        ),
        ({"num": "三"}, "cheng", {"value": 30, "unit": "percent"}),
        ({"num": "4"}, "cheng", {"value": 40, "unit": "percent"}),
        ({"num": "两", "extra": "半"}, "cheng", {"value": 25, "unit": "percent"}),
        ({"num": "七", "extra": "六"}, "cheng", {"value": 76, "unit": "percent"}),
        ({"num": "1", "num2": "3"}, "cheng", {"low": 10, "high": 30, "unit": "percent"}),
        ({"num": "8"}, "zhe", {"value": 80, "unit": "percent"}),
        ({"num": "75"}, "zhe", {"value": 75, "unit": "percent"}),
        ({"num": "九五"}, "zhe", {"value": 95, "unit": "percent"}),
        (
            {"num": "37", "num2": "39", "u": "%"},
            "percent",
            {"low": 37, "high": 39, "unit": "percent"},
        ),
    ],
)
def test_percent_value_table(groups: dict, unit: str, expected: dict) -> None:
    value = percent_value(groups, unit)
    for key, want in expected.items():
        assert value[key] == want


@pytest.mark.parametrize(
    ("groups", "unit"),
    [({"num": "9" * 12, "u": "%"}, "percent"), ({"num": "七十百", "u": "%"}, "percent")],
)
def test_percent_value_errors_have_reasons(groups: dict, unit: str) -> None:
    with pytest.raises(FigureValueError) as info:
        percent_value(groups, unit)
    assert info.value.args[0]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=15), st.sampled_from(["percent", "percentage_point", "cheng", "zhe"]))
def test_percent_value_never_crashes(num: str, unit: str) -> None:
    try:
        value = percent_value({"num": num}, unit)
    except FigureValueError:
        return
    assert value["unit"] in {"percent", "percentage_point", "per_mille"}
