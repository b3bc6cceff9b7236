"""Features of a figure x subject candidate pair, shared by training and inference.

Every feature is binary (present = 1.0), so scoring is a sum of weights over the
feature names (:meth:`pipeline.relations.model.PairModel.partial`).

One function, :func:`pair_features`, builds a sparse ``{name: value}`` dict from the
:class:`DocView`, the rule decisions for the figure and the candidate.  The training
recipe (``training/relations/train.py``) and the component both call it, so what the
model was trained on is exactly what it sees at run time.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from pipeline.relations.candidates import SPEAKER_RIGHT, Candidate
from pipeline.relations.document import DocView, Ent, Subject
from pipeline.relations.rules import FigureFacts

_OBJECT_LEFT = (
    "与",
    "和",
    "向",
    "为",
    "对",
    "及",
    "包括",
    "客户",
    "如",
    "同",
    "跟",
    "较",
    "比",
    "超过",
    "对标",
)
_LIST_RIGHT = ("、", "和", "及", "与", "等")
_SEGMENT_CONTEXT = (
    "分业务",
    "分板块",
    "分产品",
    "分品类",
    "分市场",
    "分地区",
    "分部门",
    "分区域",
    "其中",
    "按业务",
    "业务来看",
    "业务看",
    "分渠道",
)

# "any of these words in the window" as one C-level search (same answer as any(...)).
_SEGMENT_CONTEXT_RE = re.compile("|".join(map(re.escape, _SEGMENT_CONTEXT)))
_LATIN_RE = re.compile("[a-z]")


def _bucket(n: int) -> str:
    """Coarse distance bucket (0, 1-2, 3-5, 6-10, 11-20, 21-40, 41-80, 81+)."""
    for limit, name in (
        (0, "0"),
        (2, "2"),
        (5, "5"),
        (10, "10"),
        (20, "20"),
        (40, "40"),
        (80, "80"),
    ):
        if n <= limit:
            return name
    return "far"


def figure_features(facts: FigureFacts, fig: Ent) -> dict[str, float]:
    """Features of the figure alone (shared by all its candidates)."""
    f: dict[str, float] = {"bias": 1.0, f"label={fig.label}": 1.0, f"kind={facts.kind}": 1.0}
    if facts.market_cue:
        f["market_cue"] = 1.0
    f["has_metric" if facts.metric is not None else "no_metric"] = 1.0
    return f


def subject_features(view: DocView, s: Subject) -> dict[str, float]:
    """Features of the subject mention alone (cached per subject by the caller)."""
    norm = view.norm
    f: dict[str, float] = {f"type={s.type}": 1.0}
    if s.via_anaphor:
        f["anaphor"] = 1.0
        f[f"anaphor|type={s.type}"] = 1.0
    starts = view._metric_starts
    if bisect_left(starts, s.end + 4) > bisect_left(starts, s.end):  # a metric within 4
        f["followed_by_metric"] = 1.0
        f["followed_by_metric|type=" + s.type] = 1.0
    if norm.startswith(_LIST_RIGHT, s.end):
        f["followed_by_list"] = 1.0
    if norm[max(0, s.start - 2) : s.start].endswith(_OBJECT_LEFT):
        f["object_left"] = 1.0
    if s.followed_by:
        f["segment_suffix"] = 1.0
    left1 = norm[s.start - 1 : s.start] if s.start else ""
    if left1 in ("(", "（") or norm[max(0, s.start - 2) : s.start] in ("(由", "（由"):
        f["in_parens"] = 1.0
        f["in_parens|type=" + s.type] = 1.0
    if s.type == "ORG" and norm.startswith(SPEAKER_RIGHT, s.end):
        f["org_speaker"] = 1.0
    if s.type == "SEGMENT":
        if _SEGMENT_CONTEXT_RE.search(norm, max(0, s.start - 60), s.start):
            f["segment_context"] = 1.0
            f["segment_context|src=" + s.source] = 1.0
        if view.segment_counts.get(s.key, 0) > 1:
            f["segment_repeated"] = 1.0
    if s.source:
        f["src=" + s.source] = 1.0
    if s.after_entity:
        f["head_after_entity"] = 1.0
    if s.type == "SEGMENT":
        length = s.ref_end - s.ref_start
        f["seg_len=" + ("1-2" if length <= 2 else "3-4" if length <= 4 else "5+")] = 1.0
        if _LATIN_RE.search(norm, s.ref_start, s.ref_end):
            f["seg_latin"] = 1.0
    return f


_TYPES = ("ORG", "SEGMENT")
_KINDS = ("value", "change", "ratio", "share")
_RANK_NAMES = {
    (rank, stype): (f"rank={rank}", f"rank={rank}|type={stype}")
    for rank in range(5)
    for stype in _TYPES
}
# Feature names are built once here, not formatted per pair: scoring a pair is then a
# handful of tuple/dict lookups (the stage runs on every figure of every paragraph).
_BUCKETS = ("0", "2", "5", "10", "20", "40", "80", "far")
_DIST_NAMES = {(b, t): ("dist=" + b, "dist=" + b + "|type=" + t) for b in _BUCKETS for t in _TYPES}
_KIND_TYPE = {(k, t): f"kind={k}|type={t}" for k in _KINDS for t in _TYPES}
_SENT_BREAKS = tuple(f"sent_breaks={n}" for n in range(4))
_CLAUSE_BREAKS = tuple(f"clause_breaks={n}" for n in range(5))
_FIGS_BETWEEN = tuple(f"figs_between={n}" for n in range(4))
_SUBJECTS_BETWEEN = tuple(f"subjects_between={n}" for n in range(4))
_SRC_RANK: dict[tuple[str, int], str] = {}
# Distances below this are table lookups: every candidate before its figure lies within
# CandidateConfig.max_distance (160), so with the default bounds none falls back to
# the loop of _bucket (one did on every paragraph whose subject is 82+ characters back).
_BUCKET_TABLE = 256
_BUCKET_OF = [_bucket(n) for n in range(_BUCKET_TABLE)]


def _bucket_fast(n: int) -> str:
    """:func:`_bucket` through a lookup table for the common small distances."""
    return _BUCKET_OF[n] if 0 <= n < _BUCKET_TABLE else _bucket(n)


def offset_positions(view: DocView, pos: int) -> tuple[int, int, int, int, int, int]:
    """Binary-search positions of ``pos`` in the sorted offset arrays of ``view``.

    Every "how many X lie between a subject and its figure" count is the difference of
    two such tuples (the figure's start, the subject's end).  A subject is a candidate
    of several figures and figures share offsets with nothing else, so the tuples are
    cached per offset for the paragraph (:meth:`DocView.index` clears the cache).
    """
    cache = view.positions
    found = cache.get(pos)
    if found is None:
        found = cache[pos] = (
            bisect_left(view.sentence_breaks, pos),
            bisect_left(view.clause_breaks, pos),
            bisect_left(view._figure_starts, pos),
            bisect_left(view._subject_starts, pos),
            bisect_left(view._segment_starts, pos),
            bisect_left(view._metric_starts, pos),
        )
    return found


def figure_positions(view: DocView, fig: Ent) -> tuple[int, int, int, int, int, int]:
    """Binary-search positions of ``fig.start`` (shared by all candidates of the figure)."""
    return offset_positions(view, fig.start)


def _src_rank(source: str, rank: int) -> str:
    name = _SRC_RANK.get((source, rank))
    if name is None:
        name = _SRC_RANK[(source, rank)] = "src=" + source + "|rank=" + str(rank)
    return name


def pair_only_names(
    view: DocView,
    fig: Ent,
    facts: FigureFacts,
    cand: Candidate,
    main_key: str | None,
    positions: tuple[int, int, int, int, int, int] | None = None,
) -> list[str]:
    """Names of the (binary) figure-subject features, in a fixed order, no repeats.

    The linker sums the weights of this list directly (no dict per pair);
    :func:`pair_only_features` is the same list as the dict training uses, so the
    model sees the same features, summed in the same order, on both paths.
    """
    s = cand.subject
    stype = s.type
    kind_type = _KIND_TYPE.get((facts.kind, stype)) or f"kind={facts.kind}|type={stype}"
    if cand.fallback:
        return [
            kind_type,
            "fallback_main",
            "fallback|kind=" + facts.kind,
            "fallback|has_metric" if facts.metric is not None else "fallback|no_metric",
            "fallback|market_cue" if facts.market_cue else "fallback|no_market_cue",
        ]
    if cand.after:
        return [kind_type, "after", "after|dist=" + _bucket_fast(cand.distance)]
    if positions is None:
        positions = figure_positions(view, fig)
    p_sent, p_clause, p_figs, p_subjects, p_segments, p_metrics = positions
    rank = min(cand.rank, 4)
    dist = _bucket_fast(cand.distance)
    rank_name, rank_type = _RANK_NAMES.get((rank, stype)) or (
        f"rank={rank}",
        f"rank={rank}|type={stype}",
    )
    dist_name, dist_type = _DIST_NAMES.get((dist, stype)) or (
        "dist=" + dist,
        "dist=" + dist + "|type=" + stype,
    )
    names = [kind_type, rank_name, rank_type, dist_name, dist_type]
    if s.source:
        names.append(_src_rank(s.source, rank))
    e = s.end
    s_sent, s_clause, s_figs, s_subjects, s_segments, s_metrics = offset_positions(view, e)
    sent_breaks = p_sent - s_sent
    clause_breaks = p_clause - s_clause
    if sent_breaks == 0:
        names.append("same_sentence")
    if clause_breaks == 0:
        names.append("same_clause")
    subjects = p_subjects - s_subjects
    names += (
        _SENT_BREAKS[min(sent_breaks, 3)],
        _CLAUSE_BREAKS[min(clause_breaks, 4)],
        _FIGS_BETWEEN[min(p_figs - s_figs, 3)],
        _SUBJECTS_BETWEEN[min(subjects, 3)],
    )
    if subjects and p_segments - s_segments:
        names.append("segment_between")
    if p_metrics - s_metrics:
        names.append("metric_between")
    if main_key is not None and stype == "ORG" and s.key == main_key:
        names.append("is_main")
    if stype == "SEGMENT" and s.company is not None and s.company == main_key:
        names.append("segment_of_main")
    if clause_breaks or cand.distance > 2:
        norm, f = view.norm, fig.start
        if norm.find("其中", e, f) != -1:
            names.append("qizhong_between")
        if norm.find(";", e, f) != -1 or norm.find("；", e, f) != -1:
            names.append("semicolon_between")
            names.append("semicolon_between|type=" + stype)
    if facts.metric is not None and facts.metric.start >= e:
        names.append("metric_after_subject")
    return names


def pair_only_features(
    view: DocView,
    fig: Ent,
    facts: FigureFacts,
    cand: Candidate,
    main_key: str | None,
    positions: tuple[int, int, int, int, int, int] | None = None,
) -> dict[str, float]:
    """Features of the figure-subject relation (distance, what lies between)."""
    return dict.fromkeys(pair_only_names(view, fig, facts, cand, main_key, positions), 1.0)


def pair_features(
    view: DocView, fig: Ent, facts: FigureFacts, cand: Candidate, main_key: str | None
) -> dict[str, float]:
    """All features of one candidate pair (training uses this merged form)."""
    f = figure_features(facts, fig)
    f.update(subject_features(view, cand.subject))
    f.update(pair_only_features(view, fig, facts, cand, main_key))
    return f
