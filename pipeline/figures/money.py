"""MONEY values (schema v1): amount in currency units, ISO 4217 code, ranges, per-unit.

The recogniser hands over the named groups of the matching rule (``pre``/``post``
currency words, ``num``/``num2`` numbers, ``en`` English multiplier).  Qualifiers and
per-unit markers are found around the span by the recogniser and passed in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pipeline.figures.numbers import NumberError, parse_number, to_json_number

_MULTIPLIER_SUFFIXES = (
    "万亿",
    "千亿",
    "百亿",
    "十亿",
    "千万",
    "百万",
    "十万",
    "亿",
    "万",
    "兆",
    "千",
)


class FigureValueError(ValueError):
    """The span is a figure but its value cannot be trusted (reason in args[0])."""


def currency_code(word: str | None, currencies: dict[str, str]) -> str | None:
    """ISO code of a currency word/symbol; tolerates a leading/trailing 元.

    >>> currency_code("亿元", {"元": "CNY"}) is None
    True
    >>> currency_code("元人民币", {"人民币": "CNY", "元": "CNY"})
    'CNY'
    """
    word = (word or "").strip()
    if not word:
        return None
    if word in currencies:
        return currencies[word]
    for variant in (word.removeprefix("元"), word.removesuffix("元")):
        if variant and variant in currencies:
            return currencies[variant]
    return None


def _multiplier_of(num: str) -> str:
    for suffix in _MULTIPLIER_SUFFIXES:
        if num.endswith(suffix):
            return suffix
    return ""


def money_value(
    groups: dict[str, str | None],
    currencies: dict[str, str],
    *,
    approximate: bool = False,
    per: str | None = None,
    max_amount: float = 1e17,
    subunits: dict[str, tuple[str, int]] | None = None,
) -> dict[str, Any]:
    """Build the MONEY value dict from a rule's groups.

    >>> money_value({"num": "37.7亿", "post": "元"}, {"元": "CNY"})
    {'amount': 3770000000, 'currency': 'CNY', 'approximate': False, 'per': None}
    >>> v = money_value({"num": "10", "num2": "12亿", "post": "元"}, {"元": "CNY"})
    >>> v["low"], v["high"], v["amount"]
    (1000000000, 1200000000, 1000000000)
    >>> money_value({"num": "52", "post": "港仙"}, {}, subunits={"港仙": ("HKD", 100)})["amount"]
    0.52
    """
    pre, post, post1 = groups.get("pre"), groups.get("post"), groups.get("post1")
    sub = (subunits or {}).get(post or "")
    if sub is not None:  # 52港仙: amounts are reported in the currency unit
        code, per_unit = sub
        try:
            cents = parse_number(groups.get("num") or "")
        except NumberError as exc:
            raise FigureValueError(str(exc)) from exc
        return {
            "amount": to_json_number(cents / per_unit),
            "currency": code,
            "approximate": approximate,
            "per": per,
        }
    code = currency_code(pre, currencies) or currency_code(post, currencies)
    code = code or currency_code(post1, currencies)
    if code is None:
        raise FigureValueError(f"unknown currency {pre or post or post1!r}")
    num = groups.get("num") or ""
    en = groups.get("en") or ""
    try:
        low = parse_number(num + en)
        high: Decimal | None = None
        if groups.get("num2"):
            num2 = groups["num2"] or ""
            high = parse_number(num2 + en)
            # "10至12亿元": the low end borrows the multiplier of the high end.
            if not _multiplier_of(num) and _multiplier_of(num2) and not post1:
                low = parse_number(num + _multiplier_of(num2))
    except NumberError as exc:
        raise FigureValueError(str(exc)) from exc
    # Sub-units written after the unit: 五元三毛 = 5.3, 两美元又三美分 = 2.03, 10日元5銭 = 10.05.
    for key, scale in (
        ("jiao", Decimal("0.1")),
        ("fen", Decimal("0.01")),
        ("cent", Decimal("0.01")),
        ("sen", Decimal("0.01")),  # 10日元5日本銭: 1 yen = 100 sen
    ):
        if groups.get(key):
            try:
                low += parse_number(groups[key] or "") * scale
            except NumberError as exc:
                raise FigureValueError(str(exc)) from exc
    for value in (low, high):
        if value is not None and abs(value) > Decimal(str(max_amount)):
            raise FigureValueError(f"absurd magnitude: {value:.3E} {code}")
    approximate = approximate or any(ch in num for ch in "多余")
    result: dict[str, Any] = {
        "amount": None,  # set below: the value, or the low end of a range (schema v1)
        "currency": code,
        "approximate": approximate,
        "per": per,
    }
    if high is not None:
        if high < low:  # "29640-28165美元": a range written from high to low
            low, high = high, low
        result["low"] = to_json_number(low)
        result["high"] = to_json_number(high)
    result["amount"] = to_json_number(low)
    return result
