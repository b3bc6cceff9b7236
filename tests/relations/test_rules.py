"""Invariants that the speed-minded code of rules.py relies on."""

from __future__ import annotations

from dataclasses import fields

from pipeline.relations.rules import FigureFacts


def test_figure_facts_field_order():
    """figure_facts builds FigureFacts positionally: reordering a field must fail here."""
    assert [f.name for f in fields(FigureFacts)] == [
        "metric",
        "kind",
        "comparison",
        "direction",
        "role",
        "period",
        "prefix_start",
        "share_cue",
        "change_cue",
        "market_cue",
        "kind_rule",
        "implicit_metric",
    ]
