"""The pair part of the model score, ``w . pair_only_features``, without feature names.

:func:`pipeline.relations.features.pair_only_names` is the definition of the pair
features (training and tests use it).  Scoring a pair through it builds a list of
names and looks each one up in the weight dict; that is a third of the linking time
on a news paragraph, because every figure scores several candidates.  ``PairScorer``
looks the weights up once per model instead (one table per feature template, keyed
by what the template depends on: kind and subject type, rank, distance bucket, ...)
and adds them in exactly the order of ``pair_only_names``.  The sum is therefore the
same float, bit for bit: a missing feature weighs 0.0 and adding 0.0 changes no
partial sum (the float path of ``sum`` starts at +0.0).
``tests/relations/test_pair_scorer.py`` checks the equality on every candidate of the
annotated corpus.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import attrgetter
from string import ascii_lowercase

import numpy as np

from pipeline.relations.candidates import SPEAKER_RIGHT, Candidate
from pipeline.relations.document import DocView, Ent, Subject
from pipeline.relations.features import (
    _BUCKET_OF,
    _BUCKET_TABLE,
    _BUCKETS,
    _CLAUSE_BREAKS,
    _DIST_NAMES,
    _FIGS_BETWEEN,
    _KIND_TYPE,
    _KINDS,
    _LATIN_RE,
    _LIST_RIGHT,
    _OBJECT_LEFT,
    _RANK_NAMES,
    _SEGMENT_CONTEXT,
    _SEGMENT_CONTEXT_RE,
    _SENT_BREAKS,
    _SUBJECTS_BETWEEN,
    _TYPES,
    _bucket,
    _bucket_fast,
    offset_positions,
    pair_only_names,
)
from pipeline.relations.rules import FigureFacts

# From this many segments on, a paragraph's segment-context words are found once
# (below it, one regex search per segment costs less than the scan).
_CONTEXT_SCAN_SEGMENTS = 16
# How far before a segment a segment-context word counts (features.subject_features).
_CONTEXT_WINDOW = 60
# From this many subjects on, SubjectScorer.score_many does its binary searches with
# arrays (:func:`_many_subject_lookups`; below it, numpy's fixed cost outweighs them).
_ARRAY_SUBJECTS = 32
_START = attrgetter("start")
_END = attrgetter("end")


def _segment_context_before(view: DocView, start: int) -> bool:
    """``_SEGMENT_CONTEXT_RE.search(norm, start - 60, start)`` (``segment_context``):
    a segment-context word lies wholly in the 60 characters before ``start``.

    Why: a long list of segments (the 500-figure paragraph) searched the window once
    per segment.  With many segments every occurrence of every word is found once
    (overlapping ones too, as the windowed search may meet them), sorted by end, with
    the running maximum of their starts: the window holds one exactly when some
    occurrence ending at or before ``start`` starts at or after the window's start.
    """
    lo = start - _CONTEXT_WINDOW if start > _CONTEXT_WINDOW else 0
    found = view.__dict__.get("_segment_context")
    if found is None:
        if len(view.segments) < _CONTEXT_SCAN_SEGMENTS:
            return _SEGMENT_CONTEXT_RE.search(view.norm, lo, start) is not None
        found = _segment_context_index(view)
    ends, latest_start = found
    i = bisect_right(ends, start)
    return i > 0 and latest_start[i - 1] >= lo


def _segment_context_index(view: DocView) -> tuple[list[int], list[int]]:
    """:func:`_segment_context_before`'s index of the paragraph (cached on the view):
    the ends of every segment-context word's occurrences, sorted, and the running
    maximum of their starts."""
    d = view.__dict__
    found = d.get("_segment_context")
    if found is None:
        norm = view.norm
        spans = []
        for word in _SEGMENT_CONTEXT:
            pos = norm.find(word)
            while pos != -1:
                spans.append((pos + len(word), pos))
                pos = norm.find(word, pos + 1)
        spans.sort()
        ends = [e for e, _ in spans]
        latest_start: list[int] = []
        best = -1
        for _, s in spans:
            best = s if s > best else best
            latest_start.append(best)
        found = d["_segment_context"] = (ends, latest_start)
    return found


def _many_subject_lookups(
    view: DocView, subjects: Sequence[Subject]
) -> tuple[list[bool], list[bool]]:
    """Per subject: a metric starts within 4 characters after it (``followed_by_metric``)
    and a segment-context word lies in the 60 characters before it
    (:func:`_segment_context_before`), as array operations over the whole list.

    Why: a long list of segments (the 500-figure paragraph) spent a third of
    :meth:`SubjectScorer.score_many` in these binary searches, two or three per subject;
    here they are a few numpy calls for all subjects (the same searches, so the same
    answers).
    """
    n = len(subjects)
    starts = np.fromiter(map(_START, subjects), np.int64, n)
    ends = np.fromiter(map(_END, subjects), np.int64, n)
    metric = np.asarray(view._metric_starts, np.int64)
    near_metric = metric.searchsorted(ends + 4, "left") > metric.searchsorted(ends, "left")
    context_ends, latest_start = _segment_context_index(view)
    if not context_ends:
        return near_metric.tolist(), [False] * n
    i = np.asarray(context_ends, np.int64).searchsorted(starts, "right")
    # (start - 60 for the window's start: below 0 it admits every start, as 0 does)
    latest = np.asarray(latest_start, np.int64)[np.maximum(i - 1, 0)]
    in_context = (i > 0) & (latest >= starts - _CONTEXT_WINDOW)
    return near_metric.tolist(), in_context.tolist()


@lru_cache(maxsize=4096)
def _left_context(left2: str) -> tuple[bool, bool]:
    """Whether the two characters before a subject end with an object marker
    (``object_left``: 与/和/向…) and open a parenthesis (``in_parens``: ``(`` or
    ``（``, or ``(由``), as :func:`features.subject_features` tests them.

    Why cached by the two characters: the same few pairs recur before every subject
    (``，第``, ``与``…), and the test against the tuple of object words cost a quarter
    of :meth:`SubjectScorer.score_many`.
    """
    return (
        left2.endswith(_OBJECT_LEFT),
        left2[-1:] in ("(", "（") or left2 in ("(由", "（由"),
    )


def _first_latin(view: DocView) -> int:
    """Offset of the paragraph's first Latin letter (``_LATIN_RE``, [a-z]; the length of
    the text when it has none), cached on the view: a name ending at or before it has
    none (``seg_latin``), with no search.  One ``str.find`` per letter: a third of the
    time of the regex scan over a long paragraph."""
    d = view.__dict__
    found = d.get("_first_latin")
    if found is None:
        norm = view.norm
        found = min((p for p in map(norm.find, ascii_lowercase) if p != -1), default=len(norm))
        d["_first_latin"] = found
    return found


def _gap_words(view: DocView) -> tuple[list[int], list[int]]:
    """Offsets of every 其中 and every semicolon of the paragraph (cached on the view).

    ``"其中" in norm[e:f]`` is ``e <= p <= f - 2`` for some offset ``p`` (two
    occurrences cannot overlap), and a semicolon lies in ``[e, f)``: both are two
    bisects here, where ``pair_only_names`` searches the gap text.
    """
    found = view.__dict__.get("_gap_words")
    if found is None:
        norm = view.norm
        qizhong: list[int] = []
        pos = norm.find("其中")  # rare: str.find beats a regex scan
        while pos != -1:
            qizhong.append(pos)
            pos = norm.find("其中", pos + 2)
        semicolons = view.semicolons  # every ; and ；, inside entities too
        found = view.__dict__["_gap_words"] = (qizhong, semicolons)
    return found


class PairScorer:
    """``model.partial(pair_only_names(...))`` with the weights looked up per model."""

    def __init__(self, weights: dict[str, float]) -> None:
        self._weights = weights
        get = weights.get
        self._named: dict[str, float] = {}
        # fallback and after scores by (kind, type, fallback, bucket or metric, market)
        self._edge: dict[tuple[str, str, bool, bool | str, bool], float] = {}
        self.kind_type = {key: get(name, 0.0) for key, name in _KIND_TYPE.items()}
        self.rank = {key: (get(a, 0.0), get(b, 0.0)) for key, (a, b) in _RANK_NAMES.items()}
        self.dist = {key: (get(a, 0.0), get(b, 0.0)) for key, (a, b) in _DIST_NAMES.items()}
        self.sent_breaks = tuple(get(n, 0.0) for n in _SENT_BREAKS)
        self.clause_breaks = tuple(get(n, 0.0) for n in _CLAUSE_BREAKS)
        self.figs_between = tuple(get(n, 0.0) for n in _FIGS_BETWEEN)
        self.subjects_between = tuple(get(n, 0.0) for n in _SUBJECTS_BETWEEN)
        self.src_rank: dict[tuple[str, int], float] = {}
        self.after = {b: get("after|dist=" + b, 0.0) for b in _BUCKETS}
        self.semicolon = {t: get("semicolon_between|type=" + t, 0.0) for t in _TYPES}
        self.fallback_kind = {k: get("fallback|kind=" + k, 0.0) for k in _KINDS}
        (
            self.same_sentence,
            self.same_clause,
            self.segment_between,
            self.metric_between,
            self.is_main,
            self.segment_of_main,
            self.qizhong_between,
            self.semicolon_between,
            self.metric_after_subject,
            self.after_w,
            self.fallback_main,
            self.fallback_has_metric,
            self.fallback_no_metric,
            self.fallback_market_cue,
            self.fallback_no_market_cue,
        ) = (
            get(n, 0.0)
            for n in (
                "same_sentence",
                "same_clause",
                "segment_between",
                "metric_between",
                "is_main",
                "segment_of_main",
                "qizhong_between",
                "semicolon_between",
                "metric_after_subject",
                "after",
                "fallback_main",
                "fallback|has_metric",
                "fallback|no_metric",
                "fallback|market_cue",
                "fallback|no_market_cue",
            )
        )
        # what :meth:`best` reads per candidate before the figure, in one tuple: a
        # figure has about two candidates, so binding fifteen attributes one by one
        # cost as much as scoring them (one unpack instead)
        self._before_tables = (
            self.kind_type,
            self.rank,
            self.dist,
            self.src_rank,
            self.sent_breaks,
            self.clause_breaks,
            self.figs_between,
            self.subjects_between,
            self.same_sentence,
            self.same_clause,
            self.segment_between,
            self.metric_between,
            self.is_main,
            self.segment_of_main,
            self.metric_after_subject,
        )

    def _src(self, source: str, rank: int) -> float:
        w = self.src_rank.get((source, rank))
        if w is None:
            name = "src=" + source + "|rank=" + str(rank)
            w = self.src_rank[(source, rank)] = self._weights.get(name, 0.0)
        return w

    def score(
        self,
        view: DocView,
        fig: Ent,
        facts: FigureFacts,
        cand: Candidate,
        main_key: str | None,
        positions: tuple[int, int, int, int, int, int] | None,
    ) -> float:
        """The pair part of the score (``positions``: ``offset_positions(view, fig.start)``,
        looked up here when None)."""
        s = cand.subject
        stype = s.type
        kind = facts.kind
        kind_type = self.kind_type.get((kind, stype))
        if kind_type is None or kind not in self.fallback_kind:  # a kind outside the tables
            return self._slow(view, fig, facts, cand, main_key, positions)
        z = 0.0
        z += kind_type
        if cand.fallback:
            z += self.fallback_main
            z += self.fallback_kind[kind]
            z += self.fallback_has_metric if facts.metric is not None else self.fallback_no_metric
            z += self.fallback_market_cue if facts.market_cue else self.fallback_no_market_cue
            return z
        if cand.after:
            z += self.after_w
            z += self.after[_bucket_fast(cand.distance)]
            return z
        rank = min(cand.rank, 4)
        w_rank, w_rank_type = self.rank[(rank, stype)]
        w_dist, w_dist_type = self.dist[(_bucket_fast(cand.distance), stype)]
        z += w_rank
        z += w_rank_type
        z += w_dist
        z += w_dist_type
        if s.source:
            w = self.src_rank.get((s.source, rank))
            z += self._src(s.source, rank) if w is None else w
        e = s.end
        if positions is None:
            positions = offset_positions(view, fig.start)
        p_sent, p_clause, p_figs, p_subjects, p_segments, p_metrics = positions
        s_sent, s_clause, s_figs, s_subjects, s_segments, s_metrics = view.positions.get(
            e
        ) or offset_positions(view, e)
        sent_breaks = p_sent - s_sent
        clause_breaks = p_clause - s_clause
        if sent_breaks == 0:
            z += self.same_sentence
        if clause_breaks == 0:
            z += self.same_clause
        subjects = p_subjects - s_subjects
        z += self.sent_breaks[min(sent_breaks, 3)]
        z += self.clause_breaks[min(clause_breaks, 4)]
        z += self.figs_between[min(p_figs - s_figs, 3)]
        z += self.subjects_between[min(subjects, 3)]
        if subjects and p_segments - s_segments:
            z += self.segment_between
        if p_metrics - s_metrics:
            z += self.metric_between
        if main_key is not None and stype == "ORG" and s.key == main_key:
            z += self.is_main
        if stype == "SEGMENT" and s.company is not None and s.company == main_key:
            z += self.segment_of_main
        if clause_breaks or cand.distance > 2:
            # "其中" / a semicolon in the gap [e, f): bisects over their offsets
            f = fig.start
            qizhong, semicolons = _gap_words(view)
            if qizhong and bisect_left(qizhong, f - 1) > bisect_left(qizhong, e):
                z += self.qizhong_between
            if semicolons and bisect_left(semicolons, f) > bisect_left(semicolons, e):
                z += self.semicolon_between
                z += self.semicolon[stype]
        if facts.metric is not None and facts.metric.start >= e:
            z += self.metric_after_subject
        return z

    def best(
        self,
        view: DocView,
        fig: Ent,
        facts: FigureFacts,
        cands: list[Candidate],
        main_key: str | None,
        base: float,
        subject_zs: dict[int, float],
        subject_z: Callable[[Subject], float],
    ) -> tuple[Candidate | None, float]:
        """The candidate with the highest ``base + subject_z(s) + score(...)`` (the first
        one on ties) and that total.  ``subject_zs`` caches ``subject_z`` by ``id(s)``.

        The same sums as calling :meth:`score` per candidate, in the same order.  A
        fallback or after candidate's score depends on a few values only and is cached
        by them; the figure's offsets and the tables are bound once per figure, at its
        first candidate before it (a news figure has about two candidates, a long list
        of segments six).
        """
        kind = facts.kind
        if kind not in self.fallback_kind:  # a kind outside the tables: name by name
            return self._best_slow(view, fig, facts, cands, main_key, base, subject_zs, subject_z)
        edge = self._edge
        best_cand: Candidate | None = None
        best_z = 0.0
        bound = False
        for cand in cands:
            s = cand.subject
            z_subject = subject_zs.get(id(s))
            if z_subject is None:
                z_subject = subject_z(s)
            stype = s.type
            if cand.fallback:
                key = (kind, stype, True, facts.metric is not None, facts.market_cue)
                z = edge.get(key)
                if z is None:
                    z = edge[key] = self.score(view, fig, facts, cand, main_key, None)
            elif cand.after:
                key = (kind, stype, False, _bucket_fast(cand.distance), False)
                z = edge.get(key)
                if z is None:
                    z = edge[key] = self.score(view, fig, facts, cand, main_key, None)
            elif (kind, stype) not in self.kind_type:  # a subject type outside the tables
                z = self._slow(view, fig, facts, cand, main_key, offset_positions(view, fig.start))
            else:
                if not bound:
                    bound = True
                    f = fig.start
                    metric_start = facts.metric.start if facts.metric is not None else -1
                    p_sent, p_clause, p_figs, p_subjects, p_segments, p_metrics = offset_positions(
                        view, f
                    )
                    cache, get_positions = view.positions, offset_positions
                    (
                        kind_type,
                        rank_w,
                        dist_w,
                        src_w,
                        sent_w,
                        clause_w,
                        figs_w,
                        subjects_w,
                        same_sentence,
                        same_clause,
                        segment_between,
                        metric_between,
                        is_main,
                        segment_of_main,
                        metric_after_subject,
                    ) = self._before_tables
                    qizhong: list[int] | None = None
                    semicolons: list[int] = []
                rank = cand.rank
                if rank > 4:  # (min(rank, 4) without the call)
                    rank = 4
                distance = cand.distance
                w_rank, w_rank_type = rank_w[(rank, stype)]
                bucket = (
                    _BUCKET_OF[distance] if 0 <= distance < _BUCKET_TABLE else _bucket(distance)
                )
                w_dist, w_dist_type = dist_w[(bucket, stype)]
                z = 0.0
                z += kind_type[(kind, stype)]
                z += w_rank
                z += w_rank_type
                z += w_dist
                z += w_dist_type
                source = s.source
                if source:
                    w = src_w.get((source, rank))
                    z += self._src(source, rank) if w is None else w
                e = s.end
                s_sent, s_clause, s_figs, s_subjects, s_segments, s_metrics = cache.get(
                    e
                ) or get_positions(view, e)
                sent_breaks = p_sent - s_sent
                clause_breaks = p_clause - s_clause
                if sent_breaks == 0:
                    z += same_sentence
                if clause_breaks == 0:
                    z += same_clause
                subjects = p_subjects - s_subjects
                z += sent_w[sent_breaks if sent_breaks < 3 else 3]
                z += clause_w[clause_breaks if clause_breaks < 4 else 4]
                figs = p_figs - s_figs
                z += figs_w[figs if figs < 3 else 3]
                z += subjects_w[subjects if subjects < 3 else 3]
                if subjects and p_segments - s_segments:
                    z += segment_between
                if p_metrics - s_metrics:
                    z += metric_between
                if main_key is not None and stype == "ORG" and s.key == main_key:
                    z += is_main
                if stype == "SEGMENT" and s.company is not None and s.company == main_key:
                    z += segment_of_main
                if clause_breaks or distance > 2:
                    if qizhong is None:
                        qizhong, semicolons = _gap_words(view)
                    if qizhong and bisect_left(qizhong, f - 1) > bisect_left(qizhong, e):
                        z += self.qizhong_between
                    if semicolons and bisect_left(semicolons, f) > bisect_left(semicolons, e):
                        z += self.semicolon_between
                        z += self.semicolon[stype]
                if metric_start >= e:
                    z += metric_after_subject
            z = base + z_subject + z
            if best_cand is None or z > best_z:
                best_cand, best_z = cand, z
        return best_cand, best_z

    def _best_slow(
        self,
        view: DocView,
        fig: Ent,
        facts: FigureFacts,
        cands: list[Candidate],
        main_key: str | None,
        base: float,
        subject_zs: dict[int, float],
        subject_z: Callable[[Subject], float],
    ) -> tuple[Candidate | None, float]:
        """:meth:`best` through :meth:`score` (a kind the tables do not list)."""
        positions = offset_positions(view, fig.start)
        best_cand: Candidate | None = None
        best_z = 0.0
        for cand in cands:
            s = cand.subject
            z_subject = subject_zs.get(id(s))
            if z_subject is None:
                z_subject = subject_z(s)
            z = base + z_subject + self.score(view, fig, facts, cand, main_key, positions)
            if best_cand is None or z > best_z:
                best_cand, best_z = cand, z
        return best_cand, best_z

    def _slow(
        self,
        view: DocView,
        fig: Ent,
        facts: FigureFacts,
        cand: Candidate,
        main_key: str | None,
        positions: tuple[int, int, int, int, int, int] | None,
    ) -> float:
        """Through the feature names (a kind or subject type the tables do not list)."""
        get = self._weights.get
        z = 0.0
        for name in pair_only_names(view, fig, facts, cand, main_key, positions):
            z += get(name, 0.0)
        return z


class SubjectScorer:
    """``model.partial(subject_features(view, s))`` without the feature dict.

    :func:`pipeline.relations.features.subject_features` stays the definition (training
    uses it); this adds the same weights in the same order (the dict's insertion
    order, its names are distinct), so the sum is the same float.  Every subject of a
    paragraph is scored once, which on a long list of segments is as much work as
    scoring the pairs.  ``tests/relations/test_pair_scorer.py`` checks the equality
    on every subject of the annotated corpus.
    """

    def __init__(self, weights: dict[str, float]) -> None:
        get = self._get = weights.get
        self._named: dict[str, float] = {}
        self._by_source: dict[str, tuple[float, float]] = {}
        # the weights of seg_len=1-2, seg_len=3-4 and seg_len=5+, in that order
        self.seg_len = tuple(get("seg_len=" + b, 0.0) for b in ("1-2", "3-4", "5+"))
        self.by_type = {
            t: tuple(
                get(name + t, 0.0)
                for name in (
                    "type=",
                    "anaphor|type=",
                    "followed_by_metric|type=",
                    "in_parens|type=",
                )
            )
            for t in _TYPES
        }
        (
            self.anaphor,
            self.followed_by_metric,
            self.followed_by_list,
            self.object_left,
            self.segment_suffix,
            self.in_parens,
            self.org_speaker,
            self.segment_context,
            self.segment_repeated,
            self.head_after_entity,
            self.seg_latin,
        ) = (
            get(n, 0.0)
            for n in (
                "anaphor",
                "followed_by_metric",
                "followed_by_list",
                "object_left",
                "segment_suffix",
                "in_parens",
                "org_speaker",
                "segment_context",
                "segment_repeated",
                "head_after_entity",
                "seg_latin",
            )
        )

    def _w(self, name: str) -> float:
        """The weight of a name built from a value (source, type): looked up once."""
        w = self._named.get(name)
        if w is None:
            w = self._named[name] = self._get(name, 0.0)
        return w

    def _source_weights(self, source: str) -> tuple[float, float]:
        """The ``src=`` and ``segment_context|src=`` weights of a mention source, keyed by
        the source itself: a paragraph with hundreds of segments would otherwise build
        both names for every subject."""
        w = self._by_source.get(source)
        if w is None:
            w = self._by_source[source] = (
                self._w("src=" + source),
                self._w("segment_context|src=" + source),
            )
        return w

    def score(self, view: DocView, s: Subject) -> float:
        """The subject part of the score (the same float as through the names)."""
        return self.score_many(view, (s,))[0]

    def score_many(self, view: DocView, subjects: Sequence[Subject]) -> list[float]:
        """:meth:`score` of every subject, in order.

        One loop with the weights and the paragraph's lookups bound once: a long list
        of segments (the 500-figure paragraph) scores hundreds of subjects, and the
        per-call set-up cost as much as the additions.
        """
        norm = view.norm
        starts = view._metric_starts
        counts = view.segment_counts
        by_type, by_source_cache = self.by_type, self._by_source
        anaphor, followed_by_metric = self.anaphor, self.followed_by_metric
        followed_by_list, object_left = self.followed_by_list, self.object_left
        segment_suffix, in_parens, org_speaker = (
            self.segment_suffix,
            self.in_parens,
            self.org_speaker,
        )
        segment_context, segment_repeated = self.segment_context, self.segment_repeated
        head_after_entity, seg_len, seg_latin = self.head_after_entity, self.seg_len, self.seg_latin
        # _segment_context_before's index of the paragraph, read inline once the first
        # segment has built it (a call per segment costs a fifth of this loop)
        context: tuple[list[int], list[int]] | None = None
        near_metric: list[bool] | None = None
        in_context_of: list[bool] | None = None
        left_context = _left_context
        latin_from = 0  # (before it no name has a Latin letter: below, a search each)
        if len(subjects) >= _ARRAY_SUBJECTS:
            near_metric, in_context_of = _many_subject_lookups(view, subjects)
            latin_from = _first_latin(view)
        out: list[float] = []
        for k, s in enumerate(subjects):
            stype = s.type
            typed = by_type.get(stype)
            if typed is None:  # a type outside the tables
                typed = tuple(
                    self._w(n + stype)
                    for n in (
                        "type=",
                        "anaphor|type=",
                        "followed_by_metric|type=",
                        "in_parens|type=",
                    )
                )
            w_type, w_anaphor_type, w_metric_type, w_parens_type = typed
            start, end = s.start, s.end
            # the two characters before the mention (norm[max(0, start - 2) : start])
            after_object, in_parens_left = left_context(
                norm[start - 2 : start] if start >= 2 else norm[:start]
            )
            z = 0.0
            z += w_type
            if s.via_anaphor:
                z += anaphor
                z += w_anaphor_type
            if near_metric is not None:
                followed = near_metric[k]
            else:
                followed = bisect_left(starts, end + 4) > bisect_left(starts, end)
            if followed:
                z += followed_by_metric
                z += w_metric_type
            if norm.startswith(_LIST_RIGHT, end):
                z += followed_by_list
            if after_object:
                z += object_left
            if s.followed_by:
                z += segment_suffix
            if in_parens_left:
                z += in_parens
                z += w_parens_type
            segment = stype == "SEGMENT"
            if stype == "ORG" and norm.startswith(SPEAKER_RIGHT, end):
                z += org_speaker
            source = s.source
            by_source = by_source_cache.get(source) or self._source_weights(source)
            if segment:
                if in_context_of is not None:
                    in_context = in_context_of[k]
                elif context is not None:
                    i = bisect_right(context[0], start)
                    in_context = i > 0 and context[1][i - 1] >= start - _CONTEXT_WINDOW
                else:
                    in_context = _segment_context_before(view, start)
                    context = view.__dict__.get("_segment_context")
                if in_context:
                    z += segment_context
                    z += by_source[1]
                if counts.get(s.key, 0) > 1:
                    z += segment_repeated
            if source:
                z += by_source[0]
            if s.after_entity:
                z += head_after_entity
            if segment:
                ref_start, ref_end = s.ref_start, s.ref_end
                length = ref_end - ref_start
                z += seg_len[0 if length <= 2 else 1 if length <= 4 else 2]
                if ref_end > latin_from and _LATIN_RE.search(norm, ref_start, ref_end):
                    z += seg_latin
            out.append(z)
        return out
