"""DATE values (schema v1): inclusive ISO ``start``/``end``, granularity, relative, fiscal.

Relative expressions (今年, 去年同期, 上一季度, a month-day without a year ...) are
resolved against the publication date ``doc._.pub_date``; ``同年`` and
``去年同期`` use the previous date of the same document (the *anchor*).  Without what
they need they get ``start``/``end`` null and an ``unresolved`` reason; impossible
dates (``2月30日``) raise :class:`~pipeline.figures.money.FigureValueError`.

A date without a year resolves to the most recent plausible one: the latest period
that has started on or before the publication date (``12月31日`` in an article of
2025-03-26 is 2024-12-31).  Fiscal years follow ``configs/figures/fiscal_years.yaml``.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pipeline.figures.lexicon import FiscalRule
from pipeline.figures.money import FigureValueError
from pipeline.figures.numbers import NumberError, parse_number

CALENDAR = FiscalRule(start_month=1, named_by="end")
_CN_DIGIT = dict(zip("零〇一二三四五六七八九", (0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))


class Unresolved(Exception):
    """A relative date whose reference is missing (reason in args[0])."""


@dataclass
class DateContext:
    """What a date may be resolved against."""

    pub: date | None = None
    anchor_year: int | None = None  # year of the previous dated expression in the doc
    last_period: tuple[date, date, str] | None = None  # previous resolved period
    fiscal: FiscalRule = CALENDAR
    default_year: int | None = None  # set for the right side of a range
    default_month: int | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def parse_pub_date(value: Any) -> date | None:
    """``YYYY-MM-DD`` (or a date) -> date; anything else -> None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _int(text: str, what: str) -> int:
    try:
        value = parse_number(text)
    except NumberError as exc:
        raise FigureValueError(f"bad {what} {text!r}: {exc}") from exc
    if value != int(value):
        raise FigureValueError(f"{what} {text!r} is not a whole number")
    return int(value)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _make_day(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise FigureValueError(f"month {month} out of range")
    if not 1 <= year <= 9999:
        raise FigureValueError(f"year {year} out of range")
    last = _last_day(year, month)
    if not 1 <= day <= last:
        raise FigureValueError(f"day {day} out of range for {year}-{month:02d}")
    return date(year, month, day)


def fiscal_span(label: int, rule: FiscalRule) -> tuple[date, date]:
    """First and last day of fiscal year ``label`` under ``rule``.

    >>> fiscal_span(2024, CALENDAR)
    (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    >>> fiscal_span(2025, FiscalRule(4, "end"))
    (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    """
    shifted = rule.start_month != 1 and rule.named_by == "end"
    start_year = label - 1 if shifted else label
    start = date(start_year, rule.start_month, 1)
    ey, em = _add_months(start_year, rule.start_month, 11)
    return start, date(ey, em, _last_day(ey, em))


def fiscal_label_of(day: date, rule: FiscalRule) -> int:
    """Fiscal year label containing ``day``."""
    for label in (day.year - 1, day.year, day.year + 1):
        start, end = fiscal_span(label, rule)
        if start <= day <= end:
            return label
    raise FigureValueError("no fiscal year contains the date")  # pragma: no cover


def _period(start: date, end: date, gran: str, relative: bool, fiscal: bool) -> dict[str, Any]:
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "granularity": gran,
        "relative": relative,
        "fiscal": fiscal,
    }


def _lunar_unresolved() -> dict[str, Any]:
    """A lunar-calendar date: found, but not converted (no conversion table)."""
    return {
        "start": None,
        "end": None,
        "granularity": "day",
        "relative": False,
        "fiscal": False,
        "unresolved": "lunar calendar date (no conversion table)",
    }


def unresolved(reason: str, gran: str, fiscal: bool = False) -> dict[str, Any]:
    return {
        "start": None,
        "end": None,
        "granularity": gran,
        "relative": True,
        "fiscal": fiscal,
        "unresolved": reason,
    }


def _granularity(groups: dict[str, str | None]) -> str:
    if groups.get("d"):
        return "day"
    if groups.get("part") in ("底", "末"):
        return "day"
    if groups.get("part"):
        return "ten_days"
    if groups.get("m") or groups.get("nm"):
        return "month"
    if any(groups.get(k) for k in ("q", "q2", "q3", "q4", "nq")):
        return "quarter"
    if groups.get("h"):
        return "half"
    if groups.get("season"):
        return "season"
    if groups.get("ypart") in ("年初", "初", "年底", "年末", "底", "末", "年中"):
        return "day"
    return "year"


def _need_pub(ctx: DateContext, gran: str) -> date:
    if ctx.pub is None:
        raise Unresolved("relative date and no publication date")
    return ctx.pub


def _year_of(groups: dict[str, str | None], ctx: DateContext) -> tuple[int | None, bool, bool]:
    """(label year or None, relative, fiscal) from y / fy / rel / frel / fyw groups."""
    fyw = groups.get("fyw") or ""
    # 年度 alone ("2024年度报告") is the calendar year unless the company's fiscal year
    # differs; 财年 / FY always mark a fiscal period.
    fiscal = bool(
        groups.get("fy")
        or groups.get("frel")
        or fyw in ("财年", "财政年度")
        or (fyw == "年度" and ctx.fiscal.start_month != 1)
    )
    if groups.get("yy"):
        yy = int("".join(str(_CN_DIGIT.get(ch, ch)) for ch in groups["yy"] or "0"))
        pivot = (ctx.pub.year % 100 + 5) if ctx.pub else 50
        return (2000 + yy if yy <= pivot else 1900 + yy), False, fiscal
    if groups.get("y"):
        year = _int(groups["y"] or "", "year")
        if not 1000 <= year <= 9998:
            raise FigureValueError(f"year {year} out of range")
        return year, False, fiscal
    if groups.get("fy"):
        fy = groups["fy"] or ""
        year = int(fy)
        return (2000 + year if len(fy) == 2 else year), False, True
    rel = groups.get("rel")
    if rel:
        if rel in ("同年", "当年"):
            if ctx.anchor_year is None:
                raise Unresolved(f"{rel}: no earlier year in the document")
            return ctx.anchor_year, True, False
        if rel in ("次年", "翌年"):
            if ctx.anchor_year is None:
                raise Unresolved(f"{rel}: no earlier year in the document")
            return ctx.anchor_year + 1, True, False
        pub = _need_pub(ctx, "year")
        offset = {"今年": 0, "本年": 0, "本年度": 0, "去年": -1, "上年": -1, "上一年": -1,
                  "前年": -2, "明年": 1}[rel]  # fmt: skip
        return pub.year + offset, True, rel == "本年度"
    frel = groups.get("frel")
    if frel:
        pub = _need_pub(ctx, "year")
        label = fiscal_label_of(pub, ctx.fiscal)
        if frel.startswith("上"):
            label -= 1
        elif frel.startswith("下"):
            label += 1
        return label, True, True
    if ctx.default_year is not None:
        return ctx.default_year, False, fiscal
    return None, True, fiscal


def _span_in_year(
    year: int, groups: dict[str, str | None], fiscal: bool, ctx: DateContext
) -> tuple[date, date]:
    """The period the groups describe inside (fiscal) year ``year``."""
    rule = ctx.fiscal if fiscal else CALENDAR
    ystart, yend = fiscal_span(year, rule)
    q = groups.get("q") or groups.get("q2") or groups.get("q3")
    if groups.get("q4"):  # 首季 (HK): the first quarter
        q = "1"
    if groups.get("m"):
        month = _int(groups["m"] or "", "month")
        if not 1 <= month <= 12:
            raise FigureValueError(f"month {month} out of range")
        if groups.get("m2"):
            month2 = _int(groups["m2"] or "", "month")
            if not month <= month2 <= 12:
                raise FigureValueError(f"month range {month}-{month2} is invalid")
            return _make_day(year, month, 1), _make_day(year, month2, _last_day(year, month2))
        if groups.get("d"):
            d = _make_day(year, month, _int(groups["d"] or "", "day"))
            return d, d
        last = _last_day(year, month)
        part = groups.get("part")
        if part in ("初", "上旬"):
            return date(year, month, 1), date(year, month, 10)
        if part in ("中旬", "中"):
            return date(year, month, 11), date(year, month, 20)
        if part == "下旬":
            return date(year, month, 21), date(year, month, last)
        if part in ("底", "末"):
            return date(year, month, last), date(year, month, last)
        return date(year, month, 1), date(year, month, last)
    if q:
        k = _int(q, "quarter")
        if not 1 <= k <= 4:
            raise FigureValueError(f"quarter {k} out of range")
        sy, sm = _add_months(ystart.year, ystart.month, 3 * (k - 1))
        ey, em = _add_months(sy, sm, 2)
        return date(sy, sm, 1), date(ey, em, _last_day(ey, em))
    season = groups.get("season")
    if season:
        first_month = {"春": 3, "夏": 6, "秋": 9, "冬": 12}[season]
        ey, em = _add_months(year, first_month, 2)
        return date(year, first_month, 1), date(ey, em, _last_day(ey, em))
    if groups.get("h"):
        first = groups["h"] in ("上", "H1", "中期", "半年度")  # interim = first half
        sy, sm = (ystart.year, ystart.month) if first else _add_months(ystart.year, ystart.month, 6)
        ey, em = _add_months(sy, sm, 5)
        return date(sy, sm, 1), date(ey, em, _last_day(ey, em))
    if groups.get("nq") or groups.get("nm"):
        months = (
            3 * _int(groups["nq"], "quarters")
            if groups.get("nq")
            else _int(groups["nm"] or "", "months")
        )
        if not 1 <= months <= 12:
            raise FigureValueError(f"first {months} months is not within a year")
        ey, em = _add_months(ystart.year, ystart.month, months - 1)
        return ystart, date(ey, em, _last_day(ey, em))
    ypart = groups.get("ypart")
    if ypart in ("年初", "初"):
        return ystart, ystart
    if ypart in ("年底", "年末", "底", "末"):
        return yend, yend
    if ypart == "年中":
        mid = _add_months(ystart.year, ystart.month, 5)
        d = date(mid[0], mid[1], _last_day(*mid))
        return d, d
    return ystart, yend


def resolve_date(groups: dict[str, str | None], ctx: DateContext) -> dict[str, Any]:
    """DATE value for one rule match (not a range).

    >>> ctx = DateContext(pub=date(2025, 3, 26))
    >>> resolve_date({"y": "2025", "q": "四"}, ctx)["start"]
    '2025-10-01'
    >>> resolve_date({"m": "12", "d": "31"}, ctx)["start"]
    '2024-12-31'
    >>> resolve_date({"rel": "去年"}, DateContext())["unresolved"]
    'relative date and no publication date'
    """
    # A rule's match gives every named group (None when it did not take part); callers
    # that pass only some groups get the same behaviour instead of a KeyError.  Group
    # values outside what the rules can capture (a hand-edited rule, a fuzzer) become a
    # value error with a reason, never a crash.
    try:
        return _resolve_date(defaultdict(lambda: None, groups), ctx)
    except KeyError as err:
        raise FigureValueError(f"unexpected date part {err}") from None


def _resolve_date(groups: dict[str, str | None], ctx: DateContext) -> dict[str, Any]:
    if groups.get("d") and not groups.get("m") and ctx.default_month is not None:
        groups = {**groups, "m": str(ctx.default_month)}
    if groups.get("dm1"):
        a, b = int(groups["dm1"] or 0), int(groups.get("dm2") or 0)
        d, m = (b, a) if b > 12 else (a, b)  # day-first (3-7-2017 = 3 July) unless impossible
        groups = {**groups, "m": str(m), "d": str(d)}
    if groups.get("era"):
        return _era(groups)
    if groups.get("lunar"):
        return _lunar_unresolved()
    gran = _granularity(groups)
    try:
        if groups.get("plen"):
            return _period_ending(groups, ctx)
        if groups.get("wd") or groups.get("wrel"):
            return _week(groups, ctx)
        if groups.get("dec"):
            return _decade(groups, ctx)
        if groups.get("relm"):
            return _relative_month_day(groups, ctx)
        if groups.get("roll"):
            return _rolling(groups, ctx)
        if groups.get("relp"):
            return _relative_phrase(groups["relp"] or "", ctx)
        if groups.get("y2"):
            return _fiscal_pair(groups, ctx)
        year, relative, fiscal = _year_of(groups, ctx)
        if year is not None:
            start, end = _span_in_year(year, groups, fiscal, ctx)
            return _period(start, end, gran, relative, fiscal)
        if groups.get("d") and not groups.get("m"):
            return _bare_day(groups, ctx)
        pub = _need_pub(ctx, gran)
        error: FigureValueError | None = None
        for candidate in range(pub.year, pub.year - 9, -1):
            try:  # 2月29日 exists only in leap years: look back a few years
                start, end = _span_in_year(candidate, groups, fiscal, ctx)
            except FigureValueError as exc:
                error = error or exc
                if not groups.get("d"):
                    raise
                continue
            if start <= pub:
                return _period(start, end, gran, True, fiscal)
        raise error or FigureValueError("no plausible year for the date")
    except Unresolved as exc:
        return unresolved(str(exc), gran)
    except FigureValueError:
        raise
    except (ValueError, OverflowError) as exc:  # datetime limits (year 0, date.max + 1)
        raise FigureValueError(f"date out of range: {exc}") from exc


_PERIOD_GRANULARITY = {12: "year", 6: "half", 3: "quarter"}


def _period_ending(groups: dict[str, str | None], ctx: DateContext) -> dict[str, Any]:
    """截至2024年6月30日止六个月 / 止年度 / 止季度: the months that end on the given day.

    Hong Kong results name their period by its last day; the period, not that day,
    is what the figures beside it refer to.  A 12-month period that does not end on
    31 December is a fiscal year.
    """
    length = groups["plen"] or ""
    named = {"季度": 3, "半年度": 6, "年度": 12, "财政年度": 12}
    months = named.get(length) or _int(length.removesuffix("个月"), "period length")
    if not 1 <= months <= 24:
        raise FigureValueError(f"a reporting period of {months} months")
    year, relative, _ = _year_of(groups, ctx)
    if year is None:
        raise FigureValueError("a period ending on a day needs the day's year")
    _, end = _span_in_year(year, groups, False, ctx)
    after = end + timedelta(days=1)
    y, m = _add_months(after.year, after.month, -months)
    start = date(y, m, min(after.day, _last_day(y, m)))
    fiscal = months == 12 and (end.month, end.day) != (12, 31)
    gran = _PERIOD_GRANULARITY.get(months, "month")
    return _period(start, end, gran, relative, fiscal)


_WEEK_OFFSETS = {"上上": -2, "下下": 2, "上": -1, "下": 1, "本": 0, "这": 0}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def _week(groups: dict[str, str | None], ctx: DateContext) -> dict[str, Any]:
    """上周 / 下周末 / 周三 / 上周一: weeks run Monday..Sunday."""
    pub = _need_pub(ctx, "week")
    wrel = groups.get("wrel") or ""
    monday = pub - timedelta(days=pub.weekday())
    offset = next((v for k, v in _WEEK_OFFSETS.items() if wrel.startswith(k)), 0)
    wd = groups.get("wd")
    if wd is None:
        start = monday + timedelta(weeks=offset)
        if groups.get("wend"):
            return _period(start + timedelta(days=5), start + timedelta(days=6), "day", True, False)
        return _period(start, start + timedelta(days=6), "week", True, False)
    index = _WEEKDAYS[wd]
    if wrel:
        day = monday + timedelta(weeks=offset, days=index)
    else:  # bare weekday: the most recent one on or before the publication date
        day = pub - timedelta(days=(pub.weekday() - index) % 7)
    return _period(day, day, "day", True, False)


def _decade(groups: dict[str, str | None], ctx: DateContext) -> dict[str, Any]:
    """90年代 / 上世纪90年代 / 19世纪70年代."""
    dec = _int(groups["dec"] or "", "decade")
    cent = groups.get("cent") or ""
    relative = False
    if cent.startswith("上"):
        base = 1900
    elif cent.startswith("本"):
        base = 2000
    elif cent:
        base = (_int(cent.removesuffix("世纪"), "century") - 1) * 100
    else:
        pub = ctx.pub or date(2000, 1, 1)
        base = (pub.year // 100) * 100
        if base + dec > pub.year:
            base -= 100
        relative = ctx.pub is not None
    start = date(base + dec, 1, 1)
    return _period(start, date(base + dec + 9, 12, 31), "decade", relative, False)


def _relative_month_day(groups: dict[str, str | None], ctx: DateContext) -> dict[str, Any]:
    """本月十日 / 去年本月十日 / 上月15日 / 上月末."""
    pub = _need_pub(ctx, "day")
    relm = groups.get("relm") or ""
    delta = -1 if relm.startswith("上") else 1 if relm.startswith("下") else 0
    year, month = _add_months(pub.year, pub.month, delta)
    if groups.get("rel"):
        year_of, _, _ = _year_of({"rel": groups["rel"]}, ctx)
        year = year_of or year
    if not groups.get("d"):  # 上月末 / 本月初: a part of the month
        sub = {"m": str(month), "part": groups.get("part")}
        start, end = _span_in_year(year, sub, False, ctx)
        return _period(start, end, _granularity(sub), True, False)
    d = _make_day(year, month, _int(groups["d"] or "", "day"))
    return _period(d, d, "day", True, False)


# Gregorian year of the first year (元年) of an era: 康熙三年 = 1662 + 3 - 1 = 1664.
ERA_FIRST_YEAR = {
    "贞观": 627, "神龙": 705, "开元": 713, "洪武": 1368, "永乐": 1403, "万历": 1573,
    "崇祯": 1628, "康熙": 1662, "雍正": 1723, "乾隆": 1736, "嘉庆": 1796, "道光": 1821,
    "咸丰": 1851, "同治": 1862, "光绪": 1875, "宣统": 1909, "民国": 1912,
}  # fmt: skip


def _era(groups: dict[str, str | None]) -> dict[str, Any]:
    """Era years (民国三年, 康熙三年) map to Gregorian years; months are read as numbered.

    Like 民国 dates, a numbered month is taken as that Gregorian month (the convention of
    the sources that write them).  Lunar month names and lunar days (正月, 初一, 大年三十)
    stay unresolved: there is no lunar conversion table.
    """
    year_text = groups.get("eray") or ""
    n = 1 if year_text == "元" else _int(year_text, "era year")
    year = ERA_FIRST_YEAR[groups.get("era") or ""] + n - 1
    month_text = groups.get("eram") or ""
    day_text = groups.get("erad") or ""
    lunar = (
        groups.get("eralunar") or month_text[:-1] in ("正", "腊", "冬") or day_text.startswith("初")
    )
    if lunar:
        return _lunar_unresolved()
    if not month_text:
        return _period(date(year, 1, 1), date(year, 12, 31), "year", False, False)
    month = _int(month_text[:-1], "month")
    if day_text:
        d = _make_day(year, month, _int(day_text.rstrip("日号"), "day"))
        return _period(d, d, "day", False, False)
    return _period(
        date(year, month, 1), date(year, month, _last_day(year, month)), "month", False, False
    )


_ROLL_UNITS = {"年": ("year", 12), "季度": ("quarter", 3), "月": ("month", 1)}


def _rolling(groups: dict[str, str | None], ctx: DateContext) -> dict[str, Any]:
    """近三年 / 过去十年 / 未来两天: a window ending at (or starting after) the pub date."""
    pub = _need_pub(ctx, "day")
    unit = groups.get("ru") or ""
    n_text = groups.get("rn") or ""
    future = (groups.get("roll") or "") in ("未来", "后", "下")
    if n_text == "半":
        if unit != "年":
            raise FigureValueError(f"half a {unit} is not a window")
        unit, n = "月", 6
    else:
        n = _int(n_text, "window length")
    sign = 1 if future else -1
    if unit in _ROLL_UNITS:
        gran, months = _ROLL_UNITS[unit]
        y, m = _add_months(pub.year, pub.month, sign * n * months)
        other = date(y, m, min(pub.day, _last_day(y, m)))
    else:
        gran = "week" if unit in ("周", "星期") else "day"
        days = n * 7 if gran == "week" else n
        other = pub + timedelta(days=sign * days)
    if future:
        return _period(pub + timedelta(days=1), other, gran, True, False)
    return _period(other, pub, gran, True, False)


def _bare_day(groups: dict[str, str | None], ctx: DateContext) -> dict[str, Any]:
    pub = _need_pub(ctx, "day")
    day = _int(groups["d"] or "", "day")
    if not 1 <= day <= 31:
        raise FigureValueError(f"day {day} out of range")
    year, month = pub.year, pub.month
    for _ in range(3):
        if day <= _last_day(year, month) and date(year, month, day) <= pub:
            d = date(year, month, day)
            return _period(d, d, "day", True, False)
        year, month = _add_months(year, month, -1)
    raise FigureValueError(f"day {day} does not fit recent months")  # pragma: no cover


def _fiscal_pair(groups: dict[str, str | None], ctx: DateContext) -> dict[str, Any]:
    """``2024/25财年``: the fiscal year spanning both calendar years."""
    y1 = _int(groups["y"] or "", "year")
    y2_text = groups["y2"] or ""
    y2 = (y1 // 100) * 100 + int(y2_text) if len(y2_text) == 2 else _int(y2_text, "year")
    if y2 != y1 + 1:
        raise FigureValueError(f"fiscal year {y1}/{y2_text} does not span consecutive years")
    rule = ctx.fiscal if ctx.fiscal.start_month != 1 else FiscalRule(4, "end")
    label = y2 if rule.named_by == "end" else y1
    if any(groups.get(k) for k in ("q", "q2", "q3", "q4", "h", "m", "nq", "nm")):
        # 2024/25财年第三财季: a period inside that fiscal year.
        inner = DateContext(pub=ctx.pub, fiscal=rule)
        start, end = _span_in_year(label, groups, True, inner)
        return _period(start, end, _granularity(groups), False, True)
    start, end = fiscal_span(label, rule)
    return _period(start, end, "year", False, True)


def _quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def _relative_phrase(phrase: str, ctx: DateContext) -> dict[str, Any]:
    if phrase in ("去年同期", "上年同期"):
        if ctx.last_period is None:
            raise Unresolved(f"{phrase}: no earlier period in the document")
        start, end, gran = ctx.last_period
        try:
            s = start.replace(year=start.year - 1)
            e = end.replace(year=end.year - 1)
        except ValueError:  # 29 Feb
            s = start.replace(year=start.year - 1, day=28)
            e = end.replace(year=end.year - 1, day=28)
        # 去年同期 after a fiscal quarter is that fiscal quarter a year earlier.
        return _period(s, e, gran, True, bool(ctx.notes.get("last_fiscal")))
    pub = _need_pub(ctx, "day")
    if phrase in ("年初至今", "年初迄今", "今年以来", "年初以来", "今年迄今"):
        return _period(date(pub.year, 1, 1), pub, "day", True, False)
    if "季" in phrase:
        year, q = _quarter_of(pub)
        delta = -1 if phrase.startswith("上") else 1 if phrase.startswith("下") else 0
        index = year * 4 + (q - 1) + delta
        year, q = index // 4, index % 4 + 1
        start = date(year, 3 * q - 2, 1)
        em = 3 * q
        return _period(start, date(year, em, _last_day(year, em)), "quarter", True, False)
    if "月" in phrase:
        delta = -1 if phrase.startswith("上") else 1 if phrase.startswith("下") else 0
        y, m = _add_months(pub.year, pub.month, delta)
        return _period(date(y, m, 1), date(y, m, _last_day(y, m)), "month", True, False)
    days = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "明天": 1, "明日": 1,
            "后天": 2, "大后天": 3, "前天": -2, "大前天": -3}  # fmt: skip
    if phrase in days:
        d = pub + timedelta(days=days[phrase])
        return _period(d, d, "day", True, False)
    if phrase == "年初":
        d = date(pub.year, 1, 1)
    elif phrase in ("年底", "年末"):
        d = date(pub.year, 12, 31)
    elif phrase == "年中":
        d = date(pub.year, 6, 30)
    else:
        raise Unresolved(f"no resolution for {phrase!r}")
    return _period(d, d, "day", True, False)


def combine_range(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """One DATE value for ``left 至 right`` (both already resolved)."""
    if left.get("start") is None or right.get("start") is None:
        reason = left.get("unresolved") or right.get("unresolved") or "unresolved side"
        return unresolved(reason, left.get("granularity", "day"))
    if right["end"] < left["start"]:
        raise FigureValueError("date range ends before it starts")
    order = ["day", "week", "ten_days", "month", "quarter", "season", "half", "year", "decade"]
    grans = [left["granularity"], right["granularity"]]
    gran = min(grans, key=lambda g: order.index(g) if g in order else 0)
    return {
        "start": left["start"],
        "end": right["end"],
        "granularity": gran,
        "relative": bool(left["relative"] or right["relative"]),
        "fiscal": bool(left["fiscal"] or right["fiscal"]),
    }
