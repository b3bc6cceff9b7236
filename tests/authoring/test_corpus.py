"""Gold-file loading: bad records are reported with file, line and reason, and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.authoring.corpus import load_gold, normalise_record, record_problems
from pipeline.errors import ZhnewsError


def test_corpus_valid_record_has_no_problems(toy_record):
    assert record_problems(toy_record) == []


def _break_overlap(r):
    r["entities"].append({"start": 0, "end": 3, "label": "DATE", "text": r["text"][0:3]})


def _break_outside(r):
    r["entities"][1]["end"] = len(r["text"]) + 5


def _break_label(r):
    r["entities"][1]["label"] = "COMPANY"


def _break_text(r):
    r["entities"][1]["text"] = "别的公司"


def _break_relation(r):
    r["relations"][0]["subject"] = {
        "start": 20,
        "end": 22,
        "text": r["text"][20:22],
        "type": "ORG",
        "canonical": "x",
    }


def _break_kind(r):
    r["relations"][0]["kind"] = "amount"


@pytest.mark.parametrize(
    ("breaker", "expected"),
    [
        (_break_overlap, "overlaps"),
        (_break_outside, "outside the text"),
        (_break_label, "unknown label 'COMPANY'"),
        (_break_text, "does not match"),
        (_break_relation, "is not an annotated ORG/SEGMENT span"),
        (_break_kind, "unknown kind"),
    ],
)
def test_corpus_record_problems_name_the_reason(toy_record, breaker, expected):
    breaker(toy_record)
    problems = record_problems(toy_record)
    assert any(expected in p for p in problems), problems


def test_corpus_load_gold_skips_bad_records_and_reports_lines(tmp_path: Path, toy_record):
    bad = json.loads(json.dumps(toy_record))
    bad["entities"][1]["label"] = "COMPANY"
    lines = [
        json.dumps(toy_record, ensure_ascii=False),
        "{not json",
        json.dumps(bad, ensure_ascii=False),
        "",
        json.dumps(toy_record, ensure_ascii=False),
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    gold = load_gold(path)
    assert len(gold.records) == 2
    assert gold.skipped == 2
    assert sorted({(p.line, p.file) for p in gold.problems}) == [(2, str(path)), (3, str(path))]
    assert "invalid JSON" in gold.problems[0].reason
    assert "line 3" in str(gold.problems[1]) and "COMPANY" in str(gold.problems[1])


def test_corpus_load_gold_missing_file_is_an_error(tmp_path: Path):
    with pytest.raises(ZhnewsError, match="E001"):
        load_gold(tmp_path / "nope.jsonl")


def test_corpus_normalise_record_ignores_order(toy_record):
    shuffled = json.loads(json.dumps(toy_record))
    shuffled["entities"].reverse()
    shuffled["relations"].reverse()
    assert normalise_record(shuffled) == normalise_record(toy_record)
