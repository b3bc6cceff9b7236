"""Schema v1: the JSON Schema file and the checks a schema cannot express."""

from __future__ import annotations

import copy

import pytest

from pipeline.schema import SCHEMA_ID, json_schema, validate_record

TEXT = "2024年，示例集团收入37.7亿元，同比增长10.8%"
GOOD = {
    "id": "doc-1",
    "schema": SCHEMA_ID,
    "date": "2025-03-26",
    "entities": [
        {"start": 0, "end": 5, "text": "2024年", "label": "DATE", "source": "rule:date.year",
         "value": {"start": "2024-01-01", "end": "2024-12-31", "granularity": "year",
                   "relative": False, "fiscal": False}},
        {"start": 6, "end": 10, "text": "示例集团", "label": "ORG", "value": None,
         "source": "model:org_clf", "confidence": 0.93},
        {"start": 12, "end": 18, "text": "37.7亿元", "label": "MONEY", "source": "rule:money",
         "value": {"amount": 3770000000, "currency": "CNY", "approximate": False, "per": None}},
        {"start": 23, "end": 28, "text": "10.8%", "label": "PERCENT", "source": "rule:percent",
         "value": {"value": 10.8, "unit": "percent"}},
    ],
    "relations": [
        {"figure": {"start": 12, "end": 18, "text": "37.7亿元"},
         "subject": {"start": 6, "end": 10, "text": "示例集团", "type": "ORG"},
         "metric": "收入", "metric_canonical": "revenue", "kind": "value",
         "period": {"start": 0, "end": 5, "text": "2024年"}},
    ],
}  # fmt: skip


def test_schema_file_declares_version():
    schema = json_schema()
    assert schema["properties"]["schema"]["const"] == SCHEMA_ID == "zhnews/1"


def test_schema_accepts_a_valid_record():
    assert validate_record(GOOD, TEXT) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r.pop("id"), "'id' is a required property"),
        (lambda r: r.update(schema="zhnews/0"), "zhnews/1"),
        (lambda r: r["entities"][0].update(label="PERSON"), "PERSON"),
        (lambda r: r["entities"][2]["value"].update(currency="rmb"), "rmb"),
        (lambda r: r["entities"][3]["value"].update(unit="basis"), "basis"),
        (lambda r: r["relations"][0].update(kind="total"), "total"),
        (lambda r: r["entities"][1].update(start=7), "does not point at its text"),
        (lambda r: r["entities"][1].update(end=99), "does not point at its text"),
        (lambda r: r["relations"][0]["figure"].update(text="37.7亿"), "does not point at its text"),
    ],
)
def test_schema_rejects_broken_records(mutate, expected):
    record = copy.deepcopy(GOOD)
    mutate(record)
    problems = validate_record(record, TEXT)
    assert any(expected in p for p in problems), problems


def test_schema_rejects_overlapping_entities():
    record = copy.deepcopy(GOOD)
    record["entities"].append(
        {"start": 8, "end": 10, "text": "集团", "label": "ORG", "value": None, "source": "x"}
    )
    assert any("overlaps" in p for p in validate_record(record, TEXT))
