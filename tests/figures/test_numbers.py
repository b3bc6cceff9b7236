from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures.numbers import NumberError, parse_number, to_json_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("37.7亿", Decimal("3770000000")),
        ("1,137", Decimal(1137)),
        ("1,137亿", Decimal("113700000000")),
        ("6368", Decimal(6368)),
        ("４５", Decimal(45)),
        ("三十七亿", Decimal("3700000000")),
        ("一百零三点一", Decimal("103.1")),
        ("两千五百万", Decimal(25000000)),
        ("十二点五", Decimal("12.5")),
        ("3.5万亿", Decimal("3500000000000")),
        ("-1.64", Decimal("-1.64")),
        ("负3.9", Decimal("-3.9")),
        ("千亿", Decimal(10**11)),
        ("一万五", Decimal(15000)),
        ("两千五", Decimal(2500)),
        ("二〇二四", Decimal(2024)),
        ("四十九兆九千五百九十二亿", Decimal("49959200000000")),
        ("拾万零五十六点叁叁", Decimal("100056.33")),
        ("45億", Decimal("4500000000")),
        ("3千", Decimal(3000)),
        ("100多万", Decimal(1000000)),
        ("1.2billion", Decimal("1200000000")),
        ("15k", Decimal(15000)),
        ("三千零五", Decimal(3005)),
    ],
)
def test_numbers_parse_table(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "点", "七十百", "1e999999", "9" * 40, "二点三点四", "abc"])
def test_numbers_reject_with_reason(text: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(text)
    assert info.value.args[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("3770000000.0"), 3770000000), (Decimal("10.80"), 10.8), (Decimal("0.1"), 0.1)],
)
def test_numbers_json_number_has_no_float_noise(value: Decimal, expected: int | float) -> None:
    out = to_json_number(value)
    assert out == expected and type(out) is type(expected)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("0123456789.,-负零一二两三四五六七八九十百千万亿兆点多k"),
        max_size=30,
    )
)
def test_numbers_never_crash_on_numeral_soup(text: str) -> None:
    try:
        value = parse_number(text)
    except NumberError:
        return
    assert value.is_finite()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_numbers_never_crash_on_unicode(text: str) -> None:
    try:
        value = parse_number(text)
    except NumberError as exc:
        assert exc.args[0]  # every refusal carries a reason
        return
    assert value.is_finite()
