"""分别 (respectively): coordinated metrics, periods or subjects shared out over figures.

Chinese financial news packs several facts into one clause with 分别: the i-th item
of a coordination before 分别 goes with the i-th figure after it.

* metrics: 营收和净利润分别为100亿元和20亿元 (营收 -> 100亿元, 净利润 -> 20亿元)
* periods: 预计公司2024年、2025年归母净利润分别为121.3亿元和142.6亿元
* subjects: 北方华创、贵州茅台、格林美分别净卖出2.09亿元、1.86亿元、1.41亿元

Scored one at a time, such figures go wrong in a regular way: the nearest metric (净利润)
or subject (the last item) wins for all of them, and the later figures look like
figures with other figures between them and their subject, so they are often left
unlinked.  A ``Group`` records the figures and the coordinations whose size equals
the number of figures; the rules (metrics, periods) and the linker (subjects) then
pair them up by position.  ``同比分别增长10%和25%`` right after a group of the same
size in the same sentence reuses that group's coordinations.

Everything is found on the same-length normalised copy, so offsets index the text.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.relations.document import DocView, Ent, Mention, Subject
from pipeline.relations.rules import FigureFacts

CUE = "分别"
# Words joining the items of a coordination (A和B、C及D) and the figures after 分别.
CONNECTORS = frozenset({"和", "、", "及", "与", "以及", "跟", ",", "，"})
# The first figure must follow 分别 closely (分别为 / 分别同比增长 / 分别净卖出).
MAX_CUE_GAP = 10


class _Span(Protocol):
    start: int
    end: int


@dataclass
class Group:
    """Figures after one 分别 and the coordinations shared out over them."""

    cue_start: int
    figures: list[int]  # indices into view.figures, in text order
    # the group whose items this one reuses (同比分别增长… after …分别为…), else itself
    lender: int = -1
    # the figures share the first figure's subject (a coordination of metrics/periods)
    shared_subject: bool = False
    metrics: list[Mention] = field(default_factory=list)
    dates: list[Ent] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)

    def position(self, figure_index: int) -> int:
        """The figure's position in the group (0 for the first)."""
        return self.figures.index(figure_index)


# A direction verb may follow the connector when the figures move apart
# (分别按年上升8.0%及下跌4.7%): each figure then keeps its own direction.
_DIRECTION_VERBS = ("上升", "下跌", "下降", "增长", "减少", "增加", "上涨", "回落", "减少了")


def _gap_is_connector(norm: str, a: int, b: int) -> bool:
    gap = norm[a:b].strip()
    return gap in CONNECTORS and gap not in (",", "，")


def _figure_gap_is_connector(norm: str, a: int, b: int) -> bool:
    """A connector between two figures after 分别, optionally followed by a direction
    verb (8.0%及下跌4.7%)."""
    gap = norm[a:b].strip()
    if gap in CONNECTORS:
        return gap not in (",", "，")
    for verb in _DIRECTION_VERBS:
        if gap.endswith(verb):
            head = gap[: -len(verb)].strip()
            return head in CONNECTORS and head not in (",", "，")
    return False


def _figure_run(view: DocView, cue_end: int) -> list[int]:
    """Indices of the figures after 分别 joined by 和/、/及 (empty if none closely follows)."""
    figures, norm = view.figures, view.norm
    j = bisect_left(view._figure_starts, cue_end)
    if j >= len(figures):
        return []
    first = figures[j]
    if first.start - cue_end > MAX_CUE_GAP or view.breaks_between(cue_end, first.start, False):
        return []
    run = [j]
    while j + 1 < len(figures) and _figure_gap_is_connector(
        norm, figures[j].end, figures[j + 1].start
    ):
        j += 1
        run.append(j)
    return run


def _coordination(norm: str, items: Sequence[_Span], lo: int, hi: int) -> list:
    """The last run of ``items`` in ``[lo, hi)`` joined by connectors (A、B和C)."""
    inside = [it for it in items if lo <= it.start and it.end <= hi]
    if not inside:
        return []
    run = [inside[-1]]
    for item in reversed(inside[:-1]):
        # a segment keeps its suffix word before the connector (智联业务和能源业务)
        suffix = getattr(item, "followed_by", "") or ""
        end = item.end + len(suffix) if suffix and norm.startswith(suffix, item.end) else item.end
        if item.end > run[0].start or not _gap_is_connector(norm, end, run[0].start):
            break
        run.insert(0, item)
    return run


def find_groups(view: DocView) -> list[Group]:
    """Every 分别 followed by two or more figures, with the coordinations that fit.

    Needs the view's mentions and subjects (after ``build_subjects``).  Cached on the
    view: the rules and the linker both ask.
    """
    cached = view.__dict__.get("_respectively")
    if cached is not None:
        return cached
    groups: list[Group] = []
    norm = view.norm
    pos = norm.find(CUE)
    while pos != -1:
        cue_end = pos + len(CUE)
        run = _figure_run(view, cue_end)
        if len(run) >= 2:
            groups.append(_group(view, pos, run, groups))
        pos = norm.find(CUE, cue_end)
    view.__dict__["_respectively"] = groups
    return groups


def _group(view: DocView, cue_start: int, run: list[int], earlier: list[Group]) -> Group:
    norm, n = view.norm, len(run)
    lo = view.clause_start(cue_start)
    group = Group(cue_start, run, lender=cue_start)
    subjects_here = [s for s in view.subjects if not s.via_anaphor and lo <= s.start < cue_start]
    metrics = _coordination(norm, view.metrics, lo, cue_start)
    dates = _coordination(norm, view.dates, lo, cue_start)
    subjects = _coordination(norm, subjects_here, lo, cue_start)
    group.metrics = metrics if len(metrics) == n else []
    group.dates = dates if len(dates) == n else []
    group.subjects = subjects if len(subjects) == n else []
    # 营收和净利润分别为…，同比分别增长10%和25% / …分别增长A、B，占比重分别为C、D: a
    # clause that does not name the items itself reuses those of the last group of
    # the same size in the sentence
    sent_start = view.sentence_start(cue_start)
    prev = next(
        (g for g in reversed(earlier) if g.cue_start >= sent_start and len(g.figures) == n),
        None,
    )
    if prev is not None:
        if not metrics and not view.metrics_in(lo, cue_start):
            group.metrics = prev.metrics
        if not dates and not any(lo <= d.start < cue_start for d in view.dates):
            group.dates = prev.dates
        if not subjects_here:
            group.subjects = prev.subjects
            group.lender = prev.lender
    # one subject for the whole group only where the coordination is of metrics or
    # periods and at most one subject is named (A的营收和净利润分别为…)
    group.shared_subject = not group.subjects and (
        bool(group.metrics or group.dates) and len(subjects) <= 1
    )
    return group


def groups_by_figure(view: DocView) -> dict[int, Group]:
    """Figure index -> its group, for the figures that are in one."""
    return {i: g for g in find_groups(view) for i in g.figures}


def apply_to_facts(view: DocView, facts: list[FigureFacts]) -> None:
    """Give each grouped figure its own metric and period, and the group's kind.

    The kind, comparison and direction of the first figure are shared by the others
    (同比分别增长10%和25%: only 10% has the cue before it), unless a from/to pair is
    involved (分别由10%升至12%): those keep their own.
    """
    for group in find_groups(view):
        members = [facts[i] for i in group.figures]
        for k, fact in enumerate(members):
            if group.metrics:
                fact.metric = group.metrics[k]
            if group.dates:
                fact.period = group.dates[k]
        first = members[0]
        labels = {view.figures[i].label for i in group.figures}
        if len(labels) == 1 and all(f.role is None for f in members):
            for fact in members[1:]:
                # a figure with its own direction verb (…及下跌4.7%) keeps its direction
                own = fact.direction if fact.change_cue and fact.direction else None
                fact.kind, fact.comparison, fact.direction = (
                    first.kind,
                    first.comparison,
                    own or first.direction,
                )
                fact.kind_rule = "kind.respectively"
