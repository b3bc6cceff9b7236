"""Rule introspection: what a component tells ``zhnews rules eval`` about its rules.

A pipeline component takes part in rule evaluation by exposing any of these methods
(duck typing; nothing to inherit or register):

``rule_matches(doc) -> list[EntityCandidate]``
    EVERY raw candidate of every rule on ``doc.text``, before overlap resolution,
    gazetteer/classifier filtering or placement, with ``source`` set to the rule id
    (``rule:<id>``, the id in the rule file).  Candidates may carry any corpus label,
    including SEGMENT and METRIC mentions of the relation stage.  Candidates from a
    statistical model use ``model:<name>`` and are counted as the classifier.  It must
    not modify ``doc``; it is called after the pipeline has run, so ``doc.ents`` of
    earlier components are available if the rules need them.

``relation_rule_hits(doc) -> list[RelationRuleHit]``
    One hit per decision a relation rule made about a figure: which field
    (``subject``, ``metric``, ``period``, ``kind``, ``comparison``, ``direction``,
    ``role``) it set and to what; span fields carry ``(start, end)`` offsets.

``rule_catalogue() -> list[dict]``
    Every rule the component loaded, as ``{"id", "label", "file", "line"}`` (plus
    optional ``"description"``), read from the rule files at ``initialize()``.  Rules
    that never fire still appear in the report, and a rule added to ``configs/``
    appears without any code change.

A component without these methods is still evaluated: its final entities are grouped
by their ``source`` (``raw: false`` in the report, since candidates lost in overlap
resolution are then invisible).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from spacy.tokens import Doc

from pipeline.spans import EntityCandidate

RELATION_FIELDS: tuple[str, ...] = (
    "subject",
    "metric",
    "period",
    "kind",
    "comparison",
    "direction",
    "role",
)
SPAN_FIELDS: frozenset[str] = frozenset({"subject", "metric", "period"})
RULE_PREFIX = "rule:"
MODEL_PREFIX = "model:"


@dataclass(frozen=True)
class RelationRuleHit:
    """A relation rule's decision about one figure."""

    rule: str
    figure: tuple[int, int]
    field: str
    value: Any
    # The rule-file entry behind the decision (e.g. the cue word), for ``--by-entry``.
    entry: str | None = None


@runtime_checkable
class EntityRules(Protocol):
    """A component whose entity rules can be evaluated one by one."""

    def rule_matches(self, doc: Doc) -> list[EntityCandidate]: ...

    def rule_catalogue(self) -> list[dict[str, Any]]: ...


@runtime_checkable
class RelationRules(Protocol):
    """A component whose relation rules can be evaluated one by one."""

    def relation_rule_hits(self, doc: Doc) -> list[RelationRuleHit]: ...

    def rule_catalogue(self) -> list[dict[str, Any]]: ...


def rule_id(source: str | None) -> str:
    """The rule id of a candidate ``source`` (``rule:money.range`` → ``money.range``)."""
    if not source:
        return "unknown"
    return source[len(RULE_PREFIX) :] if source.startswith(RULE_PREFIX) else source


def is_model(source: str | None) -> bool:
    """Whether a source names a statistical model rather than a rule."""
    return bool(source) and source.startswith(MODEL_PREFIX)


def catalogue_entry(
    rule: str, label: str, file: str, line: int, description: str | None = None
) -> dict[str, Any]:
    """One ``rule_catalogue()`` item (helper for components)."""
    entry: dict[str, Any] = {"id": rule, "label": label, "file": file, "line": line}
    if description:
        entry["description"] = description
    return entry
