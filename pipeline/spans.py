"""Place character-offset entity candidates onto a pkuseg-tokenised ``Doc``.

Rules in zhnews match characters, not tokens: pkuseg often glues a number to its
multiplier or to the next word (``37.7亿`` + ``元``, ``增长10.8%``), and spaCy's
``Doc.char_span`` returns ``None`` for spans that cut through a token.  Instead of
shifting offsets (forbidden: offsets always index the text exactly as given), we
split tokens at every entity boundary, then create the spans.  Anything that still
cannot be placed (e.g. a boundary inside whitespace handling) is recorded in
``doc._.unplaced`` so it is counted, never silently dropped.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span

from pipeline.extensions import ensure_extensions


@dataclass
class EntityCandidate:
    """One entity proposed by a rule or model, in character offsets of ``doc.text``."""

    start: int
    end: int
    label: str
    source: str
    value: Any = None
    confidence: float = 1.0
    flags: dict[str, Any] | None = None
    canonical: str | None = None
    # Higher priority wins when two candidates overlap (then longer, then earlier).
    priority: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def split_at_boundaries(doc: Doc, boundaries: Iterable[int]) -> None:
    """Split tokens so that every offset in ``boundaries`` falls on a token edge."""
    cuts: dict[int, list[int]] = {}
    # ``Doc.text`` rebuilds the whole string on every access: measure it once.
    text_length = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    for offset in sorted(set(boundaries)):
        if offset <= 0 or offset >= text_length:
            continue
        token = _token_containing(doc, offset)
        if token is None:
            continue
        if offset == token.idx or offset >= token.idx + len(token.text):
            continue
        cuts.setdefault(token.i, []).append(offset - token.idx)
    if not cuts:
        return
    with doc.retokenize() as retokenizer:
        for token_i, rel_offsets in cuts.items():
            token = doc[token_i]
            pieces: list[str] = []
            previous = 0
            for rel in sorted(rel_offsets):
                pieces.append(token.text[previous:rel])
                previous = rel
            pieces.append(token.text[previous:])
            # Attach every piece to itself: zhnews has no parser, heads are irrelevant.
            heads = [(token, i) for i in range(len(pieces))]
            retokenizer.split(token, pieces, heads=heads)


def _token_containing(doc: Doc, offset: int):
    """Binary search for the token whose text covers ``offset`` (None in whitespace)."""
    lo, hi = 0, len(doc) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        token = doc[mid]
        if offset < token.idx:
            hi = mid - 1
        elif offset >= token.idx + len(token.text):
            lo = mid + 1
        else:
            return token
    return None


class _IntervalIndex:
    """Non-overlapping half-open intervals kept sorted, with O(log n) overlap queries.

    Overlap checks run for every candidate of every document, and a paragraph may hold
    hundreds of figures: a linear scan per check made placement quadratic.
    """

    def __init__(self, intervals: Iterable[tuple[int, int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in sorted(intervals):
            self.add(start, end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start)
        # The interval starting at or before ``start`` may reach into it; the next one
        # (starting after ``start``) overlaps when it starts before ``end``.
        if i > 0 and self._ends[i - 1] > start:
            return True
        return i < len(self._starts) and self._starts[i] < end

    def add(self, start: int, end: int) -> None:
        i = bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


def resolve_overlaps(candidates: Sequence[EntityCandidate]) -> list[EntityCandidate]:
    """Keep a non-overlapping subset: higher priority, then longer, then earlier wins."""
    ranked = sorted(
        candidates, key=lambda c: (-c.priority, -(c.end - c.start), c.start, c.label, c.source)
    )
    taken: list[EntityCandidate] = []
    occupied = _IntervalIndex()
    for cand in ranked:
        if cand.end <= cand.start or occupied.overlaps(cand.start, cand.end):
            continue
        taken.append(cand)
        occupied.add(cand.start, cand.end)
    return sorted(taken, key=lambda c: c.start)


def place_entities(
    doc: Doc, candidates: Sequence[EntityCandidate], *, overwrite: bool = False
) -> list[Span]:
    """Add candidates to ``doc.ents`` with their extension attributes.

    Existing entities win over new candidates unless ``overwrite`` is true, in which
    case overlapping existing entities are removed.  Returns the spans placed.
    """
    ensure_extensions()
    chosen = resolve_overlaps(candidates)
    existing = list(doc.ents)
    if not overwrite:
        taken = _IntervalIndex((e.start_char, e.end_char) for e in existing)
        chosen = [c for c in chosen if not taken.overlaps(c.start, c.end)]
    if not chosen:
        return []
    split_at_boundaries(doc, [b for c in chosen for b in (c.start, c.end)])
    # Retokenising invalidates the old Span objects; rebuild them by offsets.
    existing = [
        span
        for span in (doc.char_span(e.start_char, e.end_char, label=e.label_) for e in existing)
        if span is not None
    ]
    placed: list[Span] = []
    unplaced = doc._.unplaced if doc._.unplaced is not None else []
    for cand in chosen:
        span = doc.char_span(cand.start, cand.end, label=cand.label)
        if span is None:
            unplaced.append(
                {"start": cand.start, "end": cand.end, "label": cand.label, "source": cand.source}
            )
            continue
        span._.value = cand.value
        span._.source = cand.source
        span._.confidence = cand.confidence
        span._.flags = cand.flags
        span._.canonical = cand.canonical
        placed.append(span)
    doc._.unplaced = unplaced
    if overwrite:
        new = _IntervalIndex((p.start_char, p.end_char) for p in placed)
        existing = [e for e in existing if not new.overlaps(e.start_char, e.end_char)]
    doc.ents = sorted([*existing, *placed], key=lambda s: s.start_char)
    return placed
