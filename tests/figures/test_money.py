from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures.money import FigureValueError, currency_code, money_value

CURRENCIES = {
    "元": "CNY",
    "人民币": "CNY",
    "港元": "HKD",
    "美元": "USD",
    "US$": "USD",
    "RMB": "CNY",
    "日元": "JPY",
}
SUBUNITS = {"港仙": ("HKD", 100), "美仙": ("USD", 100)}


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ({"num": "37.7亿", "post": "元"}, {"amount": 3770000000, "currency": "CNY"}),
        ({"pre": "人民币", "num": "100万", "post": "元"}, {"amount": 1000000, "currency": "CNY"}),
        ({"num": "247亿", "post": "元人民币"}, {"amount": 24700000000, "currency": "CNY"}),
        ({"pre": "US$", "num": "1.2", "en": " billion"}, {"amount": 1200000000, "currency": "USD"}),
        ({"pre": "RMB ", "num": "5亿"}, {"amount": 500000000, "currency": "CNY"}),
        ({"num": "1.59", "post": "港元"}, {"amount": 1.59, "currency": "HKD"}),
        ({"num": "10", "num2": "12亿", "post": "元"}, {"low": 1000000000, "high": 1200000000}),
        (
            {"num": "5亿", "post1": "元", "num2": "8亿", "post": "元"},
            {"low": 500000000, "high": 800000000},
        ),
        ({"num": "100多万", "post": "元"}, {"amount": 1000000, "approximate": True}),
        ({"num": "29640", "num2": "28165", "post": "美元"}, {"low": 28165, "high": 29640}),
        # Schema v1: a range's amount is its low end.
        ({"num": "10", "num2": "12亿", "post": "元"}, {"amount": 1000000000}),
        ({"num": "52", "post": "港仙"}, {"amount": 0.52, "currency": "HKD"}),
        ({"num": "5.66", "post": "美仙"}, {"amount": 0.0566, "currency": "USD"}),
        ({"num": "三十", "post": "港仙"}, {"amount": 0.3, "currency": "HKD"}),
        ({"num": "10", "post": "日元", "sen": "5"}, {"amount": 10.05, "currency": "JPY"}),
    ],
)
def test_money_value_table(groups: dict, expected: dict) -> None:
    value = money_value(groups, CURRENCIES, subunits=SUBUNITS)
    for key, want in expected.items():
        assert value[key] == want


@pytest.mark.parametrize(
    ("groups", "reason"),
    [
        ({"num": "9" * 25, "post": "美元"}, "absurd magnitude"),
        ({"num": "七十百", "post": "元"}, "unit order"),
        ({"num": "5", "post": "金币"}, "unknown currency"),
    ],
)
def test_money_value_errors_have_reasons(groups: dict, reason: str) -> None:
    with pytest.raises(FigureValueError, match=reason):
        money_value(groups, CURRENCIES)


@pytest.mark.parametrize(
    ("word", "code"), [("元人民币", "CNY"), ("港元", "HKD"), ("亿元", None), (None, None)]
)
def test_money_currency_code_table(word: str | None, code: str | None) -> None:
    assert currency_code(word, CURRENCIES) == code


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20), st.sampled_from(["元", "港元", "美元", "", "x"]))
def test_money_value_never_crashes(num: str, post: str) -> None:
    try:
        value = money_value({"num": num, "post": post}, CURRENCIES)
    except FigureValueError:
        return
    assert value["currency"] in set(CURRENCIES.values())
