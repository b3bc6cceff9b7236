"""Annotation-tool formats: every writer's output reads back to the same record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.authoring.corpus import CORPUS_DIR, load_gold, normalise_record
from pipeline.authoring.formats import FORMAT_NAMES, get_format
from pipeline.authoring.importer import read_annotations
from pipeline.errors import UsageError


def _round_trip(records, name: str, tmp_path: Path):
    fmt = get_format(name)
    path = tmp_path / f"out{fmt.suffix}"
    assert fmt.write(records, path) == len(records)
    return list(fmt.read(path))


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_formats_round_trip_toy_record(name, toy_record, tmp_path):
    back = _round_trip([toy_record], name, tmp_path)
    assert len(back) == 1
    _line, record, problems = back[0]
    assert problems == []
    assert normalise_record(record) == normalise_record(toy_record)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_formats_round_trip_project_corpus(name, tmp_path):
    paths = sorted(CORPUS_DIR.glob("*.jsonl"))
    gold = load_gold(paths) if paths else None
    if not gold or not gold.records:
        pytest.skip("no corpus records in corpus/annotated")
    back = _round_trip(gold.records, name, tmp_path)
    assert [normalise_record(r) for _, r, _ in back] == [normalise_record(r) for r in gold.records]


def test_formats_unknown_format_is_usage_error():
    with pytest.raises(UsageError, match="unknown format"):
        get_format("brat")


def _labelstudio_tamper(path: Path) -> None:
    tasks = json.loads(path.read_text(encoding="utf8"))
    result = tasks[0]["predictions"][0]["result"]
    region = next(r for r in result if r["type"] == "labels" and r["value"]["labels"] == ["ORG"])
    region["value"]["labels"] = ["COMPANY"]
    tasks[0]["annotations"] = [{"result": result, "was_cancelled": False}]
    path.write_text(
        "[\n" + ",\n".join(json.dumps(t, ensure_ascii=False) for t in tasks) + "\n]\n",
        encoding="utf8",
    )


def _jsonl_tamper(key: str, field: str):
    def tamper(path: Path) -> None:
        lines = path.read_text(encoding="utf8").splitlines()
        item = json.loads(lines[0])
        item[key][0][field] = 10_000
        lines[0] = json.dumps(item, ensure_ascii=False)
        path.write_text("\n".join(lines) + "\n", encoding="utf8")

    return tamper


@pytest.mark.parametrize(
    ("name", "tamper", "expected"),
    [
        ("labelstudio", _labelstudio_tamper, "unknown label 'COMPANY'"),
        ("prodigy", _jsonl_tamper("spans", "end"), "outside the text"),
        ("doccano", _jsonl_tamper("entities", "end_offset"), "outside the text"),
    ],
)
def test_formats_import_reports_bad_records_and_keeps_good(
    name, tamper, expected, toy_record, tmp_path
):
    fmt = get_format(name)
    second = json.loads(json.dumps(toy_record))
    second["id"] = "toy-2"
    path = tmp_path / f"in{fmt.suffix}"
    fmt.write([toy_record, second], path)
    tamper(path)
    report = read_annotations(path, name)
    assert report.skipped == 1
    assert [r["id"] for r in report.records] == ["toy-2"]
    assert report.problems[0].line == 2 if name == "labelstudio" else report.problems[0].line == 1
    assert any(expected in p.reason for p in report.problems), report.problems


def test_formats_import_reports_overlap(toy_record, tmp_path):
    fmt = get_format("doccano")
    path = tmp_path / "in.jsonl"
    fmt.write([toy_record], path)
    item = json.loads(path.read_text(encoding="utf8"))
    item["entities"].append({"id": 99, "label": "ORG", "start_offset": 6, "end_offset": 10})
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf8")
    report = read_annotations(path, "doccano")
    assert report.skipped == 1 and report.problems[0].line == 1
    assert "overlaps" in report.problems[0].reason


def test_formats_prodigy_rejected_tasks_are_skipped(toy_record, tmp_path):
    fmt = get_format("prodigy")
    path = tmp_path / "in.jsonl"
    fmt.write([toy_record], path)
    item = json.loads(path.read_text(encoding="utf8"))
    item["answer"] = "reject"
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf8")
    report = read_annotations(path, "prodigy")
    assert report.records == [] and "reject" in report.problems[0].reason


def test_formats_labelstudio_reviewer_annotation_wins(toy_record, tmp_path):
    fmt = get_format("labelstudio")
    path = tmp_path / "in.json"
    fmt.write([toy_record], path)
    tasks = json.loads(path.read_text(encoding="utf8"))
    result = [
        r
        for r in tasks[0]["predictions"][0]["result"]
        if r.get("type") == "labels" and r["value"]["labels"] != ["PERCENT"]
    ]
    tasks[0]["annotations"] = [{"result": result, "was_cancelled": False}]
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf8")
    report = read_annotations(path, "labelstudio")
    assert report.skipped == 0
    labels = [e["label"] for e in report.records[0]["entities"]]
    assert "PERCENT" not in labels and report.records[0]["relations"] == []
    assert path.with_suffix(".xml").is_file()
