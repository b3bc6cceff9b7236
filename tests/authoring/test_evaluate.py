"""``rules eval`` engine: per-rule scores from a fake component with known rules."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import spacy
from spacy.language import Language

from pipeline.authoring.corpus import GoldSet, Problem
from pipeline.authoring.evaluate import evaluate_rules
from pipeline.authoring.protocol import RelationRuleHit
from pipeline.extensions import ensure_extensions
from pipeline.spans import EntityCandidate, place_entities

RULES = [
    ("r.money", r"\d+(?:\.\d+)?亿元", "MONEY"),
    ("r.money_short", r"\d亿", "MONEY"),
    ("r.org", "示例科技", "ORG"),
    ("r.bad", "收入", "ORG"),
    ("r.never", "永远不会出现", "ORG"),
]


class FakeRules:
    """A component implementing the rule-introspection protocol over ``RULES``."""

    def __init__(self) -> None:
        ensure_extensions()

    def rule_matches(self, doc) -> list[EntityCandidate]:
        out = []
        for rid, pattern, label in RULES:
            for m in re.finditer(pattern, doc.text):
                out.append(EntityCandidate(m.start(), m.end(), label, f"rule:{rid}"))
        # a "classifier" that also proposes the ORG
        for m in re.finditer("示例科技", doc.text):
            out.append(EntityCandidate(m.start(), m.end(), "ORG", "model:fake"))
        return out

    def rule_catalogue(self) -> list[dict[str, Any]]:
        return [
            {"id": rid, "label": label, "file": "fake.tsv", "line": i + 1}
            for i, (rid, _, label) in enumerate(RULES)
        ]

    def relation_rule_hits(self, doc) -> list[RelationRuleHit]:
        hits = []
        for m in re.finditer(r"\d+%", doc.text):
            hits.append(RelationRuleHit("cmp.yoy", (m.start(), m.end()), "comparison", "yoy"))
            hits.append(RelationRuleHit("kind.default", (m.start(), m.end()), "kind", "value"))
        return hits

    def __call__(self, doc):
        place_entities(doc, self.rule_matches(doc))
        doc._.relations = []
        return doc


@Language.factory("test_fake_rules")
def _make_fake(nlp: Language, name: str) -> FakeRules:
    return FakeRules()


@pytest.fixture(scope="module")
def fake_nlp() -> Language:
    nlp = spacy.blank("zh")
    nlp.add_pipe("test_fake_rules")
    return nlp


@pytest.fixture
def report(fake_nlp, toy_record) -> dict[str, Any]:
    gold = GoldSet(records=[toy_record], problems=[Problem("g.jsonl", 3, "bad")], skipped=1)
    return evaluate_rules(fake_nlp, gold, ["g.jsonl"]).to_dict()


def _rule(report: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in report["rules"] if r["id"] == rid)


@pytest.mark.parametrize(
    ("rid", "hits", "tp", "precision", "unique"),
    [
        ("r.money", 2, 2, 1.0, 2),
        ("r.money_short", 2, 0, 0.0, 0),
        ("r.org", 1, 1, 1.0, 0),  # the classifier finds it too: no unique contribution
        ("r.bad", 2, 0, 0.0, 0),
        ("r.never", 0, 0, None, 0),
        ("cmp.yoy", 1, 1, 1.0, 1),
        ("kind.default", 1, 0, 0.0, 0),
    ],
)
def test_evaluate_rule_counts(report, rid, hits, tp, precision, unique):
    rule = _rule(report, rid)
    assert (rule["hits"], rule["tp"], rule["precision"], rule["unique"]) == (
        hits,
        tp,
        precision,
        unique,
    )
    for key in ("id", "label", "hits", "precision", "recall"):
        assert key in rule


def test_evaluate_recall_and_contribution(report):
    money = _rule(report, "r.money")
    assert money["gold"] == 2 and money["recall"] == 1.0 and money["recall_contribution"] == 1.0


def test_evaluate_overlaps_conflicts_and_model(report):
    short = _rule(report, "r.money_short")
    assert short["overlaps"] == 2 and short["overlaps_with"] == {"r.money": 2}
    assert short["false_positives"][0]["note"].startswith("boundary: gold")
    assert short["misses"] and short["misses"][0]["note"].startswith("near miss")
    assert _rule(report, "r.org")["model_agree"] == 1
    bad = _rule(report, "r.bad")
    assert bad["false_positives"][0]["context"].count("【") == 1


def test_evaluate_relation_rules_scored_per_field(report):
    cmp = _rule(report, "cmp.yoy")
    assert cmp["label"] == "REL:comparison" and cmp["kind"] == "relation"
    kind = _rule(report, "kind.default")
    assert "gold 'change'" in kind["false_positives"][0]["note"]


def test_evaluate_catalogue_lists_file_and_line(report):
    never = _rule(report, "r.never")
    assert (never["file"], never["line"]) == ("fake.tsv", 5)


def test_evaluate_reports_skipped_gold(report):
    assert report["skipped"] == 1 and report["problems"] == ["[E009] 'g.jsonl' line 3: bad"]
    assert report["documents"] == 1


def test_evaluate_label_summary(report):
    money = report["labels"]["MONEY"]
    assert money["gold"] == 2 and money["output_tp"] == 2 and money["recall"] == 1.0


class BrokenRules(FakeRules):
    """A component whose rule introspection raises (its internals changed)."""

    def rule_matches(self, doc):
        raise KeyError("internals moved")

    def __call__(self, doc):
        place_entities(doc, FakeRules.rule_matches(self, doc))
        doc._.relations = []
        return doc


@Language.factory("test_broken_rules")
def _make_broken(nlp: Language, name: str) -> BrokenRules:
    return BrokenRules()


def test_evaluate_survives_a_failing_component(toy_record):
    nlp = spacy.blank("zh")
    nlp.add_pipe("test_broken_rules")
    report = evaluate_rules(nlp, GoldSet(records=[toy_record, toy_record])).to_dict()
    assert len(report["warnings"]) == 1 and "internals moved" in report["warnings"][0]
    # its entities are still scored, from the final output (raw: false)
    money = _rule(report, "r.money")
    assert money["hits"] == 4 and money["raw"] is False


def test_evaluate_compare_reports_changed_and_new_rules(fake_nlp, toy_record):
    from pipeline.authoring.report import compare_rows

    old = evaluate_rules(fake_nlp, GoldSet(records=[toy_record])).to_dict()
    new = json.loads(json.dumps(old))
    new["rules"][0]["hits"] += 1
    new["rules"].append(
        {
            "id": "r.added",
            "label": "ORG",
            "hits": 1,
            "tp": 1,
            "fp": 0,
            "precision": 1.0,
            "recall": 0.5,
        }
    )
    new["labels"]["MONEY"]["f1"] = 0.5
    rules, labels = compare_rows(old, new)
    status = {r[0]: r[2] for r in rules}
    assert status == {new["rules"][0]["id"]: "changed", "r.added": "new"}
    assert labels[0][0] == "MONEY" and labels[0][-1].endswith("→ 0.50")
    assert compare_rows(old, old) == ([], [])
