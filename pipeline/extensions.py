"""Custom ``Doc``/``Span`` attributes that carry zhnews results.

They are registered once, idempotently, by :func:`ensure_extensions`, which every
component calls in its constructor so that ``spacy.load`` in a fresh process (or a
worker) finds them without importing anything else.

Span attributes live in ``doc.user_data`` keyed by character offsets, so they
survive retokenisation and ``Doc.to_bytes`` round trips.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

SPAN_EXTENSIONS: dict[str, object] = {
    # Normalised value of a MONEY/PERCENT/DATE entity (schema v1 ``value``), or None.
    "value": None,
    # Which rule or model produced the entity, e.g. "rule:money.currency_after".
    "source": None,
    # Confidence in [0, 1]; rules report 1.0 unless they say otherwise.
    "confidence": None,
    # Extra facts about the expression, e.g. {"qualifier": "约"}.
    "flags": None,
    # Canonical organisation name an ORG mention is linked to (alias linking).
    "canonical": None,
}

DOC_EXTENSIONS: dict[str, object] = {
    # Publication date "YYYY-MM-DD" used to resolve relative dates; None if unknown.
    "pub_date": None,
    # Facts produced by the relation stage, already in schema-v1 relation shape.
    "relations": None,
    # Entity candidates that could not be placed on token boundaries (never silently dropped).
    "unplaced": None,
    # Business-segment and metric mentions found by the relation stage (for debugging/displaCy).
    "mentions": None,
}


def ensure_extensions() -> None:
    """Register every zhnews extension once; safe to call many times."""
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
