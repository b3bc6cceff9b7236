"""Candidate generation and pair scoring for every figure of a long paragraph at once.

Why: a paragraph with hundreds of figures (tables pasted as text, the 500-figure
benchmark paragraph) spends most of the relation stage in per-candidate Python:
:func:`pipeline.relations.candidates.generate` builds about six ``Candidate`` objects
per figure and :meth:`PairScorer.score` adds a score for each.  Here the same
candidates are found with array operations over the sorted subject offsets, and the
same weights are added in the same order as :meth:`PairScorer.score`, element by
element in float64 (IEEE additions, so every total is the same float, bit for bit;
a missing feature adds +0.0, which changes no partial sum, as in ``PairScorer``).
Only each figure's best candidate becomes a ``Candidate`` object.

The linker uses this path from :data:`MIN_FIGURES` figures on; shorter paragraphs
keep the per-figure path, whose fixed cost is lower.  ``tests/relations`` run both
paths on the annotated corpus and require the same links.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from operator import attrgetter

import numpy as np

from pipeline.relations.candidates import Candidate, CandidateConfig, _main_subject
from pipeline.relations.document import DocView, Ent, Subject
from pipeline.relations.features import (
    _BUCKETS,
    _KINDS,
    _TYPES,
    _bucket,
)
from pipeline.relations.pair_scorer import PairScorer, _gap_words
from pipeline.relations.rules import FigureFacts

# Array methods (x.cumsum(), x.nonzero(), x.searchsorted()) rather than the np.*
# functions of the same name: those go through a Python wrapper, microseconds per call.

# From this many figures on, a paragraph is scored with arrays (below it, numpy's
# fixed cost per call outweighs the per-candidate Python it saves).
MIN_FIGURES = 48


@dataclass(slots=True)
class Bests:
    """Every figure's highest-scoring candidate, as columns: whether it has one, its
    total score, its place in the candidate list of :func:`generate` (for the rules
    that need the whole list), and what :meth:`candidate` builds it from.

    Why columns: an object (and a ``Candidate``) per figure kept hundreds of objects
    alive at once on a long paragraph, each counted by the cyclic GC; the linker
    builds each figure's ``Candidate`` when it reaches the figure.
    """

    found: list[bool]
    z: list[float]
    position: list[int]
    column: list[int]  # ranks before the figure, then after it, then the fallback
    subject: list[int]  # index in ``subjects`` (-1: the main company)
    distance: list[int]
    n_before: int
    n_after: int
    subjects: list[Subject]
    main_subject: Subject | None
    # a clause break lies between the best candidate and the figure, or the candidate
    # is after it or the fallback (the test of the linker's _decide, for every figure)
    outside_clause: list[bool]

    def candidate(self, i: int) -> Candidate:
        """The best candidate of figure ``i`` (a new object, as generate makes them)."""
        col = self.column[i]
        if col < self.n_before:
            return Candidate(self.subjects[self.subject[i]], col, self.distance[i])
        if col < self.n_before + self.n_after:
            return Candidate(self.subjects[self.subject[i]], -1, self.distance[i], after=True)
        assert self.main_subject is not None
        return Candidate(self.main_subject, 99, self.distance[i], fallback=True)


def _none_found(n_fig: int) -> Bests:
    """No figure has a candidate."""
    return Bests([False] * n_fig, [], [], [], [], [], 0, 0, [], None, [])


def supported(view: DocView, facts: Sequence[FigureFacts], scorer: PairScorer) -> bool:
    """True when every figure kind and subject type is in the scorer's tables (else the
    per-figure path scores the pairs feature name by feature name)."""
    kinds = scorer.fallback_kind
    return all(f.kind in kinds for f in facts) and all(s.type in _TYPES for s in view.subjects)


def best_candidates(
    view: DocView,
    facts: Sequence[FigureFacts],
    main: Ent | None,
    main_key: str | None,
    config: CandidateConfig,
    scorer: PairScorer,
    figure_zs: Callable[[Sequence[Ent], Sequence[FigureFacts]], list[float]],
    subject_zs: Callable[[list[Subject]], list[float]],
) -> Bests:
    """Per figure of ``view``: its best candidate (``found`` False when it has none).

    ``figure_zs`` gives the intercept plus the figure's own features for every figure,
    ``subject_zs`` the subjects' own features for a list of subjects: the linker's
    parts of the score.
    """
    figures = view.figures
    subjects = view.subjects
    n_fig = len(figures)
    if not subjects and (main is None or not config.include_main):
        return _none_found(n_fig)  # no subject at all: no figure has a candidate
    # np.fromiter over plain ints: np.array of a list of tuples spends most of its time
    # discovering the nesting (about as long as the candidate search itself)
    fstart = _position_arrays(view)[2]  # view._figure_starts
    fend = np.fromiter((f.end for f in figures), np.int64, n_fig)
    starts = _position_arrays(view)[3]  # view._subject_starts
    fpos = _positions(view, fstart)
    table = _ScoreTables(view, scorer, main_key)
    ends, keys, ident = table.ends, table.key, table.ident
    # every subject its own identity (a list of distinct segments): no key repeats
    # within a figure's candidates, and the dedupe loops below are skipped
    distinct = len(ident) == len(subjects)
    before = _before(config, fstart, starts, ends, keys, distinct)
    after = _after(view, config, fstart, fend, starts, keys, before, distinct)
    main_subject = _main_subject(view, main) if config.include_main and main is not None else None
    fallback = None
    if main_subject is not None:
        main_id = ident.get(("ORG", main_subject.key), -1)
        seen = (before[1] == main_id).any(axis=1) | (after[1] == main_id).any(axis=1)
        fallback = ~seen
    # the figures' columns of the facts, once for every use below (C-level maps where
    # no test is needed)
    kinds = np.fromiter(map(_KIND_INDEX.__getitem__, map(_KIND, facts)), np.int64, n_fig)
    metric_start = np.fromiter(  # -1: no metric
        (f.metric.start if f.metric is not None else -1 for f in facts), np.int64, n_fig
    )
    base = np.array(figure_zs(figures, facts), float)
    # the subjects some figure may take, sorted (a mask replaces np.unique of the
    # concatenated columns: no sort, fewer calls)
    taken = np.zeros(len(subjects) + 1, bool)  # (the last slot absorbs the -1s)
    taken[before[0]] = True
    taken[after[0]] = True
    used = taken[:-1].nonzero()[0]
    z_subject = np.zeros(len(subjects))
    z_subject[used] = subject_zs([subjects[i] for i in used.tolist()])
    columns: list[np.ndarray] = []  # 2-D blocks of columns
    b_idx, _, b_dist = before
    a_idx, _, a_dist = after
    if not subjects:  # the main company is the only candidate
        b_idx, a_idx = b_idx[:, :0], a_idx[:, :0]
    if b_idx.shape[1]:  # every before-rank at once (one call per term, not per rank)
        z = table.before_pairs(view, kinds, metric_start, fstart, fpos, b_idx, b_dist)
        columns.append(np.where(b_idx >= 0, base[:, None] + z_subject[b_idx] + z, -np.inf))
    for col in range(a_idx.shape[1]):
        ok = a_idx[:, col] >= 0
        z = table.after_pairs(kinds, a_idx[:, col], a_dist[:, col])
        columns.append(np.where(ok, base + z_subject[a_idx[:, col]] + z, -np.inf)[:, None])
    main_dist = None
    if fallback is not None and main_subject is not None and main is not None:
        main_dist = np.abs(fstart - main.end)
        z = table.fallback_pairs(facts, kinds, metric_start)
        main_z = subject_zs([main_subject])[0]
        columns.append(np.where(fallback, base + main_z + z, -np.inf)[:, None])
    if not columns:
        return _none_found(n_fig)
    scores = np.concatenate(columns, axis=1)  # before-ranks, after, fallback: generate's order
    present = np.isfinite(scores)
    best_col = scores.argmax(axis=1)
    rows = np.arange(n_fig)
    best_z = scores[rows, best_col]
    # position in the candidate list: the present columns before the best one
    position = (present.cumsum(axis=1) - 1)[rows, best_col]
    has_any = present.any(axis=1)
    n_before, n_after = b_idx.shape[1], a_idx.shape[1]
    # the best column's subject index and distance (main company: -1), as lists
    index = np.concatenate([b_idx, a_idx, np.full((n_fig, 1), -1)], axis=1)
    main_column = main_dist[:, None] if main_dist is not None else np.zeros((n_fig, 1), np.int64)
    dist = np.concatenate([b_dist, a_dist, main_column], axis=1)
    best_subject = index[rows, best_col]
    outside_clause = best_col >= n_before  # an after candidate or the fallback
    if subjects:  # (bisect_left(clause_breaks, offset) of figure and subject end)
        outside_clause |= fpos[:, 1] != table.positions[best_subject, 1]
    return Bests(
        has_any.tolist(),
        best_z.tolist(),
        position.tolist(),
        best_col.tolist(),
        best_subject.tolist(),
        dist[rows, best_col].tolist(),
        n_before,
        n_after,
        subjects,
        main_subject,
        outside_clause.tolist(),
    )


def _before(
    config: CandidateConfig,
    fstart: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    keys: np.ndarray,
    distinct: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidates before each figure, as :func:`generate` picks them: subject index,
    identity key and distance per rank (-1 where a rank is empty).  ``distinct``: no two
    subjects share a key (then no candidate is skipped as already taken)."""
    width = 4 * config.max_before  # generate scans at most this many subjects
    n_fig = len(fstart)
    nearest = starts.searchsorted(fstart, "left") - 1  # the last subject starting before
    idx = nearest[:, None] - np.arange(width)[None, :]
    valid = idx >= 0
    safe = np.where(valid, idx, 0)
    end = ends[safe] if len(ends) else np.zeros_like(safe)
    dist = fstart[:, None] - end
    overlapping = valid & (dist < 0)  # a subject overlapping the figure is skipped
    usable = valid & ~overlapping
    far = usable & (dist > config.max_distance)
    usable &= _running_count(far) == 0  # the scan stops at the first far subject
    key = np.where(usable, keys[safe] if len(keys) else 0, -1)
    if distinct:
        first = usable
    elif not overlapping.any():
        # a key already taken nearer the figure is skipped: with no subject skipped as
        # overlapping, every subject nearer than a usable one is usable, so a subject is
        # a repeat exactly when the next subject with its key is no further on than the
        # figure's nearest (one gather, replacing a sort of every row)
        first = usable & (_next_same(keys)[safe] > nearest[:, None])
    else:  # the same, among the usable subjects: each row's keys sorted stably, a key
        # equal to the one before it in that order is a repeat (replaces comparing
        # every column with the nearer ones, one numpy call per column)
        order = key.argsort(axis=1, kind="stable")
        in_order = np.take_along_axis(key, order, axis=1)
        repeated_in_order = np.zeros_like(usable)
        repeated_in_order[:, 1:] = in_order[:, 1:] == in_order[:, :-1]
        repeated = np.empty_like(usable)
        np.put_along_axis(repeated, order, repeated_in_order, axis=1)
        first = usable & ~repeated
    rank = _running_count(first) - 1
    taken = first & (rank < config.max_before)
    # scattered through flat indices: one 1-D gather and put per output
    cells = taken.ravel().nonzero()[0]
    to = (cells // width) * config.max_before + rank.ravel()[cells]
    out_idx = np.full(n_fig * config.max_before, -1, np.int64)
    out_key = np.full(n_fig * config.max_before, -2, np.int64)
    out_dist = np.zeros(n_fig * config.max_before, np.int64)
    out_idx[to] = idx.ravel()[cells]
    out_key[to] = key.ravel()[cells]
    out_dist[to] = dist.ravel()[cells]
    shape = (n_fig, config.max_before)
    return out_idx.reshape(shape), out_key.reshape(shape), out_dist.reshape(shape)


def _running_count(flags: np.ndarray) -> np.ndarray:
    """``flags.cumsum(axis=1)`` of a 2-D bool array, as a product with a triangular
    matrix of ones: a float32 matrix product is several times faster than a cumsum along
    the short rows, and the counts (at most the row length) are exact in float32."""
    return (flags.astype(np.float32) @ _upper_ones(flags.shape[1])).astype(np.int64)


@cache
def _upper_ones(width: int) -> np.ndarray:
    """The upper triangular matrix of ones (float32) of :func:`_running_count`."""
    return np.triu(np.ones((width, width), np.float32))


def _next_same(keys: np.ndarray) -> np.ndarray:
    """Per subject: the index of the next subject with the same key (the number of
    subjects where none follows)."""
    order = keys.argsort(kind="stable")  # equal keys in index order
    in_order = keys[order]
    same = in_order[1:] == in_order[:-1]
    out = np.full(len(keys), len(keys), np.int64)
    out[order[:-1][same]] = order[1:][same]
    return out


def _after(
    view: DocView,
    config: CandidateConfig,
    fstart: np.ndarray,
    fend: np.ndarray,
    starts: np.ndarray,
    keys: np.ndarray,
    before: tuple[np.ndarray, np.ndarray, np.ndarray],
    distinct: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidates after each figure in its sentence (within ``max_after_distance``),
    keys not already taken before it, as :func:`generate` picks them (``distinct``: as
    for :func:`_before`)."""
    n_fig = len(fend)
    first = starts.searchsorted(fend, "left")
    last = starts.searchsorted(fend + config.max_after_distance, "right")
    width = int((last - first).max()) if n_fig else 0
    out_idx = np.full((n_fig, config.max_after), -1, np.int64)
    out_key = np.full((n_fig, config.max_after), -2, np.int64)
    out_dist = np.zeros((n_fig, config.max_after), np.int64)
    if width <= 0 or config.max_after <= 0:
        return out_idx, out_key, out_dist
    breaks = np.asarray(view.sentence_breaks, np.int64)
    i = breaks.searchsorted(fend, "left")
    sent_end = np.where(i < len(breaks), breaks[np.minimum(i, len(breaks) - 1)], len(view.text))
    if not len(breaks):
        sent_end = np.full(n_fig, len(view.text), np.int64)
    idx = first[:, None] + np.arange(width)[None, :]
    valid = idx < last[:, None]
    safe = np.where(valid, idx, 0)
    start = starts[safe]
    usable = valid & (start < sent_end[:, None])
    key = np.where(usable, keys[safe], -1)
    if distinct:  # a subject after the figure is none of those before it
        fresh = usable.copy()
    else:
        fresh = usable & ~(key[:, :, None] == before[1][:, None, :]).any(axis=2)
    for d in range(1, width if not distinct else 1):
        fresh[:, d] &= ~((key[:, :d] == key[:, d : d + 1]) & fresh[:, :d]).any(axis=1)
    rank = fresh.cumsum(axis=1) - 1
    taken = fresh & (rank < config.max_after)
    rows, cols = taken.nonzero()
    out_idx[rows, rank[rows, cols]] = idx[rows, cols]
    out_key[rows, rank[rows, cols]] = key[rows, cols]
    out_dist[rows, rank[rows, cols]] = (start - fend[:, None])[rows, cols]
    return out_idx, out_key, out_dist


class _ScoreTables:
    """The weights of :class:`PairScorer` as arrays, and per-subject offsets."""

    def __init__(self, view: DocView, scorer: PairScorer, main_key: str | None) -> None:
        self.scorer = scorer
        subjects = view.subjects
        (
            self.kind_type,
            self.rank,
            self.dist,
            self.sent_breaks,
            self.clause_breaks,
            self.figs_between,
            self.subjects_between,
            self.semicolon,
        ) = _weight_arrays(scorer)
        # one pass over the subjects: end, type, source, identity (type, key) as indices,
        # segment of the main company (a plain loop filling a list per column: a
        # generator of a tuple per subject cost a quarter more, and a tuple each for the
        # cyclic GC to count)
        self.ident: dict[tuple[str, str], int] = {}
        ident = self.ident.setdefault
        sources: dict[str, int] = {}
        source = sources.setdefault
        type_index = _TYPE_INDEX
        ends: list[int] = []
        types: list[int] = []
        source_ids: list[int] = []
        keys: list[int] = []
        segment_of_main: list[bool] = []
        for s in subjects:
            stype = s.type
            ends.append(s.end)
            types.append(type_index[stype])
            source_ids.append(source(s.source, len(sources)) if s.source else -1)
            keys.append(ident((stype, s.key), len(self.ident)))
            company = s.company
            segment_of_main.append(
                stype == "SEGMENT" and company is not None and company == main_key
            )
        n = len(subjects)
        self.ends = np.fromiter(ends, np.int64, n)
        self.type = np.fromiter(types, np.int64, n)
        self.source = np.fromiter(source_ids, np.int64, n)
        self.key = np.fromiter(keys, np.int64, n)
        self.segment_of_main = np.fromiter(segment_of_main, bool, n)
        # the main company: an ORG with its key, i.e. that identity
        main_id = self.ident.get(("ORG", main_key), -1) if main_key is not None else -1
        self.is_main = self.key == main_id
        self.src = np.array(
            [[scorer._src(src, r) for r in range(5)] for src in sources] or [[0.0] * 5]
        )
        self.positions = _positions(view, self.ends)
        self.main_key = main_key

    def before_pairs(
        self,
        view: DocView,
        kinds: np.ndarray,
        metric_start: np.ndarray,
        fstart: np.ndarray,
        fpos: np.ndarray,
        subject: np.ndarray,
        distance: np.ndarray,
    ) -> np.ndarray:
        """:meth:`PairScorer.score` of every before-rank of every figure: ``subject`` and
        ``distance`` have a row per figure and a column per rank (entries where
        ``subject`` is -1 are computed on subject 0 and discarded by the caller);
        ``kinds`` and ``metric_start`` (-1: none) are the figures' columns of their
        facts, ``fpos`` :func:`_positions` of the figure starts ``fstart``.

        Why 2-D: one numpy call per feature template for all ranks together (a call
        per rank and template was most of this function's time on a long paragraph).
        Each element still gets the weights added one by one in the order of
        :meth:`PairScorer.score`, so every total is the same float.
        """
        sc = self.scorer
        s = np.where(subject >= 0, subject, 0)
        stype = self.type[s] if len(self.type) else np.zeros_like(s)
        r = np.minimum(np.arange(subject.shape[1]), 4)[None, :]  # rank 4 stands for 4+
        bucket = _BUCKET_INDEX[np.minimum(distance, _FAR)]
        z = self.kind_type[kinds[:, None], stype]
        z = z + self.rank[r, stype, 0]
        z = z + self.rank[r, stype, 1]
        z = z + self.dist[bucket, stype, 0]
        z = z + self.dist[bucket, stype, 1]
        src = self.source[s]
        z = z + np.where(src >= 0, self.src[np.maximum(src, 0), r], 0.0)
        # >= 0 for every real pair (the subject ends before the figure); the entries
        # without a candidate may go negative and are clipped to stay indexable
        delta = np.maximum(fpos[:, None, :] - self.positions[s], 0)
        sent_breaks, clause_breaks = delta[..., 0], delta[..., 1]
        figs, subjects = delta[..., 2], delta[..., 3]
        z = z + np.where(sent_breaks == 0, sc.same_sentence, 0.0)
        z = z + np.where(clause_breaks == 0, sc.same_clause, 0.0)
        z = z + self.sent_breaks[np.minimum(sent_breaks, 3)]
        z = z + self.clause_breaks[np.minimum(clause_breaks, 4)]
        z = z + self.figs_between[np.minimum(figs, 3)]
        z = z + self.subjects_between[np.minimum(subjects, 3)]
        z = z + np.where((subjects != 0) & (delta[..., 4] != 0), sc.segment_between, 0.0)
        z = z + np.where(delta[..., 5] != 0, sc.metric_between, 0.0)
        z = z + np.where(self.is_main[s], sc.is_main, 0.0)
        z = z + np.where(self.segment_of_main[s], sc.segment_of_main, 0.0)
        gap = (clause_breaks != 0) | (distance > 2)
        qizhong, semicolons = _gap_words(view)
        e = self.ends[s]
        if qizhong:
            q = np.asarray(qizhong, np.int64)
            inside = q.searchsorted(fstart - 1, "left")[:, None] > q.searchsorted(e, "left")
            z = z + np.where(gap & inside, sc.qizhong_between, 0.0)
        if semicolons:
            q = np.asarray(semicolons, np.int64)
            inside = gap & (q.searchsorted(fstart, "left")[:, None] > q.searchsorted(e, "left"))
            z = z + np.where(inside, sc.semicolon_between, 0.0)
            z = z + np.where(inside, self.semicolon[stype], 0.0)
        z = z + np.where(metric_start[:, None] >= e, sc.metric_after_subject, 0.0)
        return z

    def after_pairs(
        self, kinds: np.ndarray, subject: np.ndarray, distance: np.ndarray
    ) -> np.ndarray:
        """:meth:`PairScorer.score` of an after-candidate for every figure."""
        sc = self.scorer
        s = np.where(subject >= 0, subject, 0)
        stype = self.type[s] if len(self.type) else np.zeros_like(s)
        after = np.asarray([sc.after[b] for b in _BUCKETS])
        z = self.kind_type[kinds, stype]
        z = z + sc.after_w
        z = z + after[_BUCKET_INDEX[np.minimum(distance, _FAR)]]
        return z

    def fallback_pairs(
        self, facts: Sequence[FigureFacts], kinds: np.ndarray, metric_start: np.ndarray
    ) -> np.ndarray:
        """:meth:`PairScorer.score` of the main-company fallback for every figure (the
        columns as for :meth:`before_pairs`)."""
        sc = self.scorer
        z = self.kind_type[kinds, _TYPES.index("ORG")]
        z = z + sc.fallback_main
        z = z + np.asarray([sc.fallback_kind[k] for k in _KINDS])[kinds]
        z = z + np.where(metric_start >= 0, sc.fallback_has_metric, sc.fallback_no_metric)
        market = np.fromiter(map(_MARKET_CUE, facts), bool, len(facts))
        z = z + np.where(market, sc.fallback_market_cue, sc.fallback_no_market_cue)
        return z


def _weight_arrays(scorer: PairScorer) -> tuple[np.ndarray, ...]:
    """The scorer's weight tables as arrays, built once per scorer (cached on it: they
    depend on the model only): kind x type, rank x type, bucket x type, sentence and
    clause breaks, figures and subjects between, semicolon by type."""
    found = scorer.__dict__.get("_vector_arrays")
    if found is None:
        found = scorer.__dict__["_vector_arrays"] = (
            # 0.0 + weight: the first addition of PairScorer.score, done once
            np.array([[0.0 + scorer.kind_type[(k, t)] for t in _TYPES] for k in _KINDS]),
            np.array([[scorer.rank[(r, t)] for t in _TYPES] for r in range(5)]),
            np.array([[scorer.dist[(b, t)] for t in _TYPES] for b in _BUCKETS]),
            np.array(scorer.sent_breaks),
            np.array(scorer.clause_breaks),
            np.array(scorer.figs_between),
            np.array(scorer.subjects_between),
            np.array([scorer.semicolon[t] for t in _TYPES]),
        )
    return found


def _positions(view: DocView, offsets: np.ndarray) -> np.ndarray:
    """:func:`offset_positions` of every offset: one row of six positions each."""
    out = np.empty((len(offsets), 6), np.int64)  # (filled by column: np.stack costs more)
    for column, a in enumerate(_position_arrays(view)):
        out[:, column] = a.searchsorted(offsets, "left")
    return out


def _position_arrays(view: DocView) -> list[np.ndarray]:
    """The view's sorted offset lists that :func:`offset_positions` searches, as arrays:
    sentence and clause breaks, figure, subject, segment and metric starts (once per
    paragraph, cached on the view)."""
    arrays = view.__dict__.get("_position_arrays")
    if arrays is None:
        arrays = view.__dict__["_position_arrays"] = [
            np.fromiter(a, np.int64, len(a))
            for a in (
                view.sentence_breaks,
                view.clause_breaks,
                view._figure_starts,
                view._subject_starts,
                view._segment_starts,
                view._metric_starts,
            )
        ]
    return arrays


_TYPE_INDEX = {t: n for n, t in enumerate(_TYPES)}
_KIND_INDEX = {k: n for n, k in enumerate(_KINDS)}
_KIND = attrgetter("kind")
_MARKET_CUE = attrgetter("market_cue")
_FAR = 81  # the smallest distance of the "far" bucket: larger ones are clipped to it
# distance (0.._FAR) -> index of its bucket in _BUCKETS
_BUCKET_INDEX = np.array([_BUCKETS.index(_bucket(n)) for n in range(_FAR + 1)], np.int64)
