"""Numbers as written in Chinese news -> exact ``Decimal``.

Handles Arabic digits (with ``,`` thousands separators and decimals), Chinese
numerals (everyday ``三十七``/``两千五百万``/``一百零三点一`` and financial
``壹贰叁``), mixed forms (``3.5万亿``), multipliers (千/万/十万/百万/千万/亿/万亿/兆,
``k``/``million``/``billion``), digit strings (``二〇二四``) and signs (``-``, ``负``).

Input is expected to be normalised by :func:`pipeline.figures.textnorm.normalise`
(half-width, simplified); the parser still tolerates a few variants itself.
Decimal keeps ``37.7亿`` exactly 3770000000 (no float noise).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from pipeline.figures.textnorm import normalise

CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3,
    "叁": 3, "参": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7,
    "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
for _d in "0123456789":
    CN_DIGITS[_d] = int(_d)

SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"兆": 10**12, "亿": 10**8, "万": 10**4}
ENGLISH_MULTIPLIERS: dict[str, int] = {
    "k": 10**3, "K": 10**3, "thousand": 10**3, "m": 10**6, "mn": 10**6, "M": 10**6,
    "million": 10**6, "b": 10**9, "bn": 10**9, "B": 10**9, "billion": 10**9,
    "t": 10**12, "tn": 10**12, "trillion": 10**12,
}  # fmt: skip

# Anything larger is reported as an overflow instead of a value (1e30 is far beyond
# any real amount, and keeps Decimal arithmetic cheap).
MAX_MAGNITUDE = Decimal(10) ** 30


class NumberError(ValueError):
    """The text looks like a number but has no sensible value (reason in args[0])."""


def parse_number(text: str) -> Decimal:
    """Parse a number expression into a Decimal; raise :class:`NumberError` if not.

    >>> parse_number("37.7亿")
    Decimal('3770000000.0')
    >>> int(parse_number("1,137亿"))
    113700000000
    >>> parse_number("三十七亿")
    Decimal('3700000000')
    >>> parse_number("一百零三点一")
    Decimal('103.1')
    >>> parse_number("两千五百万")
    Decimal('25000000')
    >>> parse_number("十二点五")
    Decimal('12.5')
    >>> parse_number("3.5万亿")
    Decimal('3500000000000.0')
    >>> parse_number("负1.64"), parse_number("-1.64")
    (Decimal('-1.64'), Decimal('-1.64'))
    >>> parse_number("４５")
    Decimal('45')
    >>> parse_number("二〇二四")
    Decimal('2024')
    >>> parse_number("1.2billion")
    Decimal('1200000000.0')
    """
    s = normalise(text).strip().replace(" ", "")
    if not s:
        raise NumberError("empty number")
    sign = 1
    if s[0] in "-+":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    elif s.startswith("负"):
        sign, s = -1, s[1:]
    elif s.startswith("正"):
        s = s[1:]
    s = s.replace("多", "").replace("余", "")
    if not s:
        raise NumberError("no digits")
    # English multiplier suffix (only after Arabic digits: 1.2billion, 15k).
    for word in sorted(ENGLISH_MULTIPLIERS, key=len, reverse=True):
        if s.endswith(word) and s[: -len(word)] and s[-len(word) - 1].isdigit():
            value = _parse_core(s[: -len(word)]) * ENGLISH_MULTIPLIERS[word]
            return _check(value * sign)
    return _check(_parse_core(s) * sign)


def _check(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) >= MAX_MAGNITUDE:
        raise NumberError("overflow: magnitude beyond 1e30")
    return value


def _parse_core(s: str) -> Decimal:
    """Number without sign: split on the largest big unit present, recursively."""
    if len(s) > 200:
        raise NumberError("overflow: number text too long")
    for unit in ("兆", "亿", "万"):
        idx = s.rfind(unit)
        if idx < 0:
            continue
        head, tail = s[:idx], s[idx + 1 :]
        head_value = _parse_core(head) if head else Decimal(1)
        if head and head[-1] == "零":
            raise NumberError(f"malformed numeral before {unit}")
        tail_value = Decimal(0)
        if tail:
            tail_value = _parse_tail(tail, BIG_UNITS[unit])
        return head_value * BIG_UNITS[unit] + tail_value
    return _parse_section(s)


def _parse_tail(tail: str, unit_value: int) -> Decimal:
    """Value after a big unit; ``一万五`` means 15000 (abbreviated next unit)."""
    stripped = tail.lstrip("零")
    if not stripped:
        return Decimal(0)
    if stripped == tail and len(tail) == 1 and tail in CN_DIGITS and not tail.isdigit():
        return Decimal(CN_DIGITS[tail]) * (unit_value // 10)
    value = _parse_core(tail)
    if value >= unit_value:
        raise NumberError("malformed numeral: lower part exceeds its unit")
    return value


def _parse_section(s: str) -> Decimal:
    """A number below 10^4 (possibly with decimals), Arabic or Chinese."""
    if not s:
        raise NumberError("empty section")
    arabic = s.replace(",", "")
    if arabic.replace(".", "", 1).isdigit() and arabic[0] != "." and arabic[-1] != ".":
        try:
            return Decimal(arabic)
        except InvalidOperation as exc:  # pragma: no cover - guarded by isdigit
            raise NumberError(f"bad Arabic number {s!r}") from exc
    # Multipliers written after Arabic digits: 5千, 3百, 2十 (rare but seen).
    if s[-1] in SMALL_UNITS and s[:-1] and s[:-1].replace(".", "", 1).isdigit():
        return Decimal(s[:-1]) * SMALL_UNITS[s[-1]]
    integer, _, frac = s.partition("点")
    if "点" in frac:
        raise NumberError("two decimal points")
    if "点" in s and (not integer or not frac):
        raise NumberError("decimal point without digits on both sides")
    value = _parse_cn_integer(integer) if integer else Decimal(0)
    if frac:
        if not all(ch in CN_DIGITS for ch in frac):
            raise NumberError(f"bad decimal digits {frac!r}")
        value += Decimal("0." + "".join(str(CN_DIGITS[ch]) for ch in frac))
    return value


def _parse_cn_integer(s: str) -> Decimal:
    """Chinese integer below 10^4: ``三千零五``, ``十二``, ``两千五`` or ``二〇二四``."""
    if all(ch in CN_DIGITS for ch in s):
        if len(s) == 1:
            return Decimal(CN_DIGITS[s])
        return Decimal("".join(str(CN_DIGITS[ch]) for ch in s))  # digit string
    total = 0
    digit: int | None = None
    last_unit = 10**4
    zero_seen = False
    for ch in s:
        if ch in CN_DIGITS:
            if digit is not None and not (ch in "零〇" or zero_seen):
                raise NumberError(f"two digits in a row in {s!r}")
            digit = CN_DIGITS[ch]
            if ch in "零〇":
                zero_seen = True
                digit = None
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if unit >= last_unit:
                raise NumberError(f"unit order in {s!r}")
            total += (1 if digit is None else digit) * unit
            digit, last_unit, zero_seen = None, unit, False
        else:
            raise NumberError(f"unexpected character {ch!r}")
    if digit is not None:
        # 两千五 = 2500: a trailing digit right after a unit means the next unit down.
        if not zero_seen and last_unit >= 100 and last_unit < 10**4 and s[-2] in SMALL_UNITS:
            total += digit * (last_unit // 10)
        else:
            total += digit
    return Decimal(total)


def to_json_number(value: Decimal) -> int | float:
    """Int for whole values, float otherwise (schema v1), without float noise.

    >>> to_json_number(Decimal("3770000000.0")), to_json_number(Decimal("10.80"))
    (3770000000, 10.8)
    """
    if value == value.to_integral_value():
        return int(value)
    return float(value.normalize())
