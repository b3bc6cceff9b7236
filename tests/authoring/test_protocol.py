"""Rule ids and sources as the rule-introspection protocol reads them."""

from __future__ import annotations

import pytest

from pipeline.authoring.protocol import catalogue_entry, is_model, rule_id


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("rule:money.range", "money.range"),
        ("gazetteer:org", "gazetteer:org"),
        ("model:org_clf", "model:org_clf"),
        (None, "unknown"),
        ("", "unknown"),
    ],
)
def test_protocol_rule_id(source, expected):
    assert rule_id(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [("model:rel_clf", True), ("rule:x", False), ("gazetteer:org", False), (None, False)],
)
def test_protocol_is_model(source, expected):
    assert is_model(source) is expected


def test_protocol_catalogue_entry_shape():
    entry = catalogue_entry("money.range", "MONEY", "patterns.yaml", 63, "ranges")
    assert entry == {
        "id": "money.range",
        "label": "MONEY",
        "file": "patterns.yaml",
        "line": 63,
        "description": "ranges",
    }
