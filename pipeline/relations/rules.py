"""Rules for what rules do best: metric, kind, comparison, direction, from/to, period.

Every decision looks only at the figure's own clause prefix (the text between the
previous figure or clause break and the figure) and at a few neighbours found by
binary search, so the cost per figure is bounded by the clause length, never by the
number of figures in the paragraph.

Kinds: ``share`` when a share cue (占/占比/比重) is in the prefix; ``change`` right
after a change cue (增长/下降/收窄...) or with a rate cue (增速/增幅); ``ratio`` when
the metric is a ratio metric (毛利率); ``value`` otherwise (a level, also after
增至/降至).  ``亏损收窄`` is a decrease (down) of the loss.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace

from pipeline.relations.document import Cue, DocView, Ent, Mention

# How far (characters) a change cue may sit before its figure: 增长了约10.8%.
_CHANGE_GAP = 5
# How far a to-cue (增至/降至) may sit before its figure.
_TO_GAP = 3
# How far before a figure 由/从 may open a from/to pair (从2023年的53.9%).
_FROM_GAP = 12


@dataclass(slots=True)
class FigureFacts:
    """Rule decisions for one figure."""

    metric: Mention | None = None
    kind: str = "value"
    comparison: str | None = None
    direction: str | None = None
    role: str | None = None
    period: Ent | None = None
    prefix_start: int = 0
    share_cue: bool = False
    change_cue: bool = False
    market_cue: bool = False
    kind_rule: str = "kind.default"
    # a canonical metric the text implies without naming it (星河科技涨超7% -> the
    # share price): output as metric_canonical with metric null
    implicit_metric: str | None = None


def _pick(metrics: list[Mention]) -> Mention | None:
    """Nearest metric; a generic word (亏损) yields to a specific one before it."""
    if not metrics:
        return None
    best = metrics[-1]
    if best.extra.get("metric_type") == "generic":
        specific = [m for m in metrics[:-1] if m.extra.get("metric_type") != "generic"]
        if specific:
            return specific[-1]
    return best


def _is_ratio(metric: Mention | None) -> bool:
    """A ratio metric (毛利率): asked in two rare branches only, not for every figure."""
    return metric is not None and metric.extra.get("metric_type") == "ratio"


def _metric_for(
    view: DocView, fig: Ent, region_start: int, share_start: int | None, previous: Mention | None
) -> Mention | None:
    """The metric of a figure.

    Nearest metric between the previous figure of the sentence (or the sentence start)
    and the figure; for a share, metrics after the share cue are the denominator
    (占[收入]的31.57% is a share *of* revenue), so the metric before the cue wins, then
    the previous figure's metric, then the denominator.  Last resort: a metric right
    after the figure (实现37.7亿元收入).
    """
    f = fig.start
    starts, metrics = view._metric_starts, view.metrics  # (view.metrics_in, inlined)
    lo, hi = bisect_left(starts, region_start), bisect_left(starts, f)
    # The usual case, decided without building the region: no share cue, and the
    # metric nearest the figure is a specific one (what _pick would choose).
    if share_start is None and hi > lo:
        nearest = metrics[hi - 1]
        if nearest.end <= f and nearest.extra.get("metric_type") != "generic":
            return nearest
    region = [m for m in metrics[lo:hi] if m.end <= f]
    if share_start is not None:
        numerators = [m for m in region if m.end <= share_start]
        chosen = _pick(numerators) or previous or _pick(region)
        if chosen is not None:
            return chosen
    chosen = _pick(region) or previous
    if chosen is not None:
        return chosen
    after = view.metrics_in(fig.end, fig.end + 3)
    if after and not view.breaks_between(fig.end, after[0].start, sentence=False):
        return after[0]
    return None


_PER_SHARE = re.compile(r"每(\d+|十)?股")
# 经调整 / 非国际财务报告准则 + metric -> the adjusted (non-GAAP) metric id.
_ADJUSTED = {
    "net_profit": "adjusted_net_profit",
    "net_loss": "adjusted_net_loss",
    "ebitda": "adjusted_ebitda",
    "ebita": "adjusted_ebita",
}
_ADJUSTED_GAP = 12
_ADJUSTED_CLAUSE = 16  # the longest clause that only states the basis (按…准则，)
# Canonical metrics that _per_share / _adjusted may rewrite (the others pass unchanged).
_REWRITTEN = frozenset(("dividend", *_ADJUSTED))


def _adjusted(view: DocView, metric: Mention | None) -> Mention | None:
    """An adjustment cue shortly before the metric in its clause makes it adjusted."""
    if metric is None or metric.canonical not in _ADJUSTED:
        return metric
    clause_start = view.clause_start(metric.start)
    lo = max(clause_start, metric.start - _ADJUSTED_GAP)
    if any(c.category == "adjusted" for c in view.cues_in(lo, metric.start)):
        return replace(metric, canonical=_ADJUSTED[metric.canonical])
    # 按非国际财务报告准则，归属于权益持有人的盈利为…: the basis is its own short clause
    # right before the metric's clause
    if clause_start > 0 and metric.start - clause_start <= _ADJUSTED_GAP:
        previous = view.clause_start(clause_start - 1)
        if clause_start - previous <= _ADJUSTED_CLAUSE and any(
            c.category == "adjusted" for c in view.cues_in(previous, clause_start)
        ):
            return replace(metric, canonical=_ADJUSTED[metric.canonical])
    return metric


def _per_share(metric: Mention | None, fig: Ent, view: DocView, start: int) -> Mention | None:
    """每股/每10股 + 股息 -> dividend_per_share (the amount is per share, not a total)."""
    if metric is None or metric.canonical != "dividend":
        return metric
    per = fig.value.get("per") if isinstance(fig.value, dict) else None
    if per or _PER_SHARE.search(view.norm, start, fig.start):
        return replace(metric, canonical="dividend_per_share")
    return metric


def figure_facts(view: DocView) -> list[FigureFacts]:
    """Rule decisions for every figure of ``view`` (in ``view.figures`` order)."""
    out: list[FigureFacts] = []
    periods = _Periods(view)
    base_dates: set[int] = set()
    last_basis: str | None = None
    # Starts of the market cues (行业/大盘...): "is there one in the clause" is two bisects.
    market_starts = [c.start for c in view.cues if c.category == "market"]
    # Without an adjustment cue in the paragraph (the usual case) _adjusted keeps every
    # metric: one scan, the first time a metric could be adjusted, saves its clause
    # lookups for each net profit figure.
    adjustable: bool | None = None
    # The lookups below are DocView.clause_start / sentence_start / cues_in /
    # metrics_in, inlined: this loop runs once per figure.
    clause_breaks, sentence_breaks = view.clause_breaks, view.sentence_breaks
    all_cues, cue_starts, metric_starts = view.cues, view._cue_starts, view._metric_starts
    prev: Ent | None = None
    for fig in view.figures:
        f = fig.start
        i = bisect_left(clause_breaks, f)
        clause_start = clause_breaks[i - 1] + 1 if i else 0
        i = bisect_left(sentence_breaks, f)
        sent_start = sentence_breaks[i - 1] + 1 if i else 0
        # (conditional expressions instead of max(): cheaper, and they run per figure)
        prefix_start = prev.end if prev is not None and prev.end > clause_start else clause_start
        # prev is set only after its facts are appended: out[-1] is its facts
        same_sentence_prev = prev is not None and prev.start >= sent_start
        region_start = prev.end if same_sentence_prev else sent_start
        # One pass over the cues of the prefix (every sentence break is a clause
        # break, so the prefix never reaches before the sentence): the last cue of
        # each category, the first share cue, and the comparison (yoy / qoq / an
        # explicit base period, 较2023年), the last one winning.
        share: Cue | None = None
        to_cue: Cue | None = None
        change: Cue | None = None
        rate: Cue | None = None
        first_share: Cue | None = None
        comparison: str | None = None
        lo, hi = bisect_left(cue_starts, prefix_start), bisect_left(cue_starts, f)
        for cue in all_cues[lo:hi]:
            if cue.end > f:
                continue
            category = cue.category
            if category == "change":
                change = cue
            elif category == "comparison":
                if cue.value != "base":
                    comparison = cue.value
                else:
                    date = _date_at(view, cue.end)
                    if date is not None:
                        comparison = date.text
                        base_dates.add(date.start)
            elif category == "share":
                share = cue
                if first_share is None:
                    first_share = cue
            elif category == "to":
                to_cue = cue
            elif category == "rate":
                rate = cue
        # The numerator ends at the FIRST share cue: in 占总收入比重 the total (总收入)
        # sits between 占 and 比重 and is the denominator, not the figure's metric.
        metric = _metric_for(
            view,
            fig,
            region_start,
            first_share.start if first_share is not None else None,
            out[-1].metric if same_sentence_prev else None,
        )
        if metric is not None and metric.canonical in _REWRITTEN:
            metric = _per_share(metric, fig, view, region_start)
            if adjustable is None and metric is not None and metric.canonical in _ADJUSTED:
                adjustable = any(c.category == "adjusted" for c in all_cues)
            if adjustable:
                metric = _adjusted(view, metric)
        implicit_metric = (
            "share_price" if metric is None and _stock_move(view, fig, clause_start) else None
        )
        market_cue = bool(market_starts) and bisect_left(market_starts, f) > bisect_left(
            market_starts, clause_start
        )
        share_cue = share is not None
        if to_cue is not None and f - to_cue.end > _TO_GAP:
            to_cue = None
        if change is not None and (
            f - change.end > _CHANGE_GAP
            or (to_cue is not None and change.start >= to_cue.start)
            # a metric between the cue and the figure (view.metrics_in, inlined)
            or bisect_left(metric_starts, f) > bisect_left(metric_starts, change.end)
        ):
            change = None
        if fig.label != "PERCENT":
            share = None  # an amount is never a share (平台贡献49.55亿元)
        kind, kind_rule = "value", "kind.default"
        direction: str | None = None
        if share is not None:
            kind, kind_rule = "share", "kind.share"
            if to_cue is not None:
                direction = to_cue.value
            elif change is not None:
                direction = change.value
        elif to_cue is not None and rate is not None:
            kind, kind_rule = "change", "kind.rate_to"  # 降幅扩大至22.93%
            direction = rate.value
        elif to_cue is not None:
            kind = "ratio" if _is_ratio(metric) else "value"
            kind_rule = "kind.to_level"
            direction = to_cue.value
        elif change is not None:
            kind, kind_rule = "change", "kind.change_cue"
            direction = change.value
        elif rate is not None:
            kind, kind_rule = "change", "kind.rate_cue"
            direction = rate.value
        elif fig.label == "PERCENT":
            sign = fig.text.lstrip()[:1]
            if sign in ("+", "-", "+", "−", "－", "＋"):
                kind, kind_rule = "change", "kind.signed_percent"  # 营收158亿元（+40.6%）
                direction = "up" if sign in ("+", "＋") else "down"
            elif _is_ratio(metric):
                kind, kind_rule = "ratio", "kind.ratio_metric"
            else:
                unit = fig.value.get("unit") if isinstance(fig.value, dict) else None
                if unit == "percentage_point" or comparison:
                    kind, kind_rule = "change", "kind.percent_compared"
                else:
                    kind, kind_rule = "ratio", "kind.percent_default"
        # from/to pairs: 由A增至B, 从2023年的53.9%下降至29.5%
        role: str | None = None
        if to_cue is not None and prev is not None and same_sentence_prev:
            from_lo = prev.start - _FROM_GAP if prev.start - _FROM_GAP > sent_start else sent_start
            if any(c.category == "from" for c in view.cues_in(from_lo, prev.start)):
                before = out[-1]
                before.role = "from"
                role = "to"
                before.direction = before.direction or to_cue.value
                if before.kind == "share" and kind != "share":
                    kind, kind_rule = "share", "kind.from_to_share"
                if metric is None:
                    metric = before.metric
        if kind != "change":
            if comparison in ("yoy", "qoq", "mom"):
                comparison = None
            # a direction belongs to a change; 升至63.7% is a level (corpus convention)
            direction = None
            if role == "to" and out[-1].role == "from" and out[-1].kind != "change":
                out[-1].direction = None
        else:
            if comparison is None and same_sentence_prev and out[-1].kind == "change":
                comparison = out[-1].comparison
            if comparison is None and role is None:
                # 增长10.6% after 同比增长13.6% earlier in the paragraph: the same basis
                comparison = last_basis
            if comparison in ("yoy", "qoq", "mom"):
                last_basis = comparison
        period = periods.find(fig, base_dates, clause_start, sent_start)
        change_cue = change is not None
        # The decisions live in locals and the facts are built once here (rather than
        # a FigureFacts updated field by field), positionally in field order (each
        # local is named after its field): twelve keywords cost twice the call, once
        # per figure.  tests/relations/test_rules.py pins the field order.
        out.append(
            FigureFacts(
                metric,
                kind,
                comparison,
                direction,
                role,
                period,
                prefix_start,
                share_cue,
                change_cue,
                market_cue,
                kind_rule,
                implicit_metric,
            )
        )
        prev = fig
    return out


# <ORG><time?><move><qualifier?><figure>: 星河科技涨超7% / 高盛周一收跌2.1% / 腾讯控股一度
# 大涨5%: a listed company's price move, the share price being the metric left unsaid.
_STOCK_MOVE = re.compile(
    r"\s*(?:股价|股份)?(?:周[一二三四五]|今日|昨日|当日|盘中|早盘|午后|尾盘|收盘|一度|盘后|开盘)*"
    r"(?:大幅|直线)?(?:收涨|收跌|大涨|大跌|上涨|下跌|涨停|跌停|高开|低开|急升|急跌|下挫|涨|跌|升|挫)"
    r"(?:超|近|约|逾|了)?\s*"
)


def _stock_move(view: DocView, fig: Ent, clause_start: int) -> bool:
    """True when an ORG in the figure's clause is followed only by a price-move verb."""
    orgs = view.orgs
    ends = view.__dict__.get("_org_ends")
    if ends is None:  # once per paragraph (orgs are sorted and never overlap)
        ends = view.__dict__["_org_ends"] = [o.end for o in orgs]
    i = bisect_left(ends, fig.start + 1) - 1
    if i < 0 or orgs[i].end > fig.start or orgs[i].start < clause_start:
        return False
    return _STOCK_MOVE.fullmatch(view.norm, orgs[i].end, fig.start) is not None


def _date_at(view: DocView, pos: int) -> Ent | None:
    """A DATE starting at ``pos`` (or one character later)."""
    i = view.dates_after(pos)
    if i < len(view.dates) and view.dates[i].start - pos <= 1:
        return view.dates[i]
    return None


def _anchored_dates(view: DocView) -> dict[int, int]:
    """DATEs glued to the next figure by 的 (2023年的53.9%): date start -> figure start."""
    out: dict[int, int] = {}
    norm = view.norm
    starts: set[int] | None = None
    for date in view.dates:
        if norm.startswith("的", date.end):
            if starts is None:  # only where some DATE is followed by 的 (rare)
                starts = set(view._figure_starts)
            for k in (1, 2):
                if date.end + k in starts:
                    out[date.start] = date.end + k
                    break
    return out


_COMPARATIVE = ("同期", "上一", "前一", "上季", "上月", "上财年")
_EVENT_WORDS = (
    "公告",
    "发布",
    "宣布",
    "披露",
    "公布",
    "挂牌",
    "发行",
    "召开",
    "举行",
    "上市",
    "签署",
)
_DEADLINE_LEFT = ("截至", "截止", "截至于")
# "any of the words in norm[a:b]" as one regex search from a to b: no slice, and one
# scan instead of one per word
_COMPARATIVE_RE = re.compile("|".join(map(re.escape, _COMPARATIVE)))
_EVENT_RE = re.compile("|".join(map(re.escape, _EVENT_WORDS)))


def _compute_date_role(view: DocView, date: Ent) -> str:
    """How a DATE may serve as a period: period | comparative | deadline | event."""
    norm = view.norm
    if norm.endswith(_DEADLINE_LEFT, max(0, date.start - 3), date.start):
        return "deadline"
    if _COMPARATIVE_RE.search(norm, date.start, date.end):
        return "comparative"
    granularity = (date.value or {}).get("granularity") if isinstance(date.value, dict) else None
    looks_like_day = granularity == "day" or norm[date.end - 1 : date.end] in ("日", "号")
    if looks_like_day:
        # an event word in the first 10 characters of the rest of the clause
        if _EVENT_RE.search(norm, date.end, min(view.clause_end(date.end), date.end + 10)):
            return "event"
        # 8月20日，比亚迪发布半年报: a day that opens its sentence (after a byline such
        # as （记者 王明）at most) on its own clause dates the announcement the sentence
        # goes on to report
        opening = norm[view.sentence_start(date.start) : date.start].strip()
        if (not opening or opening.endswith(("）", ")", "】", "]"))) and norm[
            date.end : date.end + 1
        ] in ("，", ","):
            rest = norm[date.end + 1 : view.sentence_end(date.end)][:40]
            if _EVENT_RE.search(rest):
                return "event"
    return "period"


class _Periods:
    """The period (DATE) of each figure of one paragraph.

    Built once per paragraph, so that what does not depend on the figure (whether a
    DATE can be a backward period, and its role) is worked out once per DATE, when a
    figure first asks, instead of being looked up on the view for every figure.
    """

    __slots__ = ("anchored", "dates", "finer", "roles", "starts", "view")

    def __init__(self, view: DocView) -> None:
        self.view = view
        self.dates = view.dates
        self.starts = view._date_starts
        self.anchored = _anchored_dates(view)
        # per DATE (DATEs are entities: they never overlap), computed when first asked
        self.roles: list[str | None] = [None] * len(self.dates)
        # per DATE: a granularity finer than a year (set with its role; replaces a
        # _granularity call per figure and DATE looked at)
        self.finer: list[bool] = [False] * len(self.dates)

    def role(self, k: int) -> str:
        """How the k-th DATE may serve as a backward period: ``skip`` when it never
        does (glued to another figure, or a 较/从 base), else its role.  The comparison
        bases found while reading the figures (``base_dates``) are checked separately
        because they grow as we go."""
        date = self.dates[k]
        if date.start in self.anchored or _is_base(self.view, date):
            role = "skip"
        else:
            role = _compute_date_role(self.view, date)
        self.roles[k] = role
        self.finer[k] = _granularity(date) not in (None, "year")
        return role

    def find(
        self, fig: Ent, base_dates: set[int], clause_start: int, sent_start: int
    ) -> Ent | None:
        """The DATE a figure refers to.

        A DATE glued to the figure (2023年的53.9%) wins; else the nearest usable DATE
        before it in the paragraph, skipping comparison bases (较2023年), deadlines
        (截至6月30日, kept as a last resort), announcement days (10月18日公告) and
        comparative dates (去年同期) outside the figure's own clause; else the first
        usable DATE after the figure in its sentence.
        """
        dates = self.dates
        if not dates:
            return None
        view = self.view
        i = bisect_left(self.starts, fig.start)  # view.dates_before, inlined
        anchored = self.anchored
        if anchored:
            for date in dates[i - 3 if i > 3 else 0 : i]:
                if anchored.get(date.start) == fig.start:
                    return date
        fallback: Ent | None = None
        roles = self.roles
        k = i - 1
        steps = 0
        while k >= 0 and steps < 12:
            date = dates[k]
            k -= 1
            steps += 1
            role = roles[k + 1] or self.role(k + 1)
            if role == "skip" or date.start in base_dates:
                continue
            if role == "period" or (role == "comparative" and date.start >= clause_start):
                # 预计全年收入650亿美元 after a sentence about 二季度, or 12月营收…；全年
                # 营收…: the figure's own sentence names its period (the whole year)
                # without a DATE after the shorter period; that period is not
                # inherited then (no period rather than a wrong one).  The granularity
                # test goes first: it is cheap and rarely passes, so the 全年 lookups
                # are mostly skipped.
                if (
                    self.finer[k + 1]
                    and _bare_full_year(view, sent_start, fig.start)
                    and _bare_full_year(view, max(sent_start, date.end), fig.start)
                ):
                    return None
                return date
            if role == "deadline" and date.start >= sent_start:
                return date  # 截至9月末，资本充足率为19.28%: a balance at that date
            if role == "deadline" and fallback is None:
                fallback = date
        j = view.dates_after(fig.end)
        if (
            j < len(dates)
            and dates[j].start < view.sentence_end(fig.end)
            and dates[j].start < view.clause_end(fig.end)
            and not _is_base(view, dates[j])
            and _compute_date_role(view, dates[j]) == "period"
        ):
            return dates[j]
        return fallback


def _bare_full_year(view: DocView, start: int, end: int) -> bool:
    """True when 全年 stands in ``[start, end)`` outside any DATE (2024年全年 is one).

    The offsets of every bare 全年 are found once per paragraph and bisected: scanning
    the sentence for each figure would be quadratic in a long sentence of figures.
    """
    found: list[int] | None = view.__dict__.get("_bare_full_year")
    if found is None:
        norm, covered = view.norm, view.covered
        found = []
        pos = norm.find("全年")
        while pos != -1:
            if not covered[pos]:
                found.append(pos)
            pos = norm.find("全年", pos + 2)
        view.__dict__["_bare_full_year"] = found
    if not found:
        return False
    # some bare 全年 at p with start <= p and p + 2 <= end
    i = bisect_left(found, start)
    return i < len(found) and found[i] + 2 <= end


def _granularity(date: Ent) -> str | None:
    return date.value.get("granularity") if isinstance(date.value, dict) else None


_BASE_LEFT = ("较", "比", "相比", "相较", "较之", "相较于", "从", "由", "对比")


# 与/和/同/跟 <DATE> 相比: the DATE between the two words is the base (与上年同期相比
# 将增加约60亿元 is a change over the current period, not a figure of 上年同期).
_BASE_PAIR_LEFT = ("与", "和", "同", "跟")
_BASE_PAIR_RIGHT = ("相比", "比较", "对比", "相较")


def _is_base(view: DocView, date: Ent) -> bool:
    """A DATE right after 较/比/相比/从/由, or framed by 与…相比, is a comparison base,
    not a period."""
    norm = view.norm
    if norm.endswith(_BASE_LEFT, max(0, date.start - 3), date.start):
        return True
    return norm.endswith(_BASE_PAIR_LEFT, max(0, date.start - 1), date.start) and (
        norm.startswith(_BASE_PAIR_RIGHT, date.end)
    )
