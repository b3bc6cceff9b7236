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

from dataclasses import dataclass

from pipeline.relations.document import Cue, DocView, Ent, Mention

# How far (characters) a change cue may sit before its figure: 增长了约10.8%.
_CHANGE_GAP = 5
# How far a to-cue (增至/降至) may sit before its figure.
_TO_GAP = 3
# How far before a figure 由/从 may open a from/to pair (从2023年的53.9%).
_FROM_GAP = 12


@dataclass
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


def _last(cues: list[Cue], category: str) -> Cue | None:
    found = [c for c in cues if c.category == category]
    return found[-1] if found else None


def _metric_for(view: DocView, fig: Ent, clause_start: int) -> Mention | None:
    """Nearest metric before the figure in its clause; specific beats generic."""
    in_clause = view.metrics_in(clause_start, fig.start)
    in_clause = [m for m in in_clause if m.end <= fig.start]
    if in_clause:
        best = in_clause[-1]
        if best.extra.get("metric_type") == "generic":
            specific = [m for m in in_clause[:-1] if m.extra.get("metric_type") != "generic"]
            if specific:
                return specific[-1]
        return best
    after = view.metrics_in(fig.end, fig.end + 3)
    if after and not view.breaks_between(fig.end, after[0].start, sentence=False):
        return after[0]
    return None


def figure_facts(view: DocView) -> list[FigureFacts]:
    """Rule decisions for every figure of ``view`` (in ``view.figures`` order)."""
    out: list[FigureFacts] = []
    anchored = _anchored_dates(view)
    base_dates: set[int] = set()
    for index, fig in enumerate(view.figures):
        clause_start = view.clause_start(fig.start)
        sent_start = view.sentence_start(fig.start)
        prev = view.figures[index - 1] if index else None
        prefix_start = max(clause_start, prev.end if prev is not None else 0)
        cues = [
            c for c in view.cues_in(max(prefix_start, sent_start), fig.start) if c.end <= fig.start
        ]
        facts = FigureFacts(prefix_start=prefix_start)
        facts.metric = _metric_for(view, fig, clause_start)
        if facts.metric is None and prev is not None and prev.start >= sent_start and out:
            facts.metric = out[-1].metric
        metric_type = facts.metric.extra.get("metric_type") if facts.metric else None

        # comparison: yoy / qoq / explicit base period (较2023年)
        for cue in cues:
            if cue.category != "comparison":
                continue
            if cue.value == "base":
                date = _date_at(view, cue.end)
                if date is not None:
                    facts.comparison = date.text
                    base_dates.add(date.start)
            else:
                facts.comparison = cue.value
        facts.market_cue = any(
            c.category == "market" for c in view.cues_in(clause_start, fig.start)
        )
        share = _last(cues, "share")
        to_cue = _last(cues, "to")
        change = _last(cues, "change")
        rate = _last(cues, "rate")
        facts.share_cue = share is not None
        if to_cue is not None and fig.start - to_cue.end > _TO_GAP:
            to_cue = None
        if change is not None and (
            fig.start - change.end > _CHANGE_GAP
            or (to_cue is not None and change.start >= to_cue.start)
            or view.metrics_in(change.end, fig.start)
        ):
            change = None
        facts.change_cue = change is not None
        if share is not None:
            facts.kind, facts.kind_rule = "share", "kind.share"
            if to_cue is not None:
                facts.direction = to_cue.value
            elif change is not None:
                facts.direction = change.value
        elif to_cue is not None:
            facts.kind = "ratio" if metric_type == "ratio" else "value"
            facts.kind_rule = "kind.to_level"
            facts.direction = to_cue.value
        elif change is not None:
            facts.kind, facts.kind_rule = "change", "kind.change_cue"
            facts.direction = change.value
        elif rate is not None:
            facts.kind, facts.kind_rule = "change", "kind.rate_cue"
            facts.direction = rate.value
        elif fig.label == "PERCENT":
            unit = (fig.value or {}).get("unit") if isinstance(fig.value, dict) else None
            if metric_type == "ratio":
                facts.kind, facts.kind_rule = "ratio", "kind.ratio_metric"
            elif unit == "percentage_point" or facts.comparison:
                facts.kind, facts.kind_rule = "change", "kind.percent_compared"
            else:
                facts.kind, facts.kind_rule = "ratio", "kind.percent_default"
        # from/to pairs: 由A增至B, 从2023年的53.9%下降至29.5%
        if to_cue is not None and prev is not None and out and prev.start >= sent_start:
            from_cues = [
                c
                for c in view.cues_in(max(sent_start, prev.start - _FROM_GAP), prev.start)
                if c.category == "from"
            ]
            if from_cues:
                out[-1].role = "from"
                facts.role = "to"
                out[-1].direction = out[-1].direction or to_cue.value
                if out[-1].kind == "share" and facts.kind != "share":
                    facts.kind, facts.kind_rule = "share", "kind.from_to_share"
                if facts.metric is None:
                    facts.metric = out[-1].metric
        if facts.kind != "change" and facts.comparison in ("yoy", "qoq", "mom"):
            facts.comparison = None
        if (
            facts.kind == "change"
            and facts.comparison is None
            and out
            and prev is not None
            and prev.start >= sent_start
            and out[-1].kind == "change"
        ):
            facts.comparison = out[-1].comparison
        facts.period = _period(view, fig, anchored, base_dates)
        out.append(facts)
    return out


def _date_at(view: DocView, pos: int) -> Ent | None:
    """A DATE starting at ``pos`` (or one character later)."""
    i = view.dates_after(pos)
    if i < len(view.dates) and view.dates[i].start - pos <= 1:
        return view.dates[i]
    return None


def _anchored_dates(view: DocView) -> dict[int, int]:
    """DATEs glued to the next figure by 的 (2023年的53.9%): date start -> figure start."""
    out: dict[int, int] = {}
    starts = {f.start for f in view.figures}
    for date in view.dates:
        gap = view.norm[date.end : date.end + 2]
        if gap.startswith("的"):
            for k in (1, 2):
                if date.end + k in starts:
                    out[date.start] = date.end + k
                    break
    return out


def _period(view: DocView, fig: Ent, anchored: dict[int, int], base_dates: set[int]) -> Ent | None:
    """The DATE a figure refers to: glued, else nearest usable before, else after."""
    i = view.dates_before(fig.start)
    for date in view.dates[max(0, i - 3) : i]:
        if anchored.get(date.start) == fig.start:
            return date
    k = i - 1
    steps = 0
    while k >= 0 and steps < 12:
        date = view.dates[k]
        k -= 1
        steps += 1
        if date.start in base_dates or date.start in anchored or _is_base(view, date):
            continue
        return date
    sent_end = view.sentence_end(fig.end)
    j = view.dates_after(fig.end)
    if j < len(view.dates) and view.dates[j].start < sent_end and not _is_base(view, view.dates[j]):
        return view.dates[j]
    return None


def _is_base(view: DocView, date: Ent) -> bool:
    """A DATE right after 较/比/相比/从/由 is a comparison base, not a period."""
    left = view.norm[max(0, date.start - 3) : date.start]
    return left.endswith(("较", "比", "相比", "相较", "较之", "相较于", "从", "由", "对比"))
