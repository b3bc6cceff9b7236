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


def resolve_overlaps(candidates: Sequence[EntityCandidate]) -> list[EntityCandidate]:
    """Keep a non-overlapping subset: higher priority, then longer, then earlier wins."""
    ranked = sorted(
        candidates, key=lambda c: (-c.priority, -(c.end - c.start), c.start, c.label, c.source)
    )
    taken: list[EntityCandidate] = []
    occupied: list[tuple[int, int]] = []
    for cand in ranked:
        if cand.end <= cand.start:
            continue
        if any(cand.start < e and s < cand.end for s, e in occupied):
            continue
        taken.append(cand)
        occupied.append((cand.start, cand.end))
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
        chosen = [
            c
            for c in chosen
            if not any(c.start < e.end_char and e.start_char < c.end for e in existing)
        ]
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
        existing = [
            e
            for e in existing
            if not any(p.start_char < e.end_char and e.start_char < p.end_char for p in placed)
        ]
    doc.ents = sorted([*existing, *placed], key=lambda s: s.start_char)
    return placed
