"""``zhnews import``: valid records are written, bad ones reported with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.authoring.formats import get_format
from pipeline.cli import _register_commands, app

TEXT = "示例科技收入12.5亿元。"


def _record(doc_id: str, label: str = "ORG") -> dict:
    return {
        "id": doc_id,
        "text": TEXT,
        "date": None,
        "entities": [
            {"start": 0, "end": 4, "label": label, "text": "示例科技"},
            {
                "start": 6,
                "end": 12,
                "label": "MONEY",
                "text": "12.5亿元",
                "value": {"amount": 1250000000, "currency": "CNY"},
            },
        ],
        "relations": [],
    }


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register_commands()
    return CliRunner()


@pytest.mark.parametrize("fmt", ["prodigy", "doccano", "labelstudio", "spacy"])
def test_import_cmd_writes_valid_and_reports_bad(runner, fmt, tmp_path: Path):
    source = tmp_path / f"in{get_format(fmt).suffix}"
    get_format(fmt).write([_record("ok"), _record("bad", label="COMPANY")], source)
    out = tmp_path / "corpus" / "mine.jsonl"
    result = runner.invoke(app, ["import", str(source), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert "imported 1 records" in result.output and "skipped 1" in result.output
    line = 2 if fmt in ("prodigy", "doccano", "spacy") else 3
    assert f"'{source}' line {line}: " in result.output and "COMPANY" in result.output
    records = [json.loads(x) for x in out.read_text(encoding="utf8").splitlines()]
    assert [r["id"] for r in records] == ["ok"]


def test_import_cmd_clean_file_exits_zero(runner, tmp_path: Path):
    source = tmp_path / "in.jsonl"
    get_format("doccano").write([_record("ok")], source)
    result = runner.invoke(
        app,
        [
            "import",
            str(source),
            "-f",
            "doccano",
            "-o",
            str(tmp_path / "o.jsonl"),
            "--split",
            "train",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o.jsonl").read_text(encoding="utf8"))["split"] == "train"


def test_import_cmd_missing_file_is_usage_error(runner, tmp_path: Path):
    result = runner.invoke(
        app,
        [
            "import",
            str(tmp_path / "nope.json"),
            "-f",
            "labelstudio",
            "-o",
            str(tmp_path / "o.jsonl"),
        ],
    )
    assert result.exit_code != 0
    assert "E001" in str(result.exception) or "E001" in result.output


@pytest.mark.parametrize("fmt", ["prodigy", "spacy"])
def test_import_cmd_existing_annotations_round_trip(runner, fmt, tmp_path: Path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(_record("g1"), ensure_ascii=False) + "\n", encoding="utf8")
    exported = tmp_path / f"out{get_format(fmt).suffix}"
    result = runner.invoke(
        app, ["annotate", str(gold), "--existing", "-f", fmt, "-o", str(exported)]
    )
    assert result.exit_code == 0, result.output
    back = tmp_path / "back.jsonl"
    result = runner.invoke(app, ["import", str(exported), "-f", fmt, "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert json.loads(back.read_text(encoding="utf8")) == _record("g1")
