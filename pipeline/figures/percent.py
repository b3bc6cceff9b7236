"""PERCENT values (schema v1): ``{"value": 10.8, "unit": "percent"}``.

Units are kept distinct: ``percent`` (%, 百分之, 成, 折), ``percentage_point``
(个百分点) and ``per_mille`` (‰, 千分之).  万分之 is expressed in percent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pipeline.figures.money import FigureValueError
from pipeline.figures.numbers import CN_DIGITS, NumberError, parse_number, to_json_number


def _num(text: str | None, k: str | None = None) -> Decimal:
    if not text:
        raise FigureValueError("missing number")
    if text == "百":  # 百分之百
        text = "100"
    if text == "半":
        return Decimal("0.5")
    try:
        value = parse_number(text)
    except NumberError as exc:
        raise FigureValueError(str(exc)) from exc
    if k:
        value *= 1000
    return value


def _zhe(text: str) -> Decimal:
    """折 discount: 8折 = 80%, 75折 = 75%, 9.9折 = 99%, 五五折 = 55%, 对折/半折 = 50%."""
    if text in ("对", "半"):
        return Decimal(50)
    if "." in text or "点" in text:
        return _num(text) * 10
    if len(text) == 2 and all(ch in CN_DIGITS for ch in text):
        return Decimal(CN_DIGITS[text[0]] * 10 + CN_DIGITS[text[1]])
    value = _num(text)
    return value * 10 if value < 10 else value


def percent_value(
    groups: dict[str, str | None], unit: str, *, max_value: float = 1e7
) -> dict[str, Any]:
    """Build the PERCENT value dict from a rule's groups and the rule's ``unit``.

    Decimal arithmetic errors (零分之五, overflow) and group values no rule can capture
    (a hand-edited rule) become :class:`FigureValueError`, so a malformed figure gets
    ``value: null`` with a reason instead of crashing.
    """
    try:
        return _percent_value(groups, unit, max_value=max_value)
    except ArithmeticError as exc:
        raise FigureValueError(f"cannot compute the percentage: {type(exc).__name__}") from exc
    except KeyError as exc:
        raise FigureValueError(f"unexpected percentage part {exc}") from None


def _percent_value(
    groups: dict[str, str | None], unit: str, *, max_value: float = 1e7
) -> dict[str, Any]:
    """Build the PERCENT value dict (see :func:`percent_value`).

    >>> percent_value({"num": "10.8", "u": "%"}, "percent")
    {'value': 10.8, 'unit': 'percent'}
    >>> percent_value({"num": "三"}, "cheng")
    {'value': 30, 'unit': 'percent'}
    >>> percent_value({"num": "两", "extra": "半"}, "cheng")
    {'value': 25, 'unit': 'percent'}
    >>> percent_value({"base": "千分之", "num": "五"}, "percent")
    {'value': 5, 'unit': 'per_mille'}
    >>> percent_value({"num": "15"}, "basis_point")
    {'value': 0.15, 'unit': 'percentage_point'}
    >>> percent_value({"num": "1", "num2": "3", "u": "%"}, "percent")
    {'value': 1, 'unit': 'percent', 'low': 1, 'high': 3}
    """
    k = groups.get("k")
    out_unit = unit
    sign = -1 if groups.get("sign") == "负" else 1
    if unit == "cheng":
        out_unit = "percent"
        value = _num(groups.get("num")) * 10
        extra = groups.get("extra")
        if extra == "半":
            value += 5
        elif extra:
            value += CN_DIGITS[extra]
        low, high = value, None
        if groups.get("num2"):
            high = _num(groups.get("num2")) * 10
    elif unit == "zhe":
        out_unit = "percent"
        low, high = _zhe(groups.get("num") or ""), None
    elif unit == "basis_point":  # 15个基点 = 0.15 percentage points
        out_unit = "percentage_point"
        low = _num(groups.get("num"), k) / 100 * sign
        high = _num(groups.get("num2"), k) / 100 if groups.get("num2") else None
    else:
        base = (groups.get("base") or "").replace("仟", "千").replace("佰", "百")
        scale = Decimal(1)
        if base == "千分之" or groups.get("u") == "‰":
            out_unit = "per_mille" if unit == "percent" else unit
        elif base and base != "百分之":
            try:  # 万分之 / 百万分之 ...: expressed in percent
                scale = Decimal(100) / parse_number(base[:-2])
            except NumberError as exc:
                raise FigureValueError(str(exc)) from exc
        low = _num(groups.get("num"), k) * scale * sign
        high = _num(groups.get("num2"), k) * scale if groups.get("num2") else None
    for v in (low, high):
        if v is not None and abs(v) > Decimal(str(max_value)):
            raise FigureValueError(f"absurd magnitude: {v:.3E} {out_unit}")
    if high is None:
        return {"value": to_json_number(low), "unit": out_unit}
    if high < low:  # written from high to low
        low, high = high, low
    return {  # schema v1: ``value`` is the low end of a range (a number, never null)
        "value": to_json_number(low),
        "unit": out_unit,
        "low": to_json_number(low),
        "high": to_json_number(high),
    }
